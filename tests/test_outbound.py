"""Outgoing requests to user-supplied URLs, against real HTTP servers on 127.0.0.1.

Nothing here connects anywhere but loopback: every non-loopback address in these tests is
refused before a connection is attempted, which is the behaviour under test.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from innovationsweek import outbound
from innovationsweek.outbound import Failure, OutboundSettings

HUGE_BYTES = 64 * 1024 * 1024
LOOPBACK_ONLY = OutboundSettings(allow_private_addresses=True, allowed_ports=None)


@dataclass
class ServerLog:
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    huge_finished: threading.Event = field(default_factory=threading.Event)
    huge_sent_everything: bool = False

    def paths(self) -> list[str]:
        return [path for _, path, _, _ in self.requests]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: no handler waits on keep-alive
    server: LocalServer

    def log_message(self, format: str, *args: object) -> None:  # keep the test output quiet
        pass

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        self._serve(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

    def _serve(self, body: bytes) -> None:
        log = self.server.log
        path = urlsplit(self.path).path
        log.requests.append((self.command, path, dict(self.headers), body))
        try:
            getattr(self, "route_" + path.strip("/").replace("-", "_"), self.route_missing)()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up on purpose (size cap, deadline)

    def answer(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route_ok(self) -> None:
        self.answer(200, b"hello", Content_Type="text/plain")

    def route_missing(self) -> None:
        self.answer(404, b"not here")

    def route_broken(self) -> None:
        self.answer(500, b"oops")

    def route_busy(self) -> None:
        self.answer(503, b"later", Retry_After="120")

    def route_hook(self) -> None:
        self.answer(200, b"thanks")

    def route_moved(self) -> None:
        self.answer(307, Location="/hook")

    def route_redirect(self) -> None:
        self.answer(302, Location=parse_qs(urlsplit(self.path).query)["to"][0])

    def route_loop(self) -> None:
        self.answer(302, Location="/loop")

    def route_hang(self) -> None:
        self.server.log.stop.wait(10)
        self.answer(200, b"too late")

    def route_huge(self) -> None:
        log = self.server.log
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(HUGE_BYTES))
            self.end_headers()
            chunk = b"x" * 65536
            for _ in range(HUGE_BYTES // len(chunk)):
                self.wfile.write(chunk)
            log.huge_sent_everything = True
        finally:
            log.huge_finished.set()

    def route_drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(1000):
            self.wfile.write(b"x")
            self.wfile.flush()
            if self.server.log.stop.wait(0.1):
                return

    def route_drip_headers(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(1000):
            self.wfile.write(b"z")
            self.wfile.flush()
            if self.server.log.stop.wait(0.1):
                return


class LocalServer(ThreadingHTTPServer):
    daemon_threads = False  # so server_close() waits for every handler: nothing leaks

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.log = ServerLog()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    httpd = LocalServer()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield httpd
    finally:
        httpd.log.stop.set()  # wakes hanging and dripping handlers
        httpd.shutdown()
        thread.join()
        httpd.server_close()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port that accepts nothing, to prove that no connection was even attempted."""
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setblocking(False)
    try:
        yield sock
    finally:
        sock.close()


def assert_never_connected(listener: socket.socket) -> None:
    try:
        connection, _ = listener.accept()
    except BlockingIOError:
        return
    connection.close()
    pytest.fail("a connection reached the listener")


# Reachable links and HTTP statuses


def test_a_working_link_is_reachable(server: LocalServer) -> None:
    check = outbound.check_link(server.url("/ok"), LOOPBACK_ONLY)
    assert check == outbound.LinkCheck(url=server.url("/ok"), status=200, final_url=server.url("/ok"))
    assert check.reachable


def test_fetch_returns_status_headers_and_body(server: LocalServer) -> None:
    response = outbound.fetch(server.url("/ok"), LOOPBACK_ONLY, headers={"X-Trace": "abc"})
    assert (response.status, response.body, response.truncated) == (200, b"hello", False)
    assert response.headers["content-type"] == "text/plain"
    assert response.ok and response.redirects == ()
    _, _, sent_headers, _ = server.log.requests[0]
    assert sent_headers["X-Trace"] == "abc"
    assert sent_headers["User-Agent"] == outbound.USER_AGENT


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/broken", 500)])
def test_error_statuses_make_a_link_unusable(server: LocalServer, path: str, status: int) -> None:
    check = outbound.check_link(server.url(path), LOOPBACK_ONLY)
    assert (check.reachable, check.failure, check.status) == (False, Failure.HTTP_ERROR, status)
    assert outbound.fetch(server.url(path), LOOPBACK_ONLY).status == status  # returned, not raised


def test_a_closed_port_is_unreachable() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    check = outbound.check_link(f"http://127.0.0.1:{port}/", LOOPBACK_ONLY)
    assert check.failure is Failure.UNREACHABLE
    assert check.detail == "the connection was refused"


# Addresses and URLs refused before connecting

LOOPBACK_FORMS = [
    "http://127.0.0.1:{port}/",
    "http://127.9.9.9:{port}/",
    "http://localhost:{port}/",
    "http://LOCALHOST:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[::ffff:7f00:1]:{port}/",
    "http://[::1]:{port}/",
    "http://0.0.0.0:{port}/",
    "http://[::]:{port}/",
]
OTHER_SPECIAL_ADDRESSES = [
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[ff02::1]/",
    "http://[fec0::1]/",
]


@pytest.mark.parametrize("url", LOOPBACK_FORMS + OTHER_SPECIAL_ADDRESSES)
def test_private_and_special_addresses_are_refused_without_connecting(
    listener: socket.socket, url: str
) -> None:
    url = url.format(port=listener.getsockname()[1])
    settings = OutboundSettings(allowed_ports=None)
    with pytest.raises(outbound.RefusedAddress) as refused:
        outbound.fetch(url, settings)
    assert refused.value.failure is Failure.REFUSED_PRIVATE_ADDRESS
    assert outbound.check_link(url, settings).failure is Failure.REFUSED_PRIVATE_ADDRESS
    with pytest.raises(outbound.RefusedAddress):
        outbound.post(url, b"{}", settings)
    assert_never_connected(listener)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1:{port}/",
        "gopher://127.0.0.1:{port}/",
        "javascript:alert(1)",
        "//127.0.0.1:{port}/",
        "http://user:secret@127.0.0.1:{port}/",
        "http://127.0.0.1:{port}@127.0.0.1:{port}/",
        "http:///nohost",
    ],
)
def test_other_schemes_credentials_and_malformed_urls_are_refused(listener: socket.socket, url: str) -> None:
    url = url.format(port=listener.getsockname()[1])
    with pytest.raises(outbound.RefusedURL):
        outbound.fetch(url, LOOPBACK_ONLY)  # refused although loopback is allowed here
    assert outbound.check_link(url, LOOPBACK_ONLY).failure is Failure.REFUSED_URL
    assert_never_connected(listener)


def test_ports_outside_the_allowed_set_are_refused() -> None:
    with pytest.raises(outbound.RefusedURL, match="6379"):
        outbound.fetch("http://localhost:6379/", OutboundSettings(allow_private_addresses=True))


@pytest.mark.parametrize("host", ["0x7f000001", "0X7F.0.0.1", "0177.0.0.1", "017700000001", "127.1", "0x08080808", "0x8.8.8.8"])
def test_hosts_in_legacy_ipv4_forms_are_refused_whatever_address_they_name(host: str) -> None:
    # The resolver reads these as addresses (hex, octal, fewer parts); parsers disagree on them.
    with pytest.raises(outbound.RefusedURL, match="address"):
        outbound.validate_url(f"https://{host}/hooks", OutboundSettings(allow_private_addresses=True))


def test_validate_url_judges_a_url_without_any_lookup() -> None:
    outbound.validate_url("https://innovation.example/programme")
    with pytest.raises(outbound.RefusedAddress):
        outbound.validate_url("http://169.254.169.254/")
    with pytest.raises(outbound.RefusedURL):
        outbound.validate_url("ftp://innovation.example/")


# Redirects


def test_redirects_are_followed_and_recorded(server: LocalServer) -> None:
    start = server.url("/redirect?to=/ok")
    response = outbound.fetch(start, LOOPBACK_ONLY)
    assert (response.status, response.body, response.url) == (200, b"hello", server.url("/ok"))
    assert response.redirects == (start,)
    assert outbound.check_link(start, LOOPBACK_ONLY).final_url == server.url("/ok")


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("http://169.254.169.254/latest/meta-data/", outbound.RefusedAddress),
        ("http://10.0.0.1/", outbound.RefusedAddress),
        ("http://[::ffff:10.0.0.1]/", outbound.RefusedAddress),
        ("http://[::1]/", outbound.RefusedAddress),  # loopback, but not on the allow-list
        ("file:///etc/passwd", outbound.RefusedURL),
    ],
)
def test_every_redirect_hop_is_checked_again(
    server: LocalServer, target: str, error: type[outbound.OutboundError]
) -> None:
    settings = OutboundSettings(allowed_networks=("127.0.0.1/32",), allowed_ports=None)
    start = server.url("/redirect?to=" + quote(target, safe=""))
    with pytest.raises(error):
        outbound.fetch(start, settings)
    check = outbound.check_link(start, settings)
    assert check.failure is error.failure
    assert check.detail.startswith("redirected to ")
    assert server.log.paths() == ["/redirect", "/redirect"]  # the allowed first hop was served


def test_more_than_three_redirects_are_refused(server: LocalServer) -> None:
    with pytest.raises(outbound.TooManyRedirects):
        outbound.fetch(server.url("/loop"), LOOPBACK_ONLY)
    assert server.log.paths() == ["/loop"] * 4
    assert outbound.check_link(server.url("/loop"), LOOPBACK_ONLY).failure is Failure.TOO_MANY_REDIRECTS


# Time and size limits


def test_a_hanging_server_is_cut_off_by_the_read_timeout(server: LocalServer) -> None:
    settings = OutboundSettings(allow_private_addresses=True, allowed_ports=None, read_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(outbound.TimedOut):
        outbound.fetch(server.url("/hang"), settings)
    assert time.monotonic() - started < 2
    assert outbound.check_link(server.url("/hang"), settings).failure is Failure.TIMEOUT


@pytest.mark.parametrize("path", ["/drip", "/drip-headers"])
def test_a_slow_drip_is_cut_off_by_the_total_deadline(server: LocalServer, path: str) -> None:
    # Each byte comes well within the read timeout; only the total deadline can stop this.
    settings = OutboundSettings(
        allow_private_addresses=True, allowed_ports=None, read_timeout=1, total_timeout=0.8
    )
    started = time.monotonic()
    with pytest.raises(outbound.TimedOut, match="0.8 s"):
        outbound.fetch(server.url(path), settings)
    assert time.monotonic() - started < 2


def test_a_huge_body_is_capped_and_the_rest_never_downloaded(server: LocalServer) -> None:
    settings = OutboundSettings(allow_private_addresses=True, allowed_ports=None, max_body_bytes=100_000)
    response = outbound.fetch(server.url("/huge"), settings)
    assert (len(response.body), response.truncated) == (100_000, True)
    with pytest.raises(outbound.TooLarge):
        response.complete_body()
    assert server.log.huge_finished.wait(5)
    assert not server.log.huge_sent_everything


def test_a_body_exactly_at_the_cap_is_complete(server: LocalServer) -> None:
    settings = OutboundSettings(allow_private_addresses=True, allowed_ports=None, max_body_bytes=5)
    response = outbound.fetch(server.url("/ok"), settings)
    assert response.complete_body() == b"hello"


# Webhook-style POST


def test_post_sends_the_body_and_headers(server: LocalServer) -> None:
    response = outbound.post(
        server.url("/hook"), b'{"type":"activity.published"}', LOOPBACK_ONLY,
        headers={"Content-Type": "application/json", "webhook-id": "msg_1"},
    )
    assert (response.status, response.body) == (200, b"thanks")
    method, path, headers, body = server.log.requests[0]
    assert (method, path, body) == ("POST", "/hook", b'{"type":"activity.published"}')
    assert headers["webhook-id"] == "msg_1"


def test_post_never_follows_a_redirect(server: LocalServer) -> None:
    response = outbound.post(server.url("/moved"), b"{}", LOOPBACK_ONLY)
    assert (response.status, response.headers["location"], response.ok) == (307, "/hook", False)
    assert server.log.paths() == ["/moved"]


def test_post_shows_retry_after(server: LocalServer) -> None:
    response = outbound.post(server.url("/busy"), b"{}", LOOPBACK_ONLY)
    assert (response.status, response.headers["Retry-After"]) == (503, "120")


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        OutboundSettings(total_timeout=0)
    with pytest.raises(ValueError):
        OutboundSettings(allowed_networks=("not-a-network",))
