"""Plain data passed between the pipeline's stages.

article → script → synthesised chunks → assembled timeline → episode manifest → feed/site.
Every stage takes and returns these frozen dataclasses; none of them does I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal


# --- Stage 1: article -------------------------------------------------------------------------
@dataclass(frozen=True)
class Passage:
    """One paragraph of the article as written, and the subheading it sits under, if any."""

    text: str
    heading: str | None = None


@dataclass(frozen=True)
class Article:
    source: Path
    title: str
    passages: tuple[Passage, ...]
    slug: str
    source_hash: str  # sha256 of the source file's bytes
    date: datetime | None = None  # aware, from front matter
    author: str | None = None
    description: str | None = None
    source_url: str | None = None
    status: str = "published"  # "draft": spoken, kept out of every published file until approved
    lexicon: tuple = ()  # its own pronunciation rules (pipeline.text.lexicon.Rule), over the show's
    dropped: tuple[tuple[str, str], ...] = ()  # (text, rule): what was left out as page furniture
    author_url: str | None = None  # the author's page (podcast:person href)
    canonical_url: str | None = None  # the page's own address, where ingest found it differs from source_url


# --- Stage 2: script --------------------------------------------------------------------------
@dataclass(frozen=True)
class Sentence:
    """A sentence as the article writes it (for transcripts) and the chunks the engine speaks."""

    written: str
    chunks: tuple[str, ...]


@dataclass(frozen=True)
class Paragraph:
    sentences: tuple[Sentence, ...]


SectionKind = Literal["intro", "passage", "outro"]
EpisodeKind = Literal["article", "digest"]


@dataclass(frozen=True)
class Section:
    kind: SectionKind
    title: str
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Script:
    title: str
    sections: tuple[Section, ...]

    def chunks(self) -> list[str]:
        """Every chunk in speaking order (the engine's work list)."""
        return [
            chunk
            for section in self.sections
            for paragraph in section.paragraphs
            for sentence in paragraph.sentences
            for chunk in sentence.chunks
        ]


# --- Stage 3: synthesis -----------------------------------------------------------------------
@dataclass(frozen=True)
class SpokenChunk:
    """Encoded audio for one chunk, exactly as the engine produced it."""

    text: str
    audio: bytes
    format: str  # an ffmpeg demuxer name: "mp3" (gTTS) or "wav" (espeak)
    engine: str


# --- Stage 4: assembly ------------------------------------------------------------------------
@dataclass(frozen=True)
class TimedSentence:
    written: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class TimedSection:
    kind: SectionKind
    title: str
    start_ms: int
    end_ms: int
    sentences: tuple[TimedSentence, ...]


@dataclass(frozen=True)
class Timeline:
    sections: tuple[TimedSection, ...]
    duration_ms: int


# --- Stage 5: episode manifest ----------------------------------------------------------------
@dataclass(frozen=True)
class Chapter:
    title: str
    start: float  # seconds
    end: float
    url: str | None = None  # a page about this chapter (a digest's article)


@dataclass(frozen=True)
class EpisodeManifest:
    """What was published for one episode; the feed and the site are rebuilt from these alone.

    Paths in ``files`` are relative to the public folder (``audio`` is always present).
    """

    slug: str
    guid: str
    title: str
    description: str
    author: str
    pub_date: str  # ISO 8601, UTC
    episode_number: int
    duration_seconds: float
    audio_bytes: int
    engine: str
    source: str
    source_hash: str
    script_hash: str
    chapters: tuple[Chapter, ...]
    files: dict[str, str] = field(default_factory=dict)
    source_url: str | None = None
    loudness: dict[str, float] = field(default_factory=dict)
    recipe_hash: str = ""  # hash of everything the audio was made from: unchanged → nothing to do
    engine_choice: str = "auto"  # what the build asked for: "auto" + engine "espeak" = Google was unreachable
    kind: EpisodeKind = "article"  # "digest": a programme made of other episodes (see pipeline.digest)
    members: tuple[str, ...] = ()  # a digest's episodes, by slug, in the order it plays them
    author_url: str | None = None  # the author's page, from the front matter (podcast:person href)
    canonical_url: str | None = None  # the article page's canonical address when not source_url (embed lookups)

    @property
    def offline_fallback(self) -> bool:
        """Spoken by the offline voice only because Google did not answer: re-spoken when it does."""
        return self.engine == "espeak" and self.engine_choice == "auto"
