"""The coordinators' statistics of a week's programme: its activities by day, region, format,
theme and kind of organisation, as bar charts drawn in the server (SVG, no script) with the same
numbers in a table. The numbers are the API's statistics endpoint's, from the same service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Response
from flask_babel import lazy_gettext as _l

import innovationsweek.pages.labels as labels
from innovationsweek.api.context import db
from innovationsweek.editions.models import Edition
from innovationsweek.pages.coordinator import ORGANISATION_KINDS, coordinated_edition
from innovationsweek.pages.i18n import localised_skeleton, page_language
from innovationsweek.pages.sign_in import sign_out_form, signed_in
from innovationsweek.pages.views import bp, render_page
from innovationsweek.programme import service as programme


@dataclass(frozen=True)
class Chart:
    key: str  # the chart's id in the page
    title: str
    dimension: str  # what the bars are, as the table's column heading names it
    bars: list[tuple[str, int]]  # (label, number), in the order shown

    @property
    def largest(self) -> int:
        return max((number for _label, number in self.bars), default=0)


@bp.get("/coordinator/editions/<slug:slug>/statistics")
@signed_in
def edition_statistics(slug: str) -> Response:
    edition = coordinated_edition(slug)
    counts = programme.statistics(db(), edition)
    return render_page(
        "coordinator/statistics.html", 200, edition=edition, counts=counts, charts=charts(edition, counts), sign_out=sign_out_form()
    )


def charts(edition: Edition, counts: dict[str, Any]) -> list[Chart]:
    """The service's counts as charts, each value under the name the pages give it elsewhere."""
    language = page_language().language
    themes = {theme["key"]: labels.in_language(theme.get("label"), language) for theme in edition.themes}
    return [
        Chart("day", str(_l("By day")), str(_l("Day")), [(localised_skeleton(date.fromisoformat(day), "MMMEd"), n) for day, n in counts["by_day"].items()]),
        Chart("region", str(_l("By region")), str(_l("Region")), list(counts["by_region"].items())),
        Chart("format", str(_l("By format")), str(_l("Format")), _named(counts["by_format"], labels.FORMATS)),
        Chart("theme", str(_l("By theme")), str(_l("Theme")), _named(counts["by_theme"], themes)),
        Chart("organisation-kind", str(_l("By kind of organisation")), str(_l("Kind of organisation")), _named(counts["by_organisation_kind"], ORGANISATION_KINDS)),
    ]


def _named(counts: dict[str, int], names: dict[Any, Any]) -> list[tuple[str, int]]:
    """Counts by code under their names (a code with no name shows as itself), largest first."""
    by_code = {getattr(code, "value", code): str(name) for code, name in names.items()}
    return sorted(((by_code.get(code, code), number) for code, number in counts.items()), key=lambda bar: (-bar[1], bar[0]))
