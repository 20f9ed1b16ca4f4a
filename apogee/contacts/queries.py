"""Reads of organizations and persons. Every active user sees every contact."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from apogee.deals.queries import deals_visible_to

from .models import Organization, Person, PersonEmail
from .normalize import normalize_email, normalize_name


def organizations_visible_to(user) -> QuerySet[Organization]:
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    return Organization.objects.filter(deleted_at__isnull=True)


def persons_visible_to(user) -> QuerySet[Person]:
    if not user.is_authenticated or not user.is_active:
        return Person.objects.none()
    return Person.objects.filter(deleted_at__isnull=True)


def get_organization_for_user_or_404(user, pk) -> Organization:
    try:
        return organizations_visible_to(user).get(pk=int(pk))
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404("No such organization") from None


def get_person_for_user_or_404(user, pk) -> Person:
    try:
        return (
            persons_visible_to(user).select_related("organization").prefetch_related("emails").get(pk=int(pk))
        )
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("No such person") from None


def similar_organizations(name: str, exclude_pk: int | None = None) -> list[Organization]:
    qs = Organization.objects.filter(normalized_name=normalize_name(name), deleted_at__isnull=True)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs[:5])


def persons_with_emails(addresses: list[str], exclude_pk: int | None = None) -> list[Person]:
    normalized = [normalize_email(a) for a in addresses if a]
    if not normalized:
        return []
    qs = Person.objects.filter(pk__in=PersonEmail.objects.filter(address__in=normalized).values("person_id"))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs[:5])


def similar_persons(name: str, exclude_pk: int | None = None) -> list[Person]:
    qs = Person.objects.filter(normalized_name=normalize_name(name), deleted_at__isnull=True)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs[:5])


def organizations_list(user, search: str = "") -> QuerySet[Organization]:
    """Organizations with the number of their persons and of the deals *this user may see*.

    Counted in correlated subqueries: joined counts would multiply each other, and
    counting every deal would reveal how many private deals an organization has.
    """
    deals = (
        deals_visible_to(user)
        .filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    persons = (
        Person.objects.filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = organizations_visible_to(user).annotate(
        deal_count=Coalesce(Subquery(deals), 0), person_count=Coalesce(Subquery(persons), 0)
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(city__icontains=search))
    # pk breaks ties: equal names (duplicates are allowed) must not repeat or skip across pages.
    return qs.order_by("name", "pk")


def persons_list(user, search: str = "") -> QuerySet[Person]:
    qs = persons_visible_to(user).select_related("organization").prefetch_related("emails")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(emails__address__icontains=search.lower())).distinct()
    return qs.order_by("name", "pk")


def deleted_organization_for_user_or_404(user, pk) -> Organization:
    """A deleted organization, for undo; only administrators, managers and its deleter get it."""
    return _deleted_or_404(Organization, user, pk)


def deleted_person_for_user_or_404(user, pk) -> Person:
    return _deleted_or_404(Person, user, pk)


def _deleted_or_404(model, user, pk):
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such record")
    try:
        return model.objects.filter(deleted_at__isnull=False).get(pk=int(pk))
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such record") from None
