"""Episode numbers: the one rule every kind of episode follows, and the ledger that keeps it.

``episodes/numbers.json`` (committed, like ``ingested.json``) holds every number ever given, per
kind of episode: slug → number, and the highest given. The manifests in ``public/`` and the
records in ``retired.json`` say it too, but either can go (``public/`` lost, a retired record
deleted to bring an episode back): the ledger is what stops a number from being given twice
and lets an episode that comes back take its own number again.

It is read only when an episode needs a number, and written before the build that gives one
publishes anything: a build cut short leaves a number reserved (the same episode takes it
next time), never a number published and forgotten.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Iterable

from pipeline.errors import UserError
from pipeline.fsutil import atomic_write_text

NUMBERS_FILE = "numbers.json"
LEDGER_VERSION = 1


class Ledger:
    """slug → number per kind of episode, and the highest number each kind has given."""

    def __init__(self, path: Path, given: dict[str, dict[str, int]] | None = None,
                 highest: dict[str, int] | None = None):
        self.path, self.given, self.highest = path, given or {}, highest or {}
        self.changed = False

    def number(self, kinds: Iterable[str], slug: str) -> int | None:
        return next((self.given[k][slug] for k in kinds if slug in self.given.get(k, {})), None)

    def highest_of(self, kinds: Iterable[str]) -> int:
        return max((max(self.highest.get(k, 0), *self.given.get(k, {}).values(), 0) for k in kinds), default=0)

    def record(self, kind: str, slug: str, number: int) -> None:
        if self.given.get(kind, {}).get(slug) != number:
            self.given.setdefault(kind, {})[slug] = number
            self.changed = True
        if number > self.highest.get(kind, 0):
            self.highest[kind] = number
            self.changed = True


def ledger_path(episodes_dir: Path) -> Path:
    return Path(episodes_dir) / NUMBERS_FILE


def load_ledger(episodes_dir: Path) -> Ledger:
    path = ledger_path(episodes_dir)
    if not path.exists():
        return Ledger(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        kinds = data["kinds"]
        given = {kind: {str(s): int(n) for s, n in v["numbers"].items()} for kind, v in kinds.items()}
        return Ledger(path, given, {kind: int(v["highest"]) for kind, v in kinds.items()})
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: damaged record of episode numbers ({exc})") from None


def save_ledger(ledger: Ledger) -> None:
    kinds = {kind: {"highest": ledger.highest_of([kind]), "numbers": dict(sorted(ledger.given.get(kind, {}).items()))}
             for kind in sorted(set(ledger.given) | set(ledger.highest))}
    text = json.dumps({"version": LEDGER_VERSION, "kinds": kinds}, ensure_ascii=False, indent=2) + "\n"
    atomic_write_text(ledger.path, text)
    ledger.changed = False


class Numbering:
    """The one rule for episode numbers, whatever the kind of episode: a number once given, retired
    or not, is never given again (apps sort and de-duplicate by it). An episode that has a number
    keeps it; one the ledger knows takes its number again; a new one takes one past the highest
    its feed has given: published, retired or in the ledger.

    ``taken`` are the numbers the published and retired episodes of the feed's ``kinds`` hold,
    ``ledger`` reads the ledger: both only when a number is asked for (a build that numbers
    nothing never reads the file)."""

    def __init__(self, kinds: tuple[str, ...], taken: Callable[[], Iterable[int]], ledger: Callable[[], Ledger]):
        self.kinds, self._taken, self._ledger = kinds, taken, ledger
        self.ledger: Ledger | None = None
        self.highest = 0

    def _open(self) -> Ledger:
        if self.ledger is None:
            self.ledger = self._ledger()
            self.highest = max([*self._taken(), self.ledger.highest_of(self.kinds)], default=0)
        return self.ledger

    def number_for(self, kind: str, slug: str) -> int:
        """The episode's number: the one the ledger gave it before, or the next."""
        ledger = self._open()
        known = ledger.number(self.kinds, slug)
        if known is None:
            self.highest += 1
            known = self.highest
        ledger.record(kind, slug, known)
        return known

    def reserve(self, held: Iterable[tuple[str, str, int]]) -> None:
        """Write the numbers given before anything is published, with every number ``held``
        (kind, slug, number: the published and retired episodes), so that a ledger started on a
        show that had none knows them all."""
        if self.ledger is None:
            return
        for kind, slug, number in held:
            self.ledger.record(kind, slug, number)
        if self.ledger.changed:
            save_ledger(self.ledger)
