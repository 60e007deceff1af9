"""`invoke serve` itself, as a podcast app meets it: subscribe, download in two ranges, revalidate."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import podcastparser
import pytest

from _helpers_project import REPO, published
from pipeline.build import build
from pipeline.config import load_config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_serve(project, port: int, base_url: str) -> subprocess.Popen:
    """`invoke serve` in a subprocess, as a user starts it."""
    return subprocess.Popen(
        [sys.executable, "-m", "invoke", "--search-root", str(REPO), "serve", "--port", str(port),
         "--base-url", base_url],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)})


@pytest.fixture
def served(project, short_article, offline):
    build(load_config(project), engine="espeak")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_serve(project, port, base)
    first_line = process.stdout.readline()
    assert first_line.startswith("serving"), first_line + process.stderr.read()
    yield project, base, process
    process.send_signal(signal.SIGINT)
    process.wait(timeout=10)


def test_subscribe_download_in_two_ranges_and_revalidate(served):
    project, base, process = served
    with urllib.request.urlopen(base + "/feed.xml") as answer:
        assert answer.headers["Content-Type"].startswith("application/rss+xml")
        feed = podcastparser.parse(base + "/feed.xml", answer)
    [enclosure] = feed["episodes"][0]["enclosures"]
    path = published(project / "public", "otan-bref")
    relative = "/" + path.relative_to(project / "public").as_posix()
    assert enclosure["url"] == base + relative
    audio = path.read_bytes()
    half = len(audio) // 2
    parts = []
    for first, last in ((0, half - 1), (half, len(audio) - 1)):  # an app resuming its download
        request = urllib.request.Request(enclosure["url"], headers={"Range": f"bytes={first}-{last}"})
        with urllib.request.urlopen(request) as answer:
            assert answer.status == 206
            assert answer.headers["Content-Range"] == f"bytes {first}-{last}/{len(audio)}"
            parts.append(answer.read())
    assert b"".join(parts) == audio

    connection = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=5)
    connection.request("HEAD", relative)
    head = connection.getresponse()
    head.read()
    assert head.status == 200 and int(head.headers["Content-Length"]) == len(audio)
    assert head.headers["Accept-Ranges"] == "bytes" and head.headers["Content-Type"] == "audio/mpeg"
    connection.request("GET", relative, headers={"If-None-Match": head.headers["ETag"]})
    not_modified = connection.getresponse()
    not_modified.read()
    assert not_modified.status == 304
    connection.request("GET", relative, headers={"Range": f"bytes={len(audio) + 10}-"})
    unsatisfiable = connection.getresponse()
    unsatisfiable.read()
    assert unsatisfiable.status == 416 and unsatisfiable.headers["Content-Range"] == f"bytes */{len(audio)}"


def test_base_url_override_does_not_touch_the_published_feed(served):
    project, base, _ = served
    feed = (project / "public/feed.xml").read_bytes()
    with urllib.request.urlopen(base + "/feed.xml") as answer:
        served_feed = answer.read()
    assert base.encode() in served_feed and base.encode() not in feed
    audio = published(project / "public", "otan-bref").relative_to(project / "public").as_posix()
    assert f"https://balado.example/podcast/{audio}".encode() in feed


def test_serve_without_a_build_says_so(project):
    result = subprocess.run([sys.executable, "-m", "invoke", "--search-root", str(REPO), "serve", "--port", "0"],
                            cwd=project, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 1 and "run invoke build-episode first" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_under_a_mount_path_prints_the_right_addresses(project, short_article, offline):
    build(load_config(project), engine="espeak")
    port = free_port()
    base = f"http://127.0.0.1:{port}/podcast"
    process = start_serve(project, port, base)
    try:
        serving, feed_line = process.stdout.readline(), process.stdout.readline()
        assert serving.startswith(f"serving {project / 'public'} on {base}/ "), serving
        assert feed_line.strip() == f"feed to paste into a podcast app: {base}/feed.xml"
        with urllib.request.urlopen(base + "/feed.xml") as answer:
            audio = published(project / "public", "otan-bref").relative_to(project / "public").as_posix()
            assert f"{base}/{audio}".encode() in answer.read()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
