"""A progress bar while chunks are spoken; silent when stderr is not a terminal (CI logs)."""
from __future__ import annotations


class ChunkProgress:
    def __init__(self, label: str, total: int):
        self.label, self.total = label, total
        self.bar = None

    def __enter__(self) -> "ChunkProgress":
        from tqdm import tqdm

        # disable=None: tqdm turns itself off when the output is not a TTY.
        self.bar = tqdm(total=self.total, desc=self.label, unit="chunk", disable=None, leave=False)
        return self

    def __exit__(self, *exc) -> None:
        self.bar.close()

    def update(self, count: int, stats) -> None:
        self.bar.set_postfix(spoken=stats.spoken, cached=stats.cached, retried=stats.retried, refresh=False)
        self.bar.update(count)
