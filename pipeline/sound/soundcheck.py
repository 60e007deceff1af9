"""Sound checks before publishing: refuse silent, truncated or clipped episodes.

An engine that returns empty or broken audio must not become a published episode: these checks
run on the assembled audio and raise a one-line UserError naming the episode.
"""
from __future__ import annotations

import io

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


def expected_seconds_for(text_chars: int, *, chars_per_second: float = CHARS_PER_SECOND) -> float:
    """How long French TTS takes to speak ``text_chars`` characters (pauses not included).

    Pass ``chars_per_second`` for a voice set to speak unusually fast or slowly.
    """
    return max(0, text_chars) / chars_per_second


def _segment(samples):
    AudioSegment = pydub().AudioSegment
    if isinstance(samples, AudioSegment):
        return samples
    return AudioSegment.from_file(io.BytesIO(samples), format="wav", codec="pcm_s16le")


def _clipped_fraction(segment) -> float:
    """Share of samples within 0.07 dB of full scale.

    Keeping only each sample's top byte (audioop, in C) makes "near full scale" the two byte
    values 0x7f and 0x80, which bytes.count finds in milliseconds even in an hour of audio.
    """
    if not segment.raw_data:
        return 0.0
    audioop = pydub().audio_segment.audioop  # the module pydub uses (audioop-lts on 3.13+)
    top = audioop.lin2lin(segment.raw_data, segment.sample_width, 1)
    return (top.count(b"\x7f") + top.count(b"\x80")) / len(top)


def _quiet_share(segment) -> float:
    """Share of whole seconds with nothing audible in them (one window at a time: an hour of
    audio must not be copied into a list of slices)."""
    starts = range(0, len(segment) - QUIET_WINDOW_MS + 1, QUIET_WINDOW_MS)
    if not starts:
        return 0.0
    quiet = sum(segment[start : start + QUIET_WINDOW_MS].dBFS < QUIET_WINDOW_DBFS for start in starts)
    return quiet / len(starts)


def check_episode_audio(samples, *, expected_seconds: float, path_for_messages: str) -> None:
    """Raise UserError when the audio is silent (or mostly), far shorter than expected, or clipped.

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
    quiet = _quiet_share(segment)
    if quiet > MAX_QUIET_SHARE:
        raise UserError(
            f"{path_for_messages}: the synthesised audio is mostly silent ({quiet:.0%} of its "
            "seconds); the speech engine returned silence, not published"
        )
    clipped = _clipped_fraction(segment)
    if clipped > CLIPPED_FRACTION:
        raise UserError(
            f"{path_for_messages}: the synthesised audio is clipped ({clipped:.1%} of samples at "
            "full scale); not published"
        )
