"""feedgen extensions for what feedgen 1.0 cannot write by itself.

* ``AppleExtension`` / ``AppleEntryExtension``: feedgen's own iTunes extension, with
  ``itunes:explicit`` written as Apple documents it today (``true``/``false``; feedgen's setter
  only accepts the old ``yes``/``no``/``clean``) and a channel image that is refused loudly
  (feedgen builds a ``ValueError`` for a bad image URL but never raises it).
* ``PodcastIndexExtension`` / ``PodcastIndexEntryExtension``: the Podcasting 2.0 namespace
  (channel ``podcast:guid``, ``podcast:locked``, ``podcast:medium``, ``podcast:updateFrequency``,
  ``podcast:license``, ``podcast:funding``, ``podcast:block``; item ``podcast:person``,
  ``podcast:transcript`` and ``podcast:chapters``).
* ``PagingExtension``: RFC 5005 archive links, and WebSub's ``atom:link rel="hub"``.

Elements are added to the tree in ``extend_rss``; nothing edits the rendered XML.
"""
from __future__ import annotations

import uuid

import lxml.etree  # noqa: F401  feedgen.util uses lxml.etree without importing it
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.ext.podcast import PodcastExtension
from feedgen.ext.podcast_entry import PodcastEntryExtension
from feedgen.util import xml_elem

from pipeline.manifest import podcast_guid  # noqa: F401  (the channel's podcast:guid)

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"

def explicit_text(value: bool | str) -> str:
    """Apple's itunes:explicit value (``true``/``false``) for a boolean or a legacy word."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip().lower()
    if text in ("true", "yes", "explicit"):
        return "true"
    if text in ("false", "no", "clean"):
        return "false"
    raise ValueError(f"itunes:explicit must be true or false, not {value!r}")


def _set_explicit(channel_or_item, value: str | None) -> None:
    if value is not None:
        xml_elem(f"{{{ITUNES_NS}}}explicit", channel_or_item).text = value


class _AppleExplicit:
    """itunes:explicit as Apple now documents it (true/false); feedgen only takes yes/no/clean."""

    _explicit: str | None = None

    def itunes_explicit(self, itunes_explicit=None):
        if itunes_explicit is not None:
            self._explicit = explicit_text(itunes_explicit)
        return self._explicit


class AppleExtension(_AppleExplicit, PodcastExtension):
    """feedgen's iTunes channel extension with Apple's current explicit values."""

    def itunes_image(self, itunes_image=None):
        if itunes_image is not None and not itunes_image.lower().endswith((".jpg", ".png")):
            raise ValueError(f"itunes:image must end in .jpg or .png: {itunes_image}")
        return super().itunes_image(itunes_image)

    def extend_rss(self, rss_feed):
        super().extend_rss(rss_feed)
        _set_explicit(rss_feed[0], self._explicit)
        return rss_feed


class AppleEntryExtension(_AppleExplicit, PodcastEntryExtension):
    """feedgen's iTunes item extension with Apple's current explicit values."""

    def extend_rss(self, entry):
        super().extend_rss(entry)
        _set_explicit(entry, self._explicit)
        return entry


class PodcastIndexExtension(BaseExtension):
    """Channel tags of the Podcasting 2.0 namespace."""

    def __init__(self):
        self._guid: str | None = None
        self._locked: tuple[bool, str | None] | None = None
        self._listing: list[tuple[str, dict[str, str], str]] = []  # (tag, attributes, text), in order

    def extend_ns(self):
        return {"podcast": PODCAST_NS}

    def guid(self, value: str | None = None) -> str | None:
        if value is not None:
            self._guid = str(uuid.UUID(value))  # refuse anything that is not a UUID
        return self._guid

    def locked(self, locked: bool, owner: str | None = None) -> None:
        """podcast:locked: whether other platforms may import the feed (``no`` lets them)."""
        self._locked = (bool(locked), owner)

    def medium(self, value: str) -> None:
        """podcast:medium (podcast, audiobook, …): what kind of show directories file it under."""
        self._listing.append(("medium", {}, value))

    def update_frequency(self, rrule: str, text: str) -> None:
        """podcast:updateFrequency: the schedule (an RFC 5545 rule) and how to say it."""
        self._listing.append(("updateFrequency", {"rrule": rrule}, text))

    def license(self, identifier: str, url: str | None = None) -> None:
        self._listing.append(("license", {"url": url} if url else {}, identifier))

    def funding(self, url: str, text: str) -> None:
        self._listing.append(("funding", {"url": url}, text))

    def block(self) -> None:
        """podcast:block yes: no Podcasting 2.0 platform lists the show."""
        self._listing.append(("block", {}, "yes"))

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        if self._guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self._guid
        if self._locked is not None:
            locked, owner = self._locked
            elem = xml_elem(f"{{{PODCAST_NS}}}locked", channel)
            elem.text = "yes" if locked else "no"
            if owner:
                elem.attrib["owner"] = owner
        for tag, attrs, text in self._listing:
            xml_elem(f"{{{PODCAST_NS}}}{tag}", channel, **attrs).text = text
        return rss_feed

    def extend_atom(self, feed):
        return feed


class PodcastIndexEntryExtension(BaseEntryExtension):
    """Item tags of the Podcasting 2.0 namespace: transcripts and chapters."""

    def __init__(self):
        self._transcripts: list[dict[str, str]] = []
        self._chapters: dict[str, str] | None = None
        self._persons: list[tuple[dict[str, str], str]] = []

    def extend_ns(self):
        return {"podcast": PODCAST_NS}

    def transcript(self, url: str, type: str, language: str | None = None,
                   rel: str | None = None) -> None:
        attrs = {"url": url, "type": type}
        if language:
            attrs["language"] = language
        if rel:
            attrs["rel"] = rel
        self._transcripts.append(attrs)

    def chapters(self, url: str, type: str = "application/json+chapters") -> None:
        self._chapters = {"url": url, "type": type}

    def person(self, name: str, *, role: str, group: str, href: str | None = None) -> None:
        """podcast:person: who made the episode, ``role`` and ``group`` from the Podcasting 2.0 taxonomy."""
        attrs = {"role": role, "group": group}
        if href:
            attrs["href"] = href
        self._persons.append((attrs, name))

    def extend_rss(self, entry):
        for attrs, name in self._persons:
            xml_elem(f"{{{PODCAST_NS}}}person", entry, **attrs).text = name
        for attrs in self._transcripts:
            xml_elem(f"{{{PODCAST_NS}}}transcript", entry, **attrs)
        if self._chapters:
            xml_elem(f"{{{PODCAST_NS}}}chapters", entry, **self._chapters)
        return entry

    def extend_atom(self, entry):
        return entry


ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"


class PagingExtension(BaseExtension):
    """RFC 5005 links between the subscription feed and its archives (feedgen writes only
    ``rel="self"`` in RSS): ``atom:link`` with ``current``, ``prev-archive``, ``next-archive``,
    ``next``, ``previous``, ``first``, ``last``, and ``fh:archive`` on an archive document."""

    def __init__(self):
        self._links: list[tuple[str, str]] = []
        self._hubs: list[str] = []
        self._archive = False

    def extend_ns(self):
        return {"atom": ATOM_NS, "fh": HISTORY_NS}

    def link(self, rel: str, href: str) -> None:
        self._links.append((rel, href))

    def archive(self, is_archive: bool) -> None:
        self._archive = is_archive

    def hub(self, href: str) -> None:
        """WebSub: ``atom:link rel="hub"``, a hub this show pings when the feed changes."""
        self._hubs.append(href)

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        for href in self._hubs:
            xml_elem(f"{{{ATOM_NS}}}link", channel, rel="hub", href=href)
        for rel, href in self._links:
            xml_elem(f"{{{ATOM_NS}}}link", channel, rel=rel, href=href, type="application/rss+xml")
        if self._archive:
            xml_elem(f"{{{HISTORY_NS}}}archive", channel)
        return rss_feed

    def extend_atom(self, feed):
        return feed
