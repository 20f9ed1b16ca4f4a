"""Rows into records: every mapped cell parsed, then one whole record or the row's issues, never half.

`RowBuilder` is compiled once per file from its ColumnMapping and the conventions detected in
its values (decimal mark and day/month order per column), then turns each row into a record
of records.py or a list of RowIssue.
"""

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, tzinfo
from functools import partial

from apogee.integrations.pipedrive import records
from apogee.integrations.pipedrive.exportfiles import values
from apogee.integrations.pipedrive.exportfiles import vocabulary as words
from apogee.integrations.pipedrive.exportfiles.columns import CUSTOM, FIELD, ColumnMap, ColumnMapping
from apogee.integrations.pipedrive.exportfiles.errors import RowIssue, ValueProblem

_STAGE_IN_PIPELINE = re.compile(r"(.*\S)\s*\(([^()]+)\)")
_RANGE_SEPARATOR = re.compile(r"\s+(?:-|–|to|au|à)\s+")


def _raw(value: object, zone: tzinfo) -> object:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date()
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)
    return value


def _date_range(value: object, order: str) -> records.DateRange | None:
    if isinstance(value, str):
        parts = _RANGE_SEPARATOR.split(value.strip(), maxsplit=1)
        if len(parts) == 2:
            return records.DateRange(values.parse_date(parts[0], order), values.parse_date(parts[1], order))
    start = values.parse_date(value, order)
    return None if start is None else records.DateRange(start, None)


def _stage_in_pipeline(value: object) -> tuple[str, str] | None:
    text = values.as_text(value)
    if text is None:
        return None
    match = _STAGE_IN_PIPELINE.fullmatch(text)
    return (match.group(1), match.group(2).strip()) if match else (text, "")


def parser_for(kind: str, *, mark: str, order: str, zone: tzinfo) -> Callable[[object], object]:
    """The function reading one cell of a column of `kind`, under the column's conventions."""
    parsers: dict[str, Callable[[object], object]] = {
        "id": values.as_text,
        "text": values.as_text,
        "html": values.as_text,
        "contact": values.parse_list,
        "labels": values.parse_list,
        "ref_names": values.parse_ref_names,
        "ref_name": values.parse_ref_name,
        "option": values.parse_option,
        "options": values.parse_options,
        "number": partial(values.parse_number, mark=mark),
        "integer": partial(values.parse_integer, mark=mark),
        "currency": values.parse_currency,
        "date": partial(values.parse_date, order=order),
        "datetime": partial(values.parse_datetime, order=order, zone=zone),
        "daterange": partial(_date_range, order=order),
        "time": values.parse_time,
        "duration": values.parse_duration_minutes,
        "status": values.parse_status,
        "boolean": values.parse_boolean,
        "done": values.parse_done,
        "archived": values.parse_archived,
        "stage+pipeline": _stage_in_pipeline,
        "raw": partial(_raw, zone=zone),
    }
    return parsers[kind]


def _putter(column: ColumnMap) -> Callable[[dict, object], None]:
    """How a parsed value lands in the row's accumulator (flat keys, assembled by the builders)."""
    target, part = column.target, column.part
    if column.kind == CUSTOM and part:
        group = "money" if part in ("amount", "currency") else "addresses"
        return lambda acc, value: acc.setdefault(group, {}).setdefault(target, {}).__setitem__(part, value)
    if column.kind == CUSTOM:
        return lambda acc, value: acc.setdefault("custom", {}).__setitem__(target, value)
    if column.value_kind == "contact":
        label = column.label

        def put_contacts(acc: dict, found: list[str]) -> None:
            acc.setdefault(target, []).extend(records.Contact(value=item, label=label) for item in found)

        return put_contacts
    if target.startswith("address."):
        return lambda acc, value: acc.setdefault("address", {}).__setitem__(target[8:], value)
    if column.fallback:
        return lambda acc, value: acc.setdefault(target, value)
    return lambda acc, value: acc.__setitem__(target, value)


_NO_REF = records.Ref()
_REF_KEYS = {
    name: (f"{name}.id", f"{name}.name")
    for name in ("owner", "user", "organization", "person", "deal", "lead", "converted_deal")
}


class RowBuilder:
    def __init__(
        self, mapping: ColumnMapping, *, marks: dict[int, str], orders: dict[int, str], zone: tzinfo
    ):
        self.entity = mapping.entity
        self.zone = zone
        used = [c for c in mapping.columns if c.kind in (FIELD, CUSTOM)]
        # Own columns first, so a linked column only fills what the record's own left empty.
        used.sort(key=lambda column: column.fallback)
        self.plan = [
            (
                column.index,
                column.header,
                parser_for(
                    "stage+pipeline" if column.target == "stage+pipeline" else column.value_kind,
                    mark=marks.get(column.index, "."),
                    order=orders.get(column.index, values.DAY_FIRST),
                    zone=zone,
                ),
                _putter(column),
            )
            for column in used
        ]
        self.required_header = {c.target: c.header for c in used if c.kind == FIELD and not c.fallback}
        self.build = getattr(self, f"_build_{self.entity}")
        self.synthetic_ids: Counter = Counter()

    def read(
        self, row: int, cells: Sequence[object], check_encoding: str = ""
    ) -> records.Record | list[RowIssue]:
        acc: dict = {}
        issues = []
        width = len(cells)
        for index, header, parse, put in self.plan:
            if index >= width:
                continue
            cell = cells[index]
            if cell is None or cell == "":
                continue
            if check_encoding and isinstance(cell, str):
                byte = values.broken_bytes(cell)
                if byte:
                    message = f"broken character encoding: byte {byte} is not valid {check_encoding}"
                    issues.append(RowIssue(row, header, message, "broken_encoding"))
                    continue
            try:
                value = parse(cell)
            except ValueProblem as problem:
                issues.append(RowIssue(row, header, problem.message, problem.code))
                continue
            if value is not None:
                put(acc, value)
        if issues:
            return issues
        try:
            record = self.build(acc)
        except ValueProblem as problem:
            return [RowIssue(row, self._required_column(), problem.message, problem.code)]
        record.row = row
        if not record.source_id:
            record.source_id = self._synthetic_id(record)
        return record

    def _required_column(self) -> str:
        target = words.REQUIRED[self.entity][0]
        return self.required_header.get(target) or self.required_header.get("first_name", target)

    # --- shared parts --------------------------------------------------------------------------

    @staticmethod
    def _ref(acc: dict, name: str) -> records.Ref:
        id_key, name_key = _REF_KEYS[name]
        if id_key in acc or name_key in acc:
            return records.Ref(id=acc.get(id_key), name=acc.get(name_key))
        return _NO_REF  # frozen, so one shared empty reference is safe

    @staticmethod
    def _required(acc: dict, target: str) -> str:
        found = acc.get(target)
        if not found:
            raise ValueProblem("missing_value", f"the {target} is empty")
        return found

    @staticmethod
    def _common(acc: dict, *fields: str) -> dict:
        return {name: acc[name] for name in fields if name in acc}

    @staticmethod
    def _custom(acc: dict) -> dict:
        custom = acc.get("custom", {})
        for key, parts in acc.get("money", {}).items():
            if parts.get("amount") is not None:
                custom[key] = records.Money(parts["amount"], parts.get("currency", ""))
        for key, parts in acc.get("addresses", {}).items():
            custom[key] = records.Address(**parts)
        return custom

    # --- one builder per entity -------------------------------------------------------------

    def _build_deal(self, acc: dict) -> records.Deal:
        stage_name, pipeline_name = acc.get("stage+pipeline", (None, None))
        status = acc.get("status", "open")
        return records.Deal(
            source_id=acc.get("source_id", ""),
            title=self._required(acc, "title"),
            pipeline=records.Ref(
                id=acc.get("pipeline.id"), name=acc.get("pipeline.name") or pipeline_name or None
            ),
            stage=records.Ref(id=acc.get("stage.id"), name=acc.get("stage.name") or stage_name),
            status=status,
            is_deleted=status == "deleted",
            owner=self._ref(acc, "owner"),
            organization=self._ref(acc, "organization"),
            person=self._ref(acc, "person"),
            custom=self._custom(acc),
            **self._common(
                acc,
                "value",
                "currency",
                "expected_close_date",
                "add_time",
                "update_time",
                "stage_change_time",
                "won_time",
                "lost_time",
                "close_time",
                "lost_reason",
                "labels",
                "probability",
                "is_archived",
                "visible_to",
            ),
        )

    def _build_person(self, acc: dict) -> records.Person:
        name = acc.get("name") or " ".join(filter(None, (acc.get("first_name"), acc.get("last_name"))))
        if not name:
            raise ValueProblem("missing_value", "the name is empty")
        contacts = {}
        for kind in ("emails", "phones"):
            found = acc.get(kind, [])
            if found:
                found[0] = records.Contact(found[0].value, found[0].label, primary=True)
            contacts[kind] = found
        return records.Person(
            source_id=acc.get("source_id", ""),
            name=name,
            organization=self._ref(acc, "organization"),
            owner=self._ref(acc, "owner"),
            custom=self._custom(acc),
            **contacts,
            **self._common(acc, "first_name", "last_name", "job_title", "labels", "add_time", "update_time"),
        )

    def _build_organization(self, acc: dict) -> records.Organization:
        address = acc.get("address")
        return records.Organization(
            source_id=acc.get("source_id", ""),
            name=self._required(acc, "name"),
            owner=self._ref(acc, "owner"),
            address=records.Address(**address) if address else None,
            custom=self._custom(acc),
            **self._common(acc, "website", "labels", "add_time", "update_time"),
        )

    def _build_activity(self, acc: dict) -> records.Activity:
        due_date, due_time = acc.get("due_date"), acc.get("due_time")
        if due_date and due_time:
            # The file shows the exporting user's local time; records keep due dates and times in UTC.
            moment = datetime.combine(due_date, due_time, tzinfo=self.zone).astimezone(UTC)
            due_date, due_time = moment.date(), moment.time()
        return records.Activity(
            source_id=acc.get("source_id", ""),
            subject=self._required(acc, "subject"),
            type=records.Ref(name=acc.get("type.name")),
            due_date=due_date,
            due_time=due_time.strftime("%H:%M") if due_time else "",
            owner=self._ref(acc, "owner"),
            deal=self._ref(acc, "deal"),
            lead=self._ref(acc, "lead"),
            person=self._ref(acc, "person"),
            organization=self._ref(acc, "organization"),
            **self._common(
                acc,
                "duration_minutes",
                "participants",
                "done",
                "done_time",
                "note",
                "add_time",
                "update_time",
            ),
        )

    def _build_lead(self, acc: dict) -> records.Lead:
        amount = acc.get("value")
        return records.Lead(
            source_id=acc.get("source_id", ""),
            title=self._required(acc, "title"),
            owner=self._ref(acc, "owner"),
            person=self._ref(acc, "person"),
            organization=self._ref(acc, "organization"),
            value=None if amount is None else records.Money(amount, acc.get("currency", "")),
            converted_deal=self._ref(acc, "converted_deal"),
            custom=self._custom(acc),
            **self._common(
                acc, "labels", "expected_close_date", "source_name", "add_time", "update_time", "is_archived"
            ),
        )

    def _build_note(self, acc: dict) -> records.Note:
        return records.Note(
            source_id=acc.get("source_id", ""),
            content=self._required(acc, "content"),
            user=self._ref(acc, "user"),
            deal=self._ref(acc, "deal"),
            lead=self._ref(acc, "lead"),
            person=self._ref(acc, "person"),
            organization=self._ref(acc, "organization"),
            **self._common(acc, "pinned", "add_time", "update_time"),
        )

    def _build_product(self, acc: dict) -> records.Product:
        price = acc.get("price")
        active = acc.get("is_active")
        return records.Product(
            source_id=acc.get("source_id", ""),
            name=self._required(acc, "name"),
            prices=[] if price is None else [records.Money(price, acc.get("price_currency", ""))],
            is_deleted=active is False,
            custom=self._custom(acc),
            **self._common(acc, "code", "unit"),
        )

    # --- synthetic ids -----------------------------------------------------------------------

    def _synthetic_id(self, record: records.Record) -> str:
        """An id from what the row says, the same on every read of the same file: "name:acme sa"."""
        natural = _natural_key(self.entity, record)
        self.synthetic_ids[natural] += 1
        count = self.synthetic_ids[natural]
        return natural if count == 1 else f"{natural}#{count}"


def normal_name(text: str | None) -> str:
    """How a name becomes part of a synthetic id ("name:acme sa"); the importer resolves file
    references by name with the same folding."""
    return " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()


def _moment(value: date | None) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat() if value else ""


def _natural_key(entity: str, record) -> str:
    if entity == "organization":
        return f"name:{normal_name(record.name)}"
    if entity == "person":
        if record.emails:
            return f"email:{record.emails[0].value.casefold()}"
        organization = record.organization.name or record.organization.id
        return f"name:{normal_name(record.name)}" + (
            f"|org:{normal_name(organization)}" if organization else ""
        )
    if entity == "product":
        return f"code:{normal_name(record.code)}" if record.code else f"name:{normal_name(record.name)}"
    links = (getattr(record, name, records.Ref()) for name in ("deal", "lead", "organization", "person"))
    context = "|".join(normal_name(link.name or link.id) for link in links if link)
    if entity in ("deal", "lead"):
        return f"title:{normal_name(record.title)}|{context}|created:{_moment(record.add_time)}"
    if entity == "activity":
        due = f"{_moment(record.due_date)} {record.due_time}".strip()
        return f"subject:{normal_name(record.subject)}|due:{due}|{context}"
    content = f"{normal_name(record.content)}|{_moment(record.add_time)}|{context}"
    digest = hashlib.sha1(content.encode(), usedforsecurity=False).hexdigest()
    return f"content:{digest[:16]}"
