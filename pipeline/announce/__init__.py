"""Telling the podcast ecosystem a new feed is live: WebSub hubs and notification URLs.

``invoke publish`` and ``invoke update`` call :func:`announce` once the new feed is where
listeners fetch it (after the publish to the target, or after the build when public/ itself is
served). Each hub gets a WebSub publish ping (a form POST ``hub.mode=publish`` with the feed's
URL, as ``hub.url`` and as ``hub.topic``: hubs in use read one or the other); each ``notify`` URL
(Podcast Index's pubnotify) a GET. Time-outs and bounded retries; a failure is one warning
line and never fails the run. What each endpoint was told is remembered by the feed's digest
(``.cache/announce.json``): an unchanged feed is announced to no one, and one whose ping failed
is announced again at the next run.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from pipeline import layout
from pipeline.config import Config
from pipeline.fsutil import atomic_write_text

STATE = "announce.json"
BACKOFF_SECONDS = 0.5  # doubled after each failed attempt


@dataclass
class AnnounceReport:
    told: list[tuple[str, str]] = field(default_factory=list)  # (endpoint, feed URL)
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def subscription_feeds(config: Config) -> list[str]:
    """The feeds apps subscribe to (archives are never announced), those that exist in public/."""
    names = [layout.FEED] + ([layout.DIGEST_FEED] if config.digest.feed == "digest" else [])
    return [name for name in names if layout.under(config.public_dir, name).is_file()]


def announce(config: Config, *, warn: Callable[[str], None] = lambda line: None) -> AnnounceReport:
    """Ping every hub and notification URL for each subscription feed that changed since it was
    last announced there. Never raises for a remote failure: ``warn`` gets one line each."""
    report = AnnounceReport()
    endpoints = [("hub", url) for url in config.announce.hubs] + [("notify", url) for url in config.announce.notify]
    if not endpoints:
        return report
    state = _load_state(config)
    feeds = {layout.feed_url(config.show.base_url, name): _digest(layout.under(config.public_dir, name))
             for name in subscription_feeds(config)}
    due = [(kind, url, feed) for kind, url in endpoints for feed, digest in feeds.items()
           if state.get(url, {}).get(feed) != digest]
    if not due:
        return report
    import requests

    with requests.Session() as session:
        for kind, url, feed in due:
            problem = _tell(session, kind, url, feed, config)
            if problem is None:
                state.setdefault(url, {})[feed] = feeds[feed]
                report.told.append((url, feed))
            else:
                line = (f"warning: {url} was not told about {feed} ({problem}); "
                        "the next publish tries again")
                report.failed.append((url, feed))
                report.warnings.append(line)
                warn(line)
    _save_state(config, state)
    return report


def _tell(session, kind: str, url: str, feed: str, config: Config) -> str | None:
    """One endpoint told about one feed, with bounded retries; None when it took it, else why not."""
    import requests

    settings = config.announce
    problem = None
    for attempt in range(settings.attempts):
        if attempt:
            time.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        try:
            if kind == "hub":
                answer = session.post(url, data={"hub.mode": "publish", "hub.url": feed, "hub.topic": feed},
                                      timeout=settings.timeout_seconds, allow_redirects=False)
            else:
                answer = session.get(url.replace("{feed}", quote(feed, safe="")), timeout=settings.timeout_seconds)
        except requests.RequestException as exc:
            problem = type(exc).__name__
            continue
        if 200 <= answer.status_code < 300:
            return None
        problem = f"HTTP {answer.status_code}"
        if answer.status_code < 500 and answer.status_code != 429:
            break  # refused: asking again will not change its mind
    return f"{problem}, {attempt + 1} attempt(s)"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _state_path(config: Config) -> Path:
    return config.cache_dir / STATE


def _load_state(config: Config) -> dict[str, dict[str, str]]:
    try:
        state = json.loads(_state_path(config).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _save_state(config: Config, state: dict) -> None:
    config.cache_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(_state_path(config), json.dumps(state, sort_keys=True, indent=1))
