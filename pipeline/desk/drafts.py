"""Drafts: episodes built and spoken, so an editor can hear them, but kept out of every published
file until approved.

An article is a draft when its front matter says ``status = "draft"`` (ingest writes it for a
``[[sources]]`` table with ``review = true``) and it is not approved yet. A draft is built like any
episode, into ``review/drafts/`` (laid out as ``public/`` is, with a catalogue of its own), so the
public catalogue, and everything published from it (feeds, pages, digests, sidecars), never
sees it. ``invoke approve`` moves its files into ``public/`` as they are (nothing is spoken
again: the recipe is the same, so the next build finds it current) and records the slug in
``episodes/approved.json`` (commit it, like ``retired.json``). An episode already published is
never taken back to a draft by its front matter.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pipeline import layout
from pipeline.catalogue import Catalogue, load_catalogue, save_catalogue
from pipeline.config import Config
from pipeline.desk.paths import approvals_path, drafts_cache, drafts_dir
from pipeline.errors import UserError, command
from pipeline.fsutil import FileSizes, atomic_write_text
from pipeline.manifest import manifest_json
from pipeline.model import EpisodeManifest


@dataclass
class Shelf:
    """The drafts: their folder, their catalogue, and the approved slugs."""

    folder: Path
    cache: Path
    catalogue: Catalogue
    approved: dict[str, str]  # slug → when it was approved (ISO 8601)

    @classmethod
    def load(cls, config: Config) -> "Shelf":
        folder, cache = drafts_dir(config.root), drafts_cache(config.cache_dir)
        return cls(folder, cache, load_catalogue(folder, cache), load_approvals(config.episodes_dir))

    def is_draft(self, slug: str, marked: bool, published: Catalogue) -> bool:
        """Marked draft, not approved, and not already in the show."""
        return marked and slug not in self.approved and published.get(slug) is None

    def sizes(self) -> FileSizes:
        return FileSizes(self.folder)

    def save(self) -> None:
        save_catalogue(self.catalogue, self.folder, self.cache)


def load_approvals(episodes_dir: Path) -> dict[str, str]:
    path = approvals_path(episodes_dir)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(slug): str(when) for slug, when in data["approved"].items()}
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: damaged ({exc}); it lists the approved drafts: mend it from git") from None


def save_approvals(episodes_dir: Path, approved: dict[str, str]) -> None:
    text = json.dumps({"version": 1, "approved": dict(sorted(approved.items()))}, ensure_ascii=False, indent=2)
    atomic_write_text(approvals_path(episodes_dir), text + "\n")


def build_drafts(config: Config, shelf: Shelf, pending: list, present: set[str], **options) -> list:
    """Build the pending drafts into ``review/drafts/`` and drop the drafts that are none any more
    (approved, deleted, or no longer marked); ``options``: engine, jobs, warn. Returns their reports."""
    from pipeline.build import _retire, build_episodes
    from pipeline.episode import EpisodeJob
    from pipeline.publish.cover import stage_cover
    from pipeline.publish.staging import StagedSite

    stale = [m for m in shelf.catalogue.manifests if m.slug not in present]
    if not pending and not stale:
        return []
    with StagedSite(shelf.folder) as site:
        cover = stage_cover(config, site)
        jobs = [EpisodeJob(config=config, site=site, article=e.article, identity=e.identity, previous=e.previous,
                           recipe=e.recipe, engine_choice=options["engine"], jobs=options["jobs"], cover=cover,
                           warn=options["warn"]) for e in pending]
        reports = build_episodes(jobs, shelf.catalogue)
        for manifest in stale:
            _retire(site, shelf.catalogue, manifest)
        site.commit()
    shelf.save()
    return reports


def adopt(site, catalogue: Catalogue, manifest: EpisodeManifest, folder: Path) -> None:
    """A draft's files into the candidate site as they are (nothing spoken or encoded again)."""
    for relative in manifest.files.values():
        target = site.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / relative, target)
    text = manifest_json(manifest)
    site.write(layout.manifest_file(manifest.slug), text)
    catalogue.put(manifest, text)


def approve(config: Config, slugs: list[str], *, every: bool = False) -> list[EpisodeManifest]:
    """Publish these drafts (or all of them) as they were built; returns their manifests."""
    from pipeline import inputs
    from pipeline.build import Plan, _retire, project_lock, publish_site
    from pipeline.publish.staging import StagedSite

    with project_lock(config):
        shelf = Shelf.load(config)
        chosen = _chosen(config, shelf, slugs, every)
        if not chosen:
            return []
        catalogue = load_catalogue(config.public_dir, config.cache_dir)
        publish_site(config, catalogue, Plan(adopted=[(m, shelf.folder) for m in chosen]))
        save_catalogue(catalogue, config.public_dir, config.cache_dir)
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        save_approvals(config.episodes_dir, {**shelf.approved, **{m.slug: now for m in chosen}})
        with StagedSite(shelf.folder) as site:
            for manifest in chosen:
                _retire(site, shelf.catalogue, manifest)
            site.commit()
        shelf.save()
    inputs.forget(config)  # the published folders changed under the fingerprint
    from pipeline.desk.review import review_pages

    review_pages(config, [m.slug for m in chosen], lambda message: None)  # now "published", its audio in public/
    return chosen


def _chosen(config: Config, shelf: Shelf, slugs: list[str], every: bool) -> list[EpisodeManifest]:
    from pipeline.text.article import slugify

    if every:
        return shelf.catalogue.manifests
    if not slugs:
        raise UserError(f"say which drafts: {command('approve')} SLUG [SLUG…], or --all")
    chosen, missing = [], []
    for slug in map(slugify, slugs):
        manifest = shelf.catalogue.get(slug)
        (chosen.append(manifest) if manifest else missing.append(slug))
    if missing:
        known = ", ".join(m.slug for m in shelf.catalogue.manifests) or "none"
        raise UserError(f"{', '.join(missing)}: no such draft in {shelf.folder} (drafts: {known}); "
                        f"a draft is built first ({command('build-episode')})")
    return chosen


def drafts(config: Config) -> list[EpisodeManifest]:
    """The drafts built and waiting, the oldest first."""
    return list(reversed(Shelf.load(config).catalogue.manifests))
