"""registrations remember the language they were made in

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 13:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

LANGUAGES = ('sv', 'da', 'en')  # innovationsweek.editions.models.LANGUAGES when this was written


def upgrade() -> None:
    op.add_column('registrations', sa.Column('language', sa.String(length=2), nullable=True))
    _fill_languages()
    with op.batch_alter_table('registrations') as batch:
        batch.alter_column('language', existing_type=sa.String(length=2), nullable=False)
        batch.create_check_constraint(
            op.f('ck_registrations_language_known'), f"language IN ({', '.join(repr(code) for code in LANGUAGES)})"
        )


def _fill_languages() -> None:
    """A registration made so far is in the language of the notice it consented to (the text
    stored is that notice's, picked by the caller's Accept-Language); when the notice has
    changed since, the edition's own language, the first it is named in, else Swedish."""
    editions = sa.table('editions', sa.column('id', sa.Integer()), sa.column('name', sa.JSON()), sa.column('privacy_notice', sa.JSON()))
    registrations = sa.table(
        'registrations', sa.column('edition_id', sa.Integer()), sa.column('consent_text', sa.Text()), sa.column('language', sa.String())
    )
    connection = op.get_bind()
    for edition_id, names, notices in connection.execute(sa.select(editions.c.id, editions.c.name, editions.c.privacy_notice)).all():
        for language, text in (notices or {}).items():
            if language in LANGUAGES and text:
                connection.execute(
                    registrations.update()
                    .where(registrations.c.edition_id == edition_id, registrations.c.language.is_(None), registrations.c.consent_text == text)
                    .values(language=language)
                )
        own = next((language for language in (names or {}) if language in LANGUAGES), LANGUAGES[0])
        connection.execute(
            registrations.update()
            .where(registrations.c.edition_id == edition_id, registrations.c.language.is_(None))
            .values(language=own)
        )


def downgrade() -> None:
    with op.batch_alter_table('registrations') as batch:
        batch.drop_constraint(op.f('ck_registrations_language_known'), type_='check')
        batch.drop_column('language')
