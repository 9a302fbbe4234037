"""Webhooks: partners' subscriptions to programme changes, and their signed deliveries.

A programme change records a delivery per subscribed endpoint (:func:`announce`), in the
transaction of the change, with an outbox message for its first attempt. Each attempt
(:func:`attempt_delivery`) POSTs the same body with the same ``webhook-id``, a new
``webhook-timestamp`` and a Standard Webhooks signature; a failure schedules the next attempt
in the outbox (``run_after``), so the schedule survives a lost Redis. 2xx is success; anything
else, redirects included (never followed), is a failure; 410 Gone disables the endpoint at once;
a delivery that fails through the whole schedule disables its endpoint and tells the partner.
"""

from __future__ import annotations

import base64
import dataclasses
import email.utils
import json
import logging
import random
import secrets
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload
from standardwebhooks import Webhook

from innovationsweek import audit, outbound, outbox
from innovationsweek.actors import Actor
from innovationsweek.db import utcnow
from innovationsweek.editions.models import Edition
from innovationsweek.errors import Conflict, Forbidden, Invalid, NotFound
from innovationsweek.notifications.service import send_mail
from innovationsweek.paging import Page, keyset_page
from innovationsweek.partners.models import Partner
from innovationsweek.programme.models import EntryState, ProgrammeEntry
from innovationsweek.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

log = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
MAX_ENDPOINTS_PER_PARTNER = 10
MAX_URL_LENGTH = 2000
# How long the secret a rotation replaces still signs deliveries: time for the partner to deploy the new one.
SECRET_OVERLAP = timedelta(hours=24)

# Waits after each failed attempt (the first attempt is at once): ten attempts over about three
# days, the Standard Webhooks / Svix schedule. Each wait grows by up to JITTER at random, so
# endpoints that failed together are not all retried in the same second.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.2
# A Retry-After longer than this is read as this (a partner cannot park a delivery for a year).
MAX_RETRY_AFTER = timedelta(hours=24)
# A job may be handed over by the outbox up to a second before its time.
EARLY_ALLOWANCE = timedelta(seconds=2)

# Per attempt: the guidance is 15-30 s. The deadline covers the whole exchange, so a receiver
# that drips its answer cannot hold a worker longer; a long answer is cut, not downloaded.
DELIVERY_LIMITS = {"connect_timeout": 5.0, "read_timeout": 15.0, "total_timeout": 20.0, "max_body_bytes": 16 * 1024}
KEPT_RESPONSE_CHARS = 1000
# How long the delivery log keeps a finished delivery and its attempts after its last attempt:
# time enough for a partner to look into a failure and redeliver; after that the change feed
# repairs what was missed, and the log (bodies, partners' answers) is not kept any longer.
DELIVERY_LOG_KEPT = timedelta(days=30)
MAX_ERROR_CHARS = 2000


def delivery_settings(base: outbound.OutboundSettings, timeout: float | None = None) -> outbound.OutboundSettings:
    """The installation's outbound settings (which addresses and ports), with webhook limits;
    ``timeout`` shortens the whole attempt's deadline (and the waits within it) to that."""
    limits: dict[str, float] = dict(DELIVERY_LIMITS)
    if timeout is not None:
        limits = {name: min(value, timeout) if name.endswith("_timeout") else value for name, value in limits.items()}
    return dataclasses.replace(base, **limits)  # type: ignore[arg-type]


# --- endpoints ---------------------------------------------------------------------------------


def register_endpoint(
    session: Session, actor: Actor, *, url: str, events: list[str], outbound_settings: outbound.OutboundSettings
) -> WebhookEndpoint:
    """A new endpoint of the calling partner; its ``secret`` is for the answer to this call only."""
    partner = _require_partner(actor)
    count = session.scalar(sa.select(sa.func.count()).where(WebhookEndpoint.partner_id == partner.id)) or 0
    if count >= MAX_ENDPOINTS_PER_PARTNER:
        raise Conflict(_l("A partner may have at most %(count)s webhook endpoints; delete one first.", count=MAX_ENDPOINTS_PER_PARTNER))
    endpoint = WebhookEndpoint(
        partner_id=partner.id,
        url=check_endpoint_url(url, outbound_settings),
        events=_events(events),
        secret=new_secret(),
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def check_endpoint_url(url: str, settings: outbound.OutboundSettings) -> str:
    """An absolute https URL that outbound requests may reach (plain http and private or
    loopback hosts only where the installation allows private addresses: tests, development)."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise Invalid(_l("Give an https URL of at most %(count)s characters.", count=MAX_URL_LENGTH), field="url")
    try:
        outbound.validate_url(url, settings)
    except outbound.OutboundError as error:
        raise Invalid(_l("This URL cannot receive webhooks: %(reason)s", reason=outbound.refusal_reason(error)), field="url") from None
    parts = urlsplit(url)
    if not settings.allow_private_addresses:
        if parts.scheme != "https":
            raise Invalid(_l("Webhook URLs must use https."), field="url")
        host = (parts.hostname or "").rstrip(".").lower()
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise Invalid(_l("This URL cannot receive webhooks: its host is not on the public internet."), field="url")
    if parts.fragment:
        raise Invalid(_l("A webhook URL has no #fragment."), field="url")
    return url


def _events(events: list[str]) -> list[str]:
    chosen = set()
    for index, event in enumerate(events):
        try:
            chosen.add(WebhookEvent(event))
        except ValueError:
            raise Invalid(
                _l("Unknown event “%(event)s”; choose from %(events)s.", event=event, events=", ".join(e.value for e in WebhookEvent)),
                field=f"events.{index}",
            ) from None
    if not chosen:
        raise Invalid(_l("Subscribe to at least one event."), field="events")
    return [event.value for event in WebhookEvent if event in chosen]


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def rotate_secret(session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """A new signing secret for the calling partner's endpoint, for the answer to this call only.
    The secret it replaces still signs deliveries, beside the new one, for
    :data:`SECRET_OVERLAP`; a secret replaced before that stops at once (only the last is kept)."""
    endpoint = get_endpoint(session, actor, endpoint_id)
    expires_at = utcnow() + SECRET_OVERLAP
    endpoint.previous_secret, endpoint.previous_secret_expires_at = endpoint.secret, expires_at
    endpoint.secret = new_secret()
    audit.record(
        session, actor, "webhook_secret_rotated", edition_id=None,
        endpoint_id=endpoint.id, partner_id=endpoint.partner_id, previous_secret_until=expires_at.isoformat(),
    )
    log.info("webhook endpoint %d of partner %d: secret rotated, the old one signs until %s", endpoint.id, endpoint.partner_id, expires_at)
    session.flush()
    return endpoint


def list_endpoints(session: Session, actor: Actor) -> list[WebhookEndpoint]:
    partner = _require_partner(actor)
    return list(
        session.scalars(sa.select(WebhookEndpoint).where(WebhookEndpoint.partner_id == partner.id).order_by(WebhookEndpoint.id))
    )


def get_endpoint(session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """The calling partner's endpoint; another partner's is as unknown as one that never was."""
    partner = _require_partner(actor)
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.partner_id != partner.id:
        raise NotFound(_l("No webhook endpoint %(id)s.", id=endpoint_id))
    return endpoint


def delete_endpoint(session: Session, actor: Actor, endpoint_id: int) -> None:
    """Remove the endpoint with its delivery log; attempts still queued find nothing to do."""
    session.delete(get_endpoint(session, actor, endpoint_id))
    session.flush()


def enable_endpoint(session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """Deliver to a disabled endpoint again, from the next change on. What it missed meanwhile
    is in the change feed (or can be redelivered one by one)."""
    endpoint = get_endpoint(session, actor, endpoint_id)
    endpoint.disabled_at = None
    endpoint.disabled_reason = None
    session.flush()
    return endpoint


def _require_partner(actor: Actor) -> Partner:
    if actor.partner is None:
        raise Forbidden(_l("Webhooks belong to partners: call with the partner's API key."))
    return actor.partner


# --- deliveries --------------------------------------------------------------------------------


def announce(session: Session, entry: ProgrammeEntry, event: str) -> None:
    """Record a delivery of ``event`` about ``entry`` for every enabled endpoint subscribed to
    it, each with its outbox message, in the caller's transaction (only flushes)."""
    kind = WebhookEvent(event)
    endpoints = [
        endpoint
        for endpoint in session.scalars(
            sa.select(WebhookEndpoint)
            .join(Partner, Partner.id == WebhookEndpoint.partner_id)
            .where(WebhookEndpoint.disabled_at.is_(None), Partner.revoked_at.is_(None))
            .order_by(WebhookEndpoint.id)
        )
        if kind.value in endpoint.events
    ]
    if not endpoints:
        return
    now = utcnow()
    payload = _payload(session, entry, kind, now)
    for endpoint in endpoints:
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id,
            message_id=new_message_id(),
            event=kind,
            activity_id=entry.activity_id,
            change_number=entry.change_number,
            payload=payload,
            status=DeliveryStatus.PENDING,
            attempts=0,
            scheduled_attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(delivery)
        session.flush()
        outbox.schedule(session, "deliver_webhook", delivery.id)


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def _payload(session: Session, entry: ProgrammeEntry, kind: WebhookEvent, now: datetime) -> str:
    """Small on purpose: what changed and its change number, so that a partner that missed a
    delivery repairs itself from the change feed (``afterChangeNumber``)."""
    if entry.state == EntryState.UPDATED and entry.data:
        data = {
            "activity_id": entry.activity_id,
            "edition": entry.data.get("edition"),
            "change_number": entry.change_number,
            "status": entry.data.get("status"),
        }
    else:
        edition = session.get(Edition, entry.edition_id)
        data = {
            "activity_id": entry.activity_id,
            "edition": edition.slug if edition is not None else None,
            "change_number": entry.change_number,
        }
    body = {"type": kind.value, "timestamp": _iso(now), "data": data}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def list_deliveries(
    session: Session,
    actor: Actor,
    endpoint_id: int,
    *,
    status: DeliveryStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[WebhookDelivery]:
    """The endpoint's delivery log, newest first, each delivery with its attempts."""
    endpoint = get_endpoint(session, actor, endpoint_id)
    query = (
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .options(selectinload(WebhookDelivery.attempt_log))
    )
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    # Keyset on the negated id: newest first with the ascending keyset helper.
    return keyset_page(session, query, order_by=(-WebhookDelivery.id,), key=lambda d: (-d.id,), cursor=cursor, limit=limit)


def get_delivery(session: Session, actor: Actor, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    endpoint = get_endpoint(session, actor, endpoint_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound(_l("No delivery %(delivery)s for webhook endpoint %(endpoint)s.", delivery=delivery_id, endpoint=endpoint_id))
    return delivery


def redeliver(session: Session, actor: Actor, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again now, with its ``webhook-id`` and body. A pending one has its next
    attempt brought forward (the schedule goes on after it); a finished one gets one attempt,
    and no automatic retries after it."""
    delivery = session.execute(
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.id == get_delivery(session, actor, endpoint_id, delivery_id).id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if not delivery.endpoint.enabled:
        raise Conflict(_l("The endpoint is disabled: enable it first (POST .../enable)."))
    if delivery.status != DeliveryStatus.PENDING:
        delivery.status = DeliveryStatus.PENDING
        delivery.redelivery = True
    delivery.next_attempt_at = utcnow()
    session.flush()
    outbox.schedule(session, "deliver_webhook", delivery.id)
    return delivery


def sign(secrets: Sequence[str], message_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers for one attempt: a signature per secret, separated by
    spaces (a receiver accepts the message when one of them matches its secret)."""
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": " ".join(Webhook(secret).sign(message_id, timestamp, body) for secret in secrets),
    }


def attempt_delivery(
    session: Session,
    delivery_id: int,
    settings: outbound.OutboundSettings,
    *,
    now: datetime | None = None,
    rng: random.Random | None = None,
    retry_scale: float = 1.0,
) -> WebhookAttempt | None:
    """Make the delivery's due attempt and record it; ``None`` when nothing was due (delivered,
    given up, deleted, or its attempt not yet due: a repeat of an earlier job).

    The delivery's row stays locked until the caller's transaction ends, so two runs of the job
    at once send once: the second finds the attempt made and the next one not yet due. Only a
    crash between the POST and the commit repeats an attempt, with the same ``webhook-id``.
    ``now`` (the scheduling clock) and ``rng`` (the jitter) are for tests; ``retry_scale`` is the
    installation's (see :func:`retry_delay`).
    """
    now = now or utcnow()
    delivery = session.execute(
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    assert delivery.next_attempt_at is not None
    if delivery.next_attempt_at > now + EARLY_ALLOWANCE:
        return None
    endpoint = delivery.endpoint
    partner = session.get_one(Partner, endpoint.partner_id)
    if partner.revoked_at is not None:
        _finish(delivery, DeliveryStatus.FAILED, error="not sent: the partner's API key is revoked")
        session.flush()
        return None
    if not endpoint.enabled:
        _finish(delivery, DeliveryStatus.FAILED, error="not sent: the endpoint is disabled")
        session.flush()
        return None

    attempt, response_headers = _post(delivery, endpoint, settings)
    attempt.manual = delivery.redelivery
    delivery.attempts += 1
    attempt.number = delivery.attempts
    delivery.last_attempt_at = attempt.attempted_at
    delivery.last_status_code = attempt.status_code
    delivery.last_error = attempt.error
    delivery.attempt_log.append(attempt)
    manual = delivery.redelivery
    delivery.redelivery = False
    if not manual:
        delivery.scheduled_attempts += 1

    if attempt.succeeded:
        delivery.delivered_at = attempt.attempted_at
        _finish(delivery, DeliveryStatus.SUCCEEDED)
    elif attempt.status_code == 410:
        _finish(delivery, DeliveryStatus.FAILED)
        disable(session, endpoint, "The endpoint answered 410 Gone.", at=now)
    elif manual:
        _finish(delivery, DeliveryStatus.FAILED)
    elif delivery.scheduled_attempts >= MAX_ATTEMPTS:
        _finish(delivery, DeliveryStatus.FAILED)
        disable(
            session,
            endpoint,
            f"Delivery {delivery.id} failed {delivery.scheduled_attempts} times over "
            f"{_duration(now - delivery.created_at)}; the last error: {attempt.error}"[:500],
            at=now,
        )
    else:
        wait = retry_delay(delivery.scheduled_attempts, rng or random.Random(), retry_scale)
        retry_after = _retry_after(response_headers, now)
        if retry_after is not None:
            wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
        delivery.next_attempt_at = attempt.retry_at = now + wait
        outbox.schedule(session, "deliver_webhook", delivery.id, run_after=delivery.next_attempt_at)
    session.flush()
    return attempt


def retry_delay(failed_attempts: int, rng: random.Random, scale: float = 1.0) -> timedelta:
    """The wait after the ``failed_attempts``-th failure on the schedule, with its jitter
    (``scale``: the installation's ``retry_scale``)."""
    base = RETRY_DELAYS[failed_attempts - 1] * scale
    return base * (1 + rng.uniform(0, JITTER))


def disable(session: Session, endpoint: WebhookEndpoint, reason: str, *, at: datetime) -> bool:
    """Stop delivering to ``endpoint`` and tell its partner by email. Returns whether this call
    disabled it (of two deliveries giving up at once, only one writes the email)."""
    changed = session.execute(
        sa.update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint.id, WebhookEndpoint.disabled_at.is_(None))
        .values(disabled_at=at, disabled_reason=reason, updated_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(endpoint)
    if not changed:
        return False
    partner = session.get_one(Partner, endpoint.partner_id)
    send_mail(
        session,
        to=partner.contact_email,
        subject=f"Webhook endpoint disabled: {endpoint.url}",
        text="\n".join(
            [
                f"Hello {partner.name},",
                "",
                f"We have stopped sending webhooks to {endpoint.url} (endpoint {endpoint.id}).",
                f"Why: {reason}",
                "",
                "Once the endpoint works again, enable it with",
                f"  POST /api/v1/webhooks/{endpoint.id}/enable",
                "and catch up on the changes you missed from the change feed,",
                "  GET /api/v1/editions/{slug}/feed?afterChangeNumber=<the last change number you handled>",
                f"or redeliver single deliveries from the delivery log, GET /api/v1/webhooks/{endpoint.id}/deliveries.",
            ]
        ),
    )
    return True


def overdue_deliveries(session: Session, *, due_before: datetime, limit: int = 100) -> list[int]:
    """Pending deliveries whose attempt should have run by ``due_before``: their job was lost
    (Redis emptied, or RQ gave up after our own errors). The longest waiting first."""
    return list(
        session.scalars(
            sa.select(WebhookDelivery.id)
            .where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at < due_before)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
    )


def purge_old_deliveries(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Delete up to ``limit`` finished deliveries, with their attempts, made and last attempted
    longer than :data:`DELIVERY_LOG_KEPT` before ``now``; returns how many. Pending ones stay
    (an attempt is still due, and the partner has yet to get the message). Call again, in a new
    transaction, until it answers less than ``limit``; rows another run holds are skipped."""
    kept_since = now - DELIVERY_LOG_KEPT
    old = (
        sa.select(WebhookDelivery.id)
        .where(
            WebhookDelivery.created_at < kept_since,
            WebhookDelivery.status != DeliveryStatus.PENDING,
            sa.or_(WebhookDelivery.last_attempt_at.is_(None), WebhookDelivery.last_attempt_at < kept_since),
        )
        .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(old))
    if ids:  # the attempts go with them (ON DELETE CASCADE)
        session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.id.in_(ids)), execution_options={"synchronize_session": False})
    return len(ids)


def _post(
    delivery: WebhookDelivery, endpoint: WebhookEndpoint, settings: outbound.OutboundSettings
) -> tuple[WebhookAttempt, Mapping[str, str]]:
    """One POST, never raising for what the endpoint does: the attempt (not yet numbered) and
    the answer's headers."""
    attempted_at = utcnow()  # the signature's time is the real one, whatever the scheduling clock says
    headers = sign(endpoint.signing_secrets(attempted_at), delivery.message_id, attempted_at, delivery.payload)
    started = time.monotonic()
    attempt = WebhookAttempt(attempted_at=attempted_at, succeeded=False)
    response_headers: Mapping[str, str] = {}
    try:
        response = outbound.post(endpoint.url, delivery.payload.encode(), settings, headers=headers)
    except outbound.OutboundError as error:
        attempt.failure = error.failure.value
        attempt.error = error.detail[:MAX_ERROR_CHARS]
    else:
        response_headers = response.headers
        attempt.status_code = response.status
        attempt.response_body = response.body.decode("utf-8", "replace")[:KEPT_RESPONSE_CHARS] or None
        if response.ok:
            attempt.succeeded = True
        else:
            attempt.failure = outbound.Failure.HTTP_ERROR.value
            kind = "a redirect, which is not followed" if 300 <= response.status < 400 else "not 2xx"
            attempt.error = f"the endpoint answered {response.status} ({kind})"
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    return attempt, response_headers


def _finish(delivery: WebhookDelivery, status: DeliveryStatus, *, error: str | None = None) -> None:
    delivery.status = status
    delivery.next_attempt_at = None
    delivery.redelivery = False
    if error is not None:
        delivery.last_error = error


def _retry_after(headers: Mapping[str, str], now: datetime) -> timedelta | None:
    """``Retry-After`` as seconds or as an HTTP date; ``None`` when absent or unreadable."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - now, timedelta(0))


def _duration(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:.0f} hours" if hours >= 1 else f"{span.total_seconds() / 60:.0f} minutes"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
