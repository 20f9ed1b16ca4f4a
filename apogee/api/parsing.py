"""Request parsing for the API: JSON bodies and query strings, refusing NUL characters.

PostgreSQL cannot store a NUL in text and raises on it; refusing it here turns what
would be a 500 deep in a query into a 4xx at the door, for every endpoint at once.
"""

import json
from typing import Any

from ninja.errors import ValidationError
from ninja.parser import Parser

NUL = "\x00"
NUL_MESSAGE = "Text may not contain NUL characters."


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


class NulFreeParser(Parser):
    def parse_body(self, request):
        data = json.loads(request.body)
        if _contains_nul(data):
            # Ninja answers any parse failure with 400 "Cannot parse request body".
            raise ValueError(NUL_MESSAGE)
        return data

    def parse_querydict(self, data, list_fields, request):
        bad = [key for key, values in data.lists() if _contains_nul(key) or _contains_nul(values)]
        if bad:
            raise ValidationError([{"loc": ("query", key), "msg": NUL_MESSAGE} for key in bad])
        return super().parse_querydict(data, list_fields, request)
