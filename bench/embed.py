"""What the embeddable player costs a newsroom's article page: embed.js + embed.css gzipped
(gzip -9), and, measured in Chromium when it is there, the requests and bytes from the show's host
before the reader comes near the player, and before the first click once it is shown."""
from __future__ import annotations

import gzip
import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLAYER = REPO / "pipeline" / "player"
CHROMIUM = "/usr/bin/chromium"
BUDGET_KB = 12.0


def gzipped_kb() -> float:
    payload = b"".join((PLAYER / name).read_bytes() for name in ("embed.js", "embed.css"))
    return round(len(gzip.compress(payload, compresslevel=9)) / 1024, 2)


def _pages(newsroom, podcast: str, slug: str) -> None:
    from _helpers_newsroom_page import article_page

    player = f'<div data-balado-player data-balado-episode="{slug}"></div>'
    newsroom.add("/haut", article_page(title="Article", canonical=None, podcast=podcast, player=player))
    newsroom.add("/bas", article_page(title="Article", canonical=None, podcast=podcast, player=player, at_end=True))


def _from_podcast(requests: list, podcast: str) -> dict:
    mine = [r for r in requests if r.url.startswith(podcast)]
    sizes = [r.sizes() for r in mine]
    return {"requests": len(mine), "bytes": sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes),
            "files": [r.url.removeprefix(podcast) for r in mine]}


def _visit(browser, url: str, podcast: str, *, scroll: bool) -> dict:
    page = browser.new_page()
    requests: list = []
    page.on("request", lambda r: requests.append(r))
    page.goto(url)
    page.wait_for_load_state("load")
    if scroll:
        page.locator("[data-balado-player]").scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('[data-balado-player]').dataset.baladoState === 'ready'")
    page.wait_for_timeout(500)  # what else the player would fetch, unprompted, comes now
    figures = _from_podcast(requests, podcast)
    page.close()
    return figures


def in_chromium(public: Path, slug: str) -> dict:
    """Requests and bytes before the reader comes near / before the first click (the player shown)."""
    from playwright.sync_api import sync_playwright

    from _helpers_newsroom_page import newsroom_server
    from _helpers_site import running_server

    with newsroom_server() as newsroom, running_server(public, cors=("*",)) as podcast:
        _pages(newsroom, podcast.url, slug)
        origin = f"http://127.0.0.1:{newsroom.server_address[1]}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            far = _visit(browser, f"{origin}/bas", podcast.url, scroll=False)
            shown = _visit(browser, f"{origin}/haut", podcast.url, scroll=True)
            browser.close()
    return {"before_near": far, "before_first_click": shown}


def embed(public: Path, slug: str) -> dict:
    """The bench's figures for the embed; Chromium's part skipped, in one line, without it."""
    figures: dict = {"gzipped_kb": gzipped_kb(), "budget_kb": BUDGET_KB}
    if not os.access(CHROMIUM, os.X_OK):
        figures["chromium"] = f"skipped: no Chromium at {CHROMIUM}"
        return {"embed": figures}
    try:
        figures.update(in_chromium(public, slug))
    except ImportError as error:
        figures["chromium"] = f"skipped: {error}"
    return {"embed": figures}
