"""The player alone, for pages that allow no scripts: the iframe page ``embed/<slug>.html`` and
its oEmbed 1.0 answer ``embed/<slug>.oembed.json`` (type ``rich``: an ``<iframe>`` of that page).

The iframe page runs nothing inline: it loads ``../embed.js`` and ``../embed.css`` under a strict
Content-Security-Policy (its own origin only, and the ``[analytics] prefix`` for the audio), names
its episode with ``data-balado-episode`` and holds the transcript, which the player follows.
"""
from __future__ import annotations

import functools
import json
from pipeline import layout
from pipeline.config import Config
from pipeline.model import EpisodeManifest
from pipeline.player import HOME

OEMBED_VERSION = "1.0"
WIDTH, HEIGHT = 640, 400  # the iframe oEmbed proposes; the transcript scrolls inside it
IFRAME_STYLE = "border:0;width:100%;max-width:640px"


def embed_csp(config: Config, base_url: str | None = None) -> str:
    """The iframe page's policy; the audio may go through the analytics prefix, which redirects
    to the show's address (as the site's pages allow)."""
    from pipeline.publish.site import media_origins

    media = media_origins(config.analytics.prefix, base_url or config.show.base_url)
    return "; ".join(["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                      "img-src 'self'", " ".join(("media-src 'self'", *media)), "base-uri 'none'",
                      "form-action 'none'"])


@functools.lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(HOME), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def render_embed_page(config: Config, manifest: EpisodeManifest, *, vtt: str | None,
                      base_url: str | None = None) -> str:
    from pipeline.publish.feed import plain_text
    from pipeline.publish.site import transcript_parts

    base = (base_url or config.show.base_url).rstrip("/")
    return _environment().get_template("embed.html.j2").render(
        csp=embed_csp(config, base_url), slug=manifest.slug, title=plain_text(manifest.title),
        show=plain_text(config.show.title), page=layout.file_url(base, layout.episode_page(manifest.slug)),
        transcript=transcript_parts(manifest, vtt))


def iframe_html(config: Config, manifest: EpisodeManifest, *, base_url: str | None = None) -> str:
    """The ``<iframe>`` a CMS pastes (oEmbed's ``html``); attribute values escaped."""
    from html import escape

    from pipeline.publish.feed import plain_text

    base = (base_url or config.show.base_url).rstrip("/")
    src = layout.file_url(base, layout.embed_page(manifest.slug))
    title = f"Écouter « {plain_text(manifest.title)} »"
    return (f'<iframe src="{escape(src)}" title="{escape(title)}" width="{WIDTH}" height="{HEIGHT}" '
            f'loading="lazy" style="{IFRAME_STYLE}"></iframe>')


def oembed(config: Config, manifest: EpisodeManifest, *, base_url: str | None = None, cover: str | None = None,
           cover_size: tuple[int, int] | None = None) -> dict:
    """The oEmbed 1.0 ``rich`` answer for one episode (``cover_size``: the cover's pixels)."""
    from pipeline.publish.feed import plain_text, web_url

    base = (base_url or config.show.base_url).rstrip("/")
    answer = {"version": OEMBED_VERSION, "type": "rich", "provider_name": plain_text(config.show.title),
              "provider_url": base + "/", "title": plain_text(manifest.title),
              "author_name": plain_text(manifest.author or config.show.author),
              "html": iframe_html(config, manifest, base_url=base_url), "width": WIDTH, "height": HEIGHT}
    if web_url(manifest.author_url):
        answer["author_url"] = web_url(manifest.author_url)
    if cover and cover_size:
        answer.update(thumbnail_url=layout.file_url(base, cover), thumbnail_width=cover_size[0],
                      thumbnail_height=cover_size[1])
    return answer


def oembed_json(answer: dict) -> str:
    return json.dumps(answer, ensure_ascii=False, indent=1) + "\n"
