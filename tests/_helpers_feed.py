"""A small but real public/ for the feed, cover and validation tests.

Real MP3s (ffmpeg's sine source through the project's ffmpeg), real side files, manifests as
the pipeline writes them, the cover from ensure_cover and the feed from render_feed.
"""
from __future__ import annotations

import functools
import json
from dataclasses import replace
from pathlib import Path

from _helpers_audio import sine_mp3
from pipeline.config import Config, ShowConfig
from pipeline.build import rebuild_feed
from pipeline.publish.cover import ensure_cover
from pipeline.publish.feed import render_feed
from pipeline.sound.ffmpeg import run_ffmpeg
from pipeline.fsutil import atomic_write_bytes
from pipeline.manifest import load_manifests, manifest_json
from pipeline.model import Chapter, EpisodeManifest

BASE_URL = "https://balado.example/podcast"


def make_config(root: Path, **show) -> Config:
    settings = dict(
        title="Balado — l'actualité à écouter",
        description="Les articles de la rédaction, lus à voix haute.",
        author="La rédaction Balado",
        owner_name="La rédaction Balado",
        owner_email="podcast@balado.example",
        base_url=BASE_URL,
        link="https://balado.example/",
        category="News",
        subcategory="Politics",
        explicit=False,
    )
    settings.update(show)
    return Config(root=Path(root), show=ShowConfig(**settings))


def make_manifest(number: int, *, audio_bytes: int, duration: float, **changes) -> EpisodeManifest:
    slug = f"episode-{number}"
    manifest = EpisodeManifest(
        slug=slug,
        guid=f"urn:balado:{slug}",
        title=f"Épisode {number} : l'OTAN et l'Ukraine",
        description=f"Résumé de l'épisode {number}, lu à voix haute.",
        author="Jeanne Rédactrice",
        pub_date=f"2024-03-{number:02d}T08:30:00+00:00",
        episode_number=number,
        duration_seconds=duration,
        audio_bytes=audio_bytes,
        engine="espeak",
        source=f"episodes/{slug}.txt",
        source_hash="0" * 64,
        script_hash="1" * 64,
        chapters=(Chapter("Introduction", 0.0, 1.0), Chapter("Article", 1.0, duration)),
        files={
            "audio": f"episodes/{slug}.mp3",
            "vtt": f"episodes/{slug}.vtt",
            "srt": f"episodes/{slug}.srt",
            "chapters": f"episodes/{slug}.chapters.json",
        },
    )
    return replace(manifest, **changes)


def write_episode(public: Path, number: int, seconds: float = 3.0, volume_db: float = 6.0,
                  **changes) -> EpisodeManifest:
    """Write one episode's audio, transcripts, chapters and manifest into ``public``."""
    from mutagen.mp3 import MP3

    audio = sine_mp3(seconds, volume_db=volume_db)
    slug = f"episode-{number}"
    episodes = public / "episodes"
    episodes.mkdir(parents=True, exist_ok=True)
    (episodes / f"{slug}.mp3").write_bytes(audio)
    duration = MP3(episodes / f"{slug}.mp3").info.length
    end = f"00:00:0{int(seconds) - 1},000"
    (episodes / f"{slug}.vtt").write_text(
        f"WEBVTT\n\n00:00:00.000 --> 00:00:0{int(seconds) - 1}.000\nBonjour.\n", "utf-8")
    (episodes / f"{slug}.srt").write_text(f"1\n00:00:00,000 --> {end}\nBonjour.\n", "utf-8")
    chapters = {"version": "1.2.0", "chapters": [{"startTime": 0.0, "title": "Introduction"},
                                                 {"startTime": 1.0, "title": "Article"}]}
    (episodes / f"{slug}.chapters.json").write_text(json.dumps(chapters), "utf-8")
    manifest = make_manifest(number, audio_bytes=len(audio), duration=duration, **changes)
    (episodes / f"{slug}.json").write_text(manifest_json(manifest), "utf-8")
    return manifest


def write_feed(config: Config, public: Path, base_url: str | None = None) -> bytes:
    """Cover, feed and pages from the manifests in ``public``, as `invoke feed` does; with
    ``base_url``, only the feed, rendered for that address."""
    if base_url is None:
        rebuild_feed(replace(config, root=Path(public).parent))  # public/ may be a copy, elsewhere
        return (public / "feed.xml").read_bytes()
    cover = ensure_cover(config, public)
    xml = render_feed(config, load_manifests(public), cover_path=cover, base_url=base_url)
    atomic_write_bytes(public / "feed.xml", xml)
    return xml


def build_public(root: Path, episodes: int = 2, **show) -> tuple[Config, Path]:
    config = make_config(root, **show)
    public = root / "public"
    for number in range(1, episodes + 1):
        write_episode(public, number)
    write_feed(config, public)
    return config, public
