"""Which of the site's documents a build renders: only those whose inputs changed.

Every document (the feed, the archive feeds, the landing page, the archive pages, one page per
episode) has a key: a digest of everything it is rendered from (the show's settings, the
templates, the manifests it lists, its place among the archives). The keys of what is published
are kept in ``.cache/site-state.json``; a build renders the documents whose key changed or whose
file is missing, and removes the ones the show no longer has (an archive page emptied by a
retired episode, a retired episode's page). A new episode in a show of thousands re-renders the
feed, the landing page, its own page and the newest archives: never the rest.

The embeddable player's files follow the same rule: ``embed.js``/``embed.css`` keyed by their
bytes, and per published episode its data, iframe page, oEmbed answer and article lookup file
(:mod:`pipeline.player`), keyed by its manifest; a retired episode or a draft has none.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from pipeline import layout
from pipeline.config import Config
from pipeline.fsutil import FileSizes, atomic_write_text
from pipeline.publish import paging

if TYPE_CHECKING:
    from pipeline.catalogue import Catalogue
    from pipeline.publish.staging import StagedSite

SITE_VERSION = "2"  # bump when a code change must re-render every document
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Document:
    relative: str
    key: str
    render: Callable[[], bytes | str]


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _show_key(config: Config, cover: str | None, base_url: str | None) -> str:
    templates = [(p.name, p.read_bytes().hex()) for p in sorted(TEMPLATES.iterdir()) if p.is_file()]
    listing = [dataclasses.asdict(section) for section in (config.announce, config.disclosure, config.directory,
                                                              config.analytics)]  # feed tags they write
    return _digest(SITE_VERSION, dataclasses.asdict(config.show), dataclasses.asdict(config.site), cover, base_url,
                   listing, config.digest.schedule,
                   hashlib.sha256(json.dumps(templates).encode()).hexdigest())


def feeds(config: Config, newest: list) -> dict[str, tuple[list, str | None]]:
    """The subscription feeds and what each carries: {feed: (episodes newest first, channel title)}.
    Digests are in the show's feed, or in their own when the show wants two."""
    if config.digest.feed != "digest":
        return {layout.FEED: (newest, None)}
    title = config.digest.show_title.format(show=config.show.title)
    return {layout.FEED: ([m for m in newest if m.kind != "digest"], None),
            layout.DIGEST_FEED: ([m for m in newest if m.kind == "digest"], title)}


def site_documents(config: Config, catalogue: "Catalogue", site: "StagedSite", *, cover: str | None,
                   base_url: str | None = None, covers: dict[str, str] | None = None) -> list[Document]:
    """Every document of the site, each with its key and how to render it (``covers``: a
    subscription feed's own cover, when it is not the show's)."""
    show_key = _show_key(config, cover, base_url)
    newest = catalogue.manifests
    members = lambda episodes: [catalogue.digest(m.slug) for m in episodes]  # noqa: E731
    documents = []
    for name, (episodes, title) in feeds(config, newest).items():
        own_cover = (covers or {}).get(name, cover)
        for feed in paging.feed_documents(episodes, feed_items=config.site.feed_items,
                                          archive_items=config.site.archive_items, feed=name):
            key = _digest(show_key, feed.relative, feed.links, members(feed.episodes), own_cover, title)
            documents.append(Document(feed.relative, key, _feed_renderer(config, feed, own_cover, base_url, title)))
    newest = feeds(config, newest)[layout.FEED][0]  # the pages follow the show's feed
    for page in paging.page_documents(newest, latest=config.site.latest_episodes,
                                      archive_items=config.site.archive_items):
        documents.append(Document(page.relative, _digest(show_key, page.relative, page.pages, members(page.episodes)),
                                  _page_renderer(config, page, cover, base_url)))
    for manifest in catalogue.manifests:
        relative = layout.episode_page(manifest.slug)
        documents.append(Document(relative, _digest(show_key, relative, catalogue.digest(manifest.slug)),
                                  _episode_renderer(config, manifest, site, cover, base_url)))
    return documents + embed_documents(config, catalogue, site, show_key, cover=cover, base_url=base_url)


def embed_documents(config: Config, catalogue: "Catalogue", site: "StagedSite", show_key: str, *,
                    cover: str | None, base_url: str | None) -> list[Document]:
    """The player's files (``embed.js``, ``embed.css``) and, for each published episode, what the
    player reads: its data, the iframe page, the oEmbed answer and its article's lookup file."""
    from pipeline.player import HOME
    from pipeline.player.data import lookup_files

    documents = [Document(name, _digest(name, hashlib.sha256((HOME / name).read_bytes()).hexdigest()),
                          (HOME / name).read_bytes)  # keyed by its bytes: copied again only when it changed
                 for name in layout.EMBED_ASSETS if (HOME / name).is_file()]
    size = _cover_size(site, cover)
    shared = _digest(show_key, (HOME / "embed.html.j2").read_text(encoding="utf-8"), size)
    renderers = functools.partial(_embed_renderers, config, site=site, cover=cover, base_url=base_url, size=size)
    for manifest in catalogue.manifests:
        for relative, render in renderers(manifest).items():
            documents.append(Document(relative, _digest(shared, relative, catalogue.digest(manifest.slug)), render))
    for relative, (manifest, url) in lookup_files(catalogue.manifests).items():
        render = functools.partial(_lookup_json, config, manifest, url=url, cover=cover, base_url=base_url)
        documents.append(Document(relative, _digest(shared, relative, catalogue.digest(manifest.slug)), render))
    return documents


def _lookup_json(config, manifest, *, url: str, cover, base_url) -> str:
    """The episode under one of its article's URLs (its ``url`` says which: a hash clash is told apart)."""
    from pipeline.player import data

    return data.data_json(data.episode_data(config, manifest, base_url=base_url, cover=cover, url=url))


def _cover_size(site: "StagedSite", cover: str | None) -> tuple[int, int] | None:
    """The cover's pixels (oEmbed's thumbnail size), read from its header only."""
    if not cover or not site.resolve(cover).is_file():
        return None
    from PIL import Image

    with Image.open(site.resolve(cover)) as image:
        return image.size


def _embed_renderers(config, manifest, *, site: "StagedSite", cover, base_url, size) -> dict[str, Callable]:
    """{published file: how to render it} of one episode's player files."""
    from pipeline.player import data, pages

    def episode_json() -> str:
        return data.data_json(data.episode_data(config, manifest, base_url=base_url, cover=cover))

    def page() -> str:
        return pages.render_embed_page(config, manifest, vtt=_vtt(site, manifest), base_url=base_url)

    def oembed() -> str:
        return pages.oembed_json(pages.oembed(config, manifest, base_url=base_url, cover=cover, cover_size=size))
    return {layout.embed_data(manifest.slug): episode_json, layout.embed_page(manifest.slug): page,
            layout.embed_oembed(manifest.slug): oembed}


def _vtt(site: "StagedSite", manifest) -> str | None:
    """The episode's WebVTT text, if it has one (its transcript, on its pages)."""
    vtt_file = manifest.files.get("vtt")
    vtt_path = site.resolve(vtt_file) if vtt_file else None
    return vtt_path.read_text(encoding="utf-8") if vtt_path and vtt_path.is_file() else None


def _feed_renderer(config, feed: paging.FeedDocument, cover, base_url, title=None):
    def render() -> bytes:
        from pipeline.publish.feed import render_feed

        return render_feed(config, feed.episodes, cover_path=cover, base_url=base_url, relative=feed.relative,
                           links=feed.links, channel_title=title)
    return render


def _page_renderer(config, page: paging.PageDocument, cover, base_url):
    def render() -> str:
        from pipeline.publish.site import render_archive_page, render_index

        if page.number == 0:
            return render_index(config, page.episodes, cover_path=cover, base_url=base_url, archive_pages=page.pages)
        return render_archive_page(config, page, cover_path=cover, base_url=base_url)
    return render


def _episode_renderer(config, manifest, site: "StagedSite", cover, base_url):
    def render() -> str:
        from pipeline.publish.site import render_episode_page

        return render_episode_page(config, manifest, vtt=_vtt(site, manifest), cover_path=cover, base_url=base_url)
    return render


# --- what was published -----------------------------------------------------------------------
def _state_path(config: Config) -> Path:
    return config.cache_dir / "site-state.json"


def load_state(config: Config) -> dict[str, str]:
    try:
        state = json.loads(_state_path(config).read_text(encoding="utf-8"))
        return state if isinstance(state, dict) else {}
    except (OSError, ValueError):
        return {}  # no state yet: every document is rendered


def save_state(config: Config, state: dict[str, str]) -> None:
    config.cache_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(_state_path(config), json.dumps(state, sort_keys=True, separators=(",", ":")))


def stage_documents(site: "StagedSite", documents: list[Document], published: dict[str, str], *,
                    force: bool = False) -> tuple[dict[str, str], list[str]]:
    """Render into ``site`` every document whose key changed (or whose file is gone), remove the
    ones the show no longer has; return the new state and the documents rendered."""
    state, rendered = {}, []
    present = FileSizes(site.public)  # a listing per folder, not a stat per document (thousands of them)
    for document in documents:
        state[document.relative] = document.key
        current = published.get(document.relative) == document.key and present.size(document.relative) is not None
        if force or not current:
            site.write(document.relative, document.render())
            rendered.append(document.relative)
    for relative in sorted(set(published) - set(state)):
        site.remove(relative)
    return state, rendered


def preview_documents(config: Config, catalogue: "Catalogue", *, cover: str | None, base_url: str) -> dict[str, bytes | str]:
    """The documents that name the site's address (the feeds and the landing page) rendered for
    ``base_url`` instead of the configured one: what `invoke serve --base-url` serves on top."""
    documents: dict[str, bytes | str] = {}
    for name, (episodes, title) in feeds(config, catalogue.manifests).items():
        own_cover = layout.DIGEST_COVER if name == layout.DIGEST_FEED else cover
        for feed in paging.feed_documents(episodes, feed_items=config.site.feed_items,
                                          archive_items=config.site.archive_items, feed=name):
            documents[feed.relative] = _feed_renderer(config, feed, own_cover, base_url, title)()
    landing = paging.page_documents(feeds(config, catalogue.manifests)[layout.FEED][0],
                                    latest=config.site.latest_episodes, archive_items=config.site.archive_items)[0]
    documents[landing.relative] = _page_renderer(config, landing, cover, base_url)()
    return documents
