"""A small real public/ (MP3, transcripts, chapters, cover, feed, index) and a running server.

The MP3 is a real sine encoded by the project's ffmpeg; the feed comes from render_feed and the
page from render_index, so the server and browser tests exercise what `invoke build` publishes.
"""
from __future__ import annotations

import contextlib
import functools
import io
import json
from dataclasses import asdict
from pathlib import Path

from _helpers_audio import sine_mp3
from _helpers_project import serving
from pipeline.config import Config, ShowConfig
from pipeline.publish.feed import render_feed
from pipeline.sound.ffmpeg import run_ffmpeg
from pipeline.model import Chapter, EpisodeManifest
from pipeline.publish.serve import make_server
from pipeline.publish.site import render_episode_page, render_index

SECONDS = 6.0
CHAPTERS = (
    Chapter("Introduction", 0.0, 2.5),
    Chapter("Le cœur du sujet", 2.5, 4.5),
    Chapter("Conclusion", 4.5, SECONDS),
)
VTT = """WEBVTT

1
00:00:00.000 --> 00:00:02.400
Balado. L'OTAN et l'Ukraine : ce qui change.

2
00:00:02.500 --> 00:00:04.400
Les ministres se sont réunis à Bruxelles & ont <b>tranché</b>.

3
00:00:04.500 --> 00:00:06.000
Merci de votre écoute.
"""
SRT = """1
00:00:00,000 --> 00:00:02,400
Balado. L'OTAN et l'Ukraine : ce qui change.
"""


def cover_png(size: int = 64) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (179, 38, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_config(root: Path, base_url: str = "https://balado.example/podcast") -> Config:
    return Config(root=Path(root), show=ShowConfig(
        title="Balado — l'actualité à écouter",
        description="Les articles de la rédaction, lus à voix haute.",
        author="La rédaction",
        base_url=base_url,
        link=base_url + "/",
    ))


def make_manifest(slug: str = "otan-ukraine", *, number: int = 1, audio_bytes: int = 1000,
                  duration: float = SECONDS, pub_date: str = "2026-11-26T08:30:00+00:00",
                  chapters: tuple[Chapter, ...] = CHAPTERS, source_url: str | None = None,
                  **files: str) -> EpisodeManifest:
    """A manifest as the pipeline writes it; keyword ``files`` override its file paths."""
    paths = {"audio": f"episodes/{slug}.mp3", "vtt": f"episodes/{slug}.vtt",
             "srt": f"episodes/{slug}.srt", "chapters": f"episodes/{slug}.chapters.json"}
    paths.update(files)
    return EpisodeManifest(
        slug=slug, guid=f"urn:balado:{slug}", title="L'OTAN et l'Ukraine : ce qui change",
        description="Les ministres se sont réunis à Bruxelles.", author="Jeanne Rédactrice",
        pub_date=pub_date, episode_number=number, duration_seconds=duration,
        audio_bytes=audio_bytes, engine="espeak", source=f"articles/{slug}.md",
        source_hash="0" * 64, script_hash="1" * 64, chapters=chapters, files=paths,
        source_url=source_url,
    )


def build_public(root: Path, *, base_url: str = "https://balado.example/podcast"):
    """Write a one-episode public/ under ``root``; returns (config, manifest, public_dir)."""
    public = Path(root) / "public"
    episodes = public / "episodes"
    episodes.mkdir(parents=True)
    audio = sine_mp3(SECONDS)
    manifest = make_manifest(audio_bytes=len(audio))
    (public / manifest.files["audio"]).write_bytes(audio)
    (public / manifest.files["vtt"]).write_text(VTT, encoding="utf-8")
    (public / manifest.files["srt"]).write_text(SRT, encoding="utf-8")
    chapters = {"version": "1.2.0", "chapters": [
        {"startTime": c.start, "title": c.title} for c in manifest.chapters]}
    (public / manifest.files["chapters"]).write_text(json.dumps(chapters), encoding="utf-8")
    (episodes / f"{manifest.slug}.json").write_text(json.dumps(asdict(manifest)),
                                                   encoding="utf-8")
    (public / "cover.png").write_bytes(cover_png())
    config = make_config(root, base_url)
    (public / "feed.xml").write_bytes(render_feed(config, [manifest], cover_path="cover.png"))
    (public / "index.html").write_text(render_index(config, [manifest], cover_path="cover.png"), encoding="utf-8")
    (episodes / f"{manifest.slug}.html").write_text(
        render_episode_page(config, manifest, vtt=VTT, cover_path="cover.png"), encoding="utf-8")
    return config, manifest, public


@contextlib.contextmanager
def running_server(public_dir: Path, **kwargs):
    """The real server on a free loopback port, in a thread, for the duration of a test."""
    server = make_server(public_dir, "127.0.0.1", 0, quiet=True, **kwargs)
    with serving(server):
        yield server
