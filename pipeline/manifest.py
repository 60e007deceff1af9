"""Stage 5: the episode manifest, the source of truth the feed and the site are rebuilt from.

Also the rules that keep an episode's identity across rebuilds: its pubDate, GUID and number
are decided once, when it is first built, and read back from its manifest ever after.
"""
from __future__ import annotations

import dataclasses
import json
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

from pipeline import layout
from pipeline.errors import UserError
from pipeline.model import Chapter, EpisodeManifest

manifest_path = layout.manifest_path


def manifest_json(manifest: EpisodeManifest) -> str:
    return json.dumps(dataclasses.asdict(manifest), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def manifest_from_dict(data: dict) -> EpisodeManifest:
    known = {f.name for f in dataclasses.fields(EpisodeManifest)}
    values = {k: v for k, v in data.items() if k in known}
    values["chapters"] = tuple(Chapter(**c) for c in values.get("chapters", ()))
    values["members"] = tuple(values.get("members", ()))
    return EpisodeManifest(**values)


def read_manifest(path: Path) -> EpisodeManifest | None:
    if not path.exists():
        return None
    try:
        manifest = manifest_from_dict(json.loads(path.read_text(encoding="utf-8")))
        pub_datetime(manifest)
        return manifest
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError, UserError) as exc:
        raise UserError(f"{path}: damaged episode manifest ({exc}); delete it to rebuild the episode") from None


def load_manifests(public_dir: Path) -> list[EpisodeManifest]:
    """Every published episode, newest first (ties broken by number, then GUID: a stable order)."""
    return newest_first(read_manifest(path) for path in layout.manifest_paths(public_dir))


def newest_first(manifests) -> list[EpisodeManifest]:
    return sorted(manifests, key=lambda m: (pub_datetime(m), m.episode_number, m.guid), reverse=True)


def pub_datetime(manifest: EpisodeManifest) -> datetime:
    """The episode's pubDate as an aware UTC datetime (a naive one is UTC)."""
    try:
        when = datetime.fromisoformat(manifest.pub_date)
    except (TypeError, ValueError):
        raise UserError(f"episode {manifest.slug}: pub_date is not ISO 8601: {manifest.pub_date!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def pub_date_for(article_date: datetime | None, previous: EpisodeManifest | None) -> datetime:
    """The pubDate rule: the article's own date; else the one first published; else now."""
    if article_date:
        return article_date
    if previous:
        return pub_datetime(previous)
    return datetime.now(timezone.utc).replace(microsecond=0)


# The namespace UUID the Podcasting 2.0 spec fixes for podcast:guid.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def podcast_guid(feed_url: str) -> str:
    """The show's podcast:guid: UUIDv5 of its feed URL without scheme and trailing slashes."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def new_guid(show_guid: str, slug: str) -> str:
    """An episode's GUID: derived from the show's podcast:guid and its slug, never changed."""
    return str(uuid.uuid5(uuid.UUID(show_guid), slug))
