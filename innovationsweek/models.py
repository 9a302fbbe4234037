"""Imports every domain's models, so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from innovationsweek.accounts.models import AccessToken, User
from innovationsweek.db import Base
from innovationsweek.editions.models import Edition, EditionCoordinator
from innovationsweek.organisations.models import Membership, Organisation
from innovationsweek.partners.models import Partner

__all__ = ["AccessToken", "Base", "Edition", "EditionCoordinator", "Membership", "Organisation", "Partner", "User"]
