"""Synthetic test audio made with ffmpeg's lavfi sources (deterministic: fixed noise seeds)."""
from __future__ import annotations

import functools
import io
import wave
from pathlib import Path

from pipeline.sound.ffmpeg import run_ffmpeg

RATE = 44100

# Speech-like: pink noise shaped into "syllables" (0.3 s on, 0.2 s nearly off).
_SYLLABLES = "volume='if(lt(mod(t\\,0.5)\\,0.3)\\,1\\,0.05)':eval=frame"
# Plus a "plosive" burst 12x louder than the rest every 1.5 s: quiet speech with sharp peaks,
# the kind that pushes loudnorm out of its linear mode.
_PLOSIVES = "volume='if(lt(mod(t\\,0.5)\\,0.3)\\,1\\,0.05)*if(lt(mod(t\\,1.5)\\,0.03)\\,12\\,1)':eval=frame"


def lavfi_wav(source: str, *, filters: str = "") -> bytes:
    """16-bit mono 44.1 kHz WAV bytes from an ffmpeg lavfi graph."""
    graph = source + ("," + filters if filters else "")
    args = ["-f", "lavfi", "-i", graph, "-ac", "1", "-ar", str(RATE), "-f", "s16le", "-"]
    pcm = run_ffmpeg(args).stdout
    # Wrapped here: a WAV that ffmpeg writes to a pipe has no sizes in its header, like pydub's has.
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm)
    return out.getvalue()


def speech_like_wav(seconds: float = 6.0, *, amplitude: float = 0.3, seed: int = 7, gain_db: float = 0.0) -> bytes:
    """Syllable-shaped pink noise; ``gain_db`` is applied last (16-bit output clips it)."""
    return lavfi_wav(
        f"anoisesrc=d={seconds}:c=pink:r={RATE}:a={amplitude}:seed={seed}",
        filters=f"{_SYLLABLES},volume={gain_db}dB",
    )


def quiet_peaky_wav(seconds: float = 6.0, *, seed: int = 7) -> bytes:
    """About -31 LUFS with peaks near -2 dBTP: linear gain alone would overshoot the peak target."""
    return lavfi_wav(f"anoisesrc=d={seconds}:c=pink:r={RATE}:a=0.08:seed={seed}", filters=_PLOSIVES)


def loud_then_soft_wav(seconds: float = 16.0, *, seed: int = 5) -> bytes:
    """Speech-like, its second half 16 dB softer: a loudness range (~16 LU) above loudnorm's 11."""
    return lavfi_wav(
        f"anoisesrc=d={seconds}:c=pink:r={RATE}:a=0.3:seed={seed}",
        filters=f"{_SYLLABLES},volume='if(lt(t\\,{seconds / 2})\\,1\\,0.15)':eval=frame",
    )


def sine_wav(seconds: float, *, frequency: int = 1000, amplitude: float = 0.1) -> bytes:
    return lavfi_wav(f"aevalsrc={amplitude}*sin(2*PI*{frequency}*t):d={seconds}:s={RATE}")


@functools.lru_cache(maxsize=None)
def sine_mp3(seconds: float = 3.0, frequency: int = 440, volume_db: float = 0.0) -> bytes:
    """A real mono 44.1 kHz 96 kb/s MP3 of a sine (made once per process); +6 dB is about -16 LUFS."""
    return run_ffmpeg([
        "-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={seconds}:sample_rate={RATE}",
        "-af", f"volume={volume_db}dB", "-ac", "1", "-ar", str(RATE), "-b:a", "96k", "-f", "mp3", "pipe:1",
    ]).stdout


def small_mp3(path: Path, seconds: float = 3.0) -> Path:
    """A short real MP3 (mono 44.1 kHz, with ffmpeg's own ID3 tag) to tag in tests."""
    run_ffmpeg(
        ["-f", "lavfi", "-i", f"sine=f=440:d={seconds}:sample_rate={RATE}", "-ac", "1",
         "-c:a", "libmp3lame", "-b:a", "96k", "-f", "mp3", "-y", str(path)]
    )
    return path
