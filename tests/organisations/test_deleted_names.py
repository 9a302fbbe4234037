"""A deleted organisation frees its name for a new one in the same country (the database's
partial unique index holds the rule, for live organisations only), while its published
activities keep showing it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from innovationsweek.db import utcnow
from innovationsweek.organisations.models import Organisation, OrganisationKind
from tests.conftest import problem_of
from tests.organisations.test_organisations import ORGANISATIONS, create, organisation, outsider, owner  # noqa: F401 (fixtures)


def test_a_deleted_organisations_name_can_be_taken_by_a_new_one(client, owner, outsider):
    old = create(client, owner)
    assert client.delete(f"{ORGANISATIONS}/{old['id']}", headers=owner).status_code == 204

    response = client.post(ORGANISATIONS, json=organisation(), headers=outsider)

    assert response.status_code == 201, response.get_json()
    new = response.get_json()
    assert (new["name"], new["country"]) == ("Linköpings kommun", "SE") and new["id"] != old["id"]
    assert [o["id"] for o in client.get(ORGANISATIONS, headers=outsider).get_json()["items"]] == [new["id"]]
    again = client.post(ORGANISATIONS, json=organisation(), headers=owner)
    assert again.status_code == 409 and problem_of(again)["errors"][0]["pointer"] == "/name"


def test_renaming_to_a_deleted_organisations_name_is_allowed(client, owner):
    old = create(client, owner)
    other = create(client, owner, name="Norrköpings kommun")
    client.delete(f"{ORGANISATIONS}/{old['id']}", headers=owner)

    response = client.patch(f"{ORGANISATIONS}/{other['id']}", json={"name": "Linköpings kommun"}, headers=owner)

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["name"] == "Linköpings kommun"


def _insert(runtime, name: str, *, deleted: bool = False) -> None:
    with runtime.database.unit_of_work() as session:
        session.add(
            Organisation(name=name, kind=OrganisationKind.MUNICIPALITY, country="SE", deleted_at=utcnow() if deleted else None)
        )


def test_the_database_refuses_two_live_organisations_of_one_name_but_not_a_deleted_one(runtime):
    _insert(runtime, "Umeå kommun", deleted=True)
    _insert(runtime, "Umeå kommun", deleted=True)
    _insert(runtime, "Umeå kommun")

    with pytest.raises(IntegrityError, match="uq_organisations_country_name"):
        _insert(runtime, "Umeå kommun")

    with runtime.database.sessions() as session:
        names = session.execute(sa.select(Organisation.name, Organisation.deleted_at.is_(None)).order_by(Organisation.id)).all()
    assert names == [("Umeå kommun", False), ("Umeå kommun", False), ("Umeå kommun", True)]
