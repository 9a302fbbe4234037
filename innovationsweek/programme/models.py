from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from innovationsweek.activities.models import AttendanceMode, Format
from innovationsweek.db import Base, enum_column, utcnow
from innovationsweek.organisations.models import OrganisationKind


class EntryState(enum.StrEnum):
    UPDATED = "updated"  # in the programme (published or cancelled)
    DELETED = "deleted"  # withdrawn or removed after publication: partners drop it


# The columns a programme query can filter on, beside the time range and the tags.
FILTERED_COLUMNS = ("format", "attendance_mode", "region", "municipality", "organisation_kind", "featured", "cancelled")
# PostgreSQL's full-text search over ``search_text``: Swedish and Danish stems (so "kommunerna"
# finds "kommun"), and the words as written, for names and prefixes in any language.
SEARCH_CONFIGURATIONS = ("swedish", "danish", "simple")
# The words are a column PostgreSQL computes and stores when ``search_text`` is written (see
# migration 0016): a search then reads them rather than stemming every row it looks at three
# times. Only on PostgreSQL, so not mapped; SQLite searches ``search_text`` itself.
SEARCH_VECTOR = sa.literal_column("search_words")
# Its languages, audiences and themes as "kind:value" words, computed by PostgreSQL from ``data``
# (migration 0020) with a GIN index: ``?language=sv&theme=spread`` intersects two lists of that
# index where joining the tag rows twice read thousands of them. SQLite looks up the tag rows.
TAG_WORDS = sa.literal_column("tag_words")
# What every listing index carries beside its key (PostgreSQL, migration 0021): a count or a
# rare filter's keys are then read off the index alone, where checking a second filter in the
# rows read a 2.5 kB row for every entry the first one selected.
COVERED_COLUMNS = (*FILTERED_COLUMNS, TAG_WORDS)


class ProgrammeEntry(Base):
    """The public face of an activity, rendered from its approved revision by the publish job.

    Every change gets the edition's next change number, which orders the change feed; the
    columns beside ``data`` exist to filter and sort the programme with indexes.
    """

    __tablename__ = "programme_entries"
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "change_number", name="uq_programme_entries_edition_change"),
        sa.Index("ix_programme_entries_listing", "edition_id", "state", "starts_at", "activity_id", postgresql_include=COVERED_COLUMNS),
        # One per filter, each in the listing's order: a rare value is found without walking
        # the whole programme, and its first page is read off the index in order.
        *(
            sa.Index(f"ix_programme_entries_by_{column}", "edition_id", "state", column, "starts_at", "activity_id", postgresql_include=COVERED_COLUMNS)
            for column in FILTERED_COLUMNS
        ),
        sa.Index("ix_programme_entries_words", SEARCH_VECTOR, postgresql_using="gin").ddl_if(dialect="postgresql"),
        sa.Index("ix_programme_entries_tags", TAG_WORDS, postgresql_using="gin").ddl_if(dialect="postgresql"),
    )

    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    change_number: Mapped[int] = mapped_column(sa.BigInteger)
    state: Mapped[EntryState] = mapped_column(enum_column(EntryState))
    # iCalendar SEQUENCE: rises with every change a calendar should show.
    sequence: Mapped[int] = mapped_column(default=0)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    revision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("activity_revisions.id", ondelete="SET NULL"))
    data: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # The entry's iCalendar event, rendered by the publish job for the public URL beside it: the
    # whole programme's calendar is these texts one after another (rendering 100,000 events
    # for a download takes longer than a calendar client waits). Read only for that calendar.
    calendar_event: Mapped[str | None] = mapped_column(sa.Text, deferred=True, deferred_group="calendar")
    calendar_base_url: Mapped[str | None] = mapped_column(sa.String(500), deferred=True, deferred_group="calendar")

    # For filters and ordering (copies of what ``data`` says).
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    cancelled: Mapped[bool] = mapped_column(default=False)
    featured: Mapped[bool] = mapped_column(default=False)
    format: Mapped[Format | None] = mapped_column(enum_column(Format))
    attendance_mode: Mapped[AttendanceMode | None] = mapped_column(enum_column(AttendanceMode))
    region: Mapped[str | None] = mapped_column(sa.String(100))
    municipality: Mapped[str | None] = mapped_column(sa.String(100))
    organisation_kind: Mapped[OrganisationKind | None] = mapped_column(enum_column(OrganisationKind))
    search_text: Mapped[str] = mapped_column(sa.Text, default="")  # lower case, for ?q=
    # For the solutions of past weeks: whether the report's approved material is public, and
    # whether the coordinators feature it as a solution.
    has_material: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    featured_solution: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    tags: Mapped[list[ProgrammeTag]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


# Every programme entry's searchable words again, in a narrow table (PostgreSQL only, migration
# 0023, kept from ``search_words`` by a trigger): a search learns its matches' ids from rows of
# 40 MB at 100,000 entries rather than 160 MB, which halves what it costs the database.
PROGRAMME_WORDS = sa.Table(
    "programme_words",
    Base.metadata,
    sa.Column("activity_id", sa.ForeignKey("programme_entries.activity_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("edition_id", sa.Integer, nullable=False),
    sa.Column("words", postgresql.TSVECTOR, nullable=False),
    sa.Index("ix_programme_words_words", "words", postgresql_using="gin"),
)


class ProgrammeTag(Base):
    """A language, audience or theme of an entry: a row each, so that ``?theme=spread`` is an
    indexed lookup on both PostgreSQL and SQLite."""

    __tablename__ = "programme_tags"
    __table_args__ = (sa.Index("ix_programme_tags_lookup", "kind", "value", "activity_id"),)

    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_entries.activity_id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # language, audience, theme
    value: Mapped[str] = mapped_column(sa.String(64), primary_key=True)


class ProgrammeCounter(Base):
    """The last change number given out in an edition. Taking the next one locks this row until
    the transaction commits, so changes commit in the order of their numbers: a partner that has
    read number N can never later find a change numbered below N appear."""

    __tablename__ = "programme_counters"

    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True)
    last_change_number: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Partners' webhooks have been told of every change up to this number. Changes made while
    # the programme is hidden stay above it until the programme opens (announce_hidden_changes).
    announced_change_number: Mapped[int] = mapped_column(sa.BigInteger, default=0)
