"""Fetching pages and feeds: anything remote can stall, fail or answer garbage.

Every request has a connect and a read time-out, and a body has a size cap enforced while
streaming (a body larger than the cap is refused without reading it all). At most
``max_redirects`` redirects. Time-outs, refused connections, 429 and 5xx are retried a bounded
number of times with exponential backoff (a short ``Retry-After`` is honoured); then one
:class:`FetchError` whose message is one line. ``file://`` URLs and local paths are read under
the same size cap. ``requests`` is imported only when a URL is really fetched.

Above all that, one :class:`Deadline` (``total_timeout_seconds``) bounds a whole fetch, or
everything one feed source fetches in a run: connect, headers, body, every retry and back-off.
A read time-out only bounds the silence between two packets, so a server that trickles its
headers or its body would outlast it; at the deadline a watchdog shuts the socket of the request
under way, which wakes the blocked read wherever it is (only a DNS look-up is out of its reach).
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from pipeline.config import FetchConfig

RETRIED_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER_SECONDS = 30.0
CHUNK_BYTES = 64 * 1024
LOCAL_TYPES = {".json": "application/json", ".xml": "application/xml", ".rss": "application/rss+xml",
               ".atom": "application/atom+xml", ".html": "text/html", ".htm": "text/html"}


class FetchError(Exception):
    """The address could not be read; the message is one line (the caller names the address)."""


class OutOfTime(FetchError):
    """The deadline passed: not retried, the caller moves on."""


class _Transient(FetchError):
    """A failure worth one more try (time-out, refused connection, 429, 5xx)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Fetched:
    url: str  # where the body came from, after redirects
    status: int  # 200, or 304: not modified since the validators sent (empty body)
    body: bytes
    content_type: str  # the media type, lower case, without parameters ("" when unknown)
    charset: str | None  # from the Content-Type header
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Deadline:
    seconds: float  # the whole budget, for the messages
    ends: float  # on the time.monotonic() clock

    @classmethod
    def starting_now(cls, seconds: float) -> "Deadline":
        return cls(seconds, time.monotonic() + seconds)

    def left(self) -> float:
        return self.ends - time.monotonic()

    def out_of_time(self) -> OutOfTime:
        return OutOfTime(f"out of time: no complete answer within {_seconds(self.seconds)}")


class _Watchdog:
    """Shuts the socket of the request under way when the deadline passes. The connection makes
    itself known through :func:`_watched` as it sends the request (``_watching`` is per thread)."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.connection = None
        self.sock = None  # kept: a connection that will close hands its socket to the response
        self.fired = False
        self._timer = threading.Timer(max(deadline.left(), 0.0), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> "_Watchdog":
        _watching.dog = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _watching.dog = None

    def _fire(self) -> None:
        self.fired = True
        sock = getattr(self.connection, "sock", None) or self.sock
        if sock is not None:
            try:  # the plain socket's shutdown, also under TLS: it wakes a blocked recv at once
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass


_watching = threading.local()


def _watched(connection_class):
    class Watched(connection_class):
        def request(self, *args, **kwargs):
            dog = getattr(_watching, "dog", None)
            if dog is not None:
                dog.connection = self
            sent = super().request(*args, **kwargs)
            if dog is not None:
                dog.sock = self.sock
            return sent

    return Watched


def _watched_pools() -> dict:
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Pool(HTTPConnectionPool):
        ConnectionCls = _watched(HTTPConnection)

    class TLSPool(HTTPSConnectionPool):
        ConnectionCls = _watched(HTTPSConnection)

    return {"http": Pool, "https": TLSPool}


def user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        own = version("balado")
    except PackageNotFoundError:
        own = "dev"
    return f"balado/{own} (French articles read aloud as a podcast; +https://pypi.org/project/balado/)"


def is_remote(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def local_path(url: str, root: Path) -> Path:
    """A ``file://`` URL or a path (relative to the project folder) as a path."""
    if url.lower().startswith("file://"):
        return Path(unquote(urlsplit(url).path))
    return (root / url).resolve()


class Fetcher:
    """One HTTP session for a run (connections are reused); ``requests`` counts what was sent."""

    def __init__(self, settings: FetchConfig, root: Path, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.root = Path(root)
        self.sleep = sleep
        self.requests = 0
        self._session = None

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        if self._session is not None:
            self._session.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: str = "*/*", deadline: Deadline | None = None) -> Fetched:
        """``deadline``: shared by several fetches (a source's feed and pages); else this fetch
        has ``total_timeout_seconds`` for all its attempts."""
        if not is_remote(url):
            return self._read_local(url)
        deadline = deadline or Deadline.starting_now(self.settings.total_timeout_seconds)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            try:
                return self._get_once(url, headers, deadline)
            except _Transient as exc:
                wait = self.settings.retry_backoff_seconds * 2 ** attempt
                wait = min(max(wait, exc.retry_after or 0.0), MAX_RETRY_AFTER_SECONDS)
                if attempt + 1 == attempts or wait >= deadline.left():
                    tried = f" (after {attempt + 1} attempts)" if attempt else ""
                    late = "" if attempt + 1 == attempts else f"; no time left for another within {_seconds(deadline.seconds)}"
                    raise FetchError(f"{exc}{tried}{late}") from None
                self.sleep(wait)
        raise AssertionError("unreachable")

    def _session_for_run(self):
        if self._session is None:
            import requests

            self._session = requests.Session()
            self._session.max_redirects = self.settings.max_redirects
            self._session.headers["User-Agent"] = user_agent()
            pools = _watched_pools()
            for adapter in self._session.adapters.values():
                adapter.poolmanager.pool_classes_by_scheme = pools
        return self._session

    def _get_once(self, url: str, headers: dict, deadline: Deadline) -> Fetched:
        import requests

        left = deadline.left()
        if left <= 0:
            raise deadline.out_of_time()
        session = self._session_for_run()
        self.requests += 1
        connect, read = self.settings.connect_timeout_seconds, self.settings.read_timeout_seconds
        with _Watchdog(deadline) as dog:
            try:
                response = session.get(url, headers=headers, timeout=(min(connect, left), min(read, left)),
                                       stream=True)
                with response:
                    fetched = self._answer(response)
            except FetchError:
                if dog.fired:
                    raise deadline.out_of_time() from None
                raise
            except requests.TooManyRedirects:
                raise FetchError(f"more than {self.settings.max_redirects} redirects") from None
            except requests.RequestException as exc:
                if dog.fired or (isinstance(exc, requests.Timeout) and left < read):
                    raise deadline.out_of_time() from None
                if isinstance(exc, requests.Timeout):
                    raise _Transient(f"no answer within {_seconds(read)}") from None
                if isinstance(exc, requests.ConnectionError):
                    raise _Transient(f"cannot connect ({_reason(exc)})") from None
                raise FetchError(f"cannot fetch ({_reason(exc)})") from None
        if dog.fired:  # the socket was shut as the last bytes came: the body may be cut short
            raise deadline.out_of_time()
        return fetched

    def _answer(self, response) -> Fetched:
        status = response.status_code
        if status in RETRIED_STATUSES:
            raise _Transient(f"HTTP {status} {response.reason or ''}".rstrip(), _retry_after(response))
        if status >= 400 or (status != 304 and status >= 300):
            raise FetchError(f"HTTP {status} {response.reason or ''}".rstrip())
        media, charset = parse_content_type(response.headers.get("Content-Type", ""))
        body = b"" if status == 304 else self._read_capped(response)
        return Fetched(url=response.url, status=status, body=body, content_type=media, charset=charset,
                       etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified"))

    def _read_capped(self, response) -> bytes:
        from urllib3.exceptions import HTTPError as TransportError

        limit = self.settings.max_bytes
        announced = response.headers.get("Content-Length", "")
        if announced.isdigit() and int(announced) > limit:
            raise FetchError(f"too large: {int(announced):,} bytes announced, the limit is {limit:,}")
        chunks, size = [], 0
        try:
            # read1 returns what has arrived (one network read), so the size cap is checked as the
            # bytes come; a body that trickles is ended by the watchdog.
            while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"too large: more than {limit:,} bytes")
                chunks.append(chunk)
        except TransportError as exc:
            raise _Transient(f"connection lost while reading ({_reason(exc)})") from None
        return b"".join(chunks)

    def _read_local(self, url: str) -> Fetched:
        path = local_path(url, self.root)
        try:
            size = path.stat().st_size
            if size > self.settings.max_bytes:
                raise FetchError(f"too large: {size:,} bytes, the limit is {self.settings.max_bytes:,}")
            body = path.read_bytes()
        except OSError as exc:
            raise FetchError(f"cannot read {path} ({exc.strerror or exc})") from None
        return Fetched(url=path.as_uri(), status=200, body=body,
                       content_type=LOCAL_TYPES.get(path.suffix.lower(), ""), charset=None)


def parse_content_type(value: str) -> tuple[str, str | None]:
    """``text/html; charset=ISO-8859-1`` → ("text/html", "iso-8859-1")."""
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, raw = param.partition("=")
        if key.strip().lower() == "charset" and raw.strip():
            charset = raw.strip().strip("\"'").lower()
    return media.strip().lower(), charset


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.strip().isdigit() else None


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _reason(exc: Exception) -> str:
    """The last, most specific line of a requests/urllib3 error, without the pool's repr."""
    text = str(exc.args[0] if exc.args else exc)
    for marker in ("Failed to resolve", "Name or service not known", "Connection refused", "Read timed out",
                   "Connection reset", "Remote end closed"):
        if marker in text:
            return marker.lower() if marker != "Failed to resolve" else "name not found (DNS)"
    return text.splitlines()[0][:160] if text else type(exc).__name__
