"""Where ffmpeg comes from, the one way every module runs it, and a pydub that uses it quietly.

A system ffmpeg is preferred (it may be newer, and packagers patch it); otherwise the static
build shipped in the ``imageio-ffmpeg`` wheel, so a fresh machine needs no system package.
That build has no ffprobe, so every pydub call here names its codec/format explicitly.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
import warnings


class FfmpegError(RuntimeError):
    """ffmpeg failed; the message is one line (the last lines of its log, joined)."""


@functools.lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    system = shutil.which("ffmpeg")
    if system:
        return system
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@functools.lru_cache(maxsize=1)
def pydub():
    """Import pydub without its "Couldn't find ffmpeg" warning and point it at our ffmpeg."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="pydub")
        import pydub as _pydub
    _pydub.AudioSegment.converter = ffmpeg_exe()
    _pydub.AudioSegment.ffmpeg = ffmpeg_exe()
    return _pydub


def ffmpeg_command(args: list[str]) -> list[str]:
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", *args]


def log_tail(stderr: bytes, lines: int = 3) -> str:
    """The end of an ffmpeg log on one line (what a user can act on, not the whole log)."""
    return " | ".join(stderr.decode("utf-8", "replace").strip().splitlines()[-lines:])


def run_ffmpeg(args: list[str], input_bytes: bytes | None = None, *, check: bool = True) -> subprocess.CompletedProcess:
    """Run ffmpeg with ``args`` (no leading executable); with ``check``, raise FfmpegError on failure."""
    proc = subprocess.run(ffmpeg_command(args), input=input_bytes, capture_output=True)
    if check and proc.returncode != 0:
        raise FfmpegError(f"ffmpeg failed ({proc.returncode}): {log_tail(proc.stderr)}")
    return proc


def start_ffmpeg(args: list[str], *, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL) -> subprocess.Popen:
    """Start ffmpeg as a pipeline stage (its log is captured on stderr)."""
    return subprocess.Popen(ffmpeg_command(args), stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
