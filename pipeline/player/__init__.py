"""The embeddable "listen to this article" player (issue 22): what a build publishes for it.

``embed.js`` / ``embed.css`` (the player itself) are copied verbatim into public/; this package
also turns each published episode into the files the player reads (:mod:`.data`), the iframe page
and oEmbed answer for pages that allow no scripts (:mod:`.pages`), and names article URLs the way
the player does (:mod:`.urls`).
"""
from pathlib import Path

HOME = Path(__file__).parent
ASSETS = ("embed.js", "embed.css")  # copied into public/ under the same names (newsrooms hard-code them)
