"""Stage-entry guards: rules other apps add to "may this deal enter this stage?".

The deals app knows its own rule (stage gates: custom fields required from a stage
on). Other apps add theirs here without deals importing them — e.g. bid management
requires a recorded "bid" decision before a deal enters a chosen stage. A guard
raises StageEntryBlocked (or any DomainError); nothing is written then.

Guards run inside the service's transaction, after the deal is locked. `deal` is
None when a deal is being created straight into `stage`.
"""

from collections.abc import Callable

_guards: list[Callable] = []


def register_stage_guard(guard: Callable) -> None:
    """`guard(deal=..., stage=..., actor=...)`; registered once (apps' ready())."""
    if guard not in _guards:
        _guards.append(guard)


def check_stage_entry(*, deal, stage, actor) -> None:
    for guard in _guards:
        guard(deal=deal, stage=stage, actor=actor)
