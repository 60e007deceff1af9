"""The build: articles in ``episodes/`` → episodes and a feed in ``public/``.

This module only sequences the stages; each stage lives in its own module. A build speaks
only what changed, stages the whole new site beside ``public/``, validates it, then commits it
(see :mod:`pipeline.publish.staging`). Nothing is published from a failed build.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from pipeline.text.article import SUPPORTED_SUFFIXES, read_article
from pipeline.config import Config
from pipeline.errors import UserError
from pipeline.manifest import load_manifests, manifest_json, manifest_path, read_manifest

RECIPE_VERSION = "1"  # bump when a code change must re-speak every episode
ENGINES = ("auto", "gtts", "espeak")


@dataclass
class EpisodeReport:
    slug: str
    title: str
    status: str  # "built" | "up to date"
    engine: str
    duration_seconds: float
    chunks: int = 0
    spoken: int = 0
    cached: int = 0
    retried: int = 0
    requests: int = 0
    seconds: float = 0.0
    synthesis_seconds: float = 0.0


@dataclass
class BuildReport:
    episodes: list[EpisodeReport]
    published: list[str]  # files replaced in public/, relative paths
    feed_path: Path


def discover_sources(episodes_dir: Path) -> list[Path]:
    return sorted(p for p in Path(episodes_dir).iterdir()
                  if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith("."))


def recipe_hash(config: Config, source_hash: str, source: Path, engine_choice: str) -> str:
    """Everything the audio is made from; equal hashes mean the published episode is current."""
    saved = source.with_name(source.stem + ".script.json")
    cover = config.root / config.show.cover if config.show.cover else None
    parts = {
        "version": RECIPE_VERSION,
        "source": source_hash,
        "saved_script": hashlib.sha256(saved.read_bytes()).hexdigest() if saved.exists() else None,
        "cover": hashlib.sha256(cover.read_bytes()).hexdigest() if cover and cover.exists() else None,
        "voice": dataclasses.asdict(config.voice), "audio": dataclasses.asdict(config.audio),
        "script": dataclasses.asdict(config.script), "lexicon": config.lexicon, "acronyms": config.acronyms,
        "show": [config.show.title, config.show.author],
        "engine": engine_choice if engine_choice != "auto" else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _inputs_hash(config: Config, public_dir: Path) -> str:
    digest = hashlib.sha256(RECIPE_VERSION.encode())
    for path in [config.root / "podcast.toml", *sorted((public_dir / "episodes").glob("*.json"))]:
        if path.exists():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _is_current(config: Config, manifest, recipe: str, engine_choice: str) -> bool:
    if manifest is None or manifest.recipe_hash != recipe:
        return False
    if engine_choice != "auto" and manifest.engine != engine_choice:
        return False
    for relative in manifest.files.values():
        if not (config.public_dir / relative).exists():
            return False
    audio = config.public_dir / manifest.files.get("audio", "")
    return audio.is_file() and audio.stat().st_size == manifest.audio_bytes


def build(config: Config, *, sources: list[Path] | None = None, engine: str = "auto", force: bool = False,
          jobs: int | None = None, base_url: str | None = None,
          warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> BuildReport:
    if engine not in ENGINES:
        raise UserError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if sources is None:
        if not config.episodes_dir.is_dir():
            raise UserError(f"{config.episodes_dir}: no episodes folder")
        sources = discover_sources(config.episodes_dir)
        if not sources:
            raise UserError(f"{config.episodes_dir}: no article (.txt, .md, .html) to build")
    articles = [read_article(source) for source in sources]  # every input is checked before any write
    from filelock import FileLock, Timeout

    config.cache_dir.mkdir(exist_ok=True)
    lock = FileLock(str(config.cache_dir / "build.lock"))
    try:
        lock.acquire(timeout=0.5)
    except Timeout:
        raise UserError(f"{config.root}: another build is running (lock {lock.lock_file})") from None
    try:
        return _build_locked(config, articles, engine, force, jobs, base_url, warn)
    finally:
        lock.release()


def _build_locked(config, articles, engine, force, jobs, base_url, warn) -> BuildReport:
    slugs = [a.slug for a in articles]
    duplicates = {s for s in slugs if slugs.count(s) > 1}
    if duplicates:
        raise UserError(f"two articles would publish the same episode slug: {', '.join(sorted(duplicates))}")
    pending, reports = [], []
    for article in articles:
        manifest = read_manifest(manifest_path(config.public_dir, article.slug))
        recipe = recipe_hash(config, article.source_hash, article.source, engine)
        if not force and _is_current(config, manifest, recipe, engine):
            reports.append(EpisodeReport(article.slug, manifest.title, "up to date", manifest.engine,
                                         manifest.duration_seconds))
        else:
            pending.append((article, manifest, recipe))
    feed_path = config.public_dir / "feed.xml"
    state = config.cache_dir / "site-inputs.sha256"
    inputs = _inputs_hash(config, config.public_dir)
    if not pending and not force and base_url is None and feed_path.exists() and state.exists() \
            and state.read_text() == inputs:
        return BuildReport(reports, [], feed_path)  # nothing changed: no heavy import, no write

    from pipeline.publish.staging import StagedSite

    with StagedSite(config.public_dir) as site:
        cover = _ensure_cover(config, site)
        for article, manifest, recipe in pending:
            reports.append(build_episode(config, site, article, manifest, recipe, engine, jobs, cover, warn))
        render_site(config, site.root, cover, base_url)
        problems = _validate(config, site.root, base_url)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise UserError(f"refusing to publish: {problems[0]}{more}")
        published = site.commit()
    from pipeline.fsutil import atomic_write_text

    atomic_write_text(state, _inputs_hash(config, config.public_dir))
    return BuildReport(reports, published, feed_path)


def _ensure_cover(config: Config, site) -> str:
    from pipeline.publish.cover import ensure_cover

    return ensure_cover(config, site.root)


def _validate(config: Config, public_dir: Path, base_url: str | None) -> list[str]:
    from pipeline.publish.validate import validate_public

    # Loudness of the episodes built now was measured on their MP3 in build_episode; measuring
    # the whole back catalogue again on every build would grow with it (`invoke validate` does).
    return validate_public(config, public_dir, base_url=base_url, check_loudness=False)


def render_site(config: Config, public_dir: Path, cover: str, base_url: str | None = None) -> None:
    """Write feed.xml and index.html in ``public_dir`` from the manifests found there."""
    from pipeline.publish.feed import render_feed
    from pipeline.fsutil import atomic_write_bytes, atomic_write_text
    from pipeline.publish.site import render_index

    manifests = load_manifests(public_dir)
    atomic_write_bytes(public_dir / "feed.xml", render_feed(config, manifests, cover_path=cover, base_url=base_url))
    atomic_write_text(public_dir / "index.html",
                      render_index(config, manifests, cover_path=cover, public_dir=public_dir, base_url=base_url))


def build_episode(config: Config, site, article, previous, recipe: str, engine_choice: str,
                  jobs: int | None, cover: str, warn) -> EpisodeReport:
    from pipeline.sound.assembly import RATE, assemble, load_segment
    from pipeline.sound.cache import ChunkCache
    from pipeline.fsutil import atomic_path
    from pipeline.sound.tags import write_id3
    from pipeline.sound.loudness import LoudnessMeter, encode_mp3
    from pipeline.model import EpisodeManifest
    from pipeline.text.script import build_script, load_saved_script, script_hash
    from pipeline.publish.sidecars import chapters_from_timeline, to_chapters_json, to_srt, to_webvtt
    from pipeline.sound.soundcheck import check_episode_audio, expected_seconds_for
    from pipeline.sound.synthesis import RetryPolicy, Synthesizer
    from pipeline.sound.progress import ChunkProgress

    started = time.perf_counter()
    pub_date = _pub_date(article, previous)
    script = load_saved_script(article) or build_script(article, config, pub_date)
    texts = script.chunks()
    cache = ChunkCache(config.cache_dir)
    engine = resolve_engine(engine_choice, config, cache, texts, warn)
    retry = RetryPolicy(max_total_wait=config.synthesis.max_total_wait_seconds)
    wav_path = site.path(f".work/{article.slug}.wav")  # inside the staging folder: removed with it
    wav_path.parent.mkdir(exist_ok=True)
    with ChunkProgress(article.slug, len(set(texts))) as progress, LoudnessMeter(RATE) as meter:
        synthesizer = Synthesizer(engine, cache, jobs=jobs or config.synthesis.jobs, retry=retry,
                                  progress=progress.update)
        synthesis_started = time.perf_counter()
        # Assembly and the loudness measurement run while later chunks are still being spoken.
        timeline = assemble(script, synthesizer.speak_in_order(texts), config.audio, wav_path, tee=meter.write)
        synthesis_seconds = time.perf_counter() - synthesis_started
        measured = meter.result()
    spoken_chars = sum(len(t) for t in texts)
    check_episode_audio(load_segment(wav_path), expected_seconds=expected_seconds_for(spoken_chars),
                        path_for_messages=str(article.source))

    slug = article.slug
    files = {"audio": f"episodes/{slug}.mp3", "vtt": f"episodes/{slug}.vtt", "srt": f"episodes/{slug}.srt",
             "chapters": f"episodes/{slug}.chapters.json"}
    chapters = tuple(chapters_from_timeline(timeline))
    description = article.description or _description(article)
    number = _episode_number(config, site, previous)
    with atomic_path(site.path(files["audio"])) as tmp:
        loudness = encode_mp3(wav_path, tmp, bitrate=config.audio.bitrate,
                              sample_rate=config.audio.sample_rate, first=measured,
                              method=config.audio.loudness_method, quality=config.audio.mp3_quality)
        write_id3(tmp, title=article.title, show=config.show.title, author=article.author or config.show.author,
                  date=pub_date.strftime("%Y-%m-%d"), description=description, chapters=chapters,
                  cover=(site.path(cover)).read_bytes(), cover_mime=_mime(cover),
                  episode_number=number)
    if not (-17.0 <= loudness.integrated <= -15.0 and loudness.true_peak <= -1.0):
        raise UserError(f"{article.source}: refusing to publish audio at {loudness.integrated:.1f} LUFS, "
                        f"{loudness.true_peak:.1f} dBTP (target -16 LUFS, at most -1 dBTP)")
    audio_path = site.path(files["audio"])
    site.write(files["vtt"], to_webvtt(timeline))
    site.write(files["srt"], to_srt(timeline))
    site.write(files["chapters"], to_chapters_json(chapters, episode_title=article.title))
    manifest = EpisodeManifest(
        slug=slug,
        guid=previous.guid if previous else _new_guid(config, slug),
        title=article.title,
        description=description,
        author=article.author or config.show.author,
        pub_date=pub_date.isoformat(timespec="seconds"),
        episode_number=number,
        duration_seconds=round(_mp3_seconds(audio_path), 3),
        audio_bytes=audio_path.stat().st_size,
        engine=engine.name,
        source=_relative(article.source, config.root),
        source_hash=article.source_hash,
        script_hash=script_hash(script),
        chapters=chapters,
        files=files,
        source_url=article.source_url,
        loudness={"integrated": round(loudness.integrated, 2), "true_peak": round(loudness.true_peak, 2)},
        recipe_hash=recipe,
    )
    site.write(f"episodes/{slug}.json", manifest_json(manifest))
    wav_path.unlink()
    stats = synthesizer.stats
    return EpisodeReport(slug, article.title, "built", engine.name, manifest.duration_seconds, len(texts),
                         stats.spoken, stats.cached, stats.retried, stats.requests, time.perf_counter() - started,
                         synthesis_seconds)


def resolve_engine(choice: str, config: Config, cache, texts: list[str], warn):
    """``auto``: gTTS when Google answers (or everything is cached), else espeak-ng, said loudly."""
    from pipeline.sound.cache import chunk_key
    from pipeline.sound.engines import PermanentTtsError, TransientTtsError, make_engine

    if choice != "auto":
        return make_engine(choice, config.voice, timeout=config.synthesis.timeout_seconds)
    gtts = make_engine("gtts", config.voice, timeout=config.synthesis.timeout_seconds)
    identity = gtts.cache_identity()
    missing = [t for t in dict.fromkeys(texts) if cache.get(chunk_key(identity, t), t, "gtts") is None]
    if not missing:
        return gtts
    try:
        cache.put(chunk_key(identity, missing[0]), gtts.synthesize(missing[0]))
        return gtts
    except TransientTtsError as exc:
        if not exc.connection:
            return gtts  # Google answered (429/5xx): it is there, the retries will deal with it
        reason = str(exc)
    except PermanentTtsError as exc:
        reason = str(exc)
    warn(f"warning: Google TTS is unreachable ({reason[:120]}); speaking with espeak-ng, the offline voice, instead")
    return make_engine("espeak", config.voice)


def _pub_date(article, previous) -> datetime:
    if article.date:
        return article.date
    if previous:
        return datetime.fromisoformat(previous.pub_date)
    return datetime.now(timezone.utc).replace(microsecond=0)


def _new_guid(config: Config, slug: str) -> str:
    import uuid

    from pipeline.publish.feed import podcast_guid

    return str(uuid.uuid5(uuid.UUID(podcast_guid(config.feed_url)), slug))


def _episode_number(config: Config, site, previous) -> int:
    if previous:
        return previous.episode_number
    numbers = [m.episode_number for m in load_manifests(site.root)]  # staged: counts this build's new ones
    return max(numbers, default=0) + 1


def _description(article) -> str:
    text = article.passages[0].text
    return text if len(text) <= 600 else text[:600].rsplit(" ", 1)[0] + "…"


def _mp3_seconds(path: Path) -> float:
    from mutagen.mp3 import MP3

    return MP3(path).info.length


def _mime(path: str) -> str:
    return "image/jpeg" if path.lower().endswith((".jpg", ".jpeg")) else "image/png"


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)
