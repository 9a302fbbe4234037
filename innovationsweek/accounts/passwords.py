"""Changing a password, and resetting a forgotten one with a mailed link.

A reset link is a signed, timed token (itsdangerous) naming the account and a fingerprint of its
current password hash, as Django's reset tokens do: it expires after :data:`RESET_LINK_LIFETIME`,
works once (the new password changes the fingerprint), and needs no table. Asking for a link
answers the same whether or not the address has an account; only an account's address gets a
mail. Any change of password revokes every token of the account, so a session or API token
taken before the change is worth nothing after it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
import sqlalchemy as sa
from sqlalchemy.orm import Session

from innovationsweek import audit
from innovationsweek.accounts.models import AccessToken, User
from innovationsweek.accounts.service import (
    check_password_rules,
    find_user_by_email,
    hash_password,
    mail_account,
    mail_language,
    password_matches,
)
from innovationsweek.actors import Actor
from innovationsweek.db import utcnow
from innovationsweek.errors import Invalid, NotFound
from innovationsweek.notifications.service import secret_placeholder
from innovationsweek.translations import translations

RESET_LINK_LIFETIME = timedelta(hours=1)
RESET_LINK = "reset link"
_SALT = "innovationsweek.password-reset"


class ResetLinkExpired(NotFound):
    """A genuine reset link, but too old: the person asks for a new one (410)."""


def change_password(session: Session, actor: Actor, *, current: str, new: str) -> None:
    """The signed-in person sets a new password, giving the current one (a stolen session alone
    must not be enough). Every token of the account is revoked, this session's too."""
    user = actor.require_user()
    if not password_matches(user, current):
        raise Invalid(_l("The current password is wrong."), field="current_password")
    _set_password(session, actor, user, new)


def request_password_reset(
    session: Session, email: str, *, secret_key: str, language: str, link_for: Callable[[str], str]
) -> None:
    """Mail a reset link to ``email`` if it is an account's address, in the account's language,
    else in ``language`` (the page's). The caller answers the same either way."""
    user = find_user_by_email(session, email)
    if user is None:
        return
    token = URLSafeTimedSerializer(secret_key, salt=_SALT).dumps([user.id, _fingerprint(user)])
    minutes = int(RESET_LINK_LIFETIME.total_seconds() // 60)
    gettext = translations(mail_language(user, language)).gettext
    lines = [
        gettext("Hi %(name)s,") % {"name": user.name},
        "",
        gettext("Someone (we hope you) asked to reset the password of your account. Choose a new one here:"),
        secret_placeholder(RESET_LINK),
        "",
        gettext("The link works once, for %(minutes)s minutes. Did not ask? Then do nothing: your password stays as it is.")
        % {"minutes": minutes},
    ]
    mail_account(
        session, user.email, subject=gettext("Reset your password"), text="\n".join(lines), secrets={RESET_LINK: link_for(token)}
    )


def account_of_reset_link(session: Session, token: str, *, secret_key: str) -> User:
    """The account a reset link is for. :class:`NotFound` for a link that is forged or used,
    :class:`ResetLinkExpired` for one too old."""
    serializer = URLSafeTimedSerializer(secret_key, salt=_SALT)
    try:
        user_id, fingerprint = serializer.loads(token, max_age=int(RESET_LINK_LIFETIME.total_seconds()))
    except SignatureExpired:
        raise ResetLinkExpired(_l("This reset link has expired. Ask for a new one.")) from None
    except (BadSignature, ValueError, TypeError):
        raise NotFound(_l("This reset link is not valid.")) from None
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or fingerprint != _fingerprint(user):
        raise NotFound(_l("This reset link is not valid: it was used, or the password was changed since."))
    return user


def reset_password(session: Session, token: str, new: str, *, secret_key: str) -> User:
    """Set the password of the reset link's account; the link then stops working."""
    user = account_of_reset_link(session, token, secret_key=secret_key)
    _set_password(session, Actor(user=user), user, new)
    return user


def _set_password(session: Session, actor: Actor, user: User, new: str) -> None:
    check_password_rules(new, field="new_password")
    user.password_hash = hash_password(new)
    session.execute(
        sa.update(AccessToken).where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    audit.record(session, actor, "password_changed", edition_id=None, user_id=user.id)
    session.flush()


def _fingerprint(user: User) -> str:
    """Changes whenever the password does; reveals nothing of the hash."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
