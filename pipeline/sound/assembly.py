"""Stage 4: decode spoken chunks and assemble them into one timeline.

All audio inside the pipeline is 24 kHz mono 16-bit PCM (gTTS's own rate, so nothing is lost,
and half the memory of 48 kHz for a 45-minute long read). pydub trims each chunk's silences;
the episode is then streamed piece by piece into a WAV file with the standard ``wave`` module
(repeated ``AudioSegment + AudioSegment`` would copy the whole buffer each time).
"""
from __future__ import annotations

import io
import wave
from pathlib import Path
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from pipeline.config import AudioConfig
from pipeline.sound.ffmpeg import log_tail, pydub, run_ffmpeg
from pipeline.model import Script, TimedSection, TimedSentence, Timeline

RATE = 24000
WIDTH = 2  # bytes per sample
SILENCE_THRESHOLD_DBFS = -50.0
TRIM_MARGIN_MS = 20  # keep a breath of the edge so consonants are not clipped
CLAUSE_PAUSE_MS = 120  # between the chunks of one long sentence
LEAD_IN_MS, TAIL_MS = 300, 900


class DecodeError(Exception):
    pass


def pcm_to_wav(pcm: bytes, rate: int = RATE) -> bytes:
    """Mono 16-bit WAV bytes of ``pcm``."""
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(WIDTH)
        target.setframerate(rate)
        target.writeframes(pcm)
    return out.getvalue()


def decode_to_pcm(audio: bytes, fmt: str) -> bytes:
    """Decode an engine's audio (mp3/wav) to 24 kHz mono s16le; raise DecodeError if it fails."""
    pcm = _decode_mp3(audio) if fmt == "mp3" else _decode_with_ffmpeg(audio, fmt)
    if len(pcm) < RATE * WIDTH // 20:  # under 50 ms: nothing said
        raise DecodeError("no audio")
    return pcm


def _decode_mp3(audio: bytes) -> bytes:
    """MP3 decoded in-process (miniaudio's dr_mp3, gapless like ffmpeg's, the same samples to the
    last bit): a long read has hundreds of chunks, and an ffmpeg process for each cost ~25 ms of
    CPU that the encoder, working at the same time, needs."""
    import miniaudio

    try:
        decoded = miniaudio.decode(audio, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1,
                                   sample_rate=RATE)
    except miniaudio.DecodeError:
        raise DecodeError("not MP3 audio") from None
    return decoded.samples.tobytes()


def _decode_with_ffmpeg(audio: bytes, fmt: str) -> bytes:
    proc = run_ffmpeg(["-v", "error", "-f", fmt, "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", str(RATE),
                       "pipe:1"], audio, check=False)
    if proc.returncode != 0:
        raise DecodeError(log_tail(proc.stderr, lines=1)[:200] or "no audio")
    return proc.stdout


def _trim(pcm: bytes) -> bytes:
    """Cut leading and trailing silence (gTTS pads every request), keeping a small margin."""
    AudioSegment = pydub().AudioSegment  # first: imports pydub quietly
    from pydub.silence import detect_leading_silence

    segment = AudioSegment(data=pcm, sample_width=WIDTH, frame_rate=RATE, channels=1)
    start = max(0, detect_leading_silence(segment, SILENCE_THRESHOLD_DBFS) - TRIM_MARGIN_MS)
    end = len(segment) - max(0, detect_leading_silence(segment.reverse(), SILENCE_THRESHOLD_DBFS) - TRIM_MARGIN_MS)
    if end <= start:
        return pcm
    return segment[start:end].raw_data


def _silence(ms: int) -> bytes:
    return b"\x00" * (RATE * ms // 1000) * WIDTH


def join_pieces(pieces: list[bytes]) -> bytes:
    """Pieces of one chunk spoken in separate requests, as one chunk: each trimmed, with the
    pause that separates the chunks of one sentence between them."""
    return _silence(CLAUSE_PAUSE_MS).join(_trim(piece) for piece in pieces)


@dataclass(frozen=True)
class SectionSound:
    """What plays with a section besides its voice (a digest's music): ``before`` plays alone
    first (a transition sting); ``bed`` lays music under the voice: the section's speech PCM in,
    (the mix, where the voice starts in it in ms) out."""

    before: bytes = b""
    bed: Callable[[bytes], tuple[bytes, int]] | None = None


class _Track:
    """PCM written in order, with the position reached: to the WAV file (and ``tee``), or in memory."""

    def __init__(self, out=None, tee: Callable[[bytes], None] | None = None):
        self.out, self.tee, self.position, self.parts = out, tee, 0, []

    def add(self, data: bytes) -> None:
        if self.out is None:
            self.parts.append(data)
        else:
            self.out.writeframes(data)
            if self.tee:
                self.tee(data)
        self.position += len(data)

    def now_ms(self) -> int:
        return self.position * 1000 // (RATE * WIDTH)


def _speak(section, chunks, pauses: AudioConfig, track: _Track) -> list[TimedSentence]:
    """A section's sentences onto ``track``, with their pauses; their times on that track."""
    timed: list[TimedSentence] = []
    for p_index, paragraph in enumerate(section.paragraphs):
        if p_index:
            track.add(_silence(pauses.pause_paragraph_ms))
        for t_index, sentence in enumerate(paragraph.sentences):
            if t_index:
                track.add(_silence(pauses.pause_sentence_ms))
            start = track.now_ms()
            for c_index, _ in enumerate(sentence.chunks):
                if c_index:
                    track.add(_silence(CLAUSE_PAUSE_MS))
                track.add(_trim(next(chunks)))
            timed.append(TimedSentence(sentence.written, start, track.now_ms()))
    return timed


def _with_bed(section, chunks, pauses: AudioConfig, track: _Track, bed) -> list[TimedSentence]:
    """The section spoken in memory, laid over its music, then written; times moved to match."""
    voice = _Track()
    timed = _speak(section, chunks, pauses, voice)
    mixed, voice_start = bed(b"".join(voice.parts))
    offset = track.now_ms() + voice_start
    track.add(mixed)
    return [TimedSentence(s.written, s.start_ms + offset, s.end_ms + offset) for s in timed]


def assemble(script: Script, chunk_pcm: Iterable[bytes], pauses: AudioConfig, wav_path: Path, *,
             tee: Callable[[bytes], None] | None = None,
             sounds: Sequence[SectionSound] | None = None) -> Timeline:
    """Write the chunks of ``script`` (PCM in script order) with pauses to a WAV file; return the timeline.

    The episode is streamed to disk piece by piece as chunks arrive (``chunk_pcm`` may be a
    generator fed by the synthesis), so a 45-minute long read is never held in memory; ``tee``
    sees every piece too (the loudness meter, the encoder). ``sounds`` (one per section, or none)
    adds music: a section's chapter starts where its sound does.
    """
    sections: list[TimedSection] = []
    with wave.open(str(wav_path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(WIDTH)
        out.setframerate(RATE)
        track = _Track(out, tee)
        track.add(_silence(LEAD_IN_MS))
        chunks = iter(chunk_pcm)
        for s_index, section in enumerate(script.sections):
            if s_index:
                track.add(_silence(pauses.pause_section_ms))
            sound = sounds[s_index] if sounds else SectionSound()
            begins = track.now_ms()
            track.add(sound.before)
            timed = (_with_bed(section, chunks, pauses, track, sound.bed) if sound.bed
                     else _speak(section, chunks, pauses, track))
            if timed:
                start = begins if sound.before or sound.bed else timed[0].start_ms
                sections.append(TimedSection(section.kind, section.title, start, track.now_ms() if sound.bed
                                             else timed[-1].end_ms, tuple(timed)))
        track.add(_silence(TAIL_MS))
    return Timeline(tuple(sections), track.now_ms())

