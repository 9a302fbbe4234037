"""Solutions of past weeks for people: ``/solutions`` finds them across every open edition with the
API's filters (a public page, cached like the programme); a signed-in organiser chooses which of
their activities builds on one (``/organiser/build-on/{id}``), and copies an activity of theirs
forward into a later week from its own screen. Over the same service functions as the API."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from innovationsweek.activities import service as activities
from innovationsweek.activities.lifecycle import Event, allowed_events
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.solutions import SolutionQuerySchema, solution_filters
from innovationsweek.db import utcnow
from innovationsweek.editions.models import Edition
from innovationsweek.editions.service import list_editions
from innovationsweek.errors import Invalid
import innovationsweek.pages.labels as labels
from innovationsweek.pages.coordinator import ORGANISATION_KINDS, FeatureForm
from innovationsweek.pages.drafts import DraftForm
from innovationsweek.pages.i18n import page_language
from innovationsweek.pages.sign_in import sign_out_form, signed_in
from innovationsweek.pages.views import (
    FIELD_ERRORS,
    bp,
    cached_page,
    filter_errors,
    render_page,
    reuse_title_languages,
    schema_input,
    url_with,
    use_edition,
)
from innovationsweek.programme import service as programme
from innovationsweek.solutions import copying
from innovationsweek.solutions import service as solutions

PAGE_SIZE = 20
FEATURED = 4
SOLUTION_FIELDS = ("q", "theme", "format", "organisation_kind", "region", "edition", "has_material")
SOLUTION_ERRORS = {
    **FIELD_ERRORS,
    "organisation_kind": _l("Choose a kind of organisation from the list."),
    "edition": _l("Choose a week from the list."),
    "has_material": _l("Tick the box or leave it empty."),
}
SOLUTION_LABELS = {
    "q": _l("Search"),
    "theme": _l("Theme"),
    "format": _l("Format"),
    "organisation_kind": _l("Kind of organisation"),
    "region": _l("Region"),
    "edition": _l("Week"),
    "has_material": _l("Only with material to reuse"),
    "limit": _l("Number of solutions"),
}


@bp.get("/solutions")
def solutions_page() -> Response:
    editions = _open_editions()
    values = {name: request.args.get(name, "").strip() for name in SOLUTION_FIELDS}
    context = {
        "values": values, "weeks": {edition.slug: edition.name for edition in editions}, "editions_by_slug": {edition.slug: edition for edition in editions},
        "themes": _themes(editions), "kinds": ORGANISATION_KINDS, "solution_labels": SOLUTION_LABELS,
    }
    errors = filter_errors(SolutionQuerySchema, SOLUTION_FIELDS, SOLUTION_ERRORS)
    if errors:
        return render_page("solutions.html", 400, errors=errors, items=[], featured=[], **context)
    query = SolutionQuerySchema(unknown=ma.EXCLUDE).load(schema_input(SolutionQuerySchema))
    cursor, limit = query.pop("cursor", None), query.pop("limit")
    if "limit" not in request.args:
        limit = PAGE_SIZE
    filters, now = solution_filters(query), utcnow()

    def build() -> Response:
        page = solutions.solutions_page(db(), filters, now=now, cursor=cursor, limit=limit)
        featured = solutions.featured_solutions(db(), now=now, limit=FEATURED) if not (cursor or query) else []
        more = url_with(cursor=page.next_cursor) if page.next_cursor else None
        title_lang = reuse_title_languages(entry.data for entry in [*page.items, *featured])
        return render_page(
            "solutions.html", 200, errors={}, items=page.items, featured=featured, total=page.total, more=more, title_lang=title_lang, **context
        )

    return cached_page(solutions.solutions_version(db(), now), build)


def _open_editions() -> list[Edition]:
    return [edition for edition in list_editions(db()) if edition.programme_open]


def _themes(editions: list[Edition]) -> dict[str, Any]:
    """Every theme key of the open editions with its labels (the latest week's naming)."""
    themes: dict[str, Any] = {}
    for edition in sorted(editions, key=lambda e: e.starts_at):
        themes.update({theme["key"]: theme.get("label") for theme in edition.themes or []})
    return dict(sorted(themes.items()))


# --- building on a solution (organisers) ---------------------------------------------------------


@bp.get("/organiser/build-on/<id:activity_id>")
@signed_in
def build_on(activity_id: int) -> Response:
    """Which of the organiser's activities builds on this solution, or a new one in which week."""
    entry = programme.public_entry(db(), activity_id)
    mine = [
        activity
        for activity in activities.activities_of_my_organisations(db(), current_actor())
        if Event.EDIT.value in allowed_events(activity.status) and activity.starts_at > entry.starts_at
    ]
    weeks = [edition for edition in list_editions(db()) if edition.submissions_close_at > utcnow() and edition.starts_at > entry.starts_at]
    return render_page("organiser/build_on.html", 200, entry=entry, data=entry.data, mine=mine, weeks=weeks, sign_out=sign_out_form())


# --- copying forward (organisers) ------------------------------------------------------------------


@bp.post("/organiser/activities/<id:activity_id>/copy")
@signed_in
def copy_activity(activity_id: int) -> BaseResponse:
    activities.get_activity(db(), current_actor(), activity_id)  # 404 before anything else
    back = redirect(url_for("pages.edit_draft", activity_id=activity_id), 303)
    if not DraftForm().validate():
        flash(_("The form had expired. Send it again."))
        return back
    try:
        copy = copying.copy_activity(db(), current_actor(), activity_id, edition_slug=request.form.get("edition", ""))
    except Invalid:
        db().rollback()
        flash(_("Choose a later week to copy it into."))
        return back
    week = labels.in_language(copy.edition.name, page_language().language)
    flash(_("Copied into %(week)s as a new draft. Check the dates and submit it when it is ready.", week=week))
    return redirect(url_for("pages.edit_draft", activity_id=copy.id), 303)


# --- featuring a solution (coordinators) -------------------------------------------------------------


@bp.post("/coordinator/activities/<id:activity_id>/feature-solution")
@signed_in
def feature_solution(activity_id: int) -> BaseResponse:
    form = FeatureForm()
    activity = activities.get_activity(db(), current_actor(), activity_id)  # 404 as the review screen's
    if not form.validate():
        use_edition(activity.edition)
        return render_page("error.html", 400, heading=_("The form had expired"), message=_("Go back, reload the page and try again."))
    featured = form.featured.data == "1"
    solutions.feature_solution(db(), current_actor(), activity_id, featured=featured)
    flash(_("It is featured among the solutions.") if featured else _("It is no longer featured among the solutions."))
    return redirect(url_for("pages.review_activity", activity_id=activity_id), 303)
