"""[announce]: after a publish has made the new feed live, a real WebSub hub on loopback is
pinged, verifies a subscriber's intent and distributes the new feed to it; an unchanged feed is
announced to no one; a refused ping is one warning line and is sent again at the next run."""
from __future__ import annotations

import feedparser
from lxml import etree

from _helpers_site import build_public
from _helpers_websub import subscriber, web_host, websub_hub
from pipeline import cli

ATOM = "{http://www.w3.org/2005/Atom}"


def make_show(tmp_path, base: str, www, hubs: list[str]):
    root = tmp_path / "show"
    build_public(root, base_url=base)
    hub_list = ", ".join(f'"{h}"' for h in hubs)
    (root / "podcast.toml").write_text(f"""
[show]
title = "Balado"
owner_email = "podcast@balado.example"
base_url = "{base}"
link = "{base}/"

[publish]
to = "{www}"
public_url = "{base}"

[announce]
hubs = [{hub_list}]
attempts = 2
timeout_seconds = 5
""", encoding="utf-8")
    cli.feed(str(root))  # the feed again, declaring the hubs
    return root


def hub_links(xml: bytes) -> list[str]:
    channel = etree.fromstring(xml).find("channel")
    return [link.get("href") for link in channel.findall(f"{ATOM}link") if link.get("rel") == "hub"]


def test_a_publish_reaches_a_subscriber_through_the_websub_hub_once(tmp_path, capsys):
    www = tmp_path / "www"
    www.mkdir()
    with websub_hub(tmp_path) as hub, subscriber() as reader, web_host(www, hub.url) as base:
        root = make_show(tmp_path, base, www, [hub.url])
        feed_url = base + "/feed.xml"
        assert hub_links((root / "public/feed.xml").read_bytes()) == [hub.url]
        reader.subscribe(hub.url, feed_url)
        [check] = reader.verified  # 5.3: the hub verified our intent before storing the subscription
        assert check["hub.mode"] == "subscribe" and check["hub.topic"] == feed_url and check["hub.challenge"]
        assert hub.pings == [] and reader.received == []

        cli.publish(str(root))
        out = capsys.readouterr()
        assert [p["hub.url"] for p in hub.pings] == [feed_url] and hub.pings[0]["hub.mode"] == "publish"
        assert f"announced to 1 hub(s) and notification URL(s): {hub.url}" in out.out and out.err == ""
        [(headers, body)] = reader.received  # 7: content distribution of the feed now live
        assert body == (www / "feed.xml").read_bytes() == (root / "public/feed.xml").read_bytes()
        assert f'<{hub.url}>; rel="hub"' in headers["Link"]
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0 and {"rel": "hub", "href": hub.url} in [
            {"rel": link.get("rel"), "href": link.get("href")} for link in parsed.feed.links]

        cli.publish(str(root))  # nothing changed: no one is pinged
        assert len(hub.pings) == 1 and len(reader.received) == 1
        assert "announced" not in capsys.readouterr().out


def test_a_refused_ping_warns_once_never_fails_and_is_sent_again_by_the_next_update(tmp_path, capsys):
    www = tmp_path / "www"
    www.mkdir()
    with websub_hub(tmp_path) as hub, subscriber() as reader, web_host(www, hub.url) as base:
        root = make_show(tmp_path, base, www, [hub.url])
        feed_url = base + "/feed.xml"
        reader.subscribe(hub.url, feed_url)
        hub.accept_publish(False)  # the hub answers 400 to publish pings
        cli.publish(str(root))  # does not raise: the publish itself succeeded
        out = capsys.readouterr()
        assert out.err.splitlines() == [f"warning: {hub.url} was not told about {feed_url} (HTTP 400, 1 attempt(s)); "
                                        "the next publish tries again"]
        assert (www / "feed.xml").is_file() and reader.received == []

        hub.accept_publish(True)
        cli.update(str(root))  # nothing new to publish, but the feed was never announced there
        assert len(reader.received) == 1 and reader.received[0][1] == (www / "feed.xml").read_bytes()
        cli.update(str(root))
        assert len(hub.pings) == 2 and len(reader.received) == 1  # the refused one, the retry, and no more


def test_a_notification_url_gets_the_feed_and_a_failing_one_is_retried_a_bounded_number_of_times(tmp_path):
    import http.server
    import threading
    from dataclasses import replace
    from urllib.parse import parse_qs, urlsplit

    from pipeline.announce import announce
    from pipeline.config import AnnounceConfig

    asked = []

    class Index(http.server.BaseHTTPRequestHandler):  # Podcast Index's pubnotify, as a loopback double
        def do_GET(self):
            asked.append(self.path)
            self.send_response(503 if self.path.startswith("/down") else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Index)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        index = f"http://127.0.0.1:{server.server_port}"
        config, _, _ = build_public(tmp_path / "show")
        config = replace(config, announce=AnnounceConfig(
            notify=(f"{index}/api/1.0/hub/pubnotify?url={{feed}}", f"{index}/down?url={{feed}}"), attempts=3))
        warnings = []
        report = announce(config, warn=warnings.append)
    finally:
        server.shutdown()
        server.server_close()
    feed = config.show.base_url + "/feed.xml"
    assert parse_qs(urlsplit(asked[0]).query) == {"url": [feed]} and asked[0].startswith("/api/1.0/hub/pubnotify?")
    assert len(asked) == 1 + 3  # the one that answers 503 is asked `attempts` times, no more
    assert report.told == [(config.announce.notify[0], feed)]
    assert warnings == [f"warning: {config.announce.notify[1]} was not told about {feed} (HTTP 503, 3 attempt(s)); "
                        "the next publish tries again"]


def test_a_hub_that_is_down_or_never_answers_is_one_warning_line_each_and_the_run_goes_on(tmp_path):
    """A closed port, and a hub that takes the connection and says nothing: each is asked
    ``attempts`` times within its time-out, then one warning line; nothing raises."""
    import socket
    import threading
    from dataclasses import replace

    from pipeline.announce import announce
    from pipeline.config import AnnounceConfig

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()  # nothing listens there any more: connection refused
    silent = socket.create_server(("127.0.0.1", 0))
    accepted, done = [], threading.Event()

    def take_and_say_nothing():
        silent.settimeout(0.1)
        while not done.is_set():
            try:
                connection, _ = silent.accept()
            except OSError:
                continue
            accepted.append(connection)
            # Without a client time-out the request would end when this closes, as a ConnectionError.
            threading.Timer(8, connection.close).start()

    threading.Thread(target=take_and_say_nothing, daemon=True).start()
    try:
        config, _, _ = build_public(tmp_path / "show")
        down, mute = f"http://127.0.0.1:{closed_port}/", f"http://127.0.0.1:{silent.getsockname()[1]}/"
        config = replace(config, announce=AnnounceConfig(hubs=(down, mute), attempts=2, timeout_seconds=0.5))
        warnings = []
        report = announce(config, warn=warnings.append)
    finally:
        done.set()
        silent.close()
    feed = config.show.base_url + "/feed.xml"
    assert report.told == [] and len(accepted) == 2  # the mute hub: asked twice, no more
    assert warnings == [f"warning: {down} was not told about {feed} (ConnectionError, 2 attempt(s)); "
                        "the next publish tries again",
                        f"warning: {mute} was not told about {feed} (ReadTimeout, 2 attempt(s)); "
                        "the next publish tries again"]
