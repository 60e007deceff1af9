"""Episodes taken out of the show, kept on record in ``episodes/retired.json`` (committed).

An episode leaves the feed and the page when its article leaves ``episodes/`` (``invoke remove``
or a file deleted by hand). Its identity stays here: should the article come back, it returns
as the same episode (same GUID, number and pubDate, so apps do not list it twice), never as a
new one; and ingest never brings back an entry it names.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import UserError
from pipeline.fsutil import atomic_write_text
from pipeline.model import EpisodeManifest

RETIRED_FILE = "retired.json"


@dataclass(frozen=True)
class RetiredEpisode:
    slug: str
    guid: str
    episode_number: int
    pub_date: str
    title: str
    retired_at: str  # ISO 8601, UTC
    source_url: str | None = None
    entry_id: str | None = None  # the feed entry it was ingested from, if any
    kind: str = "article"  # its manifest's kind: which feed's numbers it holds (records before it: articles)


def retired_path(episodes_dir: Path) -> Path:
    return Path(episodes_dir) / RETIRED_FILE


def load_retired(episodes_dir: Path) -> dict[str, RetiredEpisode]:
    path = retired_path(episodes_dir)
    if not path.exists():
        return {}
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
        return {slug: RetiredEpisode(slug=slug, **fields) for slug, fields in records.items()}
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: damaged record of retired episodes ({exc})") from None


def save_retired(episodes_dir: Path, records: dict[str, RetiredEpisode]) -> None:
    data = {slug: {k: v for k, v in dataclasses.asdict(r).items() if k != "slug"}
            for slug, r in sorted(records.items())}
    atomic_write_text(retired_path(episodes_dir), json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def retired_from(manifest: EpisodeManifest, *, retired_at: str, entry_id: str | None = None) -> RetiredEpisode:
    return RetiredEpisode(slug=manifest.slug, guid=manifest.guid, episode_number=manifest.episode_number,
                          pub_date=manifest.pub_date, title=manifest.title, retired_at=retired_at,
                          source_url=manifest.source_url, entry_id=entry_id, kind=manifest.kind)
