"""The web pages, rebuilt from the same manifests as the feed: the landing page (the newest
episodes and how to subscribe), HTML archive pages, and one page per episode (player, chapters,
the whole transcript, a share link).

Jinja2 with autoescaping renders ``templates/*.html.j2``; the pages' CSS and JS are inlined from
``templates/site.css`` / ``site.js`` and allowed by a hash-based Content-Security-Policy, so a
page can load nothing from elsewhere (no CDN, no web fonts) even if someone edits it later.
Every link inside a page is relative: it works under any base URL, and on a phone through
``invoke serve --host 0.0.0.0``. Dates and durations are written in French without the locale
module (whose French locale may not be installed).
"""
from __future__ import annotations

import base64
import functools
import hashlib
import html
import re
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path
from typing import Sequence
from urllib.parse import quote, urlsplit

import jinja2

from pipeline.config import Config
from pipeline.publish.feed import plain_text, web_url
from pipeline import layout
from pipeline.manifest import newest_first, pub_datetime
from pipeline.model import EpisodeManifest
from pipeline.publish.paging import PageDocument
from pipeline.text.dates import french_date

__all__ = ["render_index", "render_archive_page", "render_episode_page", "french_duration", "clock",
           "read_vtt_cues", "subscribe_links", "transcript_parts", "TranscriptPart"]

TEMPLATES = Path(__file__).parent / "templates"


def french_duration(seconds: float) -> str:
    """``3 min 12 s``, ``45 s``, ``1 h 02 min 05 s``; a trailing zero part is left out."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        text = f"{hours} h {minutes:02d} min"
        return f"{text} {secs:02d} s" if secs else text
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


def clock(seconds: float) -> str:
    """A player's clock: ``0:12``, ``3:05``, ``1:02:03``."""
    total = max(0, int(seconds))  # floor: a chapter at 12.9 s is said to start at 0:12
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# --- transcripts ----------------------------------------------------------------------------
_STAMP = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{3}"
_TIMING = re.compile(rf"^\s*({_STAMP})\s+-->\s+({_STAMP})")
_TAG = re.compile(r"<[^>]*>")


def _vtt_seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    seconds = float(parts[-1])
    for i, value in enumerate(reversed(parts[:-1]), start=1):
        seconds += int(value) * 60 ** i
    return round(seconds, 3)  # whole milliseconds, as chapter starts are: 95.808 is not 95.80799…


def read_vtt_cues(text: str) -> list[tuple[float, str]]:
    """(start, text) of each cue of a WebVTT file, tags removed.

    Only what a transcript needs: blocks without a timing line (header, NOTE, STYLE, REGION)
    are skipped, cue settings ignored; the text is unescaped by the page's autoescaping anyway.
    """
    cues: list[tuple[float, str]] = []
    for block in re.split(r"\r?\n\s*\r?\n", text.replace("\ufeff", "")):
        lines = block.strip().splitlines()
        for i, line in enumerate(lines):
            match = _TIMING.match(line)
            if match:
                words = " ".join(l.strip() for l in lines[i + 1:] if l.strip())
                words = html.unescape(_TAG.sub("", words)).strip()
                if words:
                    cues.append((_vtt_seconds(match.group(1)), words))
                break
    return cues


@dataclass(frozen=True)
class TranscriptPart:
    """The transcript's sentences under one chapter (title None when there are no chapters)."""

    title: str | None
    start: float
    text: str
    cues: tuple[tuple[float, str], ...] = ()  # (start, sentence): the page highlights the one playing


def transcript_parts(manifest: EpisodeManifest, vtt: str | None) -> list[TranscriptPart]:
    """The transcript (``vtt``, the episode's WebVTT text) cut by chapter."""
    cues = read_vtt_cues(vtt) if vtt else []
    chapters = sorted(manifest.chapters, key=lambda c: c.start)
    if not chapters:
        return [TranscriptPart(None, 0.0, " ".join(t for _, t in cues), tuple(cues))] if cues else []
    parts = []
    for index, chapter in enumerate(chapters):
        end = chapters[index + 1].start if index + 1 < len(chapters) else float("inf")
        # A cue belongs to the chapter its start falls in; the first chapter takes earlier ones.
        begin = round(chapter.start, 3)
        mine = tuple((start, t) for start, t in cues
                     if (start < round(end, 3)) and (start >= begin or index == 0))
        if mine:
            parts.append(TranscriptPart(chapter.title, chapter.start, " ".join(t for _, t in mine), mine))
    return parts


# --- subscribing ----------------------------------------------------------------------------
def subscribe_links(feed_url: str) -> list[tuple[str, str]]:
    """(app name, link) for apps that subscribe from a link naming the raw feed URL.

    Each is a URL scheme the app registers on the phone, nothing that loads from a web site.
    """
    bare = re.sub(r"^https?://", "", feed_url)
    encoded = quote(feed_url, safe="")
    return [
        ("Apple Podcasts", f"podcast://{bare}"),
        ("AntennaPod", f"antennapod-subscribe://{bare}"),
        ("Overcast", f"overcast://x-callback-url/add?url={encoded}"),
        ("Pocket Casts", f"pktc://subscribe/{bare}"),
        ("Castro", f"castro://subscribe/{bare}"),
        ("Podcast Addict", f"podcastaddict://{bare}"),
    ]


# --- rendering ------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["clock"] = clock
    return env


def _asset(name: str) -> tuple[str, str]:
    """An inline asset's text and its CSP hash source."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
    return text, f"'sha256-{digest}'"


def _href(relative: str | None, root: str = "") -> str | None:
    """A relative link to a file of public/ from a page ``root`` levels down (percent-encoded)."""
    return root + quote(relative.lstrip("/"), safe="/") if relative else None


def _csp(media: tuple[str, ...] = ()) -> tuple[str, str, str]:
    """The inline assets and the page's policy; ``media``: origins the audio comes through
    besides the page's own (an ``[analytics] prefix`` and the address it redirects to)."""
    css, css_hash = _asset("site.css")
    js, js_hash = _asset("site.js")
    policy = "; ".join(["default-src 'none'", "img-src 'self'", " ".join(("media-src 'self'", *media)),
                        f"style-src {css_hash}",
                        f"script-src {js_hash}", "base-uri 'none'", "form-action 'none'"])
    return css, js, policy


def _page_context(config: Config, *, cover_path: str | None, base_url: str | None, root: str) -> dict:
    """What every page shares: the show, the feed, the inline assets and their CSP."""
    show = config.show
    base = (base_url or show.base_url).rstrip("/")
    prefix = config.analytics.prefix
    css, js, csp = _csp(media_origins(prefix, base))
    return dict(prefix=prefix,show_title=plain_text(show.title), show_description=plain_text(show.description),
                show_author=plain_text(show.author), cover=_href(cover_path, root), root=root,
                feed_href=_href(layout.FEED, root), feed_url=layout.feed_url(base), index_href=_href(layout.INDEX, root),
                css=css, js=js, csp=csp, base=base)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def media_origins(prefix: str | None, base: str) -> tuple[str, ...]:
    """Where a page's audio comes from besides its own origin: the ``[analytics] prefix`` and the
    show's address it redirects to (none without a prefix)."""
    return tuple(dict.fromkeys(_origin(u) for u in (prefix, base))) if prefix else ()


def _episode(manifest: EpisodeManifest, root: str, tz, context: dict) -> dict:
    """An episode as the templates show it; dates as a listener where the show is reads them
    (an article of 00:30 in Paris is 23:30 UTC the day before). The audio through the
    ``[analytics] prefix`` when there is one, as in the feed."""
    when = pub_datetime(manifest)
    audio = manifest.files["audio"]
    return {
        "slug": manifest.slug,
        "id": "episode-" + re.sub(r"[^A-Za-z0-9_-]", "-", manifest.slug),
        "title": plain_text(manifest.title),
        "description": plain_text(manifest.description),
        "number": manifest.episode_number,
        "iso_date": when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "date": french_date(when.astimezone(tz)),
        "duration": french_duration(manifest.duration_seconds),
        "page": _href(layout.episode_page(manifest.slug), root),
        "audio": layout.enclosure_url(context["base"], audio, context["prefix"]) if context["prefix"] else _href(audio, root),
        "vtt": _href(manifest.files.get("vtt"), root),
        "srt": _href(manifest.files.get("srt"), root),
        "source_url": web_url(manifest.source_url),
        "chapters": sorted(manifest.chapters, key=lambda c: c.start),
    }


def _archive_links(pages: int, root: str) -> list[tuple[int, str]]:
    """(number, link) of every HTML archive page, the newest first."""
    return [(n, _href(layout.archive_page(n), root)) for n in range(pages, 0, -1)]


def render_index(config: Config, manifests: Sequence[EpisodeManifest], *, cover_path: str | None,
                 base_url: str | None = None, archive_pages: int = 0) -> str:
    """public/index.html: the show, how to subscribe, its newest episodes (``manifests``) and links
    to the archive pages. ``base_url`` overrides the configured one (previews); it only changes
    the feed address shown for copying and in the app links. Same input, same bytes."""
    context = _page_context(config, cover_path=cover_path, base_url=base_url, root="")
    return _environment().get_template("index.html.j2").render(
        **context, apps=subscribe_links(context["feed_url"]),
        episodes=[_episode(m, "", config.tz, context) for m in newest_first(manifests)], archives=_archive_links(archive_pages, ""))


def render_archive_page(config: Config, page: PageDocument, *, cover_path: str | None,
                        base_url: str | None = None) -> str:
    """One HTML archive page: its episodes listed, links to its neighbours and the landing page."""
    context = _page_context(config, cover_path=cover_path, base_url=base_url, root="../")
    newer = _href(layout.archive_page(page.number + 1), "../") if page.number < page.pages else None
    older = _href(layout.archive_page(page.number - 1), "../") if page.number > 1 else None
    return _environment().get_template("archive.html.j2").render(
        **context, number=page.number, pages=page.pages, newer=newer, older=older,
        episodes=[_episode(m, "../", config.tz, context) for m in page.episodes], archives=_archive_links(page.pages, "../"))


def render_episode_page(config: Config, manifest: EpisodeManifest, *, vtt: str | None, cover_path: str | None,
                        base_url: str | None = None) -> str:
    """episodes/<slug>.html: the player, chapters, the whole transcript, a share link and the
    page's canonical address."""
    context = _page_context(config, cover_path=cover_path, base_url=base_url, root="../")
    canonical = context["base"] + "/" + quote(layout.episode_page(manifest.slug), safe="/")
    oembed = layout.file_url(context["base"], layout.embed_oembed(manifest.slug))  # for CMSes pasting the link
    return _environment().get_template("episode.html.j2").render(
        **context, ep=_episode(manifest, "../", config.tz, context), canonical=canonical, oembed=oembed,
        transcript=transcript_parts(manifest, vtt))
