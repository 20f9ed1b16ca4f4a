"""Writes to the shared kernel: currencies and their dated exchange rates."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .errors import PermissionDenied, ValidationFailed
from .events import record_event
from .models import Currency, ExchangeRate


def _ensure_admin(actor) -> None:
    # actor None means a system task (seeding, migrations of data), which may always write.
    if actor is not None and not getattr(actor, "is_workspace_admin", False):
        raise PermissionDenied(_("Only an administrator can change the workspace settings."))


@transaction.atomic
def add_currency(*, code: str, name: str, actor) -> Currency:
    _ensure_admin(actor)
    code = (code or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValidationFailed(
            _("Invalid currency code."), fields={"code": [_("Use a three-letter ISO code.")]}
        )
    if Currency.objects.filter(code=code).exists():
        raise ValidationFailed(_("Currency exists."), fields={"code": [_("This currency already exists.")]})
    currency = Currency.objects.create(code=code, name=name.strip() or code)
    record_event("currency.created", subject=currency, actor=actor, data={"code": code})
    return currency


@transaction.atomic
def set_exchange_rate(*, currency: Currency, valid_from: date, rate_to_base, actor) -> ExchangeRate:
    """Record (or correct) the rate in force from `valid_from` on."""
    _ensure_admin(actor)
    if currency.code == settings.APOGEE_BASE_CURRENCY:
        raise ValidationFailed(
            _("The base currency has no rate."),
            fields={"currency": [_("Amounts in the base currency are never converted.")]},
        )
    try:
        rate = Decimal(str(rate_to_base))
    except (InvalidOperation, ValueError):
        rate = None
    if rate is None or not rate.is_finite() or rate <= 0:
        raise ValidationFailed(_("Invalid rate."), fields={"rate_to_base": [_("Enter a positive number.")]})
    if rate.as_tuple().exponent < -8 or rate >= Decimal("1e10"):
        raise ValidationFailed(
            _("Invalid rate."), fields={"rate_to_base": [_("At most 10 digits and 8 decimals.")]}
        )
    obj, created = ExchangeRate.objects.update_or_create(
        currency=currency, valid_from=valid_from, defaults={"rate_to_base": rate}
    )
    record_event(
        "exchange_rate.set",
        subject=currency,
        actor=actor,
        data={"valid_from": valid_from.isoformat(), "rate_to_base": str(rate), "created": created},
    )
    return obj
