"""The assembly alone: chunks of known length in, a WAV and a timeline whose every time is exact."""
from __future__ import annotations

import math
import wave

from pipeline.config import AudioConfig
from pipeline.model import Paragraph, Script, Section, Sentence
from pipeline.sound.assembly import (CLAUSE_PAUSE_MS, LEAD_IN_MS, RATE, TAIL_MS, SectionSound, assemble,
                                     join_pieces)

PAUSES = AudioConfig(pause_sentence_ms=350, pause_paragraph_ms=700, pause_section_ms=1200)


def tone(ms: int) -> bytes:
    """A tone of exactly ``ms`` milliseconds, loud from its first sample to its last (nothing to trim)."""
    frames = RATE * ms // 1000
    samples = (int(12000 * math.sin(2 * math.pi * 440 * (i + 0.5) / RATE)) or 1 for i in range(frames))
    return b"".join(s.to_bytes(2, "little", signed=True) for s in samples)


def script() -> Script:
    return Script("T", (
        Section("intro", "Introduction", (Paragraph((Sentence("Bonjour.", ("bonjour",)),)),)),
        Section("passage", "Le sujet", (
            Paragraph((Sentence("Une phrase.", ("une phrase",)), Sentence("Deux morceaux.", ("deux", "morceaux")))),
            Paragraph((Sentence("Plus loin.", ("plus loin",)),)),
        )),
        Section("outro", "Conclusion", (Paragraph((Sentence("Au revoir.", ("au revoir",)),)),)),
    ))


LENGTHS = {"bonjour": 500, "une phrase": 800, "deux": 300, "morceaux": 400, "plus loin": 600, "au revoir": 700}


def wav_ms(path) -> int:
    with wave.open(str(path)) as source:
        return source.getnframes() * 1000 // source.getframerate()


def test_every_time_in_the_timeline_is_where_the_audio_is(tmp_path):
    texts = script().chunks()
    timeline = assemble(script(), (tone(LENGTHS[t]) for t in texts), PAUSES, tmp_path / "e.wav")
    intro, passage, outro = timeline.sections
    assert (intro.start_ms, intro.end_ms) == (LEAD_IN_MS, LEAD_IN_MS + 500)
    first = LEAD_IN_MS + 500 + 1200
    assert passage.start_ms == passage.sentences[0].start_ms == first  # a chapter starts at its first sentence
    second = first + 800 + 350
    assert [(s.start_ms, s.end_ms) for s in passage.sentences] == [
        (first, first + 800), (second, second + 300 + CLAUSE_PAUSE_MS + 400),
        (second + 820 + 700, second + 820 + 700 + 600)]
    assert outro.start_ms == passage.end_ms + 1200 and outro.end_ms == outro.start_ms + 700
    assert timeline.duration_ms == outro.end_ms + TAIL_MS == wav_ms(tmp_path / "e.wav")


def test_the_tee_sees_exactly_what_is_written(tmp_path):
    seen = []
    texts = script().chunks()
    assemble(script(), (tone(LENGTHS[t]) for t in texts), PAUSES, tmp_path / "e.wav", tee=seen.append)
    with wave.open(str(tmp_path / "e.wav")) as source:
        assert b"".join(seen) == source.readframes(source.getnframes())


def test_a_sting_and_a_music_bed_move_the_times_and_start_their_chapters(tmp_path):
    texts = script().chunks()
    sting = b"\x01\x00" * (RATE // 2)  # 500 ms

    def bed(voice: bytes) -> tuple[bytes, int]:
        lead = b"\x02\x00" * RATE  # a second of music alone, then the voice
        return lead + voice + b"\x02\x00" * (RATE // 4), 1000

    sounds = [SectionSound(bed=bed), SectionSound(before=sting), SectionSound()]
    timeline = assemble(script(), (tone(LENGTHS[t]) for t in texts), PAUSES, tmp_path / "e.wav", sounds=sounds)
    intro, passage, outro = timeline.sections
    assert intro.start_ms == LEAD_IN_MS and intro.sentences[0].start_ms == LEAD_IN_MS + 1000
    assert intro.end_ms == LEAD_IN_MS + 1000 + 500 + 250
    assert passage.start_ms == intro.end_ms + 1200  # the chapter starts with its sting
    assert passage.sentences[0].start_ms == passage.start_ms + 500
    assert timeline.duration_ms == wav_ms(tmp_path / "e.wav")


def test_pieces_of_one_chunk_are_joined_with_the_clause_pause():
    joined = join_pieces([tone(200), tone(300)])
    assert len(joined) == (200 + CLAUSE_PAUSE_MS + 300) * RATE // 1000 * 2


def test_mp3_chunks_decode_in_process_to_exactly_what_ffmpeg_decodes():
    # Chunks are decoded without an ffmpeg process each; the samples (and the gapless trim of the
    # encoder's delay and padding) must be ffmpeg's own, or every timeline would drift.
    import array

    import pytest
    from google_standin import google_mp3
    from pipeline.sound.assembly import DecodeError, _decode_with_ffmpeg, decode_to_pcm

    mp3 = google_mp3("Les ministres se retrouvent à Bruxelles pour parler de l'aide à l'Ukraine.")
    ours, ffmpegs = array.array("h", decode_to_pcm(mp3, "mp3")), array.array("h", _decode_with_ffmpeg(mp3, "mp3"))
    assert len(ours) == len(ffmpegs) > RATE
    assert max(abs(a - b) for a, b in zip(ours, ffmpegs)) <= 1
    for garbage in (b"<html>Before you continue to Google</html>", b"", mp3[:40]):
        with pytest.raises(DecodeError):
            decode_to_pcm(garbage, "mp3")
