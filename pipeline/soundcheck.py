"""Sound checks before publishing: refuse silent, truncated or clipped episodes.

An engine that returns empty or broken audio must not become a published episode: these checks
run on the assembled audio and raise a one-line UserError naming the episode.
"""
from __future__ import annotations

import io

from pipeline.errors import UserError
from pipeline.ffmpeg import pydub

# French TTS speaks about 14-16 characters a second (gTTS and espeak-ng at default rate).
CHARS_PER_SECOND = 15.0
SILENT_DBFS = -60.0  # average level below which nothing audible was said
MIN_DURATION_RATIO = 0.4  # shorter than 40% of what the text predicts: chunks went missing
# Speech that merely touches full scale has a few such samples; clipping flattens whole peaks.
CLIPPED_FRACTION = 0.001


def expected_seconds_for(text_chars: int) -> float:
    """How long French TTS takes to speak ``text_chars`` characters (pauses not included)."""
    return max(0, text_chars) / CHARS_PER_SECOND


def _segment(samples):
    AudioSegment = pydub().AudioSegment
    if isinstance(samples, AudioSegment):
        return samples
    return AudioSegment.from_file(io.BytesIO(samples), format="wav", codec="pcm_s16le")


def _clipped_fraction(segment) -> float:
    """Share of samples at (or one step from) full scale, counted in C by array.count."""
    samples = segment.get_array_of_samples()
    if not samples:
        return 0.0
    top = segment.max_possible_amplitude  # 32768 for 16-bit
    values = (int(top) - 1, int(top) - 2, -int(top), -int(top) + 1)
    return sum(samples.count(v) for v in values) / len(samples)


def check_episode_audio(samples, *, expected_seconds: float, path_for_messages: str) -> None:
    """Raise UserError when the audio is silent, far shorter than expected, or clipped.

    ``samples`` is a pydub AudioSegment or the bytes of a WAV file.
    """
    segment = _segment(samples)
    seconds = len(segment) / 1000
    if seconds == 0 or segment.max == 0 or segment.dBFS < SILENT_DBFS:
        level = "no audio" if seconds == 0 else f"{segment.dBFS:.0f} dBFS"
        raise UserError(f"{path_for_messages}: the synthesised audio is silent ({level}); not published")
    if seconds < MIN_DURATION_RATIO * expected_seconds:
        raise UserError(
            f"{path_for_messages}: the synthesised audio lasts {seconds:.1f} s but its text needs "
            f"about {expected_seconds:.0f} s; the speech engine dropped audio, not published"
        )
    clipped = _clipped_fraction(segment)
    if clipped > CLIPPED_FRACTION:
        raise UserError(
            f"{path_for_messages}: the synthesised audio is clipped ({clipped:.1%} of samples at "
            "full scale); not published"
        )
