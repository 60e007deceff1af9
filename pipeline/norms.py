"""The norms every episode meets and the types every published file declares, in one place."""
from __future__ import annotations

import os

from pipeline.layout import FEED

# --- loudness (the podcast norm: Apple, Spotify and AES TD1008 agree on -16 LUFS for mono) -----
TARGET_LUFS = -16.0
LUFS_TOLERANCE = 1.0  # a published episode is refused outside -16 ±1 LUFS
TRUE_PEAK_CEILING = -1.0  # dBTP: a published episode never peaks above it


def meets_loudness_norm(integrated: float, true_peak: float) -> bool:
    return abs(integrated - TARGET_LUFS) <= LUFS_TOLERANCE and true_peak <= TRUE_PEAK_CEILING


def loudness_norm_text() -> str:
    return f"target {TARGET_LUFS:.0f} ±{LUFS_TOLERANCE:.0f} LUFS, at most {TRUE_PEAK_CEILING:.0f} dBTP"


# --- media types ----------------------------------------------------------------------------------
# What the feed declares for each file an episode publishes, by the manifest's key.
FEED_TYPES = {
    "audio": "audio/mpeg",
    "vtt": "text/vtt",
    "srt": "application/x-subrip",
    "chapters": "application/json+chapters",
}
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
RSS_TYPE = "application/rss+xml"

# A declared type → the file extensions it may have (what validation checks).
TYPE_EXTENSIONS = {
    "audio/mpeg": (".mp3",),
    "text/vtt": (".vtt",),
    "application/x-subrip": (".srt",),
    "application/srt": (".srt",),
    "application/json+chapters": (".json",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}

# What a web server sends (Content-Type): text types say their charset, or browsers guess and
# French turns to mojibake. By full name first (the feeds), then by suffix.
_HTTP_BY_SUFFIX = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".wav": "audio/wav",
    ".xml": "application/xml",
    ".rss": RSS_TYPE,
    ".json": "application/json",  # episode manifests and <slug>.chapters.json
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    **IMAGE_TYPES,
}


def image_type(name: str) -> str:
    """The MIME type of a cover file, from its extension (PNG unless it says JPEG)."""
    return IMAGE_TYPES.get(os.path.splitext(name.lower())[1], "image/png")


def http_content_type(relative: str, *, feeds: tuple[str, ...] = (FEED,)) -> str:
    """The Content-Type a published file (path relative to public/) is served with.

    ``feeds`` names the RSS documents (an RSS file declares its own encoding: no charset).
    """
    relative = relative.lower().lstrip("/")
    if relative in feeds:
        return RSS_TYPE
    return _HTTP_BY_SUFFIX.get(os.path.splitext(relative)[1], "application/octet-stream")
