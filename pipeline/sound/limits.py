"""How long a request an engine takes, learnt when it refuses one, remembered in the project.

Google's endpoint speaks about 200 characters today; if it refuses longer requests tomorrow,
the chunk is spoken at once in pieces of the safe length, and the lower limit is written to
``.cache/request-limits.json`` for that engine and accent, so the next build does not pay the
refusal again. A remembered limit is tried upward again after :data:`RETRY_AFTER` (a week): a
refusal that was only passing costs one wasted request then, and never pins the limit for good.
"""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pipeline.fsutil import atomic_write_text

RETRY_AFTER = timedelta(days=7)


class RequestLimits:
    def __init__(self, cache_dir: Path, voice: str, *, now: datetime | None = None):
        self.path = Path(cache_dir) / "request-limits.json"
        self.voice = voice  # e.g. "gtts fr fr": engine, language and accent
        self._now = now or datetime.now(timezone.utc)
        self._lock = threading.Lock()

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def current(self, configured: int) -> int:
        """The limit to use now: a remembered lower one until it is due to be tried again."""
        record = self._read().get(self.voice)
        try:
            if record and datetime.fromisoformat(record["retry_after"]) > self._now:
                return min(configured, int(record["limit"]))
        except (KeyError, TypeError, ValueError):
            pass
        return configured

    def lower(self, limit: int) -> datetime:
        """Remember ``limit`` for this voice; returns when the configured one will be tried again."""
        retry = self._now + RETRY_AFTER
        with self._lock:
            data = self._read()
            data[self.voice] = {"limit": limit, "since": self._now.isoformat(timespec="seconds"),
                                "retry_after": retry.isoformat(timespec="seconds")}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")
        return retry
