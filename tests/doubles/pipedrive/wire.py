"""Wire formats shared by both API versions: times, dates, numbers, money, field subfields."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from .model import (
    Field,
)

ZURICH = ZoneInfo("Europe/Zurich")
ADDRESS_PARTS = (
    "street_number",
    "route",
    "sublocality",
    "locality",
    "admin_area_level_1",
    "admin_area_level_2",
    "country",
    "postal_code",
    "formatted_address",
)
SUBFIELD_NAMES = {
    "street_number": "House number",
    "route": "Street/road name",
    "sublocality": "District/sublocality",
    "locality": "City/town/village/locality",
    "admin_area_level_1": "State/county",
    "admin_area_level_2": "Region",
    "country": "Country",
    "postal_code": "ZIP/Postal code",
    "formatted_address": "Full/combined address",
}
TIMEZONE_IDS = {"Europe/Amsterdam": 352, "Europe/Zurich": 384, "Europe/Paris": 369}
SYMBOLS = {"EUR": "€", "CHF": "CHF ", "USD": "$"}
DEAL_INCLUDE_FIELDS = frozenset(
    {
        "next_activity_id",
        "last_activity_id",
        "first_won_time",
        "products_count",
        "files_count",
        "notes_count",
        "followers_count",
        "email_messages_count",
        "activities_count",
        "done_activities_count",
        "undone_activities_count",
        "participants_count",
        "last_incoming_mail_time",
        "last_outgoing_mail_time",
        "smart_bcc_email",
    }
)


def rfc3339(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def v1_time(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else None


def iso_ms(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z" if moment else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def number(value: Decimal | int | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def _subfields(f: Field) -> list[dict] | None:
    name = f.name
    if f.field_type == "monetary":
        return [
            {"field_code": "value", "field_name": f"Amount of {name}", "field_type": "double"},
            {"field_code": "currency", "field_name": f"Currency of {name}", "field_type": "varchar"},
        ]
    if f.field_type == "daterange":
        return [
            {"field_code": "value", "field_name": f"Start date of {name}", "field_type": "date"},
            {"field_code": "until", "field_name": f"End date of {name}", "field_type": "date"},
        ]
    if f.field_type == "address":
        return [{"field_code": "value", "field_name": name, "field_type": "varchar"}] + [
            {"field_code": part, "field_name": f"{SUBFIELD_NAMES[part]} of {name}", "field_type": "varchar"}
            for part in ADDRESS_PARTS
        ]
    if f.field_type == "time":
        return [
            {"field_code": "value", "field_name": name, "field_type": "time"},
            {"field_code": "timezone_id", "field_name": f"Timezone of {name}", "field_type": "int"},
        ]
    return None


def _local_date(moment: datetime | None) -> str | None:
    return moment.astimezone(ZURICH).date().isoformat() if moment else None


def _formatted(amount: Decimal, currency: str) -> str:
    places = 0 if amount == int(amount) else 2
    return f"{SYMBOLS.get(currency, currency + ' ')}{amount:,.{places}f}"
