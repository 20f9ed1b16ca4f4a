"""Sections other apps add to the deal page, without the deals app knowing them.

An installed Apogee app shows a section by shipping the template
`<app label>/_deal_section.html` (given `deal` and `user` in its context); usually an
htmx loader of a panel the app serves itself. Found once, in INSTALLED_APPS order.
"""

from functools import cache

from django.apps import apps
from django.template import TemplateDoesNotExist
from django.template.loader import get_template


@cache
def deal_sections() -> tuple[str, ...]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("apogee.") or config.label == "deals":
            continue
        name = f"{config.label}/_deal_section.html"
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        found.append(name)
    return tuple(found)
