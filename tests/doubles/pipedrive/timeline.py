"""Activities and notes of the generated account, made on demand from (seed, id): most hang on
early deals, because the team stopped filling activities in 2022."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from . import catalogue as cat
from .model import (
    Activity,
    Note,
    record_rng,
)


class TimelineMixin:
    # -- activities and notes (made on demand) ----------------------------------------------------

    def _target_deal(self, index: int, count: int, skew: float) -> int:
        """Deal of the index-th deal-linked record: early deals get most (activity stopped in 2022)."""
        fraction = ((index - 0.5) / count) ** skew
        return min(self.deal_count, int(self.deal_count * fraction) + 1)

    def _activity(self, activity_id: int) -> Activity:
        rng = record_rng(self.seed, "activity", activity_id)
        deal_linked = int(self.activity_count * 0.85)
        deal_id = lead_id = None
        if activity_id <= deal_linked:
            deal = self.deals.get(self._target_deal(activity_id, deal_linked, 4.0))
            deal_id, person_id, org_id, owner = deal.id, deal.person_id, deal.org_id, deal.owner_id
            low, deleted = deal.add_time, deal.is_deleted
            high = min(low + timedelta(days=150), (deal.close_time or self.as_of) + timedelta(days=5))
        elif activity_id % 3 == 0:
            lead = self.leads[activity_id % len(self.leads)]
            lead_id, person_id, org_id, owner = lead.id, lead.person_id, lead.organization_id, lead.owner_id
            low, high, deleted = lead.add_time, lead.add_time + timedelta(days=120), False
        else:
            person = self.persons[activity_id % len(self.persons)]
            person_id, org_id, owner = person.id, person.org_id, person.owner_id
            low, high, deleted = person.add_time, datetime(2022, 12, 31, tzinfo=UTC), person.is_deleted
            if activity_id % 3 == 2:
                person_id = None
                org_id = org_id or 1
        due = self.moment(rng, low, max(low + timedelta(days=1), high))
        kinds = ("call", "meeting", "task", "email", "deadline", "lunch", "linkedin_step", "trade_fair")
        kind = rng.choices(kinds, cum_weights=(30, 50, 70, 85, 93, 96, 99, 100))[0]
        all_day = kind in ("task", "deadline") or rng.random() < 0.2
        done = due < self.as_of and rng.random() < 0.88
        person = self.persons[person_id - 1] if person_id else None
        org = self.organizations[org_id - 1] if org_id else None
        subject = rng.choice(cat.ACTIVITY_SUBJECTS[kind]).format(
            person=person.name if person else "the customer",
            org=org.name if org else "the customer",
            topic=rng.choice(cat.SUBSYSTEMS),
        )
        participants = ((person_id, True),) if person_id else ()
        if person and org_id and rng.random() < 0.3:
            colleagues = [p for p in self.persons_by_org.get(org_id, ()) if p != person_id]
            if colleagues:
                participants += ((rng.choice(colleagues), False),)
        added = max(self.start, due - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 8)))
        done_time = min(self.as_of, due + timedelta(hours=rng.randint(1, 72))) if done else None
        if owner not in self.active_user_ids() and due > datetime(2022, 7, 1, tzinfo=UTC):
            owner = self.users[0].id
        return Activity(
            id=activity_id,
            subject=subject,
            type=kind,
            owner_id=owner,
            creator_user_id=owner,
            add_time=added,
            update_time=max(added, done_time or added),
            due_date=due.date(),
            due_time=None if all_day else f"{rng.randint(7, 16):02d}:{rng.choice((0, 15, 30, 45)):02d}:00",
            duration=None if all_day else rng.choice(("00:30:00", "01:00:00", "02:00:00")),
            deal_id=deal_id,
            lead_id=lead_id,
            person_id=person_id,
            org_id=org_id,
            participants=participants,
            busy=kind in ("meeting", "lunch", "call"),
            done=done,
            marked_as_done_time=done_time,
            location=org.address["value"] if kind == "meeting" and org and org.address else None,
            note=f"<p>Discussed the {rng.choice(cat.SUBSYSTEMS)} interface.</p>"
            if rng.random() < 0.2
            else None,
            is_deleted=deleted,
        )

    def _note(self, note_id: int) -> Note:
        rng = record_rng(self.seed, "note", note_id)
        deal_linked = int(self.note_count * 0.7)
        target = {"deal_id": None, "lead_id": None, "person_id": None, "org_id": None}
        pin = rng.random() < 0.1
        pins = {
            "pinned_to_deal": False,
            "pinned_to_lead": False,
            "pinned_to_person": False,
            "pinned_to_organization": False,
        }
        if note_id <= deal_linked:
            deal = self.deals.get(self._target_deal(note_id, deal_linked, 1.5))
            target["deal_id"], low, user, deleted = deal.id, deal.add_time, deal.owner_id, deal.is_deleted
            person = self.persons[deal.person_id - 1] if deal.person_id else None
            pins["pinned_to_deal"] = pin
        else:
            kind = note_id % 3
            deleted = False
            if kind == 0:
                lead = self.leads[note_id % len(self.leads)]
                target["lead_id"], low, user = lead.id, lead.add_time, lead.owner_id
                person = self.persons[lead.person_id - 1] if lead.person_id else None
                pins["pinned_to_lead"] = pin
            elif kind == 1:
                person = self.persons[note_id % len(self.persons)]
                target["person_id"], low, user, deleted = (
                    person.id,
                    person.add_time,
                    person.owner_id,
                    person.is_deleted,
                )
                pins["pinned_to_person"] = pin
            else:
                org = self.organizations[note_id % len(self.organizations)]
                target["org_id"], low, user, deleted = org.id, org.add_time, org.owner_id, org.is_deleted
                person = None
                pins["pinned_to_organization"] = pin
        added = self.moment(rng, low, min(self.as_of, low + timedelta(days=500)))
        if note_id % cat.SCRIPT_NOTE_EVERY == 1:
            content = cat.SCRIPT_NOTE
        else:
            content = rng.choice(cat.NOTE_TEMPLATES).format(
                person=person.name if person else "the customer",
                email=person.emails[0].value if person and person.emails else "info@example.org",
                quarter=rng.randint(1, 4),
                year=added.year + 1,
                amount=rng.randint(50, 900),
                currency=rng.choice(("€", "CHF")),
                subsystem=rng.choice(cat.SUBSYSTEMS),
                weeks=rng.randint(2, 12),
            )
        return Note(
            id=note_id,
            content=content,
            user_id=user,
            add_time=added,
            update_time=self.moment(rng, added, self.as_of) if rng.random() < 0.2 else added,
            is_deleted=deleted,
            **target,
            **pins,
        )
