"""An episode as the embedded player reads it: ``embed/<slug>.json`` and the lookup files.

Every URL is absolute: the player runs on a newsroom's page, another origin. The object is the
one the contract with ``embed.js`` describes (version ``v``); a lookup file carries the same
object, whose ``url`` tells a hash clash apart.
"""
from __future__ import annotations

import json

from pipeline import layout
from pipeline.config import Config
from pipeline.disclosure import episode_sentence
from pipeline.model import EpisodeManifest
from pipeline.norms import FEED_TYPES
from pipeline.player.urls import lookup_hash, normalise_url

VERSION = 1


def article_urls(manifest: EpisodeManifest) -> list[str]:
    """The article's normalised URLs, the page's canonical one first (the player looks up the page's
    ``<link rel="canonical">``, else its address); none: only ``data-balado-episode`` finds it."""
    urls = (normalise_url(manifest.canonical_url), normalise_url(manifest.source_url))
    return [url for url in dict.fromkeys(urls) if url]


def episode_data(config: Config, manifest: EpisodeManifest, *, base_url: str | None,
                 cover: str | None, url: str | None = None) -> dict:
    """``url``: the article URL a lookup file is for (default: the article's first)."""
    from pipeline.publish.feed import plain_text

    base = (base_url or config.show.base_url).rstrip("/")
    audio, vtt = manifest.files["audio"], manifest.files.get("vtt")
    return {
        "v": VERSION,
        "slug": manifest.slug,
        "url": url or next(iter(article_urls(manifest)), None),
        "title": plain_text(manifest.title),
        "show": plain_text(config.show.title),
        "page": layout.file_url(base, layout.episode_page(manifest.slug)),
        "audio": layout.enclosure_url(base, audio, config.analytics.prefix),
        "download": layout.file_url(base, audio),
        "type": FEED_TYPES["audio"],
        "duration": manifest.duration_seconds,
        "vtt": layout.file_url(base, vtt) if vtt else None,
        "image": layout.file_url(base, cover) if cover else None,
        "chapters": [{"start": c.start, "title": plain_text(c.title)}
                     for c in sorted(manifest.chapters, key=lambda c: c.start)],
        "disclosure": episode_sentence(config, manifest.engine, kind=manifest.kind) or None,
    }


def data_json(data: dict) -> str:
    """Compact, UTF-8 as written (French stays readable), one line."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def lookup_files(manifests: list[EpisodeManifest]) -> dict[str, tuple[EpisodeManifest, str]]:
    """{lookup file: (episode, article URL)} for every article URL; two episodes of one article:
    the newest wins."""
    from pipeline.manifest import newest_first

    files: dict[str, tuple[EpisodeManifest, str]] = {}
    for manifest in newest_first(manifests):
        for url in article_urls(manifest):
            files.setdefault(layout.embed_lookup(lookup_hash(url)), (manifest, url))
    return files
