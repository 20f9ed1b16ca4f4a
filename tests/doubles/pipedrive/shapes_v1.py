"""API v1 shapes: `YYYY-MM-DD HH:MM:SS` times, reference objects, custom fields at the root
(see `shapes`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from .model import (
    ActivityType,
    Deal,
    Field,
    Lead,
    LeadLabel,
    Note,
    Organization,
    Person,
    User,
)
from .wire import (
    ADDRESS_PARTS,
    _formatted,
    _local_date,
    day,
    iso_ms,
    number,
    v1_time,
)


class V1Shapes:
    # -- v1 -----------------------------------------------------------------------------------

    def deal_v1(self, deal: Deal) -> dict:
        stage = self.stages.get(deal.stage_id)
        probability = (
            deal.probability if deal.probability is not None else (stage.deal_probability if stage else 100)
        )
        weighted = deal.value * Decimal(probability) / Decimal(100)
        out = {
            "id": deal.id,
            "creator_user_id": self.user_ref(deal.creator_user_id),
            "user_id": self.user_ref(deal.owner_id),
            "person_id": self.person_ref(deal.person_id),
            "org_id": self.org_ref(deal.org_id),
            "stage_id": deal.stage_id,
            "title": deal.title,
            "value": number(deal.value),
            "currency": deal.currency,
            "add_time": v1_time(deal.add_time),
            "update_time": v1_time(deal.update_time),
            "stage_change_time": v1_time(deal.stage_change_time),
            "active": not deal.is_deleted,
            "deleted": deal.is_deleted,
            "is_archived": deal.is_archived,
            "archive_time": v1_time(deal.archive_time),
            "status": deal.status,
            "probability": deal.probability,
            "next_activity_date": None,
            "next_activity_time": None,
            "next_activity_id": None,
            "last_activity_id": None,
            "last_activity_date": None,
            "lost_reason": deal.lost_reason,
            "visible_to": str(deal.visible_to),
            "close_time": v1_time(deal.close_time),
            "pipeline_id": deal.pipeline_id,
            "won_time": v1_time(deal.won_time),
            "first_won_time": v1_time(deal.first_won_time),
            "lost_time": v1_time(deal.lost_time),
            "products_count": len(deal.products),
            "expected_close_date": day(deal.expected_close_date),
            "label": ",".join(str(label) for label in deal.label_ids) or None,
            "local_won_date": _local_date(deal.won_time),
            "local_lost_date": _local_date(deal.lost_time),
            "local_close_date": _local_date(deal.close_time),
            "origin": deal.origin,
            "stage_order_nr": stage.order_nr if stage else None,
            "person_name": self.person_ref(deal.person_id)["name"] if deal.person_id else None,
            "org_name": self.org_ref(deal.org_id)["name"] if deal.org_id else None,
            "owner_name": self.users[deal.owner_id].name,
            "formatted_value": _formatted(deal.value, deal.currency),
            "weighted_value": number(weighted),
            "formatted_weighted_value": _formatted(weighted, deal.currency),
            "weighted_value_currency": deal.currency,
            "cc_email": self.cc_email("deal", deal.id),
            "org_hidden": False,
            "person_hidden": False,
        }
        out.update(self.custom_v1("deal", deal.custom, refs_as_objects=True))
        return out

    def person_v1(self, person: Person) -> dict:
        out = {
            "id": person.id,
            "company_id": self.dataset.company["id"],
            "owner_id": self.user_ref(person.owner_id),
            "org_id": self.org_ref(person.org_id),
            "name": person.name,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": self._contacts_v1(person.emails),
            "phone": self._contacts_v1(person.phones),
            "label": person.label_ids[0] if person.label_ids else None,
            "label_ids": list(person.label_ids),
            "visible_to": str(person.visible_to),
            "add_time": v1_time(person.add_time),
            "update_time": v1_time(person.update_time),
            "active_flag": not person.is_deleted,
            "marketing_status": person.marketing_status,
            "job_title": person.job_title or None,
            "org_name": self.org_ref(person.org_id)["name"] if person.org_id else None,
            "owner_name": self.users[person.owner_id].name,
            "cc_email": self.cc_email("person", person.id),
        }
        out.update(self.custom_v1("person", person.custom, refs_as_objects=True))
        return out

    def organization_v1(self, org: Organization) -> dict:
        address = org.address or {}
        out = {
            "id": org.id,
            "company_id": self.dataset.company["id"],
            "owner_id": self.user_ref(org.owner_id),
            "name": org.name,
            "active_flag": not org.is_deleted,
            "label": org.label_ids[0] if org.label_ids else None,
            "label_ids": list(org.label_ids),
            "visible_to": str(org.visible_to),
            "add_time": v1_time(org.add_time),
            "update_time": v1_time(org.update_time),
            "address": address.get("value"),
            "owner_name": self.users[org.owner_id].name,
            "cc_email": self.cc_email("org", org.id),
            "people_count": self.people_count(org.id),
        }
        for part in ADDRESS_PARTS:
            out[f"address_{part}"] = address.get(part) or None
        out.update(self.custom_v1("organization", org.custom, refs_as_objects=True))
        return out

    def lead_v1(self, lead: Lead) -> dict:
        out = {
            "id": lead.id,
            "title": lead.title,
            "owner_id": lead.owner_id,
            "creator_id": lead.creator_id,
            "label_ids": list(lead.label_ids),
            "person_id": lead.person_id,
            "organization_id": lead.organization_id,
            "source_name": lead.source_name,
            "origin": lead.origin,
            "origin_id": None,
            "channel": None,
            "channel_id": None,
            "is_archived": lead.is_archived,
            "was_seen": lead.was_seen,
            "value": {"amount": number(lead.value[0]), "currency": lead.value[1]} if lead.value else None,
            "expected_close_date": day(lead.expected_close_date),
            "next_activity_id": None,
            "add_time": iso_ms(lead.add_time),
            "update_time": iso_ms(lead.update_time),
            "visible_to": str(lead.visible_to),
            "cc_email": self.cc_email("lead", lead.id[:8]),
        }
        out.update(self.custom_v1("lead", lead.custom, refs_as_objects=False))
        return out

    @staticmethod
    def lead_label_v1(label: LeadLabel) -> dict:
        return {
            "id": label.id,
            "name": label.name,
            "color": label.color,
            "add_time": iso_ms(label.add_time),
            "update_time": iso_ms(label.update_time),
        }

    def user_v1(self, user: User, *, me: User | None = None) -> dict:
        return {
            "id": user.id,
            "name": user.name,
            "default_currency": user.default_currency,
            "locale": user.locale,
            "lang": 4,
            "email": user.email,
            "phone": user.phone or None,
            "activated": user.active,
            "last_login": v1_time(user.last_login),
            "created": v1_time(user.created),
            "modified": v1_time(user.last_login or user.created),
            "has_created_company": user.id == self.dataset.users[0].id,
            "access": [
                {
                    "app": "sales",
                    "admin": user.is_admin,
                    "permission_set_id": f"ps-{1 if user.is_admin else 2}",
                }
            ],
            "active_flag": user.active,
            "timezone_name": user.timezone_name,
            "timezone_offset": "+02:00",
            "role_id": 1,
            "icon_url": None,
            "is_you": me is not None and me.id == user.id,
            "is_deleted": False,
            "is_admin": int(user.is_admin),
        }

    def me_v1(self, user: User) -> dict:
        company = self.dataset.company
        return self.user_v1(user, me=user) | {
            "company_id": company["id"],
            "company_name": company["name"],
            "company_domain": company["domain"],
            "company_country": company["country"],
            "company_industry": "Aerospace",
            "language": {"language_code": "fr", "country_code": "CH"},
        }

    @staticmethod
    def activity_type_v1(kind: ActivityType) -> dict:
        return {
            "id": kind.id,
            "order_nr": kind.order_nr,
            "name": kind.name,
            "key_string": kind.key_string,
            "icon_key": kind.icon_key,
            "active_flag": kind.active,
            "color": kind.color,
            "is_custom_flag": kind.is_custom,
            "add_time": v1_time(kind.add_time),
            "update_time": v1_time(kind.update_time),
        }

    def note_v1(self, note: Note, me: User | None) -> dict:
        deal = self.dataset.deals.get(note.deal_id) if note.deal_id else None
        user = self.users[note.user_id]
        return {
            "id": note.id,
            "active_flag": not note.is_deleted,
            "add_time": v1_time(note.add_time),
            "update_time": v1_time(note.update_time),
            "content": note.content,
            "deal_id": note.deal_id,
            "lead_id": note.lead_id,
            "org_id": note.org_id,
            "person_id": note.person_id,
            "project_id": None,
            "pinned_to_deal_flag": note.pinned_to_deal,
            "pinned_to_lead_flag": note.pinned_to_lead,
            "pinned_to_organization_flag": note.pinned_to_organization,
            "pinned_to_person_flag": note.pinned_to_person,
            "user_id": note.user_id,
            "last_update_user_id": note.user_id,
            "deal": {"title": deal.title} if deal else None,
            "organization": {"name": self.org_ref(note.org_id)["name"]} if note.org_id else None,
            "person": {"name": self.person_ref(note.person_id)["name"]} if note.person_id else None,
            "user": {
                "email": user.email,
                "name": user.name,
                "icon_url": None,
                "is_you": bool(me and me.id == user.id),
            },
        }

    def field_v1(self, f: Field) -> dict:
        out = {
            "id": f.id,
            "key": f.key,
            "name": f.name,
            "order_nr": f.order_nr,
            "field_type": f.field_type,
            "json_column_flag": False,
            "add_time": v1_time(f.add_time),
            "update_time": v1_time(f.update_time),
            "last_updated_by_user_id": self.dataset.users[3].id,
            "edit_flag": f.is_custom,
            "details_visible_flag": True,
            "add_visible_flag": True,
            "important_flag": False,
            "bulk_edit_allowed": True,
            "filtering_allowed": True,
            "sortable_flag": True,
            "mandatory_flag": f.mandatory,
            "active_flag": True,
            "searchable_flag": False,
            "index_visible_flag": True,
        }
        if f.options is not None:
            out["options"] = [
                {"id": o.id, "label": o.label, "color": o.color or None} for o in f.live_options()
            ]
            out["options_deleted"] = [{"id": o.id, "label": o.label} for o in f.options if o.is_deleted]
        return out

    def flow_v1(self, deal: Deal) -> list[dict]:
        """The deal's changes, newest first, as `/deals/{id}/flow` lists them."""
        changes: list[tuple[datetime, str, Any, Any, int]] = []
        for move in deal.moves:
            if move.from_pipeline != move.to_pipeline:
                changes.append((move.at, "pipeline_id", move.from_pipeline, move.to_pipeline, move.user_id))
            changes.append((move.at, "stage_id", move.from_stage, move.to_stage, move.user_id))
        if deal.id % 3 == 0 and deal.value:
            first = deal.moves[0].at if deal.moves else deal.update_time
            changes.append(
                (first, "value", number(deal.value * Decimal("0.8")), number(deal.value), deal.owner_id)
            )
        closed = deal.closed_status if deal.is_deleted else deal.status
        if closed in ("won", "lost"):
            changes.append((deal.close_time, "status", "open", closed, deal.owner_id))
        if deal.is_deleted:
            changes.append((deal.deleted_time, "status", closed, "deleted", deal.owner_id))
        items = []
        for index, (at, key, old, new, user_id) in enumerate(sorted(changes, key=lambda c: c[0])):
            items.append(
                {
                    "object": "dealChange",
                    "timestamp": v1_time(at),
                    "data": {
                        "id": deal.id * 100 + index,
                        "item_id": deal.id,
                        "user_id": user_id,
                        "field_key": key,
                        "old_value": None if old is None else str(old),
                        "new_value": None if new is None else str(new),
                        "is_bulk_update": False,
                        "log_time": v1_time(at),
                        "change_source": "app",
                        "change_source_user_agent": None,
                        "additional_data": self._formatted_change(key, old, new),
                    },
                }
            )
        return items[::-1]

    def _formatted_change(self, key: str, old: Any, new: Any) -> dict:
        if key == "stage_id":
            return {
                "old_value_formatted": self.stages[old].name,
                "new_value_formatted": self.stages[new].name,
            }
        if key == "pipeline_id":
            names = {p.id: p.name for p in self.dataset.pipelines}
            return {"old_value_formatted": names[old], "new_value_formatted": names[new]}
        return {}
