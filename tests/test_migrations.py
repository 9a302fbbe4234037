import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from innovationsweek.models import Base


def test_migrations_create_exactly_what_the_models_describe(database_url):
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == [], "models and migrations differ: add a migration (see README, 'Changing the schema')"
