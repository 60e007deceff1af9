"""Long episodes in flat memory: a build whose data segment cannot hold the episode's PCM still
publishes it, at the norm, with its chapters where its sections start.

The child process builds a 22-minute episode (63 MB of 24 kHz PCM) with the offline voice, then
again with ``force`` (every chunk from the cache, decoded faster than it is encoded), under
RLIMIT_DATA: a build holds about 140 MB of data whatever the episode's length (interpreter,
libraries, thread stacks, bounded windows of audio), so a limit of 185 MB refuses any copy of the
whole episode in memory (the assembled WAV loaded whole, every chunk decoded ahead, an
encoder's unbounded backlog) with a MemoryError, and the build fails. The day's digest of that
episode, with music under its intro and outro (the path that mixes a bed), is built under the same
limit.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from _helpers_audio import lavfi_wav
from _helpers_project import published
from pipeline.norms import meets_loudness_norm
from pipeline.sound.ffmpeg import pydub, run_ffmpeg
from pipeline.sound.loudness import measure_file
from pipeline.sound.tags import read_chapters

REPO = Path(__file__).resolve().parent.parent
DATA_LIMIT_MB = 185
SECTIONS, SENTENCES = 4, 60  # 240 distinct sentences of ~5.5 s each with the offline voice

CHILD = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_DATA, (int(sys.argv[2]) * 1024 * 1024, resource.RLIM_INFINITY))
from pipeline.build import build
from pipeline.config import load_config
config = load_config(Path(sys.argv[1]))
build(config, engine="espeak", warn=lambda message: None)
print((config.public_dir / "episodes" / "long.json").read_text(encoding="utf-8"))
build(config, engine="espeak", force=True, warn=lambda message: None)  # every chunk from the cache, at once
from datetime import date
from pipeline.digest import build_digest
# The day's digest of it, with music under its intro and outro: the same limit holds.
assert build_digest(config, on=date(2025, 12, 3), engine="espeak", warn=lambda m: None).status == "built"
"""


def long_article() -> str:
    lines = ["+++", "date = 2025-12-03T08:00:00", "+++", "# Un long article de synthèse", ""]
    for section in range(SECTIONS):
        lines += [f"## Partie {section + 1}", ""]
        lines += [f"Voici la phrase {section * SENTENCES + n} de ce long article, qui parle de défense "
                  "européenne et de budgets publics." for n in range(SENTENCES)]
        lines.append("")
    return "\n".join(lines)


def level_dbfs(mp3: Path, start: float, seconds: float) -> float:
    """RMS level of a stretch of the published MP3, decoded by ffmpeg."""
    pcm = run_ffmpeg(["-i", str(mp3), "-af", f"atrim=start={start:.3f}:duration={seconds:.3f}",
                      "-f", "s16le", "-ac", "1", "-ar", "24000", "pipe:1"]).stdout
    rms = pydub().audio_segment.audioop.rms(pcm, 2)
    return pydub().utils.ratio_to_db(rms / 32768) if rms else -120.0


def test_a_long_episode_builds_under_a_memory_limit_its_pcm_would_exceed(tmp_path):
    project = tmp_path / "show"
    (project / "episodes").mkdir(parents=True)
    (project / "podcast.toml").write_bytes((REPO / "podcast.toml").read_bytes())
    (project / "episodes" / "long.md").write_text(long_article(), encoding="utf-8")
    (project / "sounds").mkdir()  # a music bed whose level changes, longer than the intro it goes under
    (project / "sounds" / "generique.wav").write_bytes(lavfi_wav(
        "aevalsrc=(0.1+0.3*gt(t\\,20))*sin(2*PI*330*t):d=40:s=44100"))
    settings = project / "podcast.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "[audio]\n", '[audio]\nintro_music = "sounds/generique.wav"\noutro_music = "sounds/generique.wav"\n', 1),
        encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.run([sys.executable, "-c", CHILD, str(project), str(DATA_LIMIT_MB)], env=env,
                           capture_output=True, text=True)
    assert child.returncode == 0, child.stderr[-2000:]

    mp3 = published(project / "public", "long")
    manifest = json.loads((project / "public/episodes/long.json").read_text(encoding="utf-8"))
    assert json.loads(child.stdout)["files"] == manifest["files"]  # rebuilt from the cache: the same bytes
    assert manifest["duration_seconds"] > 20 * 60  # its PCM (24 kHz, 16 bits) over 57 MB
    measured = measure_file(mp3)
    assert meets_loudness_norm(measured.integrated, measured.true_peak)

    chapters = read_chapters(mp3)
    parts = [c for c in chapters if c.title.startswith("Partie")]
    assert [c.title for c in parts] == [f"Partie {n + 1}" for n in range(SECTIONS)]
    listed = json.loads(published(project / "public", "long", "chapters").read_text(encoding="utf-8"))["chapters"]
    assert [round(c.start, 3) for c in chapters] == [round(c["startTime"], 3) for c in listed]
    for chapter in parts:  # each starts as its first sentence does, after the section's pause
        assert level_dbfs(mp3, chapter.start - 1.0, 0.9) < -50
        assert level_dbfs(mp3, chapter.start, 0.4) > -35

    digest = json.loads((project / "public/episodes/journal-2025-12-03.json").read_text(encoding="utf-8"))
    assert digest["kind"] == "digest" and digest["duration_seconds"] > manifest["duration_seconds"]
    assert [c["title"] for c in digest["chapters"]] == ["Au sommaire", "Un long article de synthèse", "Conclusion"]
    measured = measure_file(published(project / "public", "journal-2025-12-03"))
    assert meets_loudness_norm(measured.integrated, measured.true_peak)
