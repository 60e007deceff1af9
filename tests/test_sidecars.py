"""Transcripts (WebVTT, SRT) and JSON chapters built from the assembled timeline."""
from __future__ import annotations

import json
import re
from pathlib import Path

from pipeline.sound.ffmpeg import run_ffmpeg
from pipeline.model import Chapter, TimedSection, TimedSentence, Timeline
from pipeline.publish.sidecars import chapters_from_timeline, to_chapters_json, to_srt, to_webvtt

LONG = "Élysée : « l’Otan » à 100 %, une phrase beaucoup plus longue qui tient sur deux lignes."

TIMELINE = Timeline(
    sections=(
        TimedSection(
            kind="intro",
            title="Introduction",
            start_ms=120,
            end_ms=2900,
            sentences=(
                TimedSentence("Bonjour & bienvenue <ici>.", 120, 1500),
                TimedSentence(LONG, 1600, 2900),
            ),
        ),
        TimedSection(
            kind="passage",
            title="Élysée : « l’Otan » à 100 %",
            start_ms=3200,
            end_ms=3_725_000,
            sentences=(
                TimedSentence("   ", 3200, 3300),  # nothing to show: no empty cue
                TimedSentence("Une heure plus tard.", 3_723_456, 3_725_000),
            ),
        ),
    ),
    duration_ms=3_726_000,
)

EXPECTED_VTT = """WEBVTT

00:00:00.120 --> 00:00:01.500
Bonjour &amp; bienvenue &lt;ici&gt;.

00:00:01.600 --> 00:00:02.900
Élysée : « l’Otan » à 100 %, une phrase
beaucoup plus longue qui tient sur deux lignes.

01:02:03.456 --> 01:02:05.000
Une heure plus tard.
"""

EXPECTED_SRT = """1
00:00:00,120 --> 00:00:01,500
Bonjour & bienvenue <ici>.

2
00:00:01,600 --> 00:00:02,900
Élysée : « l’Otan » à 100 %, une phrase
beaucoup plus longue qui tient sur deux lignes.

3
01:02:03,456 --> 01:02:05,000
Une heure plus tard.
"""


def test_webvtt_is_exact():
    assert to_webvtt(TIMELINE) == EXPECTED_VTT


def test_srt_is_exact():
    assert to_srt(TIMELINE) == EXPECTED_SRT


def test_ffmpeg_reads_our_webvtt_as_the_same_cues_as_our_srt(tmp_path: Path):
    # An independent parser: ffmpeg's WebVTT demuxer, re-emitted as SRT, gives our SRT back.
    vtt = tmp_path / "t.vtt"
    vtt.write_text(to_webvtt(TIMELINE), encoding="utf-8")
    srt = run_ffmpeg(["-i", str(vtt), "-f", "srt", "-"]).stdout.decode("utf-8")
    assert srt.replace("\r\n", "\n").strip() == to_srt(TIMELINE).strip()


def test_cues_are_ordered_and_the_last_ends_with_the_last_sentence():
    times = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)", to_webvtt(TIMELINE))

    def ms(h, m, s, f):
        return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(f)

    spans = [(ms(*t[:4]), ms(*t[4:])) for t in times]
    assert spans == sorted(spans)
    assert all(start < end for start, end in spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    assert spans[-1][1] == TIMELINE.sections[-1].sentences[-1].end_ms


def test_cue_lines_are_wrapped_to_two_readable_lines():
    for block in to_srt(TIMELINE).strip().split("\n\n"):
        text_lines = block.split("\n")[2:]
        assert 1 <= len(text_lines) <= 2
        assert all(len(line) <= 48 for line in text_lines)
    # Wrapping never loses or changes words.
    cue_2 = to_srt(TIMELINE).split("\n\n")[1].split("\n", 2)[2]
    assert cue_2.replace("\n", " ") == LONG


def test_no_cues_for_a_timeline_without_sentences():
    empty = Timeline(sections=(TimedSection("intro", "Intro", 0, 500, ()),), duration_ms=500)
    assert to_webvtt(empty) == "WEBVTT\n"
    assert to_srt(empty) == ""


def test_chapters_cover_the_whole_episode_without_gaps():
    chapters = chapters_from_timeline(TIMELINE)
    assert chapters == [
        Chapter(title="Introduction", start=0.0, end=3.2),
        Chapter(title="Élysée : « l’Otan » à 100 %", start=3.2, end=3726.0),
    ]


def test_json_chapters_follow_podcasting_2_0():
    chapters = chapters_from_timeline(TIMELINE)
    text = to_chapters_json(list(reversed(chapters)), episode_title="Épisode")
    assert "Élysée" in text and "\\u" not in text  # ensure_ascii=False
    document = json.loads(text)
    assert document["version"] == "1.2.0"
    entries = document["chapters"]
    assert [entry["title"] for entry in entries] == ["Introduction", "Élysée : « l’Otan » à 100 %"]
    assert [entry["startTime"] for entry in entries] == [0.0, 3.2]
    assert all(isinstance(entry["startTime"], float) for entry in entries)
    assert entries[-1]["endTime"] == 3726.0


def test_caption_lines_never_break_inside_a_number_or_before_its_unit():
    from pipeline.publish.sidecars import _lines

    for text in ("Ce dispositif a déjà levé près de 4 milliards d’euros, et 3 345,50 € de plus pour la défense.",
                 "Les Pays-Bas ont annoncé un engagement supplémentaire de 250 millions d’euros lundi."):
        wrapped = _lines(text)
        assert wrapped.replace("\n", " ") == text
        for line in wrapped.splitlines():
            assert not line.rstrip()[-1:].isdigit(), wrapped
