"""The leads JSON API (to be built)."""

from ninja import Router

router = Router(tags=["leads"])
