"""What a build is made from, and what changed since the last one, without reading it all.

- :func:`fingerprint`: one digest of the settings, the name, size and modification time of every
  file in ``episodes/``, the cover, the templates and the published folders. Equal to the one the
  last build left → nothing to do: a no-op costs one folder scan, whatever the archive's size.
- :class:`SourceIndex` (``.cache/sources.json``): for every article file, its size and time when
  last read, with its digest, its slug and its saved script's digest, so a build reads only the
  articles that changed.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline import layout
from pipeline.config import Config
from pipeline.desk.paths import drafts_dir
from pipeline.fsutil import atomic_write_text

INDEX_VERSION = 1
TEMPLATES = Path(__file__).parent / "publish" / "templates"
PLAYER = Path(__file__).parent / "player"  # embed.js, embed.css, the iframe page's template
Stamp = tuple[int, int]  # (mtime_ns, size)


def scan(folder: Path) -> dict[str, Stamp]:
    """Every visible file directly in ``folder``, with its stamp."""
    if not folder.is_dir():
        return {}
    with os.scandir(folder) as entries:
        return {e.name: (e.stat().st_mtime_ns, e.stat().st_size)
                for e in entries if not e.name.startswith(".") and e.is_file()}


def _stamp(path: Path) -> Stamp | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def fingerprint(config: Config, listing: dict[str, Stamp], *, version: str) -> str:
    """Everything a build reads, by name, size and time (contents only for the small settings file)."""
    digest = hashlib.sha256(version.encode())
    settings = config.root / "podcast.toml"
    digest.update(settings.read_bytes() if settings.exists() else b"")
    digest.update(json.dumps(sorted(listing.items())).encode())
    cover = config.root / config.show.cover if config.show.cover else None
    drafts = drafts_dir(config.root) / layout.EPISODES  # a draft deleted there is built again
    watched = [cover, config.public_dir, config.public_dir / layout.EPISODES, config.public_dir / layout.FEED,
               drafts, *sorted(TEMPLATES.iterdir()), *sorted(p for p in PLAYER.iterdir() if p.suffix in (".js", ".css", ".j2"))]
    digest.update(json.dumps([_stamp(p) if p else None for p in watched]).encode())
    return digest.hexdigest()


def _fingerprint_path(config: Config) -> Path:
    return config.cache_dir / "inputs.sha256"


def is_unchanged(config: Config, current: str) -> bool:
    path = _fingerprint_path(config)
    return path.exists() and path.read_text() == current


def remember(config: Config, current: str) -> None:
    atomic_write_text(_fingerprint_path(config), current)


def forget(config: Config) -> None:
    _fingerprint_path(config).unlink(missing_ok=True)


@dataclass(frozen=True)
class SourceRecord:
    stamp: Stamp
    source_hash: str  # sha256 of the article file
    slug: str
    script_stamp: Stamp | None = None  # the saved script beside it, if any
    script_hash: str | None = None
    draft: bool = False  # its front matter says status = "draft" (pipeline.desk.drafts)


class SourceIndex:
    def __init__(self, records: dict[str, SourceRecord]):
        self.records = records

    def current(self, name: str, stamp: Stamp, script_stamp: Stamp | None) -> SourceRecord | None:
        """The record of ``name`` if neither it nor its saved script changed since it was read."""
        record = self.records.get(name)
        if record and record.stamp == stamp and record.script_stamp == script_stamp:
            return record
        return None


def _index_path(config: Config) -> Path:
    return config.cache_dir / "sources.json"


def load_index(config: Config) -> SourceIndex:
    try:
        data = json.loads(_index_path(config).read_text(encoding="utf-8"))
        if data.get("version") != INDEX_VERSION:
            return SourceIndex({})
        return SourceIndex({name: SourceRecord(stamp=tuple(r["stamp"]), source_hash=r["source_hash"], slug=r["slug"],
                                               script_stamp=tuple(r["script_stamp"]) if r["script_stamp"] else None,
                                               script_hash=r["script_hash"], draft=r.get("draft", False))
                            for name, r in data["records"].items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return SourceIndex({})  # no index yet, or a damaged one: every article is read again


def _record_dict(record: SourceRecord) -> dict:
    # By hand: dataclasses.asdict deep-copies, and an archive has thousands of records.
    return {field.name: getattr(record, field.name) for field in dataclasses.fields(record)}


def save_index(config: Config, index: SourceIndex) -> None:
    data = {"version": INDEX_VERSION,
            "records": {name: _record_dict(r) for name, r in sorted(index.records.items())}}
    config.cache_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(_index_path(config), json.dumps(data, ensure_ascii=False, separators=(",", ":")))
