"""The search pages: the full results page and the header box's suggestions (an htmx fragment)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import queries
from .models import Kind

QUERY_MAX = 200
SUGGESTIONS = 8
PAGE_LIMIT = 200
# In the all-kinds view each group shows its best few; its chip shows the rest.
PER_GROUP = 5


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:QUERY_MAX]


@login_required
@require_safe
def results(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in queries.KINDS else ""
    everything = queries.search_page(request.user, query, limit=PAGE_LIMIT)
    page = queries.search_page(request.user, query, kinds=[kind], limit=PAGE_LIMIT) if kind else everything
    counts = dict(everything.counts)
    if kind:
        counts[kind] = page.counts[kind]
    chips = [
        {"kind": k, "label": label, "count": counts[k]} for k, label in Kind.choices if counts[k] or k == kind
    ]
    groups = [
        {
            "kind": k,
            "label": label,
            "count": counts[k],
            "results": page.of_kind(k) if kind else page.of_kind(k)[:PER_GROUP],
        }
        for k, label in Kind.choices
        if (not kind or k == kind) and counts[k]
    ]
    # The kind of the best match comes first: "ESA" shows the agency before its fifty deals.
    order = [r.kind for r in page.results]
    groups.sort(key=lambda group: order.index(group["kind"]) if group["kind"] in order else len(order))
    context = {
        "query": query,
        "kind": kind,
        "chips": chips,
        "groups": groups,
        "total": sum(counts.values()),
        "complete": everything.complete and page.complete,
        "per_group": PER_GROUP,
        "searchable": [label for _k, label in Kind.choices],
    }
    return render(request, "search/results.html", context)


@login_required
@require_safe
def suggest(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    results = queries.search(request.user, query, limit=SUGGESTIONS)
    return render(request, "search/_suggest.html", {"query": query, "results": results})
