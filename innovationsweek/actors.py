"""Who is acting: passed explicitly into every service function, never read from a request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from innovationsweek.errors import Forbidden, NotAuthenticated

if TYPE_CHECKING:
    from innovationsweek.accounts.models import User
    from innovationsweek.partners.models import Partner


@dataclass(frozen=True)
class Actor:
    """A signed-in person, a partner's API key, or nobody (the public)."""

    user: User | None = None
    partner: Partner | None = None

    @property
    def is_admin(self) -> bool:
        return self.user is not None and self.user.is_admin

    def require_user(self) -> User:
        if self.user is None:
            raise NotAuthenticated(_l("Sign in with a Bearer token from POST /api/v1/auth/tokens."))
        return self.user

    def require_admin(self) -> User:
        user = self.require_user()
        if not user.is_admin:
            raise Forbidden(_l("Only administrators may do this."))
        return user


ANONYMOUS = Actor()
