"""A report's chart as a Chart.js configuration: plain JSON, with each bar's drill-down link."""

from decimal import Decimal

from .models import ChartKind
from .reports.base import Report

# Readable on white, distinguishable in print; the first is the house blue.
PALETTE = ["#2f5d8a", "#e08a2c", "#4f9d69", "#b5485d", "#7a5ea8", "#3b9fb0", "#a38b2b", "#6b6b6b"]


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def chart_config(report: Report, kind: str = ChartKind.BAR, *, compact: bool = False) -> dict | None:
    """None when the chart would be empty or the saved report asks for a table only."""
    if kind == ChartKind.TABLE or not report.series or not report.labels:
        return None
    datasets = []
    for index, series in enumerate(report.series):
        colour = PALETTE[index % len(PALETTE)]
        dataset = {
            "label": series.label,
            "data": [_number(v) for v in series.data],
            "links": series.links,
            "backgroundColor": colour,
            "borderColor": colour,
        }
        if series.stack and report.stacked:
            dataset["stack"] = series.stack
        datasets.append(dataset)
    return {
        "type": "line" if kind == ChartKind.LINE else "bar",
        "data": {"labels": report.labels, "datasets": datasets},
        "stacked": report.stacked,
        "compact": compact,
        "currency": report.currency,
    }
