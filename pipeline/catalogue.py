"""Every published episode at a glance, without re-reading thousands of manifests.

The manifests in ``public/episodes/`` stay the source of truth. ``.cache/catalogue.jsonl`` keeps
each one's content with the size and modification time its file had when read, one line per
episode; loading scans the folder (one ``stat`` per manifest) and re-reads only the manifests
that changed, appeared or went away since, so a hand edit is never missed and an untouched
archive is never re-parsed. Saving writes an unchanged episode's line back as it was read.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from pipeline import layout
from pipeline.fsutil import atomic_write_text
from pipeline.manifest import manifest_from_dict, newest_first, read_manifest
from pipeline.model import EpisodeManifest
from pipeline.numbers import Numbering, load_ledger
from pipeline.retired import RetiredEpisode

CATALOGUE_VERSION = 2


@dataclass(frozen=True)
class Entry:
    manifest: EpisodeManifest
    digest: str  # sha256 of the manifest file: what pages and feeds are keyed on
    stamp: tuple[int, int]  # (mtime_ns, size) of the manifest file when it was read
    # The catalogue's line for it, as read: written back as is while the stamp holds.
    line: str | None = dataclasses.field(default=None, compare=False, repr=False)


class Catalogue:
    def __init__(self, entries: dict[str, Entry]):
        self.entries = entries

    @property
    def manifests(self) -> list[EpisodeManifest]:
        """Newest first (ties broken by number, then GUID: a stable order)."""
        return newest_first(entry.manifest for entry in self.entries.values())

    def get(self, slug: str) -> EpisodeManifest | None:
        entry = self.entries.get(slug)
        return entry.manifest if entry else None

    def digest(self, slug: str) -> str:
        return self.entries[slug].digest

    def put(self, manifest: EpisodeManifest, text: str) -> None:
        """Record a manifest written in this build (its stamp is taken when it is published)."""
        self.entries[manifest.slug] = Entry(manifest, _digest(text.encode("utf-8")), (0, 0))

    def drop(self, slug: str) -> None:
        self.entries.pop(slug, None)

    def numbering(self, kinds: tuple[str, ...], retired: Iterable[RetiredEpisode], episodes_dir: Path, *,
                  drafts: Catalogue | None = None) -> Numbering:
        """Numbers for new episodes of these kinds (those of one feed), past every number they have
        been given: the published episodes', the retired ones', the drafts' (built, waiting for
        approval) and the ledger's."""
        retired = list(retired)
        shelves = [self, *([drafts] if drafts else [])]

        def taken() -> list[int]:
            published = [e.manifest.episode_number for shelf in shelves for e in shelf.entries.values()
                         if e.manifest.kind in kinds]
            return [*published, *(r.episode_number for r in retired if r.kind in kinds)]
        return Numbering(kinds, taken, lambda: load_ledger(episodes_dir))

    def held(self, retired: Iterable[RetiredEpisode]) -> list[tuple[str, str, int]]:
        """(kind, slug, number) of every episode that has a number: published or retired."""
        return [*((e.manifest.kind, slug, e.manifest.episode_number) for slug, e in self.entries.items()),
                *((r.kind, r.slug, r.episode_number) for r in retired)]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _state_path(cache_dir: Path) -> Path:
    return Path(cache_dir) / "catalogue.jsonl"


def _stamps(public_dir: Path) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of every manifest under ``public_dir``, by slug."""
    folder = Path(public_dir) / layout.EPISODES
    if not folder.is_dir():
        return {}
    stamps = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            if layout.is_manifest_name(entry.name):
                stat = entry.stat()
                stamps[layout.slug_of_manifest(entry.name)] = (stat.st_mtime_ns, stat.st_size)
    return stamps


def _cached(cache_dir: Path) -> dict[str, tuple[dict, str]]:
    """The stored entries by slug, each with its line."""
    try:
        header, *lines = _state_path(cache_dir).read_text(encoding="utf-8").splitlines()
        if json.loads(header).get("version") != CATALOGUE_VERSION:
            return {}
        # One parse for the whole file: far cheaper than a json.loads per line.
        knowns = json.loads("[" + ",".join(lines) + "]")
        return {known["slug"]: (known, line) for known, line in zip(knowns, lines)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # no catalogue yet, or a damaged one: the manifests are read again


def load_catalogue(public_dir: Path, cache_dir: Path) -> Catalogue:
    cached, entries = _cached(cache_dir), {}
    for slug, stamp in _stamps(public_dir).items():
        known, line = cached.get(slug, (None, None))
        if known and tuple(known["stamp"]) == stamp:
            entries[slug] = Entry(manifest_from_dict(known["manifest"]), known["digest"], stamp, line)
            continue
        path = layout.manifest_path(public_dir, slug)
        manifest = read_manifest(path)  # a damaged manifest is one clear line
        entries[slug] = Entry(manifest, _digest(path.read_bytes()), stamp)
    return Catalogue(entries)


def save_catalogue(catalogue: Catalogue, public_dir: Path, cache_dir: Path) -> None:
    """Store the catalogue with the stamps the published manifests have now."""
    stamps = _stamps(public_dir)
    lines = [json.dumps({"version": CATALOGUE_VERSION})]
    for slug, entry in sorted(catalogue.entries.items()):
        stamp = stamps.get(slug, (0, 0))
        lines.append(entry.line if entry.line and entry.stamp == stamp else json.dumps(
            {"slug": slug, "stamp": list(stamp), "digest": entry.digest, "manifest": dataclasses.asdict(entry.manifest)},
            ensure_ascii=False, separators=(",", ":")))
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    atomic_write_text(_state_path(cache_dir), "\n".join(lines) + "\n")
    (Path(cache_dir) / "catalogue.json").unlink(missing_ok=True)  # the format before version 2
