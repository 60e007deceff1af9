"""A real WebSub hub on loopback (Flask-WebSub's hub, its Celery tasks run eagerly in the
request), a subscriber that answers the hub's verification of intent and records each content
distribution, and a web host for the published folder that sends WebSub's Link header."""
from __future__ import annotations

import contextlib
import functools
import http.server
import urllib.parse
from pathlib import Path

from _helpers_project import serving
import requests


class Hub:
    def __init__(self, url: str, app):
        self.url, self.app, self.pings = url, app, []

    def accept_publish(self, accepted: bool) -> None:
        self.app.config["PUBLISH_SUPPORTED"] = accepted


@contextlib.contextmanager
def websub_hub(folder: Path):
    from celery import Celery
    from flask import Flask, request
    from flask_websub.hub import Hub as WebSubHub, SQLite3HubStorage
    from werkzeug.serving import make_server

    celery = Celery("balado-test-hub", broker="memory://", backend="cache+memory://")
    celery.conf.task_always_eager = True  # subscribe and distribute inside the request: no worker
    app = Flask("balado-test-hub")
    app.config["PUBLISH_SUPPORTED"] = True
    hub = WebSubHub(SQLite3HubStorage(str(folder / "hub.sqlite")), celery, REQUEST_TIMEOUT=5)
    app.register_blueprint(hub.build_blueprint(url_prefix="/hub"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    handle = Hub(f"http://127.0.0.1:{server.server_port}/hub", app)

    @app.before_request
    def count():
        if request.form.get("hub.mode") == "publish":
            handle.pings.append(dict(request.form))

    with serving(server):
        yield handle


class Subscriber:
    def __init__(self, url: str):
        self.url, self.verified, self.received = url, [], []

    def subscribe(self, hub_url: str, topic: str) -> None:
        answer = requests.post(hub_url, data={"hub.mode": "subscribe", "hub.topic": topic, "hub.callback": self.url},
                               timeout=10)
        assert answer.status_code == 202, answer.text


@contextlib.contextmanager
def subscriber():
    class Callback(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # 5.3: the hub verifies our intent; echo its challenge
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            handle.verified.append(query)
            body = query.get("hub.challenge", "").encode()
            self.send_response(200 if query.get("hub.mode") == "subscribe" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # 7: content distribution, the new feed itself
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            handle.received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Callback)
    handle = Subscriber(f"http://127.0.0.1:{server.server_port}/callback")
    with serving(server):
        yield handle


@contextlib.contextmanager
def web_host(root: Path, hub_url: str):
    """The folder ``root`` served as a web server would, with ``Link: <hub>; rel="hub",
    <self>; rel="self"`` on the feeds (WebSub discovery; the hub passes it on to subscribers)."""
    class Files(http.server.SimpleHTTPRequestHandler):
        def end_headers(self):
            if self.path.endswith(".xml"):
                self.send_header("Link", f'<{hub_url}>; rel="hub", <{base}{self.path}>; rel="self"')
            super().end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Files, directory=str(root)))
    base = f"http://127.0.0.1:{server.server_port}"
    with serving(server):
        yield base
