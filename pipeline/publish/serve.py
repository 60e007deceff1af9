"""A small static server for public/, with what podcast apps and browsers rely on.

Python's ``http.server`` has neither byte ranges nor revalidation and lists directories, so the
handler below adds exactly what is needed: single byte ranges (206/416), ``HEAD``, ``ETag`` /
``Last-Modified`` with 304, the podcast MIME types, and strict containment: a request can only
reach a regular file inside the served folder (no ``..``, no encoded slashes or backslashes, no
NUL, no symlink leading out, no dotfiles such as half-written ``.feed.xml.*.tmp``, no listings).

Pages of other sites may read it (the embedded player): answers carry the CORS headers of
:mod:`pipeline.player.cors` for the server's ``cors`` origins (``*``: any), ``OPTIONS``
preflights included.

A preview (``invoke serve --base-url``) serves an *overlay* folder first: it holds a feed.xml
and index.html rendered for that address, so the published files are never touched.
"""
from __future__ import annotations

import contextlib
import email.utils
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.layout import INDEX
from pipeline.norms import http_content_type

__all__ = ["make_server", "serve_forever", "lan_address", "preview_overlay", "content_type",
           "mount_path", "PublicServer"]

CHUNK = 64 * 1024

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def content_type(name: str) -> str:
    """The Content-Type public/ serves for a file (its path relative to the served folder)."""
    return http_content_type(name)


class Unsatisfiable:
    """A Range no byte of the file can answer: 416."""


UNSATISFIABLE = Unsatisfiable()


def parse_range(header: str, size: int) -> tuple[int, int] | Unsatisfiable | None:
    """The inclusive byte span a ``Range`` header asks for in a file of ``size`` bytes.

    Returns ``None`` when the header should be ignored (malformed, several ranges: RFC 9110
    lets a server answer those with the whole file) and :data:`UNSATISFIABLE` for a 416.
    """
    match = _RANGE.match(header)
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return UNSATISFIABLE
        return max(0, size - length), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # invalid, not unsatisfiable (RFC 9110 §14.1.1)
    if start >= size:
        return UNSATISFIABLE
    end = int(last) if last else size - 1
    return start, min(end, size - 1)


def _etag(stat: os.stat_result) -> str:
    return f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison, as If-None-Match requires."""
    if header.strip() == "*":
        return True
    tags = [t.strip() for t in header.split(",")]
    bare = etag.removeprefix("W/")
    return any(t.removeprefix("W/") == bare for t in tags)


class PublicHandler(BaseHTTPRequestHandler):
    server: PublicServer
    protocol_version = "HTTP/1.1"  # keep-alive: apps fetch feed, cover and audio in a row
    timeout = 60  # an idle keep-alive connection gives its thread back after a minute

    def version_string(self) -> str:
        return "balado"

    def do_GET(self):
        self._serve(body=True)

    def do_HEAD(self):
        self._serve(body=False)

    def do_OPTIONS(self):
        """A CORS preflight (a page elsewhere asking to GET with a Range): 204, allowed or not."""
        from pipeline.player.cors import preflight_headers

        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Allow", "GET, HEAD, OPTIONS")
        for name, value in preflight_headers(self.server.cors, self.headers.get("Origin"),
                                             self.headers.get("Access-Control-Request-Method")):
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def end_headers(self):
        """Every answer to a GET or HEAD says whether a page of the asking origin may read it."""
        if self.command in ("GET", "HEAD"):
            from pipeline.player.cors import response_headers

            for name, value in response_headers(self.server.cors, self.headers.get("Origin")):
                self.send_header(name, value)
        super().end_headers()

    # --- resolving a request to a file -----------------------------------------------------
    def _resolve(self) -> Path | None:
        """The file a request path names, or None when it must not be served."""
        raw = urlsplit(self.path).path
        if not raw.startswith("/"):
            return None
        mount = self.server.mount
        if mount:  # the site lives under e.g. /podcast, as its base URL says
            if raw != mount and not raw.startswith(mount + "/"):
                return None
            raw = raw[len(mount):] or "/"
        lowered = raw.lower()
        # Encoded separators and NUL are never part of a legitimate public/ path.
        if "\\" in raw or "%2f" in lowered or "%5c" in lowered or "%00" in lowered:
            return None
        try:
            decoded = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return None
        parts = [p for p in decoded.split("/") if p]
        if any(p.startswith(".") or "\x00" in p or "\\" in p for p in parts):
            return None  # "..", "." and dotfiles (temp files of atomic writes)
        for root in self.server.roots:
            found = _contained(root, parts)
            if found is not None:
                return found
        return None

    def _relative(self, path: Path) -> str:
        root = next(r for r in self.server.roots if path.is_relative_to(r))
        return path.relative_to(root).as_posix()

    # --- answering -------------------------------------------------------------------------
    def _serve(self, body: bool) -> None:
        mount = self.server.mount
        if mount and urlsplit(self.path).path in ("/", mount):
            # Relative links need the trailing slash: /podcast → /podcast/.
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", mount + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = self._resolve()
        if path is None:
            self._error(HTTPStatus.NOT_FOUND)
            return
        try:
            handle = open(path, "rb")
        except OSError:
            self._error(HTTPStatus.NOT_FOUND)
            return
        with handle:
            self._send_file(handle, path, body)

    def _send_file(self, handle, path: Path, body: bool) -> None:
        """200, 206, 304 or 416 for an open file, as its validators and the Range say."""
        stat = os.fstat(handle.fileno())
        size, etag = stat.st_size, _etag(stat)
        modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        if self._not_modified(etag, stat.st_mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._common_headers(path, etag, modified)
            self.end_headers()
            return
        span = None
        range_header = self.headers.get("Range")
        if range_header and self._if_range_ok(etag, stat.st_mtime):
            span = parse_range(range_header, size)
        if span is UNSATISFIABLE:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self._common_headers(path, etag, modified)
            self.end_headers()
            return
        if span is None:
            start, end = 0, size - 1
            self.send_response(HTTPStatus.OK)
        else:
            start, end = span
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        length = max(0, end - start + 1)
        self.send_header("Content-Type", content_type(self._relative(path)))
        self.send_header("Content-Length", str(length))
        self._common_headers(path, etag, modified)
        self.end_headers()
        if body and length:
            handle.seek(start)
            self._copy(handle, length)

    def _common_headers(self, path: Path, etag: str, modified: str) -> None:
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        # A preview server: always revalidate (cheap with ETag) so a rebuild shows at once.
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")

    def _not_modified(self, etag: str, mtime: float) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:  # takes precedence over If-Modified-Since (RFC 9110 §13.2.2)
            return _etag_matches(inm, etag)
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
            return int(mtime) <= since
        return False

    def _if_range_ok(self, etag: str, mtime: float) -> bool:
        """A Range applies only if the If-Range validator (when sent) still matches."""
        validator = self.headers.get("If-Range")
        if not validator:
            return True
        validator = validator.strip()
        if validator.startswith(('"', "W/")):
            return validator == etag  # strong comparison
        try:
            return int(mtime) == int(email.utils.parsedate_to_datetime(validator).timestamp())
        except (TypeError, ValueError, IndexError, OverflowError):
            return False

    def _copy(self, handle, length: int) -> None:
        remaining = length
        try:
            while remaining > 0:
                data = handle.read(min(CHUNK, remaining))
                if not data:
                    break
                self.wfile.write(data)
                remaining -= len(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # players drop connections mid-file all the time

    def _error(self, status: HTTPStatus) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_request(self, code="-", size="-"):
        if not self.server.quiet:
            code = getattr(code, "value", code)
            sys.stderr.write(f"{self.address_string()} {self.command} {self.path} {code}\n")

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if not self.server.quiet:
            super().log_message(format, *args)


def _contained(root: Path, parts: list[str]) -> Path | None:
    """``root/parts`` resolved through symlinks, if it stays inside ``root`` and is a file.

    A folder gives its index.html; a folder without one gives nothing (no listings).
    """
    candidate = root.joinpath(*parts)
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a symlink loop
        return None
    if not resolved.is_relative_to(root):
        return None
    if resolved.is_dir():
        index = (resolved / INDEX).resolve()
        if index.is_relative_to(root) and index.is_file():
            return index
        return None
    return resolved if resolved.is_file() else None


class PublicServer(ThreadingHTTPServer):
    daemon_threads = True  # Ctrl-C must not wait for a player holding a connection open

    def __init__(self, roots: list[Path], address: tuple[str, int], *, mount: str = "",
                 quiet: bool = False, cors: tuple[str, ...] = ()):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.roots = [Path(r).resolve() for r in roots]
        self.mount = mount
        self.quiet = quiet
        self.cors = tuple(cors)  # origins whose pages may read the files ("*": any)
        super().__init__(address, PublicHandler)

    @property
    def url(self) -> str:
        """Where a browser on this machine reaches the site (no trailing slash)."""
        host, port = self.server_address[:2]
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}{self.mount}"


def mount_path(base_url: str | None) -> str:
    """The path a base URL puts the site under: ``/podcast`` for ``http://h:8000/podcast/``."""
    if not base_url:
        return ""
    path = urlsplit(base_url).path.rstrip("/")  # kept percent-encoded, as requests arrive
    return "/" + path.lstrip("/") if path else ""


def make_server(public_dir: Path, host: str = "127.0.0.1", port: int = 8000, *,
                overlay_dir: Path | None = None, mount: str = "",
                quiet: bool = False, cors: tuple[str, ...] = ()) -> PublicServer:
    """A bound (not yet running) server for ``public_dir``; port 0 picks a free port.

    ``overlay_dir``, when given, is looked in first (see ``preview_overlay``). ``mount`` serves
    the site under a path (``mount_path(base_url)``) so a feed whose URLs carry one still works.
    ``cors``: the origins whose pages may read the files (``("*",)``: any).
    """
    public_dir = Path(public_dir)
    if not public_dir.is_dir():
        raise FileNotFoundError(f"{public_dir}: no such folder")
    roots = [Path(overlay_dir)] if overlay_dir else []
    roots.append(public_dir)
    return PublicServer(roots, (host, port), mount=mount_path(mount), quiet=quiet, cors=cors)


def serve_forever(public_dir: Path, host: str = "127.0.0.1", port: int = 8000, *,
                  on_ready: Callable[[str], None] | None = None,
                  overlay_dir: Path | None = None, mount: str = "",
                  quiet: bool = False, cors: tuple[str, ...] = ()) -> None:
    """Serve until Ctrl-C; ``on_ready(url)`` is called once the socket listens.

    ``url`` is the site's local address (loopback when listening on all interfaces); its feed
    is ``url + "/feed.xml"``.
    """
    server = make_server(public_dir, host, port, overlay_dir=overlay_dir, mount=mount,
                         quiet=quiet, cors=cors)
    try:
        if on_ready:
            on_ready(server.url)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@contextlib.contextmanager
def preview_overlay(files: Mapping[str, bytes | str]) -> Iterator[Path]:
    """A temporary folder holding ``files`` (name relative to public/ → content).

    Pass it as ``overlay_dir`` to serve e.g. a feed.xml and index.html rendered for another
    base URL while every other file still comes from public/, untouched.
    """
    folder = Path(tempfile.mkdtemp(prefix="balado-preview-"))
    try:
        for name, content in files.items():
            target = folder / name
            if not target.resolve().is_relative_to(folder.resolve()):
                raise ValueError(f"{name}: not a path inside the preview folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            target.write_bytes(data)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def lan_address() -> str | None:
    """This machine's address on the local network (to open the feed from a phone), if any.

    Connecting a UDP socket sends nothing; it only makes the kernel pick the outgoing
    interface, whose address we read back.
    """
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("10.254.254.254", 1))
        address = s.getsockname()[0]
        if address and not address.startswith("127.") and address != "0.0.0.0":
            return address
    with contextlib.suppress(OSError):
        address = socket.gethostbyname(socket.gethostname())
        if not address.startswith("127."):
            return address
    return None
