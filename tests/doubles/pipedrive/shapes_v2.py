"""API v2 shapes: RFC 3339 times, plain ids, `custom_fields` nested (see `shapes`)."""

from __future__ import annotations

from decimal import Decimal

from .model import (
    Activity,
    Deal,
    DealProduct,
    Field,
    Organization,
    Person,
    Pipeline,
    Product,
    Stage,
)
from .wire import (
    _local_date,
    _subfields,
    day,
    number,
    rfc3339,
)


class V2Shapes:
    # -- v2 -----------------------------------------------------------------------------------

    def deal_v2(self, deal: Deal, *, keys=None, option_labels=False, include=frozenset()) -> dict:
        out = {
            "id": deal.id,
            "title": deal.title,
            "creator_user_id": deal.creator_user_id,
            "owner_id": deal.owner_id,
            "value": number(deal.value),
            "currency": deal.currency,
            "person_id": deal.person_id,
            "org_id": deal.org_id,
            "stage_id": deal.stage_id,
            "pipeline_id": deal.pipeline_id,
            "add_time": rfc3339(deal.add_time),
            "update_time": rfc3339(deal.update_time),
            "stage_change_time": rfc3339(deal.stage_change_time),
            "status": deal.status,
            "is_archived": deal.is_archived,
            "archive_time": rfc3339(deal.archive_time),
            "is_deleted": deal.is_deleted,
            "probability": deal.probability,
            "lost_reason": deal.lost_reason,
            "visible_to": deal.visible_to,
            "close_time": rfc3339(deal.close_time),
            "won_time": rfc3339(deal.won_time),
            "lost_time": rfc3339(deal.lost_time),
            "local_won_date": _local_date(deal.won_time),
            "local_lost_date": _local_date(deal.lost_time),
            "local_close_date": _local_date(deal.close_time),
            "expected_close_date": day(deal.expected_close_date),
            "label_ids": list(deal.label_ids),
            "origin": deal.origin,
            "origin_id": None,
            "channel": None,
            "channel_id": None,
            "source_lead_id": None,
            "acv": None,
            "arr": None,
            "mrr": None,
            "custom_fields": self.custom_v2("deal", deal.custom, keys, option_labels),
        }
        extras = {
            "first_won_time": rfc3339(deal.first_won_time),
            "products_count": len(deal.products),
            "files_count": 0,
            "followers_count": 1,
            "email_messages_count": 0,
            "participants_count": 1 if deal.person_id else 0,
            "last_incoming_mail_time": None,
            "last_outgoing_mail_time": None,
            "smart_bcc_email": self.cc_email("deal", deal.id),
        }
        for name in include:
            out[name] = extras.get(name)  # activity and note counts are not computed: null
        return out

    def person_v2(self, person: Person, *, keys=None, option_labels=False) -> dict:
        return {
            "id": person.id,
            "name": person.name,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "owner_id": person.owner_id,
            "org_id": person.org_id,
            "add_time": rfc3339(person.add_time),
            "update_time": rfc3339(person.update_time),
            "emails": self._contacts_v2(person.emails),
            "phones": self._contacts_v2(person.phones),
            "is_deleted": person.is_deleted,
            "visible_to": person.visible_to,
            "label_ids": list(person.label_ids),
            "picture_id": None,
            "job_title": person.job_title or None,
            "custom_fields": self.custom_v2("person", person.custom, keys, option_labels),
        }

    def organization_v2(self, org: Organization, *, keys=None, option_labels=False) -> dict:
        return {
            "id": org.id,
            "name": org.name,
            "owner_id": org.owner_id,
            "add_time": rfc3339(org.add_time),
            "update_time": rfc3339(org.update_time),
            "address": dict(org.address) if org.address else None,
            "is_deleted": org.is_deleted,
            "visible_to": org.visible_to,
            "label_ids": list(org.label_ids),
            "website": org.website,
            "custom_fields": self.custom_v2("organization", org.custom, keys, option_labels),
        }

    def activity_v2(self, activity: Activity) -> dict:
        return {
            "id": activity.id,
            "subject": activity.subject,
            "type": activity.type,
            "owner_id": activity.owner_id,
            "creator_user_id": activity.creator_user_id,
            "is_deleted": activity.is_deleted,
            "add_time": rfc3339(activity.add_time),
            "update_time": rfc3339(activity.update_time),
            "deal_id": activity.deal_id,
            "lead_id": activity.lead_id,
            "person_id": activity.person_id,
            "org_id": activity.org_id,
            "project_id": None,
            "due_date": day(activity.due_date),
            "due_time": activity.due_time,
            "duration": activity.duration,
            "busy": activity.busy,
            "done": activity.done,
            "marked_as_done_time": rfc3339(activity.marked_as_done_time),
            "location": {"value": activity.location} if activity.location else None,
            "participants": [{"person_id": p, "primary": primary} for p, primary in activity.participants],
            "attendees": [],
            "conference_meeting_client": None,
            "conference_meeting_url": None,
            "conference_meeting_id": None,
            "public_description": activity.public_description,
            "priority": None,
            "note": activity.note,
        }

    def product_v2(self, product: Product, *, keys=None, option_labels=False) -> dict:
        return {
            "id": product.id,
            "name": product.name,
            "code": product.code,
            "description": None,
            "unit": product.unit,
            "tax": number(product.tax),
            "category": product.category,
            "owner_id": product.owner_id,
            "is_linkable": True,
            "is_deleted": product.is_deleted,
            "visible_to": product.visible_to,
            "add_time": rfc3339(product.add_time),
            "update_time": rfc3339(product.update_time),
            "billing_frequency": "one-time",
            "billing_frequency_cycles": None,
            "prices": [
                {
                    "product_id": product.id,
                    "price": number(p.price),
                    "currency": p.currency,
                    "cost": number(p.cost),
                    "direct_cost": None,
                    "notes": "",
                }
                for p in product.prices
            ],
            "custom_fields": self.custom_v2("product", product.custom, keys, option_labels),
        }

    def deal_product_v2(self, line: DealProduct) -> dict:
        return {
            "id": line.id,
            "deal_id": line.deal_id,
            "product_id": line.product_id,
            "product_variation_id": None,
            "name": line.name,
            "order_nr": line.order_nr,
            "item_price": number(line.item_price),
            "quantity": number(line.quantity),
            "discount": number(line.discount),
            "discount_type": line.discount_type,
            "sum": number(line.sum.quantize(Decimal("0.01"))),
            "currency": line.currency,
            "tax": number(line.tax),
            "tax_method": "inclusive",
            "is_enabled": True,
            "billing_frequency": "one-time",
            "billing_frequency_cycles": None,
            "billing_start_date": None,
            "comments": line.comments or None,
            "add_time": rfc3339(line.add_time),
            "update_time": rfc3339(line.update_time),
        }

    @staticmethod
    def pipeline_v2(pipeline: Pipeline) -> dict:
        return {
            "id": pipeline.id,
            "name": pipeline.name,
            "order_nr": pipeline.order_nr,
            "is_deleted": pipeline.is_deleted,
            "is_deal_probability_enabled": pipeline.deal_probability,
            "add_time": rfc3339(pipeline.add_time),
            "update_time": rfc3339(pipeline.update_time),
            "is_selected": False,
        }

    @staticmethod
    def stage_v2(stage: Stage) -> dict:
        return {
            "id": stage.id,
            "order_nr": stage.order_nr,
            "name": stage.name,
            "is_deleted": stage.is_deleted,
            "deal_probability": stage.deal_probability,
            "pipeline_id": stage.pipeline_id,
            "is_deal_rot_enabled": stage.rotten_days is not None,
            "days_to_rotten": stage.rotten_days,
            "add_time": rfc3339(stage.add_time),
            "update_time": rfc3339(stage.update_time),
        }

    @staticmethod
    def field_v2(f: Field) -> dict:
        options = None
        if f.options is not None:
            options = [{"id": o.id, "label": o.label, "color": o.color or None} for o in f.live_options()]
        return {
            "field_name": f.name,
            "field_code": f.key,
            "description": None,
            "field_type": f.field_type,
            "options": options,
            "subfields": _subfields(f),
            "is_custom_field": f.is_custom,
            "is_optional_response_field": False,
        }
