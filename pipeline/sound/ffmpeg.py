"""Where ffmpeg comes from, and a pydub that uses it quietly.

A system ffmpeg is preferred (it may be newer, and packagers patch it); otherwise the static
build shipped in the ``imageio-ffmpeg`` wheel, so a fresh machine needs no system package.
That build has no ffprobe, so every pydub call here names its codec/format explicitly.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
import warnings


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


def run_ffmpeg(args: list[str], input_bytes: bytes | None = None) -> subprocess.CompletedProcess:
    """Run ffmpeg with ``args`` (no leading executable); raise with its stderr tail on failure."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", *args]
    proc = subprocess.run(cmd, input=input_bytes, capture_output=True)
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError(f"ffmpeg failed ({proc.returncode}): {' | '.join(tail)}")
    return proc
