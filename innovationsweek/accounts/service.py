"""Accounts: signing up, registering, signing in with Bearer tokens, revoking them, deleting
accounts.

Signing up never tells whether an address has an account: it always mails the address and the
caller answers the same. An unknown address gets a link that turns the sign-up into an account;
until then nobody can sign in with it, so an attacker cannot learn that the address was free by
signing in with the password they chose. A known address is told it has an account already, and
nothing changes on it. :func:`register` creates a usable account at once (the command line, the
demo).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
import sqlalchemy as sa
from sqlalchemy.orm import Session

from innovationsweek import audit
from innovationsweek.accounts.models import AccessToken, SignUp, User
from innovationsweek.actors import Actor
from innovationsweek.credentials import USER_TOKEN_PREFIX, new_secret, secret_hash
from innovationsweek.db import utcnow
from innovationsweek.editions.models import EditionCoordinator
from innovationsweek.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound, non_blank
from innovationsweek.notifications.service import secret_placeholder, send_mail
from innovationsweek.organisations.models import MemberRole, Membership
from innovationsweek.translations import LANGUAGES, translations

MIN_PASSWORD_LENGTH = 10
# The confirmation link is only in the mail as sent, never in the stored copy (see send_mail).
SIGN_UP_LINK = "confirmation link"
# Argon2id with OWASP's first recommendation (m=19 MiB, t=2, p=1) rather than argon2-cffi's
# default (RFC 9106's second one: 64 MiB, t=3, p=4). OWASP rates the two as equally strong; ours
# holds a third of the memory per sign-in and one thread, so that a web process on a small machine
# can hash several at once without swapping, and a burst of sign-ins (limited per address and
# account, see api/limits.py) cannot exhaust the memory. Hashes made with other parameters are
# re-hashed with these at the next sign-in (check_needs_rehash).
PASSWORD_HASHING = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}
_hasher = PasswordHasher(**PASSWORD_HASHING)
# Verified when the email is unknown, so that a wrong email takes as long as a wrong password.
_UNKNOWN_USER_HASH = _hasher.hash("unknown-user-timing-equaliser")
SIGN_UP_LINK_LIFETIME = timedelta(hours=24)
T = TypeVar("T")
_SIGN_UP_LINK_PREFIX = "iws_"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


class SignUpLinkExpired(NotFound):
    """A genuine sign-up link, but too old: the person signs up again (410)."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def register(session: Session, *, email: str, password: str, name: str, is_admin: bool = False) -> User:
    """Create an account that can sign in at once (for administrators and the demo: the public
    goes through :func:`sign_up`)."""
    check_password_rules(password)
    name = non_blank(name, "name")
    if find_user_by_email(session, email) is not None:
        raise Conflict(_l("An account with this email already exists."), field="email")
    user = User(
        email=normalise_email(email), name=name, password_hash=hash_password(password), is_admin=is_admin
    )
    session.add(user)
    session.flush()
    return user


def check_password_rules(password: str, *, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(_l("The password needs at least %(length)s characters.", length=MIN_PASSWORD_LENGTH), field=field)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


# --- signing up: confirmed by a mailed link --------------------------------------------------


def sign_up(
    session: Session, *, email: str, password: str, name: str, language: str, link_for: Callable[[str, str], str]
) -> None:
    """Mail ``email`` either a link that confirms this sign-up (``link_for(token, language)`` is
    the URL of its page in ``language``) or, when the address has an account, a note that it has
    one; either mail in ``language``, the one the person signed up in, which the account keeps.
    The caller answers the same either way. A sign-up replaces an earlier unconfirmed one for the
    address, so that only the newest link, with the newest password, confirms."""
    check_password_rules(password)
    name = non_blank(name, "name")
    address = normalise_email(email)
    # Hashed for a known address too: it would otherwise answer a hash's time sooner.
    password_hash = hash_password(password)
    _ = translations(language).gettext
    if find_user_by_email(session, address) is not None:
        mail_account(session, address, subject=_("You already have an account"), text=_already_signed_up(language))
        return
    session.execute(sa.delete(SignUp).where(SignUp.email == address))
    token = new_secret(_SIGN_UP_LINK_PREFIX)
    session.add(SignUp(email=address, name=name, password_hash=password_hash, token_hash=secret_hash(token), language=language))
    session.flush()
    mail_account(
        session,
        address,
        subject=_("Confirm your account"),
        text=_confirmation_text(secret_placeholder(SIGN_UP_LINK), language),
        secrets={SIGN_UP_LINK: link_for(token, language)},
    )


def sign_up_address(session: Session, token: str) -> str:
    """The address a sign-up link is for. Raises :class:`NotFound` for a link that is unknown,
    used, or replaced by a newer sign-up, and :class:`SignUpLinkExpired` for one too old."""
    return _pending_sign_up(session, token).email


def confirm_sign_up(session: Session, token: str) -> User:
    """Turn the link's sign-up into an account that can sign in; the link then stops working."""
    pending = _pending_sign_up(session, token)
    if find_user_by_email(session, pending.email) is not None:  # made meanwhile, e.g. on the command line
        raise Conflict(_l("An account with this email exists already: sign in with its password."))
    user = User(
        email=pending.email, name=pending.name, password_hash=pending.password_hash, is_admin=False, language=pending.language
    )
    session.add(user)
    session.delete(pending)
    session.flush()
    return user


def purge_expired_sign_ups(session: Session) -> int:
    """Forget sign-ups whose link has expired: the address and name of someone who never confirmed."""
    result = session.execute(sa.delete(SignUp).where(SignUp.created_at < utcnow() - SIGN_UP_LINK_LIFETIME))
    return result.rowcount


def _pending_sign_up(session: Session, token: str) -> SignUp:
    pending = session.scalar(sa.select(SignUp).where(SignUp.token_hash == secret_hash(token)))
    if pending is None:
        raise NotFound(_l("This sign-up link is not valid: it was used, or a newer sign-up replaced it."))
    if utcnow() - pending.created_at > SIGN_UP_LINK_LIFETIME:
        raise SignUpLinkExpired(_l("This sign-up link has expired. Sign up again."))
    return pending


def mail_account(session: Session, address: str, *, subject: str, text: str, secrets: dict[str, str] | None = None) -> None:
    try:
        send_mail(session, to=address, subject=subject, text=text, secrets=secrets)
    except ValueError:  # an address the schema let through but no mail server would take
        raise Invalid(_l("Mail cannot be sent to this address."), field="email") from None


# Neither mail repeats what the sign-up gave (its name): anyone can sign up with any address,
# and the mails must not carry a stranger's words to it.
def _already_signed_up(language: str) -> str:
    _ = translations(language).gettext
    return "\n".join(
        [
            _("Hello,"),
            "",
            _("Someone (we hope you) tried to sign up with this email address, but you already have an account."),
            _("Sign in with your password as usual. Nothing has changed on your account."),
        ]
    )


def _confirmation_text(link: str, language: str) -> str:
    translated = translations(language)
    hours = int(SIGN_UP_LINK_LIFETIME.total_seconds() // 3600)
    return "\n".join(
        [
            translated.gettext("Hello,"),
            "",
            translated.gettext("Someone (we hope you) signed up with this email address. Open the link and confirm; then you can sign in:"),
            link,
            translated.ngettext(
                "The link works for %(num)s hour. Did not sign up? Then do nothing.",
                "The link works for %(num)s hours. Did not sign up? Then do nothing.",
                hours,
            )
            % {"num": hours},
        ]
    )


def mail_language(user: User, otherwise: str) -> str:
    """The language to write to ``user`` in: the one they chose, else ``otherwise`` (their
    organisation's, the edition's, the page's: whatever the mail followed before accounts had one)."""
    return user.language or otherwise


def in_their_languages(users: Iterable[User], otherwise: str, write: Callable[[str], T]) -> list[tuple[User, T]]:
    """Each of ``users`` with what ``write(language)`` writes in their :func:`mail_language`;
    each language is written once, however many read it."""
    written: dict[str, T] = {}
    for user in users:
        language = mail_language(user, otherwise)
        if language not in written:
            written[language] = write(language)
    return [(user, written[mail_language(user, otherwise)]) for user in users]


def organisation_members(session: Session, organisation_id: int, *, role: MemberRole | None = None) -> list[User]:
    """The accounts of an organisation's members (only those with ``role``, if given), by address:
    who hears about its activities."""
    query = sa.select(User).join(Membership, Membership.user_id == User.id).where(Membership.organisation_id == organisation_id)
    if role is not None:
        query = query.where(Membership.role == role)
    return list(session.scalars(query.order_by(User.email)))


def set_language(session: Session, actor: Actor, language: str) -> User:
    """The signed-in person chooses the language of the mails to them."""
    user = actor.require_user()
    if language not in LANGUAGES:
        raise Invalid(_l("Choose one of the languages %(languages)s.", languages=", ".join(LANGUAGES)), field="language")
    if user.language != language:
        audit.record(session, actor, "account_language_changed", edition_id=None, user_id=user.id, language=language)
        user.language = language
    session.flush()
    return user


def issue_token(session: Session, *, email: str, password: str, lifetime: timedelta) -> IssuedToken:
    user = find_user_by_email(session, email)
    if not password_matches(user, password):
        raise NotAuthenticated(_l("The email or the password is wrong."))
    assert user is not None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    raw = new_secret(USER_TOKEN_PREFIX)
    token = AccessToken(user=user, token_hash=secret_hash(raw), expires_at=utcnow() + lifetime)
    session.add(token)
    session.flush()
    return IssuedToken(token=raw, expires_at=token.expires_at)


def password_matches(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _UNKNOWN_USER_HASH, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def authenticate_token(session: Session, raw: str) -> Actor:
    token = session.scalar(sa.select(AccessToken).where(AccessToken.token_hash == secret_hash(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        raise NotAuthenticated(_l("The token is unknown, expired or revoked."))
    return Actor(user=token.user)


def revoke_token(session: Session, raw: str) -> None:
    token = session.scalar(sa.select(AccessToken).where(AccessToken.token_hash == secret_hash(raw)))
    if token is None:
        raise NotFound(_l("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    session.flush()


def list_users(session: Session, actor: Actor, *, email: str | None = None) -> list[User]:
    actor.require_admin()
    query = sa.select(User).order_by(User.id)
    if email:
        query = query.where(User.email == normalise_email(email))
    return list(session.scalars(query))


def get_user_by_email(session: Session, email: str) -> User:
    """The account with ``email``; one that a request names and that does not exist is invalid
    input (422 naming the field): a 404 would say that the operation's own resource is missing."""
    user = find_user_by_email(session, email)
    if user is None:
        raise Invalid(_l("No account with the email %(email)s.", email=normalise_email(email)), field="email")
    return user


def purge_expired_tokens(session: Session, *, older_than: timedelta) -> int:
    """Delete tokens that expired or were revoked more than ``older_than`` ago."""
    cutoff = utcnow() - older_than
    result = session.execute(
        sa.delete(AccessToken).where(
            sa.or_(AccessToken.expires_at < cutoff, AccessToken.revoked_at < cutoff)
        )
    )
    return result.rowcount


def delete_own_account(session: Session, actor: Actor, *, password: str) -> None:
    """The signed-in person deletes their account, giving their password again (a stolen token
    alone must not be enough). See :func:`delete_account`."""
    user = actor.require_user()
    if not password_matches(user, password):
        raise Forbidden(_l("The password is wrong."), field="password")
    _delete(session, actor, user)


def delete_account(session: Session, actor: Actor, user_id: int) -> None:
    """An administrator deletes an account. Its tokens, memberships and coordinator assignments
    go; what the person did stays: their activities (without a creator), the programme, and the
    audit entries, which keep their name. Refused while the account is the last owner of an
    organisation that has other members, who would be left without anyone to manage it."""
    actor.require_admin()
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_l("No account %(id)s.", id=user_id))
    _delete(session, actor, user)


def _delete(session: Session, actor: Actor, user: User) -> None:
    memberships = list(session.scalars(sa.select(Membership).where(Membership.user_id == user.id)))
    stranded = [m.organisation for m in memberships if _last_owner_of_others(m)]
    if stranded:
        names = ", ".join(f"{o.name} ({o.id})" for o in stranded)
        first = stranded[0].id
        raise Conflict(
            _l(
                "The account is the last owner of %(names)s, which has other members. Make one of them an owner first "
                '(POST /api/v1/organisations/%(first)s/members with their email and "role": "owner"), or delete the '
                "organisation; then delete the account.",
                names=names,
                first=first,
            ),
            organisations=[{"id": o.id, "name": o.name} for o in stranded],
        )
    for membership in memberships:
        membership.organisation.memberships.remove(membership)
        audit.record(
            session,
            actor,
            "member_removed",
            edition_id=None,
            organisation_id=membership.organisation_id,
            user_id=user.id,
            role=membership.role.value,
            reason="account_deleted",
        )
    coordinated = session.scalars(sa.select(EditionCoordinator.edition_id).where(EditionCoordinator.user_id == user.id))
    for edition_id in coordinated:  # the assignments go with the account (a cascade)
        audit.record(session, actor, "coordinator_removed", edition_id=edition_id, user_id=user.id, reason="account_deleted")
    audit.record(session, actor, "account_deleted", edition_id=None, user_id=user.id)
    session.flush()  # the entry is written while its actor exists; deleting sets its actor_id NULL
    session.delete(user)
    session.flush()


def _last_owner_of_others(membership: Membership) -> bool:
    others = [m for m in membership.organisation.memberships if m.user_id != membership.user_id]
    return membership.role == MemberRole.OWNER and bool(others) and all(m.role != MemberRole.OWNER for m in others)
