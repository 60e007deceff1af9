"""Fetching from the web with limits, against real HTTP servers on loopback: time-outs, redirects,
bounded retries, a size cap enforced while streaming, conditional GET, an honest User-Agent."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from _helpers_newsroom import newsroom, stalled_server
from pipeline.config import FetchConfig
from pipeline.sources.fetch import Deadline, Fetcher, FetchError, parse_content_type
from pipeline.sources.pages import decode_page

QUICK = FetchConfig(connect_timeout_seconds=1, read_timeout_seconds=1, total_timeout_seconds=5, retries=1,
                    retry_backoff_seconds=0.05)


@pytest.fixture
def site():
    with newsroom() as running:
        yield running


def fetcher(**changes) -> Fetcher:
    return Fetcher(FetchConfig(**{**QUICK.__dict__, **changes}), Path("."))


def test_a_page_comes_with_its_type_charset_and_validators_and_an_honest_user_agent(site):
    with fetcher() as f:
        page = f.get(site.url("/feed/"))
    assert page.status == 200 and page.content_type == "application/rss+xml" and page.charset == "utf-8"
    assert page.etag and page.last_modified and page.body.startswith(b"<?xml")
    [hit] = site.hits
    assert hit.headers["User-Agent"].startswith("balado/") and "requests" not in hit.headers["User-Agent"]


def test_conditional_get_sends_the_validators_and_a_304_has_no_body(site):
    with fetcher() as f:
        first = f.get(site.url("/feed/"))
        second = f.get(site.url("/feed/"), etag=first.etag, last_modified=first.last_modified)
    assert second.status == 304 and second.body == b""
    sent = site.hits[-1].headers
    assert sent["If-None-Match"] == first.etag and sent["If-Modified-Since"] == first.last_modified


def test_five_redirects_are_followed_and_a_sixth_is_refused(site):
    for n in range(6):
        site.redirect(f"/r{n}", site.url(f"/r{n + 1}"))
    site.redirect("/r6", site.url("/feed/"))
    with fetcher() as f:
        assert f.get(site.url("/r2")).url == site.url("/feed/")  # r2 → r3 … r6 → feed: five redirects
        with pytest.raises(FetchError, match="more than 5 redirects"):
            f.get(site.url("/r1"))  # six


def test_a_404_is_not_retried_and_a_500_is_retried_a_bounded_number_of_times(site):
    site.put("/panne", "<h1>Erreur</h1>", status=500)
    with fetcher(retries=2) as f:
        with pytest.raises(FetchError, match=r"^HTTP 404 Not Found$"):
            f.get(site.url("/disparu"))
        with pytest.raises(FetchError) as caught:
            f.get(site.url("/panne"))
    assert len(site.requests_to("/disparu")) == 1 and len(site.requests_to("/panne")) == 3
    assert str(caught.value) == "HTTP 500 Internal Server Error (after 3 attempts)"


def test_a_stalled_server_times_out_in_bounded_time_with_one_line():
    outcome: list = []

    def fetch(url: str) -> None:
        with fetcher(retries=1) as f:
            try:
                f.get(url + "/feed/")
            except FetchError as exc:
                outcome.append(exc)

    with stalled_server() as url:
        # In a thread, so that a client without a time-out fails this test instead of hanging the suite.
        worker = threading.Thread(target=fetch, args=(url,), daemon=True)
        started = time.monotonic()
        worker.start()
        worker.join(timeout=6)
        elapsed = time.monotonic() - started
    assert not worker.is_alive(), "the fetch hung on a server that never answers"
    assert 1.9 < elapsed < 4, elapsed  # two attempts of one second each, then one line
    assert [str(exc) for exc in outcome] == ["no answer within 1 s (after 2 attempts)"]


def test_a_refused_connection_is_one_line():
    with stalled_server() as url:
        port = url.rsplit(":", 1)[1]
    with fetcher(retries=0) as f, pytest.raises(FetchError, match=r"^cannot connect \(connection refused\)$"):
        f.get(f"http://127.0.0.1:{port}/")


@pytest.mark.parametrize("announced", [True, False])
def test_a_body_far_larger_than_the_cap_is_refused_without_reading_it_all(site, announced):
    path = "/endless?length" if announced else "/endless"
    # Announced: refused on the headers; not announced: refused once 100 kB were read.
    expected = "too large: 209,715,200 bytes announced, the limit is 100,000" if announced else \
        "too large: more than 100,000 bytes"
    with fetcher(max_bytes=100_000) as f, pytest.raises(FetchError, match=f"^{expected}$"):
        f.get(site.url(path))
    time.sleep(0.2)  # let the server notice the closed connection
    assert site.sent.get(path, 0) < 20 * 1024 * 1024  # of 200 MB offered


def test_a_trickling_server_is_cut_off_by_the_total_deadline(site):
    # Bytes keep coming, each well within the read time-out: only the deadline for the whole body ends it.
    with fetcher(total_timeout_seconds=0.5, retries=0) as f:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"^out of time: no complete answer within 0.5 s$"):
            f.get(site.url("/trickle"))
    assert time.monotonic() - started < 3


BUDGET = 2.0
# A read time-out, retries and back-off that would add up to a minute: only the deadline holds.
PATIENT = {"read_timeout_seconds": 20, "total_timeout_seconds": BUDGET, "retries": 2, "retry_backoff_seconds": 1}


@pytest.mark.parametrize("stall", ["never answers", "headers trickle", "body trickles"])
def test_one_deadline_bounds_a_whole_fetch_whatever_stalls(site, stall):
    with stalled_server() as silent, fetcher(**PATIENT) as f:
        url = {"never answers": silent + "/feed/", "headers trickle": site.url("/trickle-headers"),
               "body trickles": site.url("/trickle")}[stall]
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            f.get(url)
        elapsed = time.monotonic() - started
    assert str(caught.value) == "out of time: no complete answer within 2 s"
    assert elapsed <= BUDGET + 1, elapsed  # the acceptance: the budget, plus a second at most
    assert f.requests == 1  # no retry once the time is up


def test_retries_and_back_off_stop_where_the_deadline_would_pass(site):
    site.put("/panne", "<h1>Erreur</h1>", status=500)
    with fetcher(total_timeout_seconds=BUDGET, retries=5, retry_backoff_seconds=0.4) as f:
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            f.get(site.url("/panne"))
        elapsed = time.monotonic() - started
    # back-off 0.4 s then 0.8 s; the next one (1.6 s) would end after the deadline: not slept
    assert str(caught.value) == "HTTP 500 Internal Server Error (after 3 attempts); no time left for another within 2 s"
    assert len(site.requests_to("/panne")) == 3 and elapsed <= BUDGET, elapsed


def test_fetches_that_share_a_deadline_share_its_time(site):
    deadline = Deadline.starting_now(BUDGET)
    with fetcher(**PATIENT) as f:
        with pytest.raises(FetchError, match="^out of time"):
            f.get(site.url("/trickle"), deadline=deadline)
        with pytest.raises(FetchError, match=r"^out of time: no complete answer within 2 s$"):
            f.get(site.url("/feed/"), deadline=deadline)  # would answer at once, but the time is spent
    assert f.requests == 1


def test_local_files_are_read_under_the_same_cap(tmp_path):
    feed = tmp_path / "fil info.xml"
    feed.write_bytes(b"<rss/>" * 10)
    with Fetcher(QUICK, tmp_path) as f:
        assert f.get("fil info.xml").body == feed.read_bytes()
        assert f.get(feed.as_uri()).body == feed.read_bytes()
        with pytest.raises(FetchError, match="cannot read"):
            f.get("absent.xml")
    with Fetcher(FetchConfig(max_bytes=10), tmp_path) as f, pytest.raises(FetchError, match="too large"):
        f.get("fil info.xml")


def test_charset_comes_from_the_header_then_the_page_then_detection():
    assert parse_content_type('text/html; charset="ISO-8859-1"') == ("text/html", "iso-8859-1")
    latin = "<html><body><p>Élus, trésorerie, été.</p></body></html>".encode("cp1252")
    assert "Élus" in decode_page(latin, "windows-1252")
    declared = b'<html><head><meta charset="windows-1252"></head><body>' + "déjà".encode("cp1252") + b"</body>"
    assert "déjà" in decode_page(declared, None)
    assert "Élus" in decode_page(latin, None)  # nothing declared, not UTF-8: detection
    assert "Élus" in decode_page(latin, "no-such-charset")


def test_a_gzip_body_is_decoded_and_the_cap_counts_what_it_decodes_to(site):
    import gzip

    feed = site.routes["/feed/"].body
    site.put("/feed.gz", gzip.compress(feed), "application/rss+xml", headers={"Content-Encoding": "gzip"})
    site.put("/bombe", gzip.compress(b" " * 50_000_000), "text/html", headers={"Content-Encoding": "gzip"})
    with fetcher(max_bytes=1_000_000) as f:
        assert f.get(site.url("/feed.gz")).body == feed
        with pytest.raises(FetchError, match=r"^too large: more than 1,000,000 bytes$"):
            f.get(site.url("/bombe"))  # 50 kB on the wire, 50 MB once decoded
