"""Stage 5: the episode manifest, the source of truth the feed and the site are rebuilt from."""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path

from pipeline.errors import UserError
from pipeline.model import Chapter, EpisodeManifest

EPISODES = "episodes"


def manifest_path(public_dir: Path, slug: str) -> Path:
    return Path(public_dir) / EPISODES / f"{slug}.json"


def manifest_json(manifest: EpisodeManifest) -> str:
    return json.dumps(dataclasses.asdict(manifest), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def manifest_from_dict(data: dict) -> EpisodeManifest:
    known = {f.name for f in dataclasses.fields(EpisodeManifest)}
    values = {k: v for k, v in data.items() if k in known}
    values["chapters"] = tuple(Chapter(**c) for c in values.get("chapters", ()))
    return EpisodeManifest(**values)


def read_manifest(path: Path) -> EpisodeManifest | None:
    if not path.exists():
        return None
    try:
        manifest = manifest_from_dict(json.loads(path.read_text(encoding="utf-8")))
        datetime.fromisoformat(manifest.pub_date)
        return manifest
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: damaged episode manifest ({exc}); delete it to rebuild the episode") from None


def load_manifests(public_dir: Path) -> list[EpisodeManifest]:
    """Every published episode, newest first (ties broken by slug for a stable order)."""
    folder = Path(public_dir) / EPISODES
    manifests = [read_manifest(p) for p in sorted(folder.glob("*.json")) if not p.name.endswith(".chapters.json")]
    return sorted(manifests, key=lambda m: (m.pub_date, m.slug), reverse=True)
