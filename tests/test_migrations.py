import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine, make_url

from innovationsweek import migrate
from innovationsweek.models import Base
from tests.conftest import DATABASE_URL


# Alembic cannot compare an index on an expression (it reflects the expression as text); these
# are compared by name and definition in the test after. The words they index are a column
# PostgreSQL computes, which the models leave unmapped (SQLite has none).
EXPRESSION_INDEXES = {"ix_programme_entries_words", "ix_programme_entries_tags"}
POSTGRESQL_ONLY_COLUMNS = {("programme_entries", "search_words"), ("programme_entries", "tag_words")}


def _comparable(object_, name, type_, _reflected, _compare_to) -> bool:
    if type_ == "column":
        return (object_.table.name, name) not in POSTGRESQL_ONLY_COLUMNS
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def test_migrations_create_exactly_what_the_models_describe(database_url):
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": _comparable})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == [], "models and migrations differ: add a migration (see README, 'Changing the schema')"


def test_the_migrations_make_the_expression_indexes_the_models_describe(database_url):
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        made = dict(connection.execute(sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(:names)"), {"names": list(EXPRESSION_INDEXES)}).all())
    engine.dispose()
    described = {index.name: index for table in Base.metadata.tables.values() for index in table.indexes if index.name in EXPRESSION_INDEXES}
    assert made.keys() == described.keys() == EXPRESSION_INDEXES
    for name, index in described.items():
        expression = str(index.expressions[0])
        assert all(part.split("::")[0] in made[name] for part in expression.split(" || ")), (made[name], expression)


def test_the_search_words_are_computed_by_postgresql_from_the_text(database_url):
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        generated = connection.execute(
            sa.text("SELECT generation_expression FROM information_schema.columns WHERE table_name = 'programme_entries' AND column_name = 'search_words'")
        ).scalar_one()
    engine.dispose()
    assert all(f"'{name}'::regconfig" in generated for name in ("swedish", "danish", "simple"))
    assert "search_text" in generated


def test_the_tag_words_are_computed_from_the_public_face(database_url):
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        words = connection.execute(
            sa.text("SELECT programme_tag_words(CAST(:data AS json))"),
            {"data": '{"languages": ["sv", "da"], "audiences": ["citizens"], "themes": ["spread"], "title": "x"}'},
        ).scalar_one()
    engine.dispose()
    assert sorted(words) == ["audience:citizens", "language:da", "language:sv", "theme:spread"]


@pytest.fixture
def fresh_engine() -> Iterator[Engine]:
    """A database of its own, at head, for a test that moves it down and up again."""
    server = sa.create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
    name = f"iw_test_migrations_{uuid.uuid4().hex[:8]}"
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = sa.create_engine(make_url(DATABASE_URL).set(database=name))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    server.dispose()


def test_0013_gives_existing_registrations_the_language_of_their_notice_and_downgrades(fresh_engine):
    from datetime import UTC, datetime

    from sqlalchemy.orm import Session

    from innovationsweek.activities.models import Activity, ActivityStatus, AttendanceMode, Format
    from innovationsweek.editions.models import Edition
    from innovationsweek.organisations.models import Organisation, OrganisationKind
    from innovationsweek.registrations.models import Registration, RegistrationStatus

    day, later = datetime(2026, 9, 28, 8, tzinfo=UTC), datetime(2026, 9, 28, 9, tzinfo=UTC)
    notices = {"da": "Dansk tekst.", "sv": "Svensk text.", "en": "English text."}
    with Session(fresh_engine) as session, session.begin():
        danish = Edition(slug="coi", name={"da": "COI", "en": "COI"}, theme={}, timezone="Europe/Copenhagen", starts_at=day,
                         ends_at=later, submissions_open_at=day, submissions_close_at=later, privacy_notice=notices)
        host = Organisation(name="Kommunen", kind=OrganisationKind.MUNICIPALITY, country="DK")
        activity = Activity(edition=danish, organisation=host, status=ActivityStatus.PUBLISHED, title="Workshop",
                            format=Format.WORKSHOP, attendance_mode=AttendanceMode.ONLINE, starts_at=day, ends_at=later)
        session.add(activity)
        session.flush()
        for number, text in enumerate([notices["en"], notices["sv"], "An older notice, changed since."]):
            session.add(Registration(activity_id=activity.id, edition_id=danish.id, status=RegistrationStatus.CONFIRMED, name="Anna",
                                     email=f"a{number}@example.org", workplace="-", position="-", photo_consent=False,
                                     language="sv", consent_text=text, consent_version="1", cancel_token_hash=f"{number:064}"))
    migrate.downgrade(fresh_engine, "0012")
    assert "language" not in {column["name"] for column in sa.inspect(fresh_engine).get_columns("registrations")}
    migrate.upgrade(fresh_engine)

    with fresh_engine.connect() as connection:
        languages = connection.scalars(sa.text("SELECT language FROM registrations ORDER BY id")).all()
        assert languages == ["en", "sv", "da"]  # the notice's language, else the edition's own
        with pytest.raises(sa.exc.IntegrityError):
            connection.execute(sa.text("UPDATE registrations SET language = 'fi'"))


def test_0017_keeps_each_privacy_notice_an_edition_had_from_its_audit_log_and_downgrades(fresh_engine):
    from datetime import UTC, datetime

    from sqlalchemy.orm import Session

    from innovationsweek.accounts.models import User
    from innovationsweek.audit import AuditEntry
    from innovationsweek.editions.models import Edition

    day, later = datetime(2026, 9, 28, 8, tzinfo=UTC), datetime(2026, 9, 28, 9, tzinfo=UTC)
    first, second, third = {"sv": "Första texten."}, {"sv": "Andra texten.", "en": "Second text."}, {"sv": "Tredje texten."}
    with Session(fresh_engine) as session, session.begin():
        coordinator = User(email="k@example.org", name="Karin", password_hash="-")
        edition = Edition(slug="iv", name={"sv": "IV"}, theme={}, timezone="Europe/Stockholm", starts_at=day, ends_at=later,
                          submissions_open_at=day, submissions_close_at=later, privacy_notice=third, privacy_notice_version="3",
                          created_at=datetime(2026, 1, 1, tzinfo=UTC))
        session.add_all([coordinator, edition])
        session.flush()
        for number, (before, after, version) in enumerate([(first, second, "2"), (second, third, "3")], start=1):
            session.add(AuditEntry(edition_id=edition.id, actor_id=coordinator.id, actor_label="Karin", action="edition_changed",
                                   at=datetime(2026, 2 * number, 1, tzinfo=UTC),
                                   detail={"changes": {"privacy_notice": {"before": before, "after": after},
                                                       "privacy_notice_version": {"before": str(number), "after": version}}}))
        session.add(AuditEntry(edition_id=edition.id, actor_label="Karin", action="edition_changed", detail={"changes": {"retention_days": {"before": 180, "after": 90}}}))
    migrate.downgrade(fresh_engine, "0016")
    assert "privacy_notice_versions" not in sa.inspect(fresh_engine).get_table_names()
    migrate.upgrade(fresh_engine)

    with Session(fresh_engine) as session:
        from innovationsweek.editions.models import PrivacyNoticeVersion

        kept = session.scalars(sa.select(PrivacyNoticeVersion).order_by(PrivacyNoticeVersion.published_at)).all()
        assert [(v.version, v.texts, v.published_at.month) for v in kept] == [("1", first, 1), ("2", second, 2), ("3", third, 4)]
        assert kept[0].published_by_id is None and kept[1].published_by_id is not None


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_0022_gives_accounts_and_sign_ups_an_empty_language_that_must_be_known_and_downgrades(dialect, fresh_engine, tmp_path):
    from alembic import command

    engine = fresh_engine if dialect == "postgresql" else sa.create_engine(f"sqlite:///{tmp_path / 'iw.db'}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO users (email, name, password_hash, is_admin, created_at, updated_at) "
                                   "VALUES ('anna@example.org', 'Anna', 'x', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        config = migrate.alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0021")
    for table in ("users", "sign_ups"):
        assert "language" not in {column["name"] for column in sa.inspect(engine).get_columns(table)}
    migrate.upgrade(engine)

    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT language FROM users")) is None  # mails follow today's rule
        connection.execute(sa.text("UPDATE users SET language = 'da'"))
        with pytest.raises(sa.exc.IntegrityError):
            connection.execute(sa.text("UPDATE users SET language = 'fi'"))
    engine.dispose()


def test_0023_copies_the_programmes_words_apart_and_downgrades(fresh_engine):
    migrate.downgrade(fresh_engine, "0022")
    assert "programme_words" not in sa.inspect(fresh_engine).get_table_names()
    migrate.upgrade(fresh_engine)
    with fresh_engine.connect() as connection:
        triggers = connection.scalars(sa.text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'programme_entries'::regclass AND NOT tgisinternal"))
        assert list(triggers) == ["programme_words_follow"]
