"""Where every published file lives: the one place that spells the layout of ``public/``.

Paths here are relative to the public folder, with ``/`` separators (they are URLs too);
:func:`under` turns one into a path on disk. Every other module asks this one.

An episode's media files carry a digest of their content in their name
(``episodes/otan.3f9a0c1b2d.mp3``): a re-spoken episode gets new names, so a published file is
never replaced under a feed that states another length, and every cache may keep it for ever.
Its manifest (``episodes/otan.json``) and page (``episodes/otan.html``) keep stable names.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Iterator

FEED = "feed.xml"
DIGEST_FEED = "digest.xml"  # the digests' own feed, when a show wants two
DIGEST_COVER = "digest-cover.png"
INDEX = "index.html"
EPISODES = "episodes"
ARCHIVE = "archive"
COVER_STEM = "cover"
COVER_NAMES = ("cover.png", "cover.jpg")
MANIFEST_SUFFIX = ".json"
PAGE_SUFFIX = ".html"
STAGING_PREFIX = ".staging-"
DIGEST_CHARS = 10
# What each kind of episode file is called after its slug and digest.
EPISODE_SUFFIXES = {"audio": "mp3", "vtt": "vtt", "srt": "srt", "chapters": "chapters.json"}
_VERSIONED = re.compile(rf"\.[0-9a-f]{{{DIGEST_CHARS}}}\.[a-z0-9.]+$")


def under(public_dir: Path | str, relative: str) -> Path:
    return Path(public_dir) / relative


def content_digest(data: bytes | Path) -> str:
    """The digest that names a file: of ``data``, or of the file at that path."""
    if isinstance(data, Path):
        with open(data, "rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()[:DIGEST_CHARS]
    return hashlib.sha256(data).hexdigest()[:DIGEST_CHARS]


# --- one episode ------------------------------------------------------------------------------
def episode_file(slug: str, kind: str, digest: str) -> str:
    """The published name of an episode's ``kind`` file ("audio", "vtt", "srt", "chapters") whose
    content has ``digest`` (see :func:`content_digest`)."""
    return f"{EPISODES}/{slug}.{digest[:DIGEST_CHARS]}.{EPISODE_SUFFIXES[kind]}"


def manifest_file(slug: str) -> str:
    return f"{EPISODES}/{slug}{MANIFEST_SUFFIX}"


def episode_page(slug: str) -> str:
    return f"{EPISODES}/{slug}{PAGE_SUFFIX}"


def manifest_path(public_dir: Path | str, slug: str) -> Path:
    return under(public_dir, manifest_file(slug))


def is_manifest_name(name: str) -> bool:
    """``otan.json`` is a manifest; ``otan.3f9a0c1b2d.chapters.json`` is not."""
    return name.endswith(MANIFEST_SUFFIX) and not _VERSIONED.search(name) and "." not in name[:-len(MANIFEST_SUFFIX)]


def manifest_paths(public_dir: Path | str) -> Iterator[Path]:
    """Every episode manifest under ``public_dir``, in name order."""
    folder = Path(public_dir) / EPISODES
    return (p for p in sorted(folder.glob(f"*{MANIFEST_SUFFIX}")) if is_manifest_name(p.name))


def slug_of_manifest(name: str) -> str:
    return name[:-len(MANIFEST_SUFFIX)]


# --- the embeddable player (pipeline.player) --------------------------------------------------
EMBED = "embed"
EMBED_ASSETS = ("embed.js", "embed.css")  # stable names: newsrooms hard-code https://<host>/embed.js


def embed_data(slug: str) -> str:
    """The episode as the player reads it (``data-balado-episode``)."""
    return f"{EMBED}/{slug}.json"


def embed_page(slug: str) -> str:
    """The player alone, for an iframe."""
    return f"{EMBED}/{slug}{PAGE_SUFFIX}"


def embed_oembed(slug: str) -> str:
    return f"{EMBED}/{slug}.oembed.json"


def embed_lookup(name: str) -> str:
    """The episode of one article URL (``name``: :func:`pipeline.player.urls.lookup_hash`)."""
    return f"{EMBED}/lookup/{name}.json"


def is_embed(relative: str) -> bool:
    return relative in EMBED_ASSETS or relative.startswith(EMBED + "/")


# --- the show ---------------------------------------------------------------------------------
def cover_name(extension: str) -> str:
    """``cover.png`` / ``cover.jpg``: feeds want exactly one of these two extensions."""
    return COVER_STEM + extension


def published_cover(public_dir: Path | str) -> str | None:
    """The cover already published in ``public_dir``, if any."""
    return next((name for name in COVER_NAMES if under(public_dir, name).exists()), None)


def file_url(base_url: str, relative_path: str) -> str:
    """Absolute, ASCII URL of a file of public/ (Apple wants ASCII URLs)."""
    from urllib.parse import quote

    return base_url.rstrip("/") + "/" + quote(relative_path.lstrip("/"), safe="/")


def enclosure_url(base_url: str, relative_path: str, prefix: str | None = None) -> str:
    """The public URL of an episode's audio, as the feed, the pages and the embed player give it.

    With ``[analytics] prefix`` (OP3 ``https://op3.dev/e/``, Podtrac, a newsroom's own) the URL
    goes through the prefix service, which counts the download and redirects to the file:
    ``prefix`` + the URL without ``https://`` (an ``http://`` one is kept whole).
    """
    url = file_url(base_url, relative_path)
    if not prefix:
        return url
    return prefix.rstrip("/") + "/" + (url[len("https://"):] if url.startswith("https://") else url)


def feed_url(base_url: str, feed: str = FEED) -> str:
    return base_url.rstrip("/") + "/" + feed


def archive_feed(number: int, feed: str = FEED) -> str:
    """The RFC 5005 archive ``number`` of ``feed`` (1 holds the oldest episodes)."""
    return f"{ARCHIVE}/{feed.removesuffix('.xml')}-{number}.xml"


def subscription_of(relative: str) -> str:
    """The subscription feed a feed document belongs to: itself, or the feed an archive continues."""
    if relative.startswith(ARCHIVE + "/") and relative.endswith(".xml"):
        return relative[len(ARCHIVE) + 1:].rsplit("-", 1)[0] + ".xml"
    return relative


def archive_page(number: int) -> str:
    """The HTML archive page ``number`` (1 lists the oldest episodes)."""
    return f"{ARCHIVE}/page-{number}{PAGE_SUFFIX}"


# --- publishing order and caching -------------------------------------------------------------
def is_immutable(relative: str) -> bool:
    """A name carrying a digest of its content: it never changes once published."""
    return bool(_VERSIONED.search(relative))


def is_feed(relative: str) -> bool:
    """A subscription feed or one of its archives (RSS documents)."""
    return relative in (FEED, DIGEST_FEED) or (relative.startswith(ARCHIVE + "/") and relative.endswith(".xml"))


def publish_rank(relative: str) -> int:
    """Publish in rank order: files first, then pages, then archive feeds, the feed last.

    Whatever a document links to is in place before the document itself, so an interruption at
    any moment leaves every published document pointing only at files that exist.
    """
    if relative in (FEED, DIGEST_FEED):
        return 3
    if is_feed(relative):
        return 2
    if is_immutable(relative) or relative in (*COVER_NAMES, DIGEST_COVER):
        return 0
    return 1


def publish_key(relative: str) -> tuple:
    """Sort by this to publish: by rank, and within the pages, episode pages before the archive
    pages and the index that link to them."""
    page_order = 2 if relative == INDEX else 1 if relative.startswith(ARCHIVE + "/") else 0
    return publish_rank(relative), page_order, relative


def publish_order(relatives) -> list[str]:
    return sorted(relatives, key=publish_key)
