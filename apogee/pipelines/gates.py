"""Stage gates: which qualification fields a stage demands before a deal may enter it.

A gate set on stage S applies from S on: entering S or any later stage of the
pipeline needs the field. Pure functions over plain values, so the board, the
deal form and the API share one rule and it is tested without a database.
"""

from collections.abc import Iterable, Mapping
from typing import Any


def required_fields_at(target_position: int, gates: Iterable[tuple[int, Iterable[str]]]) -> list[str]:
    """Field keys required at a stage, given (stage position, gate keys) for every stage of the pipeline."""
    required: list[str] = []
    for position, keys in sorted(gates, key=lambda g: g[0]):
        if position > target_position:
            break
        for key in keys:
            if key not in required:
                required.append(key)
    return required


def missing_gate_fields(required_keys: Iterable[str], values: Mapping[str, Any]) -> list[str]:
    """The required keys that have no answer, in gate order."""
    return [key for key in required_keys if _is_unanswered(values.get(key))]


def _is_unanswered(value: Any) -> bool:
    # False and 0 are answers; only absence, None, "" and [] mean "not filled in".
    return value is None or value == "" or value == [] or value == {}
