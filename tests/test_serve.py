"""The server as podcast apps and browsers use it: real sockets, real MP3, real feed parser."""
from __future__ import annotations

import http.client
import ipaddress
import os
import signal
import subprocess
import sys
import time
import urllib.request
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

import podcastparser
import pytest

from pipeline.publish.feed import render_feed
from pipeline.publish.serve import (UNSATISFIABLE, content_type, lan_address, mount_path, parse_range,
                            preview_overlay)

from _helpers_site import build_public, make_config, running_server

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A public/ with a secret file beside it (outside) and symlinks pointing at it."""
    root = tmp_path_factory.mktemp("serve")
    config, manifest, public = build_public(root)
    (root / "secret.txt").write_text("TOP-SECRET", encoding="utf-8")
    (public / "leak.txt").symlink_to(root / "secret.txt")
    (public / "outside").symlink_to(root, target_is_directory=True)
    (public / "cover-link.png").symlink_to(public / "cover.png")  # inside: allowed
    (public / ".feed.xml.abc.tmp").write_text("half-written", encoding="utf-8")
    with running_server(public) as server:
        # The feed must name this server's address for the app to download the enclosure.
        (public / "feed.xml").write_bytes(
            render_feed(config, [manifest], cover_path="cover.png", base_url=server.url))
        yield server, manifest, public


def request(server, method: str, path: str, headers: dict | None = None):
    """One request with the path sent exactly as given (urllib would normalise it)."""
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_app_subscribes_then_downloads_the_episode_in_two_resumed_ranges(site):
    server, manifest, public = site
    feed_url = server.url + "/feed.xml"
    with urllib.request.urlopen(feed_url) as stream:
        assert stream.headers["Content-Type"] == "application/rss+xml"
        parsed = podcastparser.parse(feed_url, stream)
    [episode] = parsed["episodes"]
    [enclosure] = episode["enclosures"]
    expected = (public / manifest.files["audio"]).read_bytes()
    assert enclosure["url"] == server.url + "/" + manifest.files["audio"]
    assert enclosure["file_size"] == len(expected)
    assert enclosure["mime_type"] == "audio/mpeg"

    # An app downloads part of the file, loses the connection, then resumes where it stopped.
    split = len(expected) // 3
    path = urlsplit(enclosure["url"]).path
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", path, headers={"Range": f"bytes=0-{split - 1}"})
        first = conn.getresponse()
        first_body = first.read()
        assert first.status == 206
        assert first.getheader("Content-Range") == f"bytes 0-{split - 1}/{len(expected)}"
        etag = first.getheader("ETag")
        # Same keep-alive connection, as players do; If-Range guards against a changed file.
        conn.request("GET", path, headers={"Range": f"bytes={split}-", "If-Range": etag})
        second = conn.getresponse()
        second_body = second.read()
    finally:
        conn.close()
    assert second.status == 206
    assert second.getheader("Content-Range") == \
        f"bytes {split}-{len(expected) - 1}/{len(expected)}"
    assert int(second.getheader("Content-Length")) == len(expected) - split
    assert first_body + second_body == expected


def test_head_answers_headers_only(site):
    server, manifest, public = site
    size = (public / manifest.files["audio"]).stat().st_size
    status, headers, body = request(server, "HEAD", "/" + manifest.files["audio"])
    assert status == 200
    assert body == b""
    assert headers["Content-Length"] == str(size)
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Type"] == "audio/mpeg"
    assert headers["ETag"] and headers["Last-Modified"]

    status, headers, body = request(server, "HEAD", "/" + manifest.files["audio"],
                                    {"Range": "bytes=10-19"})
    assert (status, headers["Content-Length"], body) == (206, "10", b"")


def test_revalidation_answers_304_until_the_file_changes(tmp_path):
    _, _, public = build_public(tmp_path)
    with running_server(public) as server:
        status, headers, _ = request(server, "GET", "/feed.xml")
        assert status == 200
        etag, modified = headers["ETag"], headers["Last-Modified"]

        status, headers, body = request(server, "GET", "/feed.xml", {"If-None-Match": etag})
        assert (status, body) == (304, b"")
        assert headers["ETag"] == etag
        status, _, body = request(server, "GET", "/feed.xml", {"If-Modified-Since": modified})
        assert (status, body) == (304, b"")
        status, _, _ = request(server, "HEAD", "/feed.xml", {"If-None-Match": f'"x", {etag}'})
        assert status == 304
        # If-None-Match wins over If-Modified-Since when both are sent.
        status, _, _ = request(server, "GET", "/feed.xml",
                               {"If-None-Match": '"other"', "If-Modified-Since": modified})
        assert status == 200
        old = formatdate(time.time() - 10 * 86400, usegmt=True)
        status, _, _ = request(server, "GET", "/feed.xml", {"If-Modified-Since": old})
        assert status == 200

        # A rebuilt feed gets a new validator: the app's cached copy is no longer current.
        feed = public / "feed.xml"
        feed.write_bytes(feed.read_bytes() + b"\n")
        stat = feed.stat()
        os.utime(feed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
        status, headers, body = request(server, "GET", "/feed.xml", {"If-None-Match": etag})
        assert status == 200 and headers["ETag"] != etag and body == feed.read_bytes()

        # A resumed download whose If-Range no longer matches gets the whole new file.
        status, _, body = request(server, "GET", "/feed.xml",
                                  {"Range": "bytes=0-9", "If-Range": etag})
        assert status == 200 and body == feed.read_bytes()


@pytest.mark.parametrize("header, expected_span", [
    ("bytes=0-0", (0, 0)),
    ("bytes=-500", "last500"),
    ("bytes=500-", "from500"),
    ("bytes=100-199", (100, 199)),
    ("bytes=100-99999999", "from100"),  # an end past the file is clipped
])
def test_byte_ranges(site, header, expected_span):
    server, manifest, public = site
    data = (public / manifest.files["audio"]).read_bytes()
    size = len(data)
    start, end = {
        "last500": (size - 500, size - 1),
        "from500": (500, size - 1),
        "from100": (100, size - 1),
    }.get(expected_span, expected_span)
    status, headers, body = request(server, "GET", "/" + manifest.files["audio"],
                                    {"Range": header})
    assert status == 206
    assert headers["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert body == data[start:end + 1]


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=-0"])
def test_unsatisfiable_range_is_416_with_the_size(site, header):
    server, manifest, public = site
    size = (public / manifest.files["audio"]).stat().st_size
    status, headers, _ = request(server, "GET", "/" + manifest.files["audio"], {"Range": header})
    assert status == 416
    assert headers["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-10", "bytes=20-10", "bytes=x-"])
def test_ranges_the_server_ignores_get_the_whole_file(site, header):
    server, manifest, public = site
    data = (public / manifest.files["audio"]).read_bytes()
    status, headers, body = request(server, "GET", "/" + manifest.files["audio"],
                                    {"Range": header})
    assert (status, body) == (200, data)
    assert "Content-Range" not in headers


def test_parse_range_edges():
    assert parse_range("bytes=-5000", 100) == (0, 99)  # longer suffix than file: whole file
    assert parse_range("bytes=0-", 0) is UNSATISFIABLE
    assert parse_range("bytes=-", 100) is None


@pytest.mark.parametrize("path, expected", [
    ("/", "text/html; charset=utf-8"),
    ("/index.html", "text/html; charset=utf-8"),
    ("/feed.xml", "application/rss+xml"),
    ("/cover.png", "image/png"),
    ("/episodes/otan-ukraine.mp3", "audio/mpeg"),
    ("/episodes/otan-ukraine.vtt", "text/vtt; charset=utf-8"),
    ("/episodes/otan-ukraine.srt", "application/x-subrip"),
    ("/episodes/otan-ukraine.chapters.json", "application/json"),
    ("/episodes/otan-ukraine.json", "application/json"),
])
def test_content_types(site, path, expected):
    server, _, public = site
    status, headers, body = request(server, "GET", path)
    assert status == 200
    assert headers["Content-Type"] == expected
    target = public / ("index.html" if path == "/" else path.lstrip("/"))
    assert body == target.read_bytes()


def test_content_type_by_name():
    assert content_type("COVER.JPG") == "image/jpeg"
    assert content_type("a.jpeg") == "image/jpeg"
    assert content_type("other.xml") == "application/xml"
    assert content_type("unknown.bin") == "application/octet-stream"


def test_query_strings_are_ignored_and_symlinks_inside_are_followed(site):
    server, _, public = site
    status, _, body = request(server, "GET", "/feed.xml?utm_source=app")
    assert (status, body) == (200, (public / "feed.xml").read_bytes())
    status, headers, body = request(server, "GET", "/cover-link.png")
    assert (status, headers["Content-Type"], body) == (200, "image/png",
                                                       (public / "cover.png").read_bytes())
    status, _, body = request(server, "GET", "/%63over.png")  # plain percent-encoding is fine
    assert (status, body) == (200, (public / "cover.png").read_bytes())


@pytest.mark.parametrize("path", [
    "/../secret.txt",
    "/episodes/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/episodes%2f..%2f..%2fsecret.txt",
    "/..%5csecret.txt",
    "/%5c..%5csecret.txt",
    "/..\\secret.txt",
    "/episodes\\..\\..\\secret.txt",
    "/feed.xml%00.mp3",
    "/%c0%ae%c0%ae/secret.txt",  # overlong UTF-8 dots
    "../secret.txt",
    "http://127.0.0.1/../secret.txt",
    "/leak.txt",  # symlink to a file outside
    "/outside/secret.txt",  # symlink to a folder outside
    "/.feed.xml.abc.tmp",  # half-written file of an atomic write
    "/episodes/",  # no listings
    "/episodes",
    "/nothing-here.mp3",
])
def test_nothing_outside_public_and_no_listings(site, path):
    server, _, _ = site
    status, _, body = request(server, "GET", path)
    assert status in (400, 403, 404), (path, status)
    assert b"TOP-SECRET" not in body
    assert b"<rss" not in body and b"otan-ukraine" not in body


def test_preview_overlay_shadows_files_without_touching_public(site):
    server, _, public = site
    published = (public / "feed.xml").read_bytes()
    with preview_overlay({"feed.xml": b"<rss>preview</rss>", "index.html": "<p>aperçu</p>"}) \
            as overlay, running_server(public, overlay_dir=overlay) as preview:
        assert request(preview, "GET", "/feed.xml")[2] == b"<rss>preview</rss>"
        assert request(preview, "GET", "/")[2] == "<p>aperçu</p>".encode()
        status, _, body = request(preview, "GET", "/cover.png")
        assert (status, body) == (200, (public / "cover.png").read_bytes())
        assert request(preview, "GET", "/../public/feed.xml")[0] == 404
    assert not overlay.exists()
    assert (public / "feed.xml").read_bytes() == published
    with pytest.raises(ValueError):
        with preview_overlay({"../escape.xml": b"x"}):
            pass


def test_a_base_url_with_a_path_is_served_under_it(site):
    """`invoke serve --base-url http://host:port/podcast`: the feed's URLs carry /podcast."""
    _, manifest, public = site
    config = make_config(public.parent)
    mount = mount_path("http://127.0.0.1:8000/podcast/")
    with preview_overlay({}) as overlay, \
            running_server(public, overlay_dir=overlay, mount=mount) as server:
        assert server.url.endswith(":%d/podcast" % server.server_address[1])
        (overlay / "feed.xml").write_bytes(
            render_feed(config, [manifest], cover_path="cover.png", base_url=server.url))
        feed_url = server.url + "/feed.xml"
        parsed = podcastparser.parse(feed_url, urllib.request.urlopen(feed_url))
        [enclosure] = parsed["episodes"][0]["enclosures"]
        with urllib.request.urlopen(enclosure["url"]) as response:
            assert response.read() == (public / manifest.files["audio"]).read_bytes()

        status, headers, _ = request(server, "GET", "/podcast")
        assert (status, headers["Location"]) == (301, "/podcast/")
        assert request(server, "GET", "/podcast/")[2] == (public / "index.html").read_bytes()
        for path in ("/feed.xml", "/podcastfeed.xml", "/podcast/../podcast/feed.xml",
                     "/other/feed.xml"):
            assert request(server, "GET", path)[0] == 404, path
    assert mount_path("http://h:8000") == mount_path("http://h:8000/") == ""
    assert mount_path("https://h/a/b/") == "/a/b"


class _Route:
    """A UDP socket whose "connect" makes the kernel pick ``address`` as the outgoing one."""

    def __init__(self, address):
        self.address = address

    def __call__(self, *args):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def connect(self, target):
        if self.address is None:
            raise OSError("Network is unreachable")

    def getsockname(self):
        return (self.address, 40000)


@pytest.mark.parametrize("routed, host, expected", [
    ("192.168.1.20", "127.0.1.1", "192.168.1.20"),  # the outgoing interface's address
    ("127.0.0.1", "10.0.0.7", "10.0.0.7"),  # only loopback routed: the host name's address
    (None, "10.0.0.7", "10.0.0.7"),  # no route at all: the host name's address
    (None, "127.0.1.1", None),  # nothing a phone could reach
    ("0.0.0.0", "127.0.0.1", None),
])
def test_lan_address_is_a_usable_ipv4_or_none(monkeypatch, routed, host, expected):
    import pipeline.publish.serve as serve

    monkeypatch.setattr(serve.socket, "socket", _Route(routed))
    monkeypatch.setattr(serve.socket, "gethostbyname", lambda name: host)
    address = lan_address()
    assert address == expected
    if address is not None:
        parsed = ipaddress.ip_address(address)
        assert parsed.version == 4 and not parsed.is_loopback and not parsed.is_unspecified


def test_serve_forever_announces_its_url_and_stops_cleanly_on_ctrl_c(tmp_path):
    _, _, public = build_public(tmp_path)
    code = ("import sys; from pathlib import Path; from pipeline.publish.serve import serve_forever\n"
            "serve_forever(Path(sys.argv[1]), '127.0.0.1', 0, quiet=True,\n"
            "              on_ready=lambda url: print(url, flush=True))\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(public)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "/") as response:
            assert response.read() == (public / "index.html").read_bytes()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
