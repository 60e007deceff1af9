"""The show build: articles in ``episodes/`` → episodes and a feed in ``public/``.

1. Read every article first: a bad input stops the build before anything is written.
2. Decide what is current: an episode whose recipe (everything its audio is made from) is
   unchanged and whose files are all published is left alone; a build where nothing changed
   reads the articles and manifests, sends nothing and writes nothing.
3. Publish the rest through :func:`publish_site`: stage a whole new site beside ``public/``,
   build each episode into it (:mod:`pipeline.episode`), render the feed and page, check the
   candidate, then move the new files in (see :mod:`pipeline.publish.staging`).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from pipeline import layout
from pipeline.config import Config
from pipeline.episode import ENGINE_CHOICES, EngineChoice, EpisodeJob, EpisodeReport, build_episode
from pipeline.errors import UserError
from pipeline.manifest import load_manifests, manifest_path, read_manifest
from pipeline.model import Article, EpisodeManifest
from pipeline.text.article import SUPPORTED_SUFFIXES, read_article

if TYPE_CHECKING:
    from pipeline.publish.staging import StagedSite

RECIPE_VERSION = "1"  # bump when a code change must re-speak every episode
LOCK_WAIT_SECONDS = 0.5


@dataclass(frozen=True)
class BuildReport:
    episodes: list[EpisodeReport]
    published: list[str]  # files replaced in public/, relative paths, in the order they were renamed
    feed_path: Path

    def to_dict(self) -> dict:
        return {"episodes": [dataclasses.asdict(e) for e in self.episodes], "published": self.published,
                "feed": str(self.feed_path)}


@dataclass(frozen=True)
class PendingEpisode:
    article: Article
    previous: EpisodeManifest | None
    recipe: str


def discover_sources(episodes_dir: Path) -> list[Path]:
    return sorted(p for p in Path(episodes_dir).iterdir()
                  if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith("."))


def recipe_hash(config: Config, source_hash: str, source: Path) -> str:
    """Everything the audio is made from but the engine (the manifest names the engine that spoke);
    equal hashes mean the published episode is current."""
    from pipeline.text.script import saved_script_path

    saved = saved_script_path(source)
    cover = config.root / config.show.cover if config.show.cover else None
    parts = {
        "version": RECIPE_VERSION,
        "source": source_hash,
        "saved_script": _file_hash(saved),
        "cover": _file_hash(cover) if cover else None,
        "voice": dataclasses.asdict(config.voice), "audio": dataclasses.asdict(config.audio),
        "script": dataclasses.asdict(config.script), "lexicon": config.lexicon, "acronyms": config.acronyms,
        "show": [config.show.title, config.show.author],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _file_hash(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def is_current(config: Config, manifest: EpisodeManifest | None, recipe: str, engine_choice: EngineChoice) -> bool:
    """The published episode was made from this recipe and every file it names is in place."""
    if manifest is None or manifest.recipe_hash != recipe:
        return False
    if engine_choice != "auto" and manifest.engine != engine_choice:
        return False
    if not all(layout.under(config.public_dir, relative).exists() for relative in manifest.files.values()):
        return False
    audio = layout.under(config.public_dir, manifest.files.get("audio", ""))
    return audio.is_file() and audio.stat().st_size == manifest.audio_bytes


def site_inputs_hash(config: Config, public_dir: Path) -> str:
    """What the feed and page are rendered from: the settings and every manifest."""
    digest = hashlib.sha256(RECIPE_VERSION.encode())
    for path in [config.root / "podcast.toml", *layout.manifest_paths(public_dir)]:
        if path.exists():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@contextmanager
def project_lock(config: Config) -> Iterator[None]:
    """One build (or feed rebuild) at a time per project."""
    from filelock import FileLock, Timeout

    config.cache_dir.mkdir(exist_ok=True)
    lock = FileLock(str(config.cache_dir / "build.lock"))
    try:
        lock.acquire(timeout=LOCK_WAIT_SECONDS)
    except Timeout:
        raise UserError(f"{config.root}: another build is running (lock {lock.lock_file})") from None
    try:
        yield
    finally:
        lock.release()


def read_sources(config: Config, sources: list[Path] | None) -> list[Article]:
    """Every article to build, all read (and so all checked) before anything is written."""
    if sources is None:
        if not config.episodes_dir.is_dir():
            raise UserError(f"{config.episodes_dir}: no episodes folder")
        sources = discover_sources(config.episodes_dir)
        if not sources:
            raise UserError(f"{config.episodes_dir}: no article (.txt, .md, .html) to build")
    articles = [read_article(source) for source in sources]
    slugs = [a.slug for a in articles]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise UserError(f"two articles would publish the same episode slug: {', '.join(duplicates)}")
    return articles


def build(config: Config, *, sources: list[Path] | None = None, engine: EngineChoice = "auto", force: bool = False,
          jobs: int | None = None, base_url: str | None = None,
          warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> BuildReport:
    if engine not in ENGINE_CHOICES:
        raise UserError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINE_CHOICES)}")
    articles = read_sources(config, sources)
    with project_lock(config):
        reports, pending = [], []
        for article in articles:
            previous = read_manifest(manifest_path(config.public_dir, article.slug))
            recipe = recipe_hash(config, article.source_hash, article.source)
            if not force and is_current(config, previous, recipe, engine):
                reports.append(EpisodeReport(slug=article.slug, title=previous.title, status="up to date",
                                             engine=previous.engine, duration_seconds=previous.duration_seconds))
            else:
                pending.append(PendingEpisode(article, previous, recipe))
        feed_path = layout.under(config.public_dir, layout.FEED)
        if not pending and not force and base_url is None and _site_is_current(config):
            return BuildReport(reports, [], feed_path)  # nothing changed: no heavy import, no write

        def build_pending(site: "StagedSite", cover: str) -> None:
            for episode in pending:
                reports.append(build_episode(EpisodeJob(
                    config=config, site=site, article=episode.article, previous=episode.previous,
                    recipe=episode.recipe, engine_choice=engine, jobs=jobs or config.synthesis.jobs, cover=cover,
                    warn=warn)))

        published = publish_site(config, build_pending, base_url=base_url)
        return BuildReport(reports, published, feed_path)


def _site_state(config: Config) -> Path:
    return config.cache_dir / "site-inputs.sha256"


def _site_is_current(config: Config) -> bool:
    state = _site_state(config)
    return (layout.under(config.public_dir, layout.FEED).exists() and state.exists()
            and state.read_text() == site_inputs_hash(config, config.public_dir))


def publish_site(config: Config, build_episodes: Callable[["StagedSite", str], None] | None = None, *,
                 base_url: str | None = None) -> list[str]:
    """Stage the site, let ``build_episodes`` add to it, render, check, and commit; the caller holds the lock.

    Returns the files replaced in ``public/``. A failure anywhere leaves ``public/`` as it was.
    """
    from pipeline.fsutil import atomic_write_text
    from pipeline.publish.cover import ensure_cover
    from pipeline.publish.staging import StagedSite

    with StagedSite(config.public_dir) as site:
        cover = ensure_cover(config, site.root)
        if build_episodes:
            build_episodes(site, cover)
        render_site(config, site.root, cover, base_url)
        check_before_publishing(config, site.root, base_url)
        published = site.commit()
    atomic_write_text(_site_state(config), site_inputs_hash(config, config.public_dir))
    return published


def rebuild_feed(config: Config) -> list[str]:
    """``invoke feed``: the feed and page again from the manifests, through the same locked path."""
    with project_lock(config):
        return publish_site(config)


def check_before_publishing(config: Config, public_dir: Path, base_url: str | None) -> None:
    from pipeline.publish.validate import validate_public

    # Loudness of the episodes built now was measured on their MP3 when they were mastered;
    # measuring the whole back catalogue again on every build would grow with it (`invoke validate` does).
    problems = validate_public(config, public_dir, base_url=base_url, check_loudness=False)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UserError(f"refusing to publish: {problems[0]}{more}")


def render_site(config: Config, public_dir: Path, cover: str, base_url: str | None = None) -> None:
    """Write the feed and the landing page in ``public_dir`` from the manifests found there."""
    from pipeline.fsutil import atomic_write_bytes, atomic_write_text
    from pipeline.publish.feed import render_feed
    from pipeline.publish.site import render_index

    manifests = load_manifests(public_dir)
    atomic_write_bytes(layout.under(public_dir, layout.FEED),
                       render_feed(config, manifests, cover_path=cover, base_url=base_url))
    atomic_write_text(layout.under(public_dir, layout.INDEX),
                      render_index(config, manifests, cover_path=cover, public_dir=public_dir, base_url=base_url))
