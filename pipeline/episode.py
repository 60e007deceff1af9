"""One episode, in named steps: script → speak → check → master → sidecars → manifest.

Each step takes the :class:`EpisodeJob` (what is being built, and where) and returns a typed
result; :func:`build_episode` only strings them together. Everything is written into the
staged site (:class:`pipeline.publish.staging.StagedSite`), never into ``public/`` itself, under
names that carry a digest of their content (see :mod:`pipeline.layout`); the files of the
episode's previous version are removed once the new feed is in place.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal

from pipeline import layout
from pipeline.config import Config
from pipeline.disclosure import expected_voice
from pipeline.errors import UserError
from pipeline.model import Article, Chapter, EpisodeKind, EpisodeManifest, Script, Timeline
from pipeline.norms import image_type, loudness_norm_text, meets_loudness_norm

if TYPE_CHECKING:  # the audio stack is imported only when an episode is really built
    from pipeline.publish.staging import StagedSite
    from pipeline.sound.assembly import SectionSound
    from pipeline.sound.loudness import LoudnessMeasurement, LoudnessMeter
    from pipeline.sound.streaming import StreamingEncoder
    from pipeline.sound.synthesis import ChunkStream, SynthesisStats

EngineChoice = Literal["auto", "gtts", "espeak"]
ENGINE_CHOICES: tuple[EngineChoice, ...] = ("auto", "gtts", "espeak")
EpisodeStatus = Literal["built", "up to date"]
DESCRIPTION_CHARS = 600


@dataclass(frozen=True)
class EpisodeReport:
    slug: str
    title: str
    status: EpisodeStatus
    engine: str
    duration_seconds: float
    chunks: int = 0
    spoken: int = 0
    cached: int = 0
    retried: int = 0
    requests: int = 0
    seconds: float = 0.0
    synthesis_seconds: float = 0.0
    streamed: bool = False  # encoded while it was spoken (no re-encode after the last chunk)
    voice_restored: bool = False  # re-spoken with Google's voice: it had the offline one


@dataclass(frozen=True)
class Identity:
    """What makes an episode the same episode across rebuilds, decided once (see pipeline.build)."""

    guid: str
    number: int
    pub_date: datetime


@dataclass(frozen=True)
class Programme:
    """An episode not read from one article (a digest): its own script, music, chapter links
    (one per section) and the episodes it is made of."""

    script: Script
    sounds: "tuple[SectionSound, ...] | None"
    links: tuple[str | None, ...]
    kind: EpisodeKind
    members: tuple[str, ...]
    voiced: "Callable[[str], Script] | None" = None  # the script whose intro names another voice
    voice: str = "gtts"  # the voice ``script``'s intro names


@dataclass(frozen=True)
class EpisodeJob:
    """One episode to build: the article, its identity, what was published for it before, and where."""

    config: Config
    site: "StagedSite"
    article: Article
    identity: Identity
    previous: EpisodeManifest | None
    recipe: str  # the recipe hash stored in the manifest (see pipeline.build.recipe_hash)
    engine_choice: EngineChoice
    jobs: int
    cover: str  # the cover's path relative to the site
    warn: Callable[[str], None]
    restores_voice: bool = False  # re-spoken because it had the offline voice only for want of Google
    programme: Programme | None = None

    @property
    def slug(self) -> str:
        return self.article.slug


@dataclass(frozen=True)
class Speech:
    """The episode spoken and assembled: a WAV in the staging folder, its timeline, and the MP3
    encoded while it was spoken (``streamed``: its measurement, None when the safe path must run)."""

    wav_path: Path
    timeline: Timeline
    measured: "LoudnessMeasurement | None"  # the WAV's, when it was measured as it was assembled
    streamed: "LoudnessMeasurement | None"
    mp3_path: Path
    engine: str
    stats: "SynthesisStats"
    chunks: int
    spoken_chars: int
    seconds: float


@dataclass(frozen=True)
class Master:
    """The published MP3, tagged, and what it measures."""

    relative: str  # its name in the site
    loudness: "LoudnessMeasurement"
    duration_seconds: float
    audio_bytes: int


def build_episode(job: EpisodeJob) -> tuple[EpisodeManifest, EpisodeReport]:
    """One episode alone, through a synthesizer of its own (see pipeline.build for many at once)."""
    from pipeline.sound.cache import ChunkCache
    from pipeline.sound.engines import choose_engine

    script = episode_script(job)
    cache = ChunkCache(job.config.cache_dir)
    engine = choose_engine(job.engine_choice, job.config, cache, script.chunks(), job.warn)
    [script] = voiced_scripts([job], [script], engine.name)
    with synthesizer_for(job.config, engine, cache, jobs=job.jobs, warn=job.warn) as synthesizer:
        return finish_episode(job, script, speak(job, script, synthesizer.stream(script.chunks()), engine.name))


def synthesizer_for(config: Config, engine, cache, *, jobs: int, progress=None, warn=lambda message: None):
    from pipeline.sound.limits import RequestLimits
    from pipeline.sound.synthesis import RetryPolicy, Synthesizer

    voice = " ".join(str(v) for k, v in sorted(engine.cache_identity().items()) if k in ("engine", "lang", "tld"))
    return Synthesizer(engine, cache, jobs=jobs, progress=progress, warn=warn,
                       limits=RequestLimits(config.cache_dir, voice),
                       retry=RetryPolicy(max_total_wait=config.synthesis.max_total_wait_seconds))


def finish_episode(job: EpisodeJob, script: Script, assembled: Assembled) -> tuple[EpisodeManifest, EpisodeReport]:
    """Everything after the last chunk: check, master, sidecars, manifest."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="soundcheck") as pool:
        checked = pool.submit(check_speech, job, assembled)  # reads the WAV while the encoder finishes
        speech = settle(assembled)
        checked.result()
    chapters = chapters_of(speech, job.programme.links if job.programme else ())
    master = master_audio(job, speech, chapters=chapters)
    files = {"audio": master.relative, **write_sidecars(job, speech.timeline, chapters)}
    manifest = episode_manifest(job, script=script, speech=speech, master=master, chapters=chapters, files=files)
    speech.wav_path.unlink()
    stats = speech.stats
    return manifest, EpisodeReport(
        slug=manifest.slug, title=manifest.title, status="built", engine=speech.engine,
        duration_seconds=manifest.duration_seconds, chunks=speech.chunks, spoken=stats.spoken, cached=stats.cached,
        retried=stats.retried, requests=stats.requests, seconds=speech.seconds + time.perf_counter() - started,
        synthesis_seconds=speech.seconds, streamed=speech.streamed is not None,
        voice_restored=job.restores_voice and speech.engine != "espeak")


def episode_script(job: EpisodeJob, voice: str | None = None) -> Script:
    """A programme's own script; the hand-edited one saved beside the article; else the one
    written from it. ``voice``: the engine that speaks it, which its intro names (default: the
    one expected; see :func:`voiced_scripts`)."""
    from pipeline.text.script import article_script

    voice = voice or expected_voice(job.engine_choice)
    if job.programme:
        programme = job.programme
        return programme.voiced(voice) if programme.voiced and voice != programme.voice else programme.script
    return article_script(job.article, job.config, job.identity.pub_date, voice)


def voiced_scripts(jobs: list[EpisodeJob], scripts: list[Script], voice: str) -> list[Script]:
    """The scripts again when the voice chosen is not the one their intros name (``auto`` fell
    back to the offline voice): the disclosure names the voice that really speaks."""
    if all(voice == expected_voice(job.engine_choice) for job in jobs):
        return scripts
    return [episode_script(job, voice) for job in jobs]


@dataclass(frozen=True)
class Assembled:
    """The episode assembled; its MP3 or measurement may still be in the making (``sink``)."""

    wav_path: Path
    mp3_path: Path
    timeline: Timeline
    sink: "StreamingEncoder | LoudnessMeter"
    engine: str
    stats: "SynthesisStats"
    chunks: int
    spoken_chars: int
    seconds: float

    def abort(self) -> None:
        self.sink.abort()


def speak(job: EpisodeJob, script: Script, chunks: "ChunkStream", engine: str) -> Assembled:
    """Assemble the episode as its chunks arrive (later ones are still in flight), measuring it
    and, with the ``gain`` method, encoding it at the same time (loudnorm needs the whole
    programme measured first)."""
    from pipeline.sound.assembly import RATE, assemble
    from pipeline.sound.loudness import LoudnessMeter, Mp3Settings
    from pipeline.sound.memory import return_large_buffers
    from pipeline.sound.streaming import StreamingEncoder

    return_large_buffers()

    audio, texts = job.config.audio, script.chunks()
    wav_path = job.site.work_path(f"{job.slug}.wav")  # removed with the staging folder
    mp3_path = job.site.work_path(f"{job.slug}.mp3")
    settings = Mp3Settings(bitrate=audio.bitrate, sample_rate=audio.sample_rate, quality=audio.mp3_quality,
                           method=audio.loudness_method)
    started = time.perf_counter()
    sink = StreamingEncoder(mp3_path, rate=RATE, settings=settings) if settings.method == "gain" else LoudnessMeter(RATE)
    try:
        timeline = assemble(script, chunks, audio, wav_path, tee=sink.write,
                            sounds=job.programme.sounds if job.programme else None)
    except BaseException:
        sink.abort()
        raise
    return Assembled(wav_path=wav_path, mp3_path=mp3_path, timeline=timeline, sink=sink, engine=engine,
                     stats=chunks.stats, chunks=len(texts), spoken_chars=sum(map(len, texts)),
                     seconds=time.perf_counter() - started)


def settle(assembled: Assembled) -> Speech:
    """Wait for the MP3 made while speaking (or the measurement); None when it missed the aim."""
    from pipeline.sound.loudness import LoudnessMeter

    if isinstance(assembled.sink, LoudnessMeter):
        measured, streamed = assembled.sink.result(), None
    else:  # when the streamed MP3 misses the aim, the safe path measures the WAV itself
        measured, streamed = None, assembled.sink.finish()
    return Speech(wav_path=assembled.wav_path, timeline=assembled.timeline, measured=measured, streamed=streamed,
                  mp3_path=assembled.mp3_path, engine=assembled.engine, stats=assembled.stats,
                  chunks=assembled.chunks, spoken_chars=assembled.spoken_chars, seconds=assembled.seconds)


def check_speech(job: EpisodeJob, speech: "Speech | Assembled") -> None:
    """Refuse silent, truncated or clipped audio before it is encoded."""
    from pipeline.sound.soundcheck import check_episode_audio, expected_seconds_for

    check_episode_audio(speech.wav_path, expected_seconds=expected_seconds_for(speech.spoken_chars),
                        path_for_messages=str(job.article.source))


def chapters_of(speech: Speech, links: tuple[str | None, ...] = ()) -> tuple[Chapter, ...]:
    """One chapter per section; ``links`` (one per section) gives each its page."""
    from dataclasses import replace

    from pipeline.publish.sidecars import chapters_from_timeline

    chapters = chapters_from_timeline(speech.timeline)
    return tuple(replace(c, url=link) for c, link in zip(chapters, links)) + tuple(chapters[len(links):])


def master_audio(job: EpisodeJob, speech: Speech, *, chapters: tuple[Chapter, ...]) -> Master:
    """Normalise, encode and tag the MP3; refuse it unless it meets the loudness norm."""
    from pipeline.sound.loudness import encode_mp3
    from pipeline.sound.tags import write_id3

    article, config, work = job.article, job.config, speech.mp3_path
    loudness = speech.streamed or encode_mp3(  # the safe path: the streamed MP3 missed the aim
        speech.wav_path, work, first=speech.measured, bitrate=config.audio.bitrate,
        sample_rate=config.audio.sample_rate, quality=config.audio.mp3_quality, method=config.audio.loudness_method)
    if not meets_loudness_norm(loudness.integrated, loudness.true_peak):
        raise UserError(f"{article.source}: refusing to publish audio at {loudness.integrated:.1f} LUFS, "
                        f"{loudness.true_peak:.1f} dBTP ({loudness_norm_text()})")
    write_id3(work, title=article.title, show=config.show.title, author=article.author or config.show.author,
              date=job.identity.pub_date.strftime("%Y-%m-%d"), description=description_of(article),
              chapters=chapters, cover=job.site.resolve(job.cover).read_bytes(), cover_mime=image_type(job.cover),
              episode_number=job.identity.number)
    relative = layout.episode_file(job.slug, "audio", layout.content_digest(work))
    duration, size = round(mp3_seconds(work), 3), work.stat().st_size
    job.site.path(relative).parent.mkdir(parents=True, exist_ok=True)
    work.replace(job.site.path(relative))
    return Master(relative=relative, loudness=loudness, duration_seconds=duration, audio_bytes=size)


def write_sidecars(job: EpisodeJob, timeline: Timeline, chapters: tuple[Chapter, ...]) -> dict[str, str]:
    """The transcripts and chapters, each under a name carrying its digest; returns them by kind."""
    from pipeline.publish.feed import file_url
    from pipeline.publish.sidecars import to_chapters_json, to_srt, to_webvtt

    # A programme's chapters are its articles: each shows the show's cover (articles carry no image).
    image = file_url(job.config.show.base_url, job.cover) if job.programme else None
    files = {}
    for kind, text in (("vtt", to_webvtt(timeline)), ("srt", to_srt(timeline)),
                       ("chapters", to_chapters_json(chapters, episode_title=job.article.title, image=image))):
        data = text.encode("utf-8")
        files[kind] = layout.episode_file(job.slug, kind, layout.content_digest(data))
        job.site.write(files[kind], data)
    return files


def episode_manifest(job: EpisodeJob, *, script: Script, speech: Speech, master: Master,
                     chapters: tuple[Chapter, ...], files: dict[str, str]) -> EpisodeManifest:
    from pipeline.text.script import script_hash

    article, config, identity = job.article, job.config, job.identity
    return EpisodeManifest(
        slug=article.slug,
        guid=identity.guid,
        title=article.title,
        description=description_of(article),
        author=article.author or config.show.author,
        pub_date=identity.pub_date.isoformat(timespec="seconds"),
        episode_number=identity.number,
        duration_seconds=master.duration_seconds,
        audio_bytes=master.audio_bytes,
        engine=speech.engine,
        source=relative_source(article.source, config.root),
        source_hash=article.source_hash,
        script_hash=script_hash(script),
        chapters=chapters,
        files=files,
        source_url=article.source_url,
        loudness={"integrated": round(master.loudness.integrated, 2),
                  "true_peak": round(master.loudness.true_peak, 2)},
        recipe_hash=job.recipe,
        engine_choice=job.engine_choice,
        kind=job.programme.kind if job.programme else "article",
        members=job.programme.members if job.programme else (),
        author_url=article.author_url,
        canonical_url=article.canonical_url,
    )


def description_of(article: Article) -> str:
    """The front matter's description, else the first passage (cut at a word, about 600 chars)."""
    if article.description:
        return article.description
    text = article.passages[0].text
    return text if len(text) <= DESCRIPTION_CHARS else text[:DESCRIPTION_CHARS].rsplit(" ", 1)[0] + "…"


def mp3_seconds(path: Path) -> float:
    from mutagen.mp3 import MP3

    return MP3(path).info.length


def relative_source(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)
