"""Reads of organizations and persons. Every active user sees every contact."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .models import Organization, Person, PersonEmail
from .normalize import normalize_email, normalize_name


def organizations_visible_to(user) -> QuerySet[Organization]:
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    return Organization.objects.all()


def persons_visible_to(user) -> QuerySet[Person]:
    if not user.is_authenticated or not user.is_active:
        return Person.objects.none()
    return Person.objects.all()


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
    qs = Organization.objects.filter(normalized_name=normalize_name(name))
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
    qs = Person.objects.filter(normalized_name=normalize_name(name))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs[:5])


def organizations_list(user, search: str = "") -> QuerySet[Organization]:
    qs = organizations_visible_to(user).annotate(
        deal_count=Count("deals", distinct=True), person_count=Count("persons", distinct=True)
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(city__icontains=search))
    return qs.order_by("name")


def persons_list(user, search: str = "") -> QuerySet[Person]:
    qs = persons_visible_to(user).select_related("organization").prefetch_related("emails")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(emails__address__icontains=search.lower())).distinct()
    return qs.order_by("name")
