"""The work behind ``build-episode --url``, ``ingest``, ``update`` and ``remove``; ``pipeline/cli.py``
prints. Each returns what happened; a user mistake or a refusal is a :class:`UserError`.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from pipeline.config import DEFAULT_MIN_WORDS, Config
from pipeline.errors import UserError
from pipeline.fsutil import held_lock
from pipeline.sources import state as st
from pipeline.sources.ingest import IngestReport, draft_from_page, fetch_page, ingest, open_run, save_article

UPDATE_LOCK_WAIT_SECONDS = 0.5


# --- build-episode --url -----------------------------------------------------------------------
@dataclass(frozen=True)
class UrlArticle:
    path: Path
    status: str  # "new", "updated" or "unchanged"


def article_from_url(config: Config, url: str) -> UrlArticle:
    """The page at ``url`` as an article file in ``episodes/``: the same URL always the same file."""
    from pipeline.build import project_lock
    from pipeline.sources.articles import NotAnArticle
    from pipeline.sources.fetch import Fetcher, FetchError, is_remote

    if not is_remote(url):
        raise UserError(f"{url}: --url takes an http:// or https:// address (save a local file in episodes/)")
    with project_lock(config), Fetcher(config.fetch, config.root) as fetcher:
        run = open_run(config, fetcher)
        try:
            page, final_url = fetch_page(fetcher, url)
            urls = [url, final_url, page.canonical_url]
            if run.retired_urls & set(urls):
                raise UserError(f"{url}: this article was taken out of the show (episodes/retired.json); "
                                "remove its record there to bring it back")
            key, _ = run.state.find(None, urls)
            key = key or f"url:{page.canonical_url or final_url}"
            run.state.entries.setdefault(key, st.EntryRecord("url", st.WRITTEN, link=url))
            draft = draft_from_page(page, final_url, site_name=page.site_name)
            path = save_article(run, key, draft, min_words=DEFAULT_MIN_WORDS, overwrite_edits=True)
        except (FetchError, NotAnArticle) as exc:
            raise UserError(f"{url}: {exc}") from None
        run.state.save()
    status = "new" if path in run.report.new else "updated" if path in run.report.updated else "unchanged"
    return UrlArticle(path, status)


# --- ingest and update -------------------------------------------------------------------------
def ingest_sources(config: Config) -> IngestReport:
    if not config.sources:
        raise UserError(f"{config.root / 'podcast.toml'}: no [[sources]] to ingest; add a feed "
                        "(see README, \"Articles from the web\")")
    return ingest(config)


@dataclass
class UpdateReport:
    ingest: IngestReport | None = None
    build: object | None = None  # pipeline.build.BuildReport
    problems: list[str] = field(default_factory=list)
    published_before: set[str] = field(default_factory=set)  # episode slugs in the feed before this run
    digest: object | None = None  # pipeline.digest.DigestReport, when the schedule asks for one
    publish: object | None = None  # pipeline.hosting.PublishReport, when a target is configured
    announced: object | None = None  # pipeline.announce.AnnounceReport, when [announce] names someone

    @property
    def built(self) -> list[str]:
        if not self.build:
            return []
        return [e.slug for e in self.build.episodes if e.status == "built" and e.slug not in self.build.drafts]

    @property
    def drafted(self) -> list[str]:
        """Drafts built in this run: spoken, waiting for invoke approve, not published."""
        return [e.slug for e in self.build.episodes if e.status == "built" and e.slug in self.build.drafts] \
            if self.build else []


@contextmanager
def update_lock(config: Config) -> Iterator[None]:
    """One update at a time: cron runs that overlap must not interleave ingest and build."""
    with held_lock(config.cache_dir / "update.lock", wait_seconds=UPDATE_LOCK_WAIT_SECONDS,
                   busy=f"{config.root}: another update is still running"):
        yield


def update(config: Config, *, engine: str, warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
           ) -> UpdateReport:
    """Ingest, build, the digest when ``[digest] schedule`` asks for one, then publish where
    ``[publish] to`` says. Each step runs after the one before succeeded."""
    from pipeline import layout
    from pipeline.build import build, discover_sources

    report = UpdateReport(published_before={p.stem for p in layout.manifest_paths(config.public_dir)})
    with update_lock(config):
        if config.sources:
            report.ingest = ingest(config)
            report.problems += report.ingest.problems
        if config.episodes_dir.is_dir() and discover_sources(config.episodes_dir):
            try:
                report.build = build(config, engine=engine, warn=warn)
            except UserError as exc:
                report.problems.append(f"build: {exc}")
        _then(report, "digest", lambda: _scheduled_digest(config, engine, warn))
        _then(report, "publish", lambda: _configured_publish(config))
        # The new feed is live (on the target, or in public/ when that is what is served): tell
        # the hubs. A failed ping is a warning, never a problem of the update.
        _then(report, "announced", lambda: _announce(config, warn))
    return report


def _announce(config: Config, warn):
    if not (config.announce.hubs or config.announce.notify):
        return None
    from pipeline.announce import announce

    return announce(config, warn=warn)


def _then(report: UpdateReport, step: str, run: Callable[[], object]) -> None:
    """One more step of the update, unless one before it failed."""
    if report.problems:
        return
    try:
        setattr(report, step, run())
    except UserError as exc:
        report.problems.append(f"{step}: {exc}")


def _scheduled_digest(config: Config, engine: str, warn):
    if config.digest.schedule == "off":
        return None
    from pipeline.digest import build_digest

    return build_digest(config, engine=engine, warn=warn)


def _configured_publish(config: Config):
    from pipeline.hosting import publish_configured

    return publish_configured(config)


# --- remove ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Removal:
    slug: str
    files: tuple[Path, ...]  # deleted from episodes/
    recorded: bool  # written to episodes/retired.json (False: it was never published)


def remove(config: Config, slug: str) -> Removal:
    """Take an episode out of the show: its article and saved script deleted, its identity kept in
    ``episodes/retired.json``, and ingest told never to bring its entry back."""
    from pipeline.build import project_lock
    from pipeline.manifest import manifest_path, read_manifest
    from pipeline.sources.articles import catalogue
    from pipeline.text.article import slugify
    from pipeline.text.script import saved_script_path

    slug = slugify(slug)
    with project_lock(config):
        found = catalogue(config.episodes_dir).get(slug) if config.episodes_dir.is_dir() else None
        article, meta = (found.path, found.meta) if found else (None, {})
        manifest = read_manifest(manifest_path(config.public_dir, slug))
        if article is None and manifest is None:
            raise UserError(f"{slug}: no such episode (no article in {config.episodes_dir}, nothing published)")
        state = st.IngestState.load(config.episodes_dir)
        key, record = state.by_file(article.name) if article else (None, None)
        entry_id = meta.get("entry_id") or (key if record and record.source != "url" else None)
        if manifest is not None:
            _record_retired(config, manifest, entry_id, meta.get("source_url"))
        if record is not None:
            record.status, record.reason = st.REMOVED, "removed with invoke remove"
        files = tuple(p for p in ([article, saved_script_path(article)] if article else []) if p.exists())
        for path in files:
            path.unlink()
        state.save()
    return Removal(slug, files, manifest is not None)


def _record_retired(config: Config, manifest, entry_id: str | None, source_url: str | None) -> None:
    from pipeline.retired import load_retired, retired_from, save_retired

    records = load_retired(config.episodes_dir)
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    record = retired_from(manifest, retired_at=now, entry_id=entry_id)
    if record.source_url is None and source_url:
        record = replace(record, source_url=str(source_url))
    records[manifest.slug] = record
    save_retired(config.episodes_dir, records)
