"""A progress bar while chunks are spoken; nothing at all when stderr is not a terminal (cron, CI
logs): tqdm is not even imported then, it would only delay the first request."""
from __future__ import annotations

import sys


class ChunkProgress:
    def __init__(self, label: str, total: int):
        self.label, self.total = label, total
        self.bar = None

    def __enter__(self) -> "ChunkProgress":
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, desc=self.label, unit="chunk", leave=False)
        return self

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.close()

    def update(self, count: int, stats) -> None:
        if self.bar:
            self.bar.set_postfix(spoken=stats.spoken, cached=stats.cached, retried=stats.retried, refresh=False)
            self.bar.update(count)
