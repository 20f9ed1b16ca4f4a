"""Permission-scoped reads of offers: the deal section, the lineage across deals, the API.

An offer is seen by whoever may see its deal (deals_visible_to); whoever sees the
deal may also change its offers, as with the deal itself. An offer on a deal one may
not see answers 404, like the deal.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from apogee.accounts.models import User
from apogee.deals.models import Deal
from apogee.deals.queries import deals_visible_to

from .models import Offer, OfferDocument, OfferStatus

# Validity closer than this is flagged on the deal page.
EXPIRY_WARNING_DAYS = 14
# How far the lineage walks origin_deal links, each way; a loop cannot make it spin.
MAX_LINEAGE_DEPTH = 10


def offers_visible_to(user: User) -> QuerySet[Offer]:
    if not user.is_authenticated or not user.is_active:
        return Offer.objects.none()
    return Offer.objects.filter(deal__in=deals_visible_to(user).values("pk"))


def get_offer_for_user_or_404(user: User, offer_id) -> Offer:
    try:
        return offers_visible_to(user).select_related("deal", "created_by").get(pk=int(offer_id))
    except (Offer.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such offer") from None


def get_document_for_user_or_404(user: User, offer_id, document_id) -> OfferDocument:
    offer = get_offer_for_user_or_404(user, offer_id)
    try:
        return offer.documents.select_related("offer__deal").get(pk=int(document_id))
    except (OfferDocument.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such document") from None


def offers_of_deal(deal: Deal) -> QuerySet[Offer]:
    """Every revision of every line of a deal the caller may see, documents prefetched."""
    return (
        Offer.objects.filter(deal=deal)
        .select_related("created_by")
        .prefetch_related(Prefetch("documents", queryset=OfferDocument.objects.select_related("uploaded_by")))
        .order_by("number", "-revision")
    )


@dataclass
class OfferLine:
    """One offer line: its current revision and the earlier ones, newest first."""

    number: int
    current: Offer
    history: list[Offer] = field(default_factory=list)


def offer_lines(deal: Deal) -> list[OfferLine]:
    """The deal's offer lines, the newest line first."""
    lines: dict[int, OfferLine] = {}
    for offer in offers_of_deal(deal):
        line = lines.get(offer.number)
        if line is None:
            lines[offer.number] = OfferLine(number=offer.number, current=offer)
        else:
            line.history.append(offer)
    return sorted(lines.values(), key=lambda line: -line.number)


def latest_standing_offer(deal: Deal) -> Offer | None:
    """The offer the deal's value follows: the newest not superseded nor rejected."""
    return (
        Offer.objects.filter(deal=deal)
        .exclude(status__in=[OfferStatus.SUPERSEDED, OfferStatus.REJECTED])
        .order_by("-created_at", "-revision", "-id")
        .first()
    )


def validity_state(offer: Offer, today: date | None = None) -> str:
    """ "expired", "expiring" (within EXPIRY_WARNING_DAYS), or "" — for a standing offer only."""
    if offer.valid_until is None or offer.status in (OfferStatus.SUPERSEDED, OfferStatus.REJECTED):
        return ""
    today = today or timezone.localdate()
    if offer.valid_until < today:
        return "expired"
    if (offer.valid_until - today).days <= EXPIRY_WARNING_DAYS:
        return "expiring"
    return ""


@dataclass
class LineageDeal:
    deal: Deal
    relation: str  # "origin", "self" or "handed_off"
    offers: list[Offer]


def lineage(user: User, deal: Deal) -> list[LineageDeal]:
    """The deals `deal` came from (oldest first), itself, then those handed off from it, with current offers.

    Only deals the user may see; an origin the user may not see is skipped, not shown.
    Empty when no other visible deal of the chain carries an offer.
    """
    visible = deals_visible_to(user)
    ancestors: list[int] = []
    seen = {deal.pk}
    origin_id = deal.origin_deal_id
    while origin_id and origin_id not in seen and len(seen) <= MAX_LINEAGE_DEPTH:
        seen.add(origin_id)
        row = Deal.objects.filter(pk=origin_id).values("pk", "origin_deal_id").first()
        if row is None:
            break
        ancestors.append(row["pk"])
        origin_id = row["origin_deal_id"]
    descendants: list[int] = []
    frontier = [deal.pk]
    for _depth in range(MAX_LINEAGE_DEPTH):
        children = [
            pk
            for pk in Deal.objects.filter(origin_deal_id__in=frontier)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
            if pk not in seen
        ]
        if not children:
            break
        seen.update(children)
        descendants.extend(children)
        frontier = children
    others = [*reversed(ancestors), *descendants]
    if not others:
        return []
    shown = {d.pk: d for d in visible.filter(pk__in=others).select_related("pipeline")}
    offers: dict[int, list[Offer]] = {}
    for offer in (
        Offer.objects.filter(deal_id__in=[*shown, deal.pk])
        .exclude(status=OfferStatus.SUPERSEDED)
        .order_by("created_at", "id")
    ):
        offers.setdefault(offer.deal_id, []).append(offer)
    if not any(offers.get(pk) for pk in shown):
        return []
    chain = [
        LineageDeal(shown[pk], "origin", offers.get(pk, [])) for pk in reversed(ancestors) if pk in shown
    ]
    chain.append(LineageDeal(deal, "self", offers.get(deal.pk, [])))
    chain += [LineageDeal(shown[pk], "handed_off", offers.get(pk, [])) for pk in descendants if pk in shown]
    return chain
