"""Side files built from the assembled timeline: WebVTT/SRT transcripts and JSON chapters.

Cue and chapter times come straight from the timeline the audio was assembled with, so they
are right by construction. Cue text is the sentence as the article writes it.
"""
from __future__ import annotations

import json
import re
import textwrap
from typing import Iterator, Sequence

from pipeline.model import Chapter, Timeline, TimedSentence

LINE_WIDTH = 42  # the usual subtitle line length
MAX_LINES = 2


def _clock(ms: int, separator: str) -> str:
    ms = max(0, int(ms))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


_GLUE = "\x00"  # stands for a space no line may break at; never in text (the reader strips it)


def _lines(text: str) -> str:
    """Lines of at most ~42 characters; a longer sentence is cut once, at the space nearest
    its middle, so a cue never grows past two lines."""
    text = " ".join(text.split())
    # Never end a line inside a number or before its unit ("3 | 345,50 €", "4 | milliards").
    glued = re.sub(r"(?<=\d) (?=\w|[%€$£])", _GLUE, text)
    lines = textwrap.wrap(glued, LINE_WIDTH, break_long_words=False, break_on_hyphens=False)
    if len(lines) > MAX_LINES:
        spaces = [i for i, char in enumerate(glued) if char == " "] or [len(glued)]
        middle = min(spaces, key=lambda i: abs(i - len(glued) / 2))
        lines = [glued[:middle], glued[middle + 1 :]]
    return "\n".join(line for line in lines if line).replace(_GLUE, " ")


def _cues(timeline: Timeline) -> Iterator[TimedSentence]:
    """Sentences in time order, skipping those with no text or no duration."""
    sentences = [s for section in timeline.sections for s in section.sentences]
    for sentence in sorted(sentences, key=lambda s: (s.start_ms, s.end_ms)):
        if sentence.written.strip() and sentence.end_ms > sentence.start_ms:
            yield sentence


def _vtt_escape(text: str) -> str:
    # "-->" inside cue text would end the cue timing line in some parsers.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_webvtt(timeline: Timeline) -> str:
    blocks = ["WEBVTT"]
    for sentence in _cues(timeline):
        timing = f"{_clock(sentence.start_ms, '.')} --> {_clock(sentence.end_ms, '.')}"
        blocks.append(f"{timing}\n{_vtt_escape(_lines(sentence.written))}")
    return "\n\n".join(blocks) + "\n"


def to_srt(timeline: Timeline) -> str:
    blocks = []
    for index, sentence in enumerate(_cues(timeline), start=1):
        timing = f"{_clock(sentence.start_ms, ',')} --> {_clock(sentence.end_ms, ',')}"
        blocks.append(f"{index}\n{timing}\n{_lines(sentence.written)}")
    return "\n\n".join(blocks) + "\n" if blocks else ""


def chapters_from_timeline(timeline: Timeline) -> list[Chapter]:
    """One chapter per section: the first starts at 0, each ends where the next starts."""
    sections = sorted(timeline.sections, key=lambda s: s.start_ms)
    starts = [0] + [s.start_ms for s in sections[1:]]
    ends = starts[1:] + [max(timeline.duration_ms, starts[-1])] if sections else []
    return [
        Chapter(title=section.title, start=start / 1000, end=end / 1000)
        for section, start, end in zip(sections, starts, ends)
    ]


def to_chapters_json(chapters: Sequence[Chapter], *, episode_title: str | None = None,
                     image: str | None = None) -> str:
    """Podcasting 2.0 JSON chapters (version 1.2.0), sorted by start time; ``image``, an image URL
    every chapter shows (apps that show chapter art display it while the chapter plays)."""
    document: dict = {"version": "1.2.0"}
    if episode_title:
        document["title"] = episode_title
    document["chapters"] = [
        {"startTime": round(c.start, 3), "endTime": round(c.end, 3), "title": c.title,
         **({"url": c.url} if c.url else {}), **({"img": image} if image else {})}
        for c in sorted(chapters, key=lambda c: c.start)
    ]
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
