"""The public programme: JSON with filters and cursor paging, the RPDE change feed, iCalendar,
Atom, schema.org JSON-LD and statistics. No sign-in; visible once the edition's programme is
open; cacheable by a CDN."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import marshmallow as ma
import orjson
from flask import Response, json, request, send_file, stream_with_context
from marshmallow import validate

from innovationsweek.activities.models import AttendanceMode, Audience, Format
from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.caching import cached
from innovationsweek.api.context import db, runtime
from innovationsweek.api.schemas import PageQuerySchema
from innovationsweek.api.urls import public_base_url, public_url_for
from innovationsweek.editions.models import Edition
from innovationsweek.organisations.models import OrganisationKind
from innovationsweek.paging import Page
from innovationsweek.programme import cache, exports, formats
from innovationsweek.programme import service as programme
from innovationsweek.programme.models import EntryState, ProgrammeEntry

blp = Blueprint("programme", __name__, url_prefix="/api/v1", description="The public programme, for everyone and partners")

FEED_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
MAX_CHANGE_NUMBER = 2**63 - 1  # PostgreSQL's bigint
JSON_LD = "application/ld+json"


def many(field: ma.fields.Field, description: str) -> ma.fields.List:
    return ma.fields.List(field, metadata={"description": description + " (repeat the parameter for several)"})


class ProgrammeQuerySchema(PageQuerySchema):
    starts_from = ma.fields.Date(data_key="from", metadata={"description": "On or after this day (edition time zone)"})
    starts_to = ma.fields.Date(data_key="to", metadata={"description": "On or before this day (edition time zone; a 'to' before 'from' selects nothing)"})
    format = many(ma.fields.Enum(Format, by_value=True), "Format")
    attendance_mode = many(ma.fields.Enum(AttendanceMode, by_value=True), "Attendance mode")
    region = many(ma.fields.String(validate=validate.Length(max=100)), "Region")
    municipality = many(ma.fields.String(validate=validate.Length(max=100)), "Municipality")
    organisation_kind = many(ma.fields.Enum(OrganisationKind, by_value=True), "Kind of host organisation")
    audience = many(ma.fields.String(validate=validate.OneOf([a.value for a in Audience])), "Audience")
    theme = many(ma.fields.String(validate=validate.Length(max=40)), "Theme key of the edition")
    language = many(ma.fields.String(validate=validate.Regexp(r"^[a-z]{2}$")), "Language (ISO 639-1)")
    q = ma.fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "Words in title, summary, topics, host, municipality"})
    featured = ma.fields.Boolean()
    cancelled = ma.fields.Boolean(metadata={"description": "Only cancelled (true) or only going ahead (false)"})


class FeedQuerySchema(ma.Schema):
    after_change_number = ma.fields.Integer(
        data_key="afterChangeNumber", load_default=0, validate=validate.Range(min=0), metadata={"description": "The last change number you have"}
    )
    limit = ma.fields.Integer(load_default=500, validate=validate.Range(min=1, max=500))


class ActivityFormatQuerySchema(ma.Schema):
    format = ma.fields.String(validate=validate.OneOf(["json", "jsonld"]), metadata={"description": "jsonld for schema.org Event"})


class PublicActivitySchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    id = ma.fields.Integer()
    title = ma.fields.String()
    status = ma.fields.String(metadata={"description": "published or cancelled"})
    change_number = ma.fields.Integer()


def _counts(description: str) -> ma.fields.Dict:
    return ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True, metadata={"description": description})


class ReuseStatisticsSchema(ma.Schema):
    activities_reusing = ma.fields.Integer(required=True, metadata={"description": "Activities going ahead that build on a public solution"})
    share = ma.fields.Float(required=True, metadata={"description": "Their share of the activities going ahead (0 to 1, two decimals)"})
    solutions_reused = ma.fields.Integer(required=True, metadata={"description": "Different solutions built on"})


class StatisticsSchema(ma.Schema):
    activities = ma.fields.Integer(required=True, metadata={"description": "Activities going ahead"})
    cancelled = ma.fields.Integer(required=True, metadata={"description": "Cancelled activities (counted nowhere else)"})
    by_region = _counts("Activities going ahead by the venue's region")
    by_format = _counts("By format")
    by_theme = _counts("By theme key (an activity with several themes counts under each)")
    by_organisation_kind = _counts("By kind of host organisation")
    by_day = _counts("By first day (YYYY-MM-DD) in the edition's time zone")
    reuse = ma.fields.Nested(ReuseStatisticsSchema, required=True, metadata={"description": "How much the programme builds on solutions"})


class JsonLdEventSchema(ma.Schema):
    """The schema.org ``Event`` of an activity, as JSON-LD (see schema.org for each property)."""

    class Meta:
        # schema.org's vocabulary: what an Event may carry is schema.org's to say, not ours.
        unknown = ma.INCLUDE

    context = ma.fields.String(data_key="@context", required=True, metadata={"example": "https://schema.org"})
    type = ma.fields.String(data_key="@type", required=True, metadata={"example": "Event"})
    id = ma.fields.String(data_key="@id", required=True, metadata={"description": "The activity's public URL"})
    name = ma.fields.String(required=True)
    startDate = ma.fields.String(required=True)
    endDate = ma.fields.String(required=True)
    eventStatus = ma.fields.String(required=True)
    eventAttendanceMode = ma.fields.String(required=True)


PAGE = ma.Schema.from_dict(
    {"items": ma.fields.List(ma.fields.Dict()), "total": ma.fields.Integer(), "next_cursor": ma.fields.String(allow_none=True)},
    name="ProgrammePage",
)
FEED_PAGE = ma.Schema.from_dict(
    {"items": ma.fields.List(ma.fields.Dict()), "next": ma.fields.String(), "license": ma.fields.String()}, name="FeedPage"
)


@blp.route("/editions/<slug:slug>/programme")
@blp.access("public")
@blp.arguments(ProgrammeQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, PAGE)
@blp.errors(404)
@blp.doc(summary="The programme: filters, stable order (start, id), cursor paging, ETag/304")
def programme_list(query: dict[str, Any], slug: str) -> Response:
    state = open_programme_state(slug)
    cursor, limit = query.pop("cursor", None), query.pop("limit")
    filters = programme_filters(query)

    def build() -> Response:
        items, total, next_cursor = _programme_answer(state, filters, cursor=cursor, limit=limit)
        # The entries' JSON as stored, put together rather than read in and written out again.
        body = b'{"items":[' + b",".join(items) + b'],"total":%d,"next_cursor":' % total + orjson.dumps(next_cursor) + b"}"
        response = Response(body, mimetype="application/json")
        if next_cursor:
            next_url = public_url_for(request.endpoint or "", slug=slug, **{**request.args.to_dict(flat=False), "cursor": next_cursor})
            response.headers["Link"] = f'<{next_url}>; rel="next"'
        return response

    return cached(state.version, build)


def _programme_answer(
    state: cache.ProgrammeState, filters: programme.ProgrammeFilters, *, cursor: str | None, limit: int
) -> tuple[list[bytes], int, str | None]:
    """A page's entries as JSON, its total and the next cursor: chosen by this process's index
    of the programme's version (the entries' JSON kept by their change numbers, so a page may
    need no query at all), or, while that is not built, by the database."""
    index = runtime().programme_indexes.current(db(), state.edition_id, state.version.tag)
    if index is None:
        page = programme_page_of(state, filters, cursor=cursor, limit=limit)
        return [orjson.dumps(entry.data) for entry in page.items], page.total, page.next_cursor
    chosen = programme.chosen_by_index(
        db(), index, filters, edition_id=state.edition_id, timezone=state.timezone, cursor=cursor, limit=limit
    )
    keys = list(zip(chosen.activity_ids, chosen.change_numbers))
    texts = runtime().programme_cache.public_texts(keys, lambda activity_ids: programme.public_texts(db(), activity_ids))
    return texts, chosen.total, programme.next_cursor(chosen)


def programme_page_of(state: cache.ProgrammeState, filters: programme.ProgrammeFilters, *, cursor: str | None, limit: int) -> Page[ProgrammeEntry]:
    """A page of the programme, chosen by this process's index of its version, or (while that is
    not built) by the database, with its total counted once per version and filters."""
    edition = programme.open_programme(db(), state.slug)
    index = runtime().programme_indexes.current(db(), state.edition_id, state.version.tag)
    count_key = f"{state.slug}:{state.version.tag}:{hashlib.sha256(repr(filters).encode()).hexdigest()[:20]}"
    return programme.programme_page(
        db(), edition, filters, cursor=cursor, limit=limit, index=index, total=lambda count: runtime().programme_cache.count(count_key, count)
    )


def open_programme_state(slug: str) -> cache.ProgrammeState:
    """The edition's programme state (404 unless open), without the database when remembered."""
    return runtime().programme_cache.state(db(), slug).require_open()


_FILTERS = {
    "format": "formats",
    "attendance_mode": "attendance_modes",
    "region": "regions",
    "municipality": "municipalities",
    "organisation_kind": "organisation_kinds",
    "audience": "audiences",
    "theme": "themes",
    "language": "languages",
}


def programme_filters(query: dict[str, Any]) -> programme.ProgrammeFilters:
    """The service's filters from a loaded :class:`ProgrammeQuerySchema` (without paging)."""
    return programme.ProgrammeFilters(**{_FILTERS.get(k, k): v for k, v in query.items()})


@blp.route("/editions/<slug:slug>/feed")
@blp.access("public")
@blp.arguments(FeedQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, FEED_PAGE)
@blp.errors(404)
@blp.doc(summary="The change feed (OpenActive RPDE): every change after afterChangeNumber, in order")
def feed(query: dict[str, Any], slug: str) -> Response:
    state = open_programme_state(slug)
    after = min(query["after_change_number"], MAX_CHANGE_NUMBER)

    def build() -> Response:
        entries = programme.changes_after(db(), programme.open_programme(db(), slug), after, limit=query["limit"])
        last = entries[-1].change_number if entries else after
        return json_answer({
            "next": public_url_for(request.endpoint or "", slug=slug, afterChangeNumber=last, limit=query["limit"]),
            "items": [_feed_item(entry) for entry in entries],
            "license": FEED_LICENSE,
        })

    # RPDE: pages with items do not change; the last page is polled.
    has_items = after < state.version.change_number
    return cached(state.version, build, cache_control="public, max-age=3600" if has_items else "public, max-age=8")


def _feed_item(entry: ProgrammeEntry) -> dict[str, Any]:
    item: dict[str, Any] = {"state": entry.state.value, "kind": "Event", "id": entry.activity_id, "modified": entry.change_number}
    if entry.state == EntryState.UPDATED:
        item["data"] = entry.data
    return item


@blp.route("/editions/<slug:slug>/programme.ics")
@blp.access("public")
@blp.response(200, content_type="text/calendar")
@blp.errors(404)
@blp.doc(summary="The whole programme as an iCalendar feed")
def programme_ics(slug: str) -> Response:
    return _whole_programme(slug, "ics", "text/calendar", lambda edition, _: formats.calendar_chunks(edition, programme.calendar_events(db(), edition, base_url=public_base_url())))


@blp.route("/editions/<slug:slug>/programme.atom")
@blp.access("public")
@blp.response(200, content_type="application/atom+xml")
@blp.errors(404)
@blp.doc(summary="The programme as an Atom feed")
def programme_atom(slug: str) -> Response:
    return _whole_programme(
        slug, "atom", "application/atom+xml",
        lambda edition, version: formats.atom_chunks(edition, programme.all_entries(db(), edition), base_url=public_base_url(), updated=version.changed_at),
    )


def _whole_programme(
    slug: str, suffix: str, mimetype: str, chunks_of: Callable[[Edition, cache.ProgrammeVersion], Iterator[bytes]]
) -> Response:
    """An export of every activity: streamed while it is read the first time after a change, and
    served from the file written meanwhile until the next change."""
    state = open_programme_state(slug)
    written = exports.export_file(runtime().settings.instance_path, slug, state.version, suffix)

    def chunks() -> Iterator[bytes]:
        # Read only once the answer is streamed: the request's transaction is committed by then.
        yield from chunks_of(programme.open_programme(db(), slug), state.version)

    def build() -> Response:
        if written.exists():
            return send_file(written, mimetype=mimetype, conditional=False, etag=False)
        return Response(stream_with_context(exports.written_while_streamed(written, chunks())), mimetype=mimetype)

    return cached(state.version, build)


@blp.route("/editions/<slug:slug>/statistics")
@blp.access("public")
@blp.response(200, StatisticsSchema)
@blp.errors(404)
@blp.doc(summary="Counts by region, format, theme, organisation kind and day, and how much the programme builds on solutions")
def statistics(slug: str) -> Response:
    state = open_programme_state(slug)
    return cached(state.version, lambda: json_answer(programme.statistics(db(), programme.open_programme(db(), slug))), keep_at_once=True)


@blp.route("/programme/activities/<id:activity_id>")
@blp.access("public")
@blp.arguments(ActivityFormatQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, PublicActivitySchema)
@blp.errors(404)
@blp.doc(
    summary="One activity of an open programme (JSON, or schema.org JSON-LD)",
    description="schema.org Event (application/ld+json) with Accept: application/ld+json or ?format=jsonld",
    responses={200: {"content": {JSON_LD: {"schema": JsonLdEventSchema}}}},
)
def public_activity(query: dict[str, Any], activity_id: int) -> Response:
    wants_ld = query.get("format") == "jsonld" or (
        query.get("format") is None and request.accept_mimetypes.best_match(["application/json", JSON_LD]) == JSON_LD
    )

    def build() -> Response:
        entry = programme.public_entry(db(), activity_id)
        if wants_ld:
            return Response(json.dumps(formats.json_ld(entry, base_url=public_base_url())), mimetype=JSON_LD)
        return json_answer(entry.data)

    return cached(_public_entry_version(activity_id), build)


@blp.route("/programme/activities/<id:activity_id>.ics")
@blp.access("public")
@blp.response(200, content_type="text/calendar")
@blp.errors(404)
@blp.doc(summary="One activity as an iCalendar event")
def public_activity_ics(activity_id: int) -> Response:
    def build() -> Response:
        entry = programme.public_entry(db(), activity_id)
        edition = programme.edition_of(db(), entry)
        return Response(formats.event_calendar(edition, entry, base_url=public_base_url()), mimetype="text/calendar")

    return cached(_public_entry_version(activity_id), build)


def _public_entry_version(activity_id: int) -> cache.ProgrammeVersion:
    """The version a public activity's answers are cached by (404 unless it is public)."""

    def load() -> cache.ProgrammeVersion:
        entry = programme.public_entry(db(), activity_id)
        return cache.ProgrammeVersion(entry.change_number, entry.modified_at)

    return runtime().programme_cache.entry_version(activity_id, load)


def json_answer(body: Any) -> Response:
    return Response(orjson.dumps(body), mimetype="application/json")
