"""Sound checks before publishing: refuse silent, truncated or clipped episodes.

An engine that returns empty or broken audio must not become a published episode: these checks
run on the assembled audio and raise a one-line UserError naming the episode.
"""
from __future__ import annotations

import io
import math
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from pipeline.errors import UserError
from pipeline.sound.ffmpeg import pydub

# gTTS speaks French at about 14-16 characters a second (espeak-ng at 165 wpm: about 20,
# which the 40% floor below still leaves far from a false alarm).
CHARS_PER_SECOND = 15.0
SILENT_DBFS = -60.0  # average level below which nothing audible was said
MIN_DURATION_RATIO = 0.4  # shorter than 40% of what the text predicts: chunks went missing
# A second of speech never sits below -50 dBFS; a chunk the engine returned as silence does.
QUIET_WINDOW_MS, QUIET_WINDOW_DBFS, MAX_QUIET_SHARE = 1000, -50.0, 0.5
# Speech that merely touches full scale has a few such samples; clipping flattens whole peaks.
CLIPPED_FRACTION = 0.001
BLOCK_WINDOWS = 10  # quiet windows read at a time: 10 s of audio, half a megabyte


def expected_seconds_for(text_chars: int, *, chars_per_second: float = CHARS_PER_SECOND) -> float:
    """How long French TTS takes to speak ``text_chars`` characters (pauses not included).

    Pass ``chars_per_second`` for a voice set to speak unusually fast or slowly.
    """
    return max(0, text_chars) / chars_per_second


@dataclass
class _Levels:
    """What the checks need, added up one block at a time (an hour of audio is never in memory)."""

    frames: int = 0
    rate: int = 1
    width: int = 2
    peak: int = 0
    squares: float = 0.0  # sum of squared samples
    windows: int = 0  # whole QUIET_WINDOW_MS windows
    quiet: int = 0  # of which nothing audible
    near_full_scale: int = 0

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    @property
    def dbfs(self) -> float:
        rms = math.sqrt(self.squares / self.frames) if self.frames else 0.0
        return 20 * math.log10(rms / _full_scale(self.width)) if rms else -math.inf


def _full_scale(width: int) -> int:
    return 1 << (8 * width - 1)


def _blocks(samples) -> tuple[int, int, Iterator[bytes]]:
    """(rate, sample width, blocks of whole quiet windows) of a pydub AudioSegment, WAV bytes or a
    WAV file's path."""
    AudioSegment = pydub().AudioSegment
    if isinstance(samples, AudioSegment):
        data = memoryview(samples.raw_data)
        step = samples.frame_rate * QUIET_WINDOW_MS // 1000 * BLOCK_WINDOWS * samples.frame_width
        return samples.frame_rate, samples.sample_width, (data[i:i + step] for i in range(0, len(data), step))
    source = wave.open(str(samples) if isinstance(samples, (str, Path)) else io.BytesIO(samples))

    def read() -> Iterator[bytes]:
        with source:
            while block := source.readframes(source.getframerate() * QUIET_WINDOW_MS // 1000 * BLOCK_WINDOWS):
                yield block
    return source.getframerate(), source.getsampwidth(), read()


def _measure(samples) -> _Levels:
    audioop = pydub().audio_segment.audioop  # the module pydub uses (audioop-lts on 3.13+)
    rate, width, blocks = _blocks(samples)
    levels, window = _Levels(rate=rate, width=width), rate * QUIET_WINDOW_MS // 1000 * width
    for block in blocks:
        count = len(block) // width
        levels.frames += count
        levels.peak = max(levels.peak, audioop.max(block, width))
        levels.squares += float(audioop.rms(block, width)) ** 2 * count
        for start in range(0, len(block) - window + 1, window):
            rms = audioop.rms(block[start:start + window], width)
            levels.windows += 1
            levels.quiet += not rms or 20 * math.log10(rms / _full_scale(width)) < QUIET_WINDOW_DBFS
        # Each sample's top byte alone (audioop, in C): "near full scale" is 0x7f or 0x80.
        top = audioop.lin2lin(block, width, 1)
        levels.near_full_scale += top.count(b"\x7f") + top.count(b"\x80")
    return levels


def check_episode_audio(samples, *, expected_seconds: float, path_for_messages: str) -> None:
    """Raise UserError when the audio is silent (or mostly), far shorter than expected, or clipped.

    ``samples`` is a pydub AudioSegment, the bytes of a WAV file or its path (read a block at a time).
    """
    levels = _measure(samples)
    seconds = levels.seconds
    if seconds == 0 or levels.peak == 0 or levels.dbfs < SILENT_DBFS:
        level = "no audio" if seconds == 0 else f"{levels.dbfs:.0f} dBFS"
        raise UserError(f"{path_for_messages}: the synthesised audio is silent ({level}); not published")
    if seconds < MIN_DURATION_RATIO * expected_seconds:
        raise UserError(
            f"{path_for_messages}: the synthesised audio lasts {seconds:.1f} s but its text needs "
            f"about {expected_seconds:.0f} s; the speech engine dropped audio, not published"
        )
    quiet = levels.quiet / levels.windows if levels.windows else 0.0
    if quiet > MAX_QUIET_SHARE:
        raise UserError(
            f"{path_for_messages}: the synthesised audio is mostly silent ({quiet:.0%} of its "
            "seconds); the speech engine returned silence, not published"
        )
    clipped = levels.near_full_scale / levels.frames
    if clipped > CLIPPED_FRACTION:
        raise UserError(
            f"{path_for_messages}: the synthesised audio is clipped ({clipped:.1%} of samples at "
            "full scale); not published"
        )
