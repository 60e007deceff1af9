"""``invoke review``: the review pages served on loopback, with a form on each flagged word.

It writes files (``podcast.toml``, the episode rebuilt), so it listens on 127.0.0.1 by default
and accepts a change only from its own pages: each POST must carry the token this run put in
them, and an ``Origin`` header, when the browser sends one, must be this server's own.
"""
from __future__ import annotations

import json
import mimetypes
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from pipeline.config import Config, load_config
from pipeline.desk.paths import drafts_dir, said_dir
from pipeline.errors import UserError

MAX_FORM_BYTES = 10_000


def host_allowed(header: str, bound: str) -> bool:
    """The ``Host`` a request names is loopback or the address served: a page of another site
    whose name was made to resolve to loopback (DNS rebinding) names its own host there."""
    try:
        host = urlsplit("//" + header).hostname
    except ValueError:
        return False
    return host in ("127.0.0.1", "localhost", "::1", bound)


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, host: str, port: int, *, engine: str | None = None):
        self.root, self.engine, self.token = Path(root), engine, secrets.token_urlsafe(24)
        self.lock = threading.Lock()  # one rule written and one rebuild at a time
        super().__init__((host, port), Handler)

    @property
    def origin(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def config(self) -> Config:
        return load_config(self.root)  # read again each time: a rule written changes it


class Handler(BaseHTTPRequestHandler):
    server: ReviewServer

    def log_message(self, *args) -> None:
        pass

    # --- pages and media ----------------------------------------------------------------------
    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        try:
            if path in ("/", "/index.html"):
                return self._send(200, _index(self.server).encode(), "text/html; charset=utf-8")
            if path.startswith("/media/"):
                return self._media(path[len("/media/"):])
            if path.endswith(".html"):
                return self._page(path.strip("/")[:-len(".html")])
            self._send(404, b"not found", "text/plain")
        except UserError as exc:
            self._send(400, str(exc).encode(), "text/plain; charset=utf-8")

    def _page(self, slug: str) -> None:
        from pipeline.desk.review import find_episode, page_data, render

        config = self.server.config()
        found = find_episode(config, slug)
        if found is None:
            return self._send(404, f"{slug}: no such episode built".encode(), "text/plain; charset=utf-8")
        article, manifest, draft = found
        html = render(page_data(config, article, manifest, draft=draft),
                      media={"drafts": "/media/drafts/", "public": "/media/public/"}, token=self.server.token)
        self._send(200, html.encode(), "text/html; charset=utf-8")

    def _media(self, relative: str) -> None:
        kind, _, rest = relative.partition("/")
        config = self.server.config()
        folders = {"drafts": drafts_dir(config.root), "public": config.public_dir, "say": said_dir(config.root)}
        folder = folders.get(kind)
        target = (folder / rest).resolve() if folder else None
        if target is None or not target.is_relative_to(folder.resolve()) or not target.is_file():
            return self._send(404, b"not found", "text/plain")
        data = target.read_bytes()
        kind_of = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        ranged = _range(self.headers.get("Range"), len(data))
        if ranged:  # the audio players seek with byte ranges
            start, end = ranged
            return self._send(206, data[start:end + 1], kind_of,
                              {"Content-Range": f"bytes {start}-{end}/{len(data)}"})
        self._send(200, data, kind_of)

    def do_HEAD(self) -> None:
        self._head_only = True
        self.do_GET()

    # --- changes ------------------------------------------------------------------------------
    def do_POST(self) -> None:
        refusal = self._refusal()
        if refusal:
            return self._json(403, {"message": refusal})
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(min(length, MAX_FORM_BYTES)).decode()).items()}
        if not secrets.compare_digest(form.get("token", ""), self.server.token):
            return self._json(403, {"message": "refused: this form is not from this review server's pages"})
        from pipeline.desk import edits

        try:
            with self.server.lock:
                answer = edits.handle(self.server.config(), urlsplit(self.path).path, form, engine=self.server.engine)
            self._json(200, answer)
        except UserError as exc:
            self._json(400, {"message": " ".join(str(exc).split())})

    def _refusal(self) -> str | None:
        origin = self.headers.get("Origin")
        if origin is not None and origin != self.server.origin:
            return f"refused: a change from {origin}, not from this review server"
        if not host_allowed(self.headers.get("Host", ""), self.server.server_address[0]):
            return "refused: unexpected Host"
        return None

    # --- answers ------------------------------------------------------------------------------
    def _json(self, status: int, data: dict) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _send(self, status: int, body: bytes, kind: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Accept-Ranges", "bytes")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not getattr(self, "_head_only", False):
            self.wfile.write(body)


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes="):].partition("-")
    try:
        if not first:
            return max(0, size - int(last)), size - 1
        return int(first), min(int(last), size - 1) if last else size - 1
    except ValueError:
        return None


def _index(server: ReviewServer) -> str:
    from pipeline.catalogue import load_catalogue
    from pipeline.desk.drafts import Shelf
    from pipeline.desk.review import index

    config = server.config()
    drafts = [(m, True) for m in Shelf.load(config).catalogue.manifests]
    published = [(m, False) for m in load_catalogue(config.public_dir, config.cache_dir).manifests
                 if m.kind == "article"]
    return index(drafts + published, token=server.token)
