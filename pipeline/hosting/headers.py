"""The HTTP headers each published object is stored with, so CDNs and podcast apps cache it right.

A name that carries a digest of its content (``layout.is_immutable``) never changes once
published, so it may be cached for a year. Every other name can change under the same URL (the
feed, the page, the manifests, the cover, and episode files whose names are not versioned yet):
those are cached for minutes, so a CDN shows a change within that time.
"""
from __future__ import annotations

from pipeline import layout
from pipeline.norms import http_content_type

SHORT = "public, max-age=300"
LONG = "public, max-age=31536000, immutable"


def content_type(relative: str) -> str:
    # Archive pages are RSS documents too: they get the RSS type, not application/xml.
    feeds = (relative,) if layout.is_feed(relative) else (layout.FEED,)
    return http_content_type(relative, feeds=feeds)


def cache_control(relative: str) -> str:
    return LONG if layout.is_immutable(relative) else SHORT
