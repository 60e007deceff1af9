"""Where every published file lives: the one place that spells the layout of ``public/``.

Paths here are relative to the public folder, with ``/`` separators (they are URLs too);
:func:`under` turns one into a path on disk. Every other module asks this one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

FEED = "feed.xml"
INDEX = "index.html"
EPISODES = "episodes"
ARCHIVE = "archive"
COVER_STEM = "cover"
COVER_NAMES = ("cover.png", "cover.jpg")
MANIFEST_SUFFIX = ".json"
CHAPTERS_SUFFIX = ".chapters.json"
STAGING_PREFIX = ".staging-"
# Renamed into place after everything else: the page, then the feed, which is the last thing a
# subscriber sees change, so it never points at a file that is not there yet.
PUBLISH_LAST = (INDEX, FEED)


@dataclass(frozen=True)
class EpisodeFiles:
    """The files one episode publishes, relative to the public folder."""

    slug: str

    @property
    def audio(self) -> str:
        return f"{EPISODES}/{self.slug}.mp3"

    @property
    def vtt(self) -> str:
        return f"{EPISODES}/{self.slug}.vtt"

    @property
    def srt(self) -> str:
        return f"{EPISODES}/{self.slug}.srt"

    @property
    def chapters(self) -> str:
        return f"{EPISODES}/{self.slug}{CHAPTERS_SUFFIX}"

    @property
    def manifest(self) -> str:
        return f"{EPISODES}/{self.slug}{MANIFEST_SUFFIX}"

    def published(self) -> dict[str, str]:
        """The manifest's ``files``: what the feed links to, by kind."""
        return {"audio": self.audio, "vtt": self.vtt, "srt": self.srt, "chapters": self.chapters}


def under(public_dir: Path | str, relative: str) -> Path:
    return Path(public_dir) / relative


def manifest_path(public_dir: Path | str, slug: str) -> Path:
    return under(public_dir, EpisodeFiles(slug).manifest)


def is_manifest(path: Path) -> bool:
    return path.name.endswith(MANIFEST_SUFFIX) and not path.name.endswith(CHAPTERS_SUFFIX)


def manifest_paths(public_dir: Path | str) -> Iterator[Path]:
    """Every episode manifest under ``public_dir``, in name order."""
    folder = Path(public_dir) / EPISODES
    return (p for p in sorted(folder.glob(f"*{MANIFEST_SUFFIX}")) if is_manifest(p))


def cover_name(extension: str) -> str:
    """``cover.png`` / ``cover.jpg``: feeds want exactly one of these two extensions."""
    return COVER_STEM + extension


def published_cover(public_dir: Path | str) -> str | None:
    """The cover already published in ``public_dir``, if any."""
    return next((name for name in COVER_NAMES if under(public_dir, name).exists()), None)


def feed_url(base_url: str) -> str:
    return base_url.rstrip("/") + "/" + FEED


# --- publishing order and caching -------------------------------------------------------------
# A file whose name carries a digest of its content ("episodes/otan.3f9a0c1b2d.mp3") never changes
# once published: a changed episode gets new names, so it can be cached for ever and is never
# replaced under a feed that states another length.
_VERSIONED = re.compile(r"\.[0-9a-f]{10}\.[a-z0-9.]+$")


def is_immutable(relative: str) -> bool:
    return bool(_VERSIONED.search(relative))


def is_feed(relative: str) -> bool:
    """The subscription feed and its archive pages (RSS documents)."""
    return relative == FEED or (relative.startswith(ARCHIVE + "/") and relative.endswith(".xml"))


def publish_rank(relative: str) -> int:
    """Publish in rank order: files first, then pages, then archive feeds, the feed last.

    Whatever a document links to is in place before the document itself, so an interruption at
    any moment leaves every published document pointing only at files that exist.
    """
    if relative == FEED:
        return 3
    if is_feed(relative):
        return 2
    if is_immutable(relative) or relative in COVER_NAMES:
        return 0
    return 1
