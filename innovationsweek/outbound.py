"""Every outgoing HTTP request to a URL a user supplied goes through here: activity links that
moderation checks, and partner webhook endpoints.

Such a URL is an invitation to make the server fetch something on an attacker's behalf (SSRF):
cloud metadata at ``169.254.169.254``, Redis on loopback, the database on the private network.
So, for every request and every redirect hop:

- only ``http``/``https``, no credentials in the URL, only the allowed ports;
- the host is resolved once, every answer is checked, and the socket is connected to an address
  that was checked (no second lookup that DNS rebinding could answer differently). Private,
  loopback, link-local, multicast, reserved, unspecified and shared (CGNAT) addresses are
  refused, IPv4 and IPv6, including IPv4 carried inside IPv6 (mapped, NAT64, 6to4, Teredo);
- redirects are never followed by the HTTP client: :func:`fetch` follows a few itself and checks
  each hop like a new request, :func:`post` (webhooks) never follows one;
- connect and read timeouts per socket operation, plus a wall-clock deadline for the whole
  exchange, enforced by shutting the sockets down: a server that drips one byte just inside
  each read timeout would otherwise hold a worker indefinitely;
- at most ``max_body_bytes`` of a body are read; the rest is never downloaded.

Why ssrfguard (``ssrfguard[requests]``) for the address part. Two maintained requests-based
libraries were read before choosing:

- ``requests-hardened`` (Saleor) resolves once and pins the validated IP into urllib3's pool key,
  which closes the rebinding gap. But its classifier is ``ip.is_private or ip.is_multicast`` plus
  a fixed list, so on our Python (3.11) it lets IPv4-compatible IPv6 (``[::7f00:1]``) and
  site-local ``fec0::/10`` through; its only exception is "allow loopback", not an explicit set
  of networks; and it checks only the first DNS answer.
- ``ssrfguard`` pins at urllib3's ``_new_conn`` (the socket is connected to the checked address,
  the peer is verified after connecting, Host and TLS SNI keep the hostname), checks *every*
  DNS answer and refuses a name that resolves to both public and private addresses, decodes
  IPv4 inside IPv6 transition prefixes, refuses schemes, userinfo and ports by policy before any
  lookup, and takes an explicit ``allowed_networks`` list, which is what the tests need
  (loopback allowed, ``169.254.169.254`` still refused on a redirect hop). It has no runtime
  dependencies. It is young (0.4.x), hence the ``<0.5`` pin.

We use only its :class:`~ssrfguard.Policy` and its transport adapter, not its ``Session``:
``requests.Session.send`` reads the whole body of a 3xx even with ``allow_redirects=False``
(to build ``response.next``), which would bypass the size cap. Timeouts, the deadline, the size
cap and redirect following are ours.

Limits worth knowing: name resolution (``getaddrinfo``) takes no timeout and cannot be cut by
the deadline; proxies are not used (a proxy would resolve names itself, out of our reach).
"""

from __future__ import annotations

import enum
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from requests.structures import CaseInsensitiveDict
from ssrfguard import BlockedAddressError, BlockedURLError, Policy, SSRFGuardError
from ssrfguard.requests import SafeAdapter
from urllib3.connectionpool import HTTPConnectionPool

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = frozenset({80, 443, 8080, 8443})
USER_AGENT = "innovationsweek/0.1 (+link check and webhooks)"

_ALL_PORTS = frozenset(range(1, 65536))
# "Allow private addresses" means the address check is off: every IPv4 and IPv6 destination.
_ANYWHERE = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))
_CHUNK_BYTES = 64 * 1024


class Failure(enum.StrEnum):
    """Why an exchange did not produce a usable answer. The values are stable: moderation turns
    them into finding codes (``link_`` + value), the webhook delivery log stores them."""

    REFUSED_PRIVATE_ADDRESS = "refused_private_address"
    REFUSED_URL = "refused_url"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    HTTP_ERROR = "http_error"


class OutboundError(Exception):
    """Base of everything this module refuses or gives up on. ``detail`` is safe to show the
    organiser or partner who supplied the URL (it names the URL and the reason, nothing else)."""

    failure: ClassVar[Failure]

    def __init__(self, url: str, detail: str) -> None:
        super().__init__(f"{url}: {detail}")
        self.url = url
        self.detail = detail


class RefusedAddress(OutboundError):
    """The host is, or resolves to, an address we never connect to (private, loopback, ...).
    Raised before any connection is made."""

    failure = Failure.REFUSED_PRIVATE_ADDRESS


class RefusedURL(OutboundError):
    """The URL itself is refused: not http(s), credentials in it, a port not allowed, or
    malformed. Raised before any name is resolved."""

    failure = Failure.REFUSED_URL


class TimedOut(OutboundError):
    """Connecting, a read, or the whole exchange took longer than allowed."""

    failure = Failure.TIMEOUT


class Unreachable(OutboundError):
    """The connection failed: the name does not resolve, the port is closed, the connection was
    reset, TLS failed, or the server broke HTTP."""

    failure = Failure.UNREACHABLE


class TooLarge(OutboundError):
    """The body is longer than ``max_body_bytes`` and the caller needed all of it."""

    failure = Failure.TOO_LARGE


class TooManyRedirects(OutboundError):
    """More than ``max_redirects`` redirects in a row."""

    failure = Failure.TOO_MANY_REDIRECTS


def refusal_reason(error: OutboundError) -> LazyString:
    """Why :func:`validate_url` refused a URL, in words for the person who gave it, in their
    language (``detail`` names the exact rule, in English, for logs and delivery records)."""
    if isinstance(error, RefusedAddress):
        return _l("its host is not on the public internet.")
    return _l("give a whole http or https address, without a user name or password and on the usual port.")


@dataclass(frozen=True)
class OutboundSettings:
    """Limits and exceptions for outgoing requests. The defaults suit link checks; webhooks pass
    longer timeouts (the Standard Webhooks guidance is 15-30 s).

    ``allowed_networks`` lists networks that may be reached although they are private (e.g.
    ``"127.0.0.1/32"`` for a test server); ``allow_private_addresses=True`` turns the address
    check off entirely (tests and local development only). ``allowed_ports=None`` allows any port.
    """

    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    total_timeout: float = 10.0
    max_body_bytes: int = 1024 * 1024
    max_redirects: int = 3
    allow_private_addresses: bool = False
    allowed_networks: tuple[str, ...] = ()
    allowed_ports: frozenset[int] | None = DEFAULT_PORTS
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.max_body_bytes < 0 or self.max_redirects < 0:
            raise ValueError("max_body_bytes and max_redirects must not be negative")
        for network in self.allowed_networks:
            ipaddress.ip_network(network)  # a typo must fail at start-up, not at the first request


@dataclass(frozen=True)
class Response:
    """What the server answered. ``body`` holds at most ``max_body_bytes``; ``truncated`` says
    the server had more, which was not downloaded. ``redirects`` lists the URLs that redirected
    on the way to ``url`` (always empty for :func:`post`)."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    truncated: bool
    elapsed_seconds: float
    redirects: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def complete_body(self) -> bytes:
        """The body, for callers that cannot use part of one."""
        if self.truncated:
            raise TooLarge(self.url, f"the body is longer than {len(self.body)} bytes")
        return self.body


@dataclass(frozen=True)
class LinkCheck:
    """The verdict on one link: reachable (a 2xx after at most ``max_redirects`` redirects), or
    the :class:`Failure` and a human-readable ``detail``. ``status`` is the last HTTP status seen,
    if any."""

    url: str
    failure: Failure | None = None
    status: int | None = None
    final_url: str | None = None
    detail: str = ""

    @property
    def reachable(self) -> bool:
        return self.failure is None


DEFAULT_SETTINGS = OutboundSettings()


def validate_url(url: str, settings: OutboundSettings = DEFAULT_SETTINGS) -> None:
    """Refuse a URL on its face (scheme, credentials, port, a literal address), without any
    lookup or connection: for checking a webhook URL or a link when it is submitted. A URL that
    passes can still be refused later, when its name resolves to a private address."""
    with _translated_errors(url, deadline=None):
        _check_url(_policy(settings), url)


def check_link(url: str, settings: OutboundSettings = DEFAULT_SETTINGS) -> LinkCheck:
    """GET a link, following up to ``max_redirects`` redirects (each checked as a new request),
    and say whether it works. Never raises for anything the link or its server does."""
    try:
        response = _get(url, settings, body_limit=0)
    except OutboundError as error:
        hop = "" if error.url == url else f"redirected to {error.url}: "
        return LinkCheck(url=url, failure=error.failure, detail=hop + error.detail)
    if response.status in REDIRECT_STATUSES:
        # Only reached when the server sent a redirect without a Location.
        return LinkCheck(url=url, failure=Failure.HTTP_ERROR, status=response.status,
                         final_url=response.url, detail=f"redirect {response.status} without a Location")
    if response.status >= 400:
        return LinkCheck(url=url, failure=Failure.HTTP_ERROR, status=response.status,
                         final_url=response.url, detail=f"the server answered {response.status}")
    return LinkCheck(url=url, status=response.status, final_url=response.url)


def fetch(
    url: str,
    settings: OutboundSettings = DEFAULT_SETTINGS,
    *,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """GET ``url``, following up to ``max_redirects`` redirects, each re-validated before it is
    requested. Any HTTP status is returned, not raised; raises :class:`OutboundError`."""
    return _get(url, settings, body_limit=settings.max_body_bytes, headers=headers)


def post(
    url: str,
    body: bytes,
    settings: OutboundSettings = DEFAULT_SETTINGS,
    *,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """POST ``body`` once and return the answer, never following a redirect: for webhooks a 3xx
    is a failed delivery the caller records (Standard Webhooks), and ``Retry-After`` is in
    ``headers``. Raises :class:`OutboundError`."""
    with _Exchange(settings) as exchange:
        answer = exchange.send("POST", url, headers=headers, body=body)
        return exchange.finish(answer, body_limit=settings.max_body_bytes, redirects=())


def _get(
    url: str,
    settings: OutboundSettings,
    *,
    body_limit: int,
    headers: Mapping[str, str] | None = None,
) -> Response:
    with _Exchange(settings) as exchange:
        redirects: list[str] = []
        while True:
            answer = exchange.send("GET", url, headers=headers, body=None)
            location = answer.headers.get("Location")
            if answer.status_code not in REDIRECT_STATUSES or not location:
                return exchange.finish(answer, body_limit=body_limit, redirects=tuple(redirects))
            # A redirect body is never read: close it and decide on the next hop.
            answer.close()
            redirects.append(url)
            if len(redirects) > settings.max_redirects:
                raise TooManyRedirects(redirects[0], f"more than {settings.max_redirects} redirects")
            url = _next_hop(url, location)


def _next_hop(url: str, location: str) -> str:
    """The absolute URL a ``Location`` points to (it may be relative). The next ``send`` checks
    it like any URL, so a redirect to ``file:`` or to a private address is refused there."""
    try:
        return urljoin(url, location)
    except ValueError as error:  # e.g. a malformed IPv6 literal
        raise RefusedURL(url, f"redirect to an unusable URL: {error}") from error


def _check_url(policy: Policy, url: str) -> None:
    """The policy's check (which also refuses URLs that do not parse), then a refusal of hosts
    that name an IPv4 address in a legacy form."""
    policy.check_url(url)
    host = urlsplit(url).hostname or ""
    if _is_legacy_ipv4(host):
        raise RefusedURL(url, f"host {host!r} is an IPv4 address in a legacy form; write the address in dotted decimal")


def _is_legacy_ipv4(host: str) -> bool:
    """Whether ``host`` is an address to the C resolver (``inet_aton`` reads hex, octal and
    shortened forms such as ``0x7f000001``, ``0177.0.0.1`` or ``127.1``) but not a standard one:
    ssrfguard would take it for a name, and the resolver would then answer with that address."""
    try:
        ipaddress.ip_address(host)
        return False
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return True


def _policy(settings: OutboundSettings) -> Policy:
    allowed = _ANYWHERE if settings.allow_private_addresses else tuple(
        ipaddress.ip_network(network) for network in settings.allowed_networks
    )
    return Policy(
        allowed_networks=allowed,
        allowed_ports=_ALL_PORTS if settings.allowed_ports is None else settings.allowed_ports,
        # Each attempt may take the whole connect timeout; two keep IPv6-to-IPv4 fallback.
        max_connection_attempts=2,
    )


class _Deadline:
    """A wall-clock limit on one exchange, all redirect hops included.

    Per-operation socket timeouts reset on every byte, so they cannot stop a slow drip, whether
    in the headers (which urllib3 reads before we get control) or in the body. A timer thread
    therefore shuts down every socket of the exchange when time is up; the blocked read returns
    at once and the exchange reports :class:`TimedOut`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self.expires_at - time.monotonic()

    def passed(self, url: str) -> TimedOut:
        return TimedOut(url, f"no complete answer within {self.seconds:g} s")

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut_down(sock)

    def cancel(self) -> None:
        self._timer.cancel()
        self._timer.join()
        with self._lock:
            self._sockets.clear()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut_down(sock)


def _shut_down(sock: socket.socket) -> None:
    # shutdown, not close: closing a socket another thread is reading from is unsafe (the file
    # descriptor number can be reused), while shutdown wakes that reader with end-of-file.
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed, or detached after being wrapped in TLS (the wrapper is watched)


class _WatchedAdapter(SafeAdapter):
    """ssrfguard's adapter, whose connections also register their sockets with the deadline."""

    def __init__(self, *, policy: Policy, deadline: _Deadline) -> None:
        self._deadline = deadline  # before super().__init__, which builds the pool manager
        super().__init__(policy=policy)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        pools = self.poolmanager.pool_classes_by_scheme
        self.poolmanager.pool_classes_by_scheme = {  # replaced, never mutated: see ssrfguard
            scheme: _watched_pool(pool, self._deadline) for scheme, pool in pools.items()
        }


def _watched_pool(pool: type[HTTPConnectionPool], deadline: _Deadline) -> type[HTTPConnectionPool]:
    base: Any = pool.ConnectionCls

    class WatchedConnection(base):  # type: ignore[misc, valid-type]
        def _new_conn(self) -> socket.socket:
            # The plain TCP socket, watched from the start so a dripping TLS handshake is cut too.
            sock: socket.socket = super()._new_conn()
            deadline.watch(sock)
            return sock

        def connect(self) -> None:
            super().connect()
            deadline.watch(self.sock)  # for https, the TLS socket that replaced the plain one

    class WatchedPool(pool):  # type: ignore[misc, valid-type]
        ConnectionCls = WatchedConnection

    return WatchedPool


class _Exchange:
    """One logical request with its redirect hops: a policy, a deadline and a transport of its
    own (no pooling across calls, so nothing outlives the deadline)."""

    def __init__(self, settings: OutboundSettings) -> None:
        self.settings = settings
        self.policy = _policy(settings)
        self.started = time.monotonic()
        self.deadline = _Deadline(settings.total_timeout)
        self.adapter = _WatchedAdapter(policy=self.policy, deadline=self.deadline)

    def __enter__(self) -> _Exchange:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.deadline.cancel()
        self.adapter.close()

    def send(
        self, method: str, url: str, *, headers: Mapping[str, str] | None, body: bytes | None
    ) -> requests.Response:
        """Validate ``url``, connect and read the status and headers; the body is left unread."""
        with _translated_errors(url, self.deadline):
            # ssrfguard's Session would do this in get_adapter; we call the adapter directly.
            _check_url(self.policy, url)
            if self.deadline.remaining() <= 0:
                raise self.deadline.passed(url)
            prepared = requests.Request(method, url, headers=self._headers(headers), data=body).prepare()
            return self.adapter.send(prepared, stream=True, timeout=self._timeouts(), proxies={})

    def finish(self, answer: requests.Response, *, body_limit: int, redirects: tuple[str, ...]) -> Response:
        url = answer.url or ""
        try:
            with _translated_errors(url, self.deadline):
                body, truncated = _read_capped(answer.raw, body_limit)
                if self.deadline.expired:  # an end-of-file we caused is not the end of the body
                    raise self.deadline.passed(url)
        finally:
            answer.close()
        return Response(
            url=url,
            status=answer.status_code,
            headers=CaseInsensitiveDict(answer.headers),
            body=body,
            truncated=truncated,
            elapsed_seconds=time.monotonic() - self.started,
            redirects=redirects,
        )

    def _headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        # identity: the size cap then limits what crosses the network, not only what is kept.
        return {"User-Agent": self.settings.user_agent, "Accept-Encoding": "identity", **(extra or {})}

    def _timeouts(self) -> tuple[float, float]:
        left = max(self.deadline.remaining(), 0.001)
        return min(self.settings.connect_timeout, left), min(self.settings.read_timeout, left)


def _read_capped(raw: urllib3.BaseHTTPResponse, limit: int) -> tuple[bytes, bool]:
    """Read at most ``limit`` bytes, plus one to learn whether there was more."""
    body = bytearray()
    while True:
        wanted = min(_CHUNK_BYTES, limit - len(body) + 1)
        chunk = raw.read(wanted, decode_content=True)
        if not chunk:
            return bytes(body), False
        body += chunk
        if len(body) > limit:
            return bytes(body[:limit]), True


@contextmanager
def _translated_errors(url: str, deadline: _Deadline | None) -> Iterator[None]:
    """Turn what ssrfguard, requests and urllib3 raise into this module's :class:`Failure` kinds."""
    try:
        yield
    except OutboundError:
        raise
    except BlockedAddressError as error:
        raise RefusedAddress(url, error.reason) from error
    except BlockedURLError as error:
        # A literal address in the URL is refused as a URL, with the address refusal as cause.
        kind = RefusedAddress if isinstance(error.__cause__, BlockedAddressError) else RefusedURL
        raise kind(url, error.reason) from error
    except SSRFGuardError as error:
        raise RefusedURL(url, str(error)) from error
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
        if deadline is not None and deadline.expired:
            raise deadline.passed(url) from error
        if _is_timeout(error):
            raise TimedOut(url, "the server did not answer in time") from error
        if isinstance(error, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                              requests.exceptions.MissingSchema)):
            raise RefusedURL(url, str(error)) from error
        raise Unreachable(url, _reason(error)) from error


def _is_timeout(error: BaseException) -> bool:
    """requests wraps a read timeout during streaming in a ConnectionError, so look through the
    whole chain of wrapped errors."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, urllib3.exceptions.NewConnectionError):
            continue  # a refused connection or failed lookup, though urllib3 derives it from a timeout
        if isinstance(current, (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)):
            return True
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            pending.append(reason)
    return False


def _reason(error: BaseException) -> str:
    """A short reason for the organiser, without urllib3's object reprs."""
    if isinstance(error, requests.exceptions.SSLError):
        return "TLS failed (certificate or handshake)"
    text = str(error)
    if "NameResolutionError" in text or "Name or service not known" in text or "getaddrinfo" in text:
        return "the host name does not resolve"
    if "Connection refused" in text:
        return "the connection was refused"
    return "the connection failed"
