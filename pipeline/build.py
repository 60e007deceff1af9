"""The show build: articles in ``episodes/`` → episodes and a feed in ``public/``.

1. **Nothing changed?** One scan of ``episodes/`` and a few stats give the inputs' fingerprint;
   equal to the last build's, the build is over: no article, manifest or page is read.
2. **Read** the articles that changed since the last build (:mod:`pipeline.inputs`): a bad one
   stops the build before anything is written.
3. **Plan** (:func:`plan_build`): an episode whose recipe (everything its audio is made from) is
   unchanged and whose files are all published is current; the others are built, each with the
   identity (GUID, number, pubDate) it had, or a new one; an episode whose article left
   ``episodes/`` is retired (:mod:`pipeline.retired`).
4. **Publish** (:func:`publish_site`): stage what changes beside ``public/``, build the episodes
   into it (:mod:`pipeline.episode`), render the documents whose inputs changed
   (:mod:`pipeline.publish.documents`), check the candidate, then move the new files in (see
   :mod:`pipeline.publish.staging`). A failure anywhere leaves ``public/`` as it was.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from pipeline import inputs, layout
from pipeline.catalogue import Catalogue, load_catalogue, save_catalogue
from pipeline.config import Config
from pipeline.episode import ENGINE_CHOICES, EngineChoice, EpisodeJob, EpisodeReport, Identity, Programme
from pipeline.errors import UserError
from pipeline.fsutil import FileSizes, held_lock
from pipeline.manifest import manifest_json, new_guid, podcast_guid, pub_datetime
from pipeline.model import Article, EpisodeManifest
from pipeline.numbers import Numbering
from pipeline.retired import RetiredEpisode, load_retired, retired_from, save_retired
from pipeline.text.article import SUPPORTED_SUFFIXES, read_article

if TYPE_CHECKING:
    from pipeline.publish.staging import StagedSite

RECIPE_VERSION = "1"  # bump when a code change must re-speak every episode
FINISHING = 2  # episodes mastered at once while the next is assembled: one per core
DIGEST_SOUNDS = ("intro_music", "outro_music", "transition_sting")  # only digests play them
LOCK_WAIT_SECONDS = 0.5


@dataclass(frozen=True)
class BuildReport:
    episodes: list[EpisodeReport]  # built, then up to date (only those examined)
    published: list[str]  # files replaced in public/, in the order they were moved in
    feed_path: Path
    deleted: list[str] = field(default_factory=list)  # files removed after the new feed was in place
    retired: list[str] = field(default_factory=list)  # slugs taken out of the show
    unchanged: int = 0  # articles found current without being read (the no-op path)
    drafts: list[str] = field(default_factory=list)  # slugs built (or current) as drafts: not published

    def to_dict(self) -> dict:
        return {"episodes": [dataclasses.asdict(e) for e in self.episodes], "published": self.published,
                "deleted": self.deleted, "retired": self.retired, "unchanged": self.unchanged, "drafts": self.drafts,
                "feed": str(self.feed_path)}


@dataclass(frozen=True)
class Source:
    """One article file as the build knows it: read now (``article``) or known from the index."""

    path: Path
    record: inputs.SourceRecord
    article: Article | None = None


@dataclass(frozen=True)
class PendingEpisode:
    article: Article
    identity: Identity
    previous: EpisodeManifest | None
    recipe: str
    restores_voice: bool = False  # it has the offline voice only because Google was unreachable
    programme: Programme | None = None  # a digest: its own script, music and chapter links


@dataclass
class Plan:
    pending: list[PendingEpisode] = field(default_factory=list)
    current: list[EpisodeReport] = field(default_factory=list)
    offline_voiced: list[PendingEpisode] = field(default_factory=list)  # re-spoken if Google answers now
    retiring: list[EpisodeManifest] = field(default_factory=list)
    returning: list[str] = field(default_factory=list)  # retired slugs whose article came back
    drafts: list[PendingEpisode] = field(default_factory=list)  # built into review/drafts/, not published
    draft_slugs: set[str] = field(default_factory=set)  # every draft now, built or current
    adopted: list = field(default_factory=list)  # (manifest, folder): approved drafts moved in as they are
    numbering: Numbering | None = None  # the numbers this build gives, reserved before it publishes


def is_article(name: str) -> bool:
    return Path(name).suffix.lower() in SUPPORTED_SUFFIXES and not name.startswith(".")


def discover_sources(episodes_dir: Path) -> list[Path]:
    return sorted(Path(episodes_dir) / name for name in inputs.scan(Path(episodes_dir)) if is_article(name))


def _saved_script_name(name: str) -> str:
    return Path(name).stem + ".script.json"


def recipe_settings(config: Config, cover_hash: str | None) -> dict:
    """The part of a recipe every episode of the show shares: computed once per build."""
    return {
        "version": RECIPE_VERSION,
        "cover": cover_hash,
        "voice": dataclasses.asdict(config.voice),
        "audio": {k: v for k, v in dataclasses.asdict(config.audio).items() if k not in DIGEST_SOUNDS},
        "script": dataclasses.asdict(config.script), "lexicon": config.lexicon.to_toml(), "acronyms": config.acronyms,
        "disclosure": config.disclosure.episode,  # said in every intro
        "show": [config.show.title, config.show.author],
    }


def recipe_hash(settings: dict, record: inputs.SourceRecord) -> str:
    """Everything the audio is made from but the engine (the manifest names the engine that spoke),
    from the show's ``recipe_settings`` and the article; equal hashes mean the episode is current."""
    parts = {**settings, "source": record.source_hash, "saved_script": record.script_hash}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _file_hash(path: Path | None) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path and path.exists() else None


def _cover_hash(config: Config) -> str | None:
    return _file_hash(config.root / config.show.cover) if config.show.cover else None


def is_current(config: Config, manifest: EpisodeManifest | None, recipe: str, engine_choice: EngineChoice, *,
               sizes: FileSizes | None = None) -> bool:
    """The published episode was made from this recipe and every file it names is in place."""
    if manifest is None or manifest.recipe_hash != recipe:
        return False
    if engine_choice != "auto" and manifest.engine != engine_choice:
        return False
    sizes = sizes or FileSizes(config.public_dir)
    if any(sizes.size(relative) is None for relative in manifest.files.values()):
        return False
    return sizes.size(manifest.files.get("audio", "")) == manifest.audio_bytes


@contextmanager
def project_lock(config: Config) -> Iterator[None]:
    """One build (or feed rebuild, ingest, publish) at a time per project."""
    with held_lock(config.cache_dir / "build.lock", wait_seconds=LOCK_WAIT_SECONDS,
                   busy=f"{config.root}: another build is running"):
        yield


# --- reading --------------------------------------------------------------------------------
def read_sources(config: Config, listing: dict[str, inputs.Stamp], index: inputs.SourceIndex,
                 explicit: list[Path] | None = None) -> list[Source]:
    """Every article to consider: the changed ones read (and so checked) before anything is written."""
    if explicit is not None:
        paths = [Path(p) for p in explicit]
        listing = {**listing, **{p.name: inputs.scan(p.parent).get(p.name, (0, 0)) for p in paths}}
    else:
        paths = [config.episodes_dir / name for name in sorted(listing) if is_article(name)]
    sources = []
    for path in paths:
        script_name = _saved_script_name(path.name)
        script_stamp = listing.get(script_name) if explicit is None else inputs.scan(path.parent).get(script_name)
        record = index.current(path.name, listing.get(path.name), script_stamp) if explicit is None else None
        if record:
            sources.append(Source(path, record))
            continue
        article = read_article(path, tz=config.tz)
        record = inputs.SourceRecord(stamp=listing.get(path.name, (0, 0)), source_hash=article.source_hash,
                                     slug=article.slug, script_stamp=script_stamp,
                                     script_hash=_file_hash(path.with_name(script_name)),
                                     draft=article.status == "draft")
        sources.append(Source(path, record, article))
    duplicates = sorted(slug for slug, n in Counter(s.record.slug for s in sources).items() if n > 1)
    if duplicates:
        raise UserError(f"two articles would publish the same episode slug: {', '.join(duplicates)}")
    return sources


# --- planning -------------------------------------------------------------------------------
def plan_build(config: Config, sources: list[Source], catalogue: Catalogue, retired: dict[str, RetiredEpisode], *,
               engine: EngineChoice, force: bool, whole_show: bool, shelf=None) -> Plan:
    """``shelf``: the drafts (pipeline.desk.drafts); a draft is planned against its own catalogue."""
    plan, settings, sizes = Plan(), recipe_settings(config, _cover_hash(config)), FileSizes(config.public_dir)
    numbers = catalogue.numbering(config.digest.numbered_with("article"), retired.values(), config.episodes_dir,
                                  drafts=shelf.catalogue if shelf else None)
    plan.numbering = numbers
    for source in sources:
        record = source.record
        draft = shelf is not None and shelf.is_draft(record.slug, record.draft, catalogue)
        previous = (shelf.catalogue if draft else catalogue).get(record.slug)
        recipe = recipe_hash(settings, record)
        current = not force and is_current(config, previous, recipe, engine, sizes=shelf.sizes() if draft else sizes)
        if draft:
            plan.draft_slugs.add(record.slug)
        if current and (draft or not (engine == "auto" and previous.offline_fallback)):
            plan.current.append(_up_to_date(previous))
            continue
        article = source.article or read_article(source.path, tz=config.tz)
        identity = _identity(config, article, previous, retired.get(article.slug), numbers)
        if article.slug in retired:
            plan.returning.append(article.slug)
        pending = PendingEpisode(article, identity, previous, recipe, restores_voice=current)
        (plan.drafts if draft else plan.offline_voiced if current else plan.pending).append(pending)
    if whole_show:
        present = {s.record.slug for s in sources}
        # An article gone from episodes/, or any episode `invoke remove` recorded (a digest has no article).
        plan.retiring = [m for m in catalogue.manifests
                         if m.slug not in present and (m.kind == "article" or m.slug in retired)]
    return plan


def _up_to_date(manifest: EpisodeManifest) -> EpisodeReport:
    return EpisodeReport(slug=manifest.slug, title=manifest.title, status="up to date", engine=manifest.engine,
                         duration_seconds=manifest.duration_seconds)


def restore_voices(config: Config, plan: Plan, warn: Callable[[str], None]) -> None:
    """Episodes that have the offline voice only because Google did not answer: re-spoken with
    Google's voice as soon as it answers again (same GUID and number), kept as they are, and
    said so, while it does not. A show never keeps the robot voice by accident."""
    if not plan.offline_voiced:
        return
    from pipeline.sound.cache import ChunkCache
    from pipeline.sound.engines import google_answers

    first = plan.offline_voiced[0]
    probe = episode_script_text(config, first)
    if google_answers(config, ChunkCache(config.cache_dir), probe):
        plan.pending += plan.offline_voiced
    else:
        plan.current += [_up_to_date(p.previous) for p in plan.offline_voiced]
        warn(f"warning: Google TTS is still unreachable; {len(plan.offline_voiced)} episode(s) keep the offline "
             "voice until it answers (each build checks)")
    plan.offline_voiced = []


def episode_script_text(config: Config, pending: PendingEpisode) -> str:
    """The first chunk an episode would send (its editor's, if its script was edited): a probe
    whose answer is kept if Google gives one."""
    from pipeline.text.script import article_script

    return article_script(pending.article, config, pending.identity.pub_date).chunks()[0]


def _identity(config: Config, article: Article, previous: EpisodeManifest | None,
              retired: RetiredEpisode | None, numbers: Numbering) -> Identity:
    """Kept from the episode's first build (or from its record, when it comes back after being
    retired); a new episode takes a GUID of its own, a number from ``numbers`` (its own again, if
    the ledger gave it one before) and its article's date (or now)."""
    if previous:
        return Identity(previous.guid, previous.episode_number, article.date or pub_datetime(previous))
    if retired:
        return Identity(retired.guid, retired.episode_number, article.date or datetime.fromisoformat(retired.pub_date))
    return Identity(new_guid(podcast_guid(config.feed_url), article.slug), numbers.number_for("article", article.slug),
                    article.date or datetime.now(timezone.utc).replace(microsecond=0))


# --- the build ------------------------------------------------------------------------------
def build(config: Config, *, sources: list[Path] | None = None, engine: EngineChoice = "auto", force: bool = False,
          jobs: int | None = None, warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> BuildReport:
    if engine not in ENGINE_CHOICES:
        raise UserError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINE_CHOICES)}")
    whole_show = sources is None
    if whole_show and not config.episodes_dir.is_dir():
        raise UserError(f"{config.episodes_dir}: no episodes folder")
    listing = inputs.scan(config.episodes_dir)
    if whole_show and not any(is_article(name) for name in listing) and not any(layout.manifest_paths(config.public_dir)):
        raise UserError(f"{config.episodes_dir}: no article (.txt, .md, .html) to build")
    fingerprint = inputs.fingerprint(config, listing, version=RECIPE_VERSION) if whole_show else None
    feed_path = layout.under(config.public_dir, layout.FEED)
    if whole_show and not force and inputs.is_unchanged(config, fingerprint):
        return BuildReport([], [], feed_path, unchanged=sum(map(is_article, listing)))
    index = inputs.load_index(config)
    read = read_sources(config, listing, index, sources)
    with project_lock(config):
        from pipeline.desk.drafts import Shelf, build_drafts
        from pipeline.desk.review import review_pages

        catalogue, shelf = load_catalogue(config.public_dir, config.cache_dir), Shelf.load(config)
        retired = load_retired(config.episodes_dir)
        plan = plan_build(config, read, catalogue, retired, engine=engine, force=force, whole_show=whole_show,
                          shelf=shelf)
        restore_voices(config, plan, warn)
        jobs = jobs or config.synthesis.jobs
        plan.numbering.reserve(catalogue.held(retired.values()))  # before anything is published
        built, commit = publish_site(config, catalogue, plan, engine=engine, jobs=jobs, warn=warn, force=force)
        present = plan.draft_slugs if whole_show else (set(shelf.catalogue.entries) | plan.draft_slugs) - set(catalogue.entries)
        built += build_drafts(config, shelf, plan.drafts, present, engine=engine, jobs=jobs, warn=warn)
        _remember(config, index=index, read=read, catalogue=catalogue, retired=retired, plan=plan)
        review_pages(config, [e.slug for e in built], warn, catalogue)
    if whole_show and not any(m.offline_fallback for m in catalogue.manifests):
        inputs.remember(config, inputs.fingerprint(config, inputs.scan(config.episodes_dir), version=RECIPE_VERSION))
    elif whole_show:
        inputs.forget(config)  # an offline-voiced episode waits for Google: the next build must look
    return BuildReport(built + plan.current, commit.published, feed_path, deleted=commit.deleted,
                       retired=[m.slug for m in plan.retiring], drafts=sorted(plan.draft_slugs))


def _remember(config: Config, *, index: inputs.SourceIndex, read: list[Source], catalogue: Catalogue,
              retired: dict[str, RetiredEpisode], plan: Plan) -> None:
    """What this build learnt, for the next one: the articles read, the catalogue, the retired."""
    for source in read:
        index.records[source.path.name] = source.record
    inputs.save_index(config, index)
    save_catalogue(catalogue, config.public_dir, config.cache_dir)
    if plan.retiring or plan.returning:
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        for manifest in plan.retiring:  # `invoke remove` may have recorded it already, with its feed entry
            retired.setdefault(manifest.slug, retired_from(manifest, retired_at=now))
        for slug in plan.returning:
            retired.pop(slug, None)
        save_retired(config.episodes_dir, retired)


def publish_site(config: Config, catalogue: Catalogue, plan: Plan | None = None, *, engine: EngineChoice = "auto",
                 jobs: int = 1, warn: Callable[[str], None] = print, force: bool = False):
    """Stage the site, build the planned episodes into it, render what changed, check, commit;
    the caller holds the lock. Returns the built episodes' reports and the commit."""
    from pipeline.publish.cover import stage_cover, stage_feed_covers
    from pipeline.publish.documents import load_state, save_state, site_documents, stage_documents
    from pipeline.publish.staging import StagedSite

    plan = plan or Plan()
    with StagedSite(config.public_dir) as site:
        cover = stage_cover(config, site)
        jobs_ = [EpisodeJob(config=config, site=site, article=e.article, identity=e.identity, previous=e.previous,
                            recipe=e.recipe, engine_choice=engine, jobs=jobs, cover=cover, warn=warn,
                            restores_voice=e.restores_voice, programme=e.programme)
                 for e in plan.pending]
        reports = build_episodes(jobs_, catalogue)
        for manifest, folder in plan.adopted:
            from pipeline.desk.drafts import adopt

            adopt(site, catalogue, manifest, folder)
        for manifest in plan.retiring:
            _retire(site, catalogue, manifest)
        documents = site_documents(config, catalogue, site, cover=cover, covers=stage_feed_covers(config, site))
        state, rendered = stage_documents(site, documents, load_state(config), force=force)
        check_before_publishing(config, site, rendered)
        commit = site.commit()
    save_state(config, state)
    return reports, commit


def build_episodes(jobs: list[EpisodeJob], catalogue: Catalogue) -> list[EpisodeReport]:
    """Every pending episode through one request pool: all their chunks are queued at once, in
    order, so one episode is assembled and encoded while the pool speaks the next one's; the
    voice is chosen once for the whole build."""
    from pipeline.episode import episode_script, finish_episode, speak, synthesizer_for, voiced_scripts
    from pipeline.sound.cache import ChunkCache
    from pipeline.sound.engines import choose_engine
    from pipeline.sound.progress import ChunkProgress

    if not jobs:
        return []
    first = jobs[0]
    scripts = [episode_script(job) for job in jobs]
    texts = [text for script in scripts for text in script.chunks()]
    cache = ChunkCache(first.config.cache_dir)
    voice = choose_engine(first.engine_choice, first.config, cache, texts, first.warn)
    scripts = voiced_scripts(jobs, scripts, voice.name)
    with ChunkProgress("speaking", len(set(texts))) as progress, \
            synthesizer_for(first.config, voice, cache, jobs=first.jobs, progress=progress.update,
                            warn=first.warn) as synthesizer, \
            ThreadPoolExecutor(max_workers=FINISHING, thread_name_prefix="finish") as finishing:
        streams = [synthesizer.stream(script.chunks()) for script in scripts]
        # Started once the first requests are out: earlier, it would compete with them for the CPU.
        threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
        started = []  # (job, future, assembled): the next episode is assembled while this one finishes
        try:
            for index, (job, script, stream) in enumerate(zip(jobs, scripts, streams)):
                if index >= FINISHING:
                    started[index - FINISHING][1].result()  # at most FINISHING episodes being mastered
                assembled = speak(job, script, stream, voice.name)
                started.append((job, finishing.submit(finish_episode, job, script, assembled), assembled))
            return [_record(job, catalogue, *future.result()) for job, future, _ in started]
        except BaseException:
            for _, future, assembled in started:
                future.cancel()
                assembled.abort()
            raise


def _warm_up() -> None:
    """Import what publishing needs while the first chunks are in flight (the build is waiting on
    the network then), so nothing is left to load after the last one."""
    from pipeline.publish import documents, feed, site, validate  # noqa: F401  feedgen, lxml, jinja2
    from pipeline.sound import tags  # noqa: F401  mutagen

    site._environment().get_template("episode.html.j2")


def _record(job: EpisodeJob, catalogue: Catalogue, manifest: EpisodeManifest, report: EpisodeReport) -> EpisodeReport:
    """The new manifest into the candidate and the catalogue; the previous version's files go once
    the new feed is in place."""
    text = manifest_json(manifest)
    job.site.write(layout.manifest_file(manifest.slug), text)
    catalogue.put(manifest, text)
    for relative in set((job.previous.files if job.previous else {}).values()) - set(manifest.files.values()):
        job.site.remove(relative)
    return report


def _retire(site: "StagedSite", catalogue: Catalogue, manifest: EpisodeManifest) -> None:
    for relative in (*manifest.files.values(), layout.manifest_file(manifest.slug)):
        site.remove(relative)
    catalogue.drop(manifest.slug)


def rebuild_feed(config: Config) -> list[str]:
    """``invoke feed``: every document again from the manifests, through the same locked path."""
    with project_lock(config):
        catalogue = load_catalogue(config.public_dir, config.cache_dir)
        _, commit = publish_site(config, catalogue, force=True)
        save_catalogue(catalogue, config.public_dir, config.cache_dir)
    inputs.forget(config)  # the published folders changed under the fingerprint
    return commit.published


def check_before_publishing(config: Config, site: "StagedSite", rendered: list[str]) -> None:
    """The documents rendered now, checked the way apps read them, against the candidate's files."""
    from pipeline.publish.validate import validate_documents

    problems = validate_documents(config, site, [r for r in rendered if layout.is_feed(r)])
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UserError(f"refusing to publish: {problems[0]}{more}")
