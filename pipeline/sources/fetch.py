"""Fetching pages and feeds: anything remote can stall, fail or answer garbage.

Every request has a connect and a read time-out, and its body a deadline and a size cap that
are enforced while streaming (a body larger than the cap is refused without reading it all).
At most ``max_redirects`` redirects. Time-outs, refused connections, 429 and 5xx are retried a
bounded number of times with exponential backoff (a short ``Retry-After`` is honoured); then
one :class:`FetchError` whose message is one line. ``file://`` URLs and local paths are read
under the same size cap. ``requests`` is imported only when a URL is really fetched.
"""
from __future__ import annotations

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
            accept: str = "*/*") -> Fetched:
        if not is_remote(url):
            return self._read_local(url)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            try:
                return self._get_once(url, headers)
            except _Transient as exc:
                if attempt + 1 == attempts:
                    raise FetchError(f"{exc}" + (f" (after {attempts} attempts)" if attempts > 1 else "")) from None
                wait = self.settings.retry_backoff_seconds * 2 ** attempt
                self.sleep(min(max(wait, exc.retry_after or 0.0), MAX_RETRY_AFTER_SECONDS))
        raise AssertionError("unreachable")

    def _session_for_run(self):
        if self._session is None:
            import requests

            self._session = requests.Session()
            self._session.max_redirects = self.settings.max_redirects
            self._session.headers["User-Agent"] = user_agent()
        return self._session

    def _get_once(self, url: str, headers: dict) -> Fetched:
        import requests

        session = self._session_for_run()
        self.requests += 1
        timeout = (self.settings.connect_timeout_seconds, self.settings.read_timeout_seconds)
        try:
            response = session.get(url, headers=headers, timeout=timeout, stream=True)
        except requests.TooManyRedirects:
            raise FetchError(f"more than {self.settings.max_redirects} redirects") from None
        except requests.Timeout:
            raise _Transient(f"no answer within {_seconds(self.settings.read_timeout_seconds)}") from None
        except requests.ConnectionError as exc:
            raise _Transient(f"cannot connect ({_reason(exc)})") from None
        except requests.RequestException as exc:
            raise FetchError(f"cannot fetch ({_reason(exc)})") from None
        with response:
            return self._answer(response)

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
        deadline = time.monotonic() + self.settings.total_timeout_seconds
        chunks, size = [], 0
        try:
            # read1 returns what has arrived (one network read): a body trickling in a few bytes at a
            # time still meets the deadline check (iter_content would wait for a whole chunk).
            while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"too large: more than {limit:,} bytes")
                if time.monotonic() > deadline:
                    raise _Transient(f"too slow: not received within {_seconds(self.settings.total_timeout_seconds)}")
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
