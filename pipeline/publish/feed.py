"""The podcast feed (RSS 2.0 + iTunes + Podcasting 2.0), rebuilt from the episode manifests.

Built with feedgen; what feedgen cannot write (Apple's ``true``/``false`` explicit values, the
``podcast:`` namespace) comes from the extensions in ``podcast_ns``. Rendering is deterministic:
the same manifests give byte-identical XML (``lastBuildDate`` is the newest episode's date, not
the clock), so rebuilding with nothing new changes nothing.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Sequence

from feedgen.feed import FeedGenerator

from pipeline.config import PERSON_ROLES, Config
from pipeline.disclosure import episode_sentence, show_sentence
from pipeline.errors import UserError
from pipeline import layout
from pipeline.manifest import newest_first, pub_datetime
from pipeline.model import EpisodeManifest
from pipeline.norms import FEED_TYPES, RSS_TYPE
from pipeline.publish.paging import Links
from pipeline.publish.podcast_ns import (
    PagingExtension,
    AppleEntryExtension,
    AppleExtension,
    PodcastIndexEntryExtension,
    PodcastIndexExtension,
    podcast_guid,
)

__all__ = ["render_feed", "podcast_guid", "clean_xml_text", "plain_text", "APPLE_CATEGORIES",
           "file_url"]

GENERATOR = "balado (python-feedgen)"
MAX_DESCRIPTION_BYTES = 4000  # Apple's limit for the channel and item descriptions

# Apple Podcasts categories (case-sensitive), each with its subcategories.
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing",
                 "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health",
                         "Nutrition", "Sexuality"),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": ("Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
                "Home & Garden", "Video Games"),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": ("Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
             "Sports News", "Tech News"),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism",
                                "Religion", "Spirituality"),
    "Science": ("Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
                "Natural Sciences", "Nature", "Physics", "Social Sciences"),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel",
                          "Relationships"),
    "Sports": ("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf",
               "Hockey", "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball",
               "Wilderness", "Wrestling"),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
_XML_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_xml_text(text: str | None) -> str:
    """``text`` without the characters XML cannot carry (lxml refuses them only at render)."""
    return _XML_FORBIDDEN.sub("", text or "")


class _TextExtractor(HTMLParser):
    """Keeps the text of an HTML fragment, drops its tags, scripts and styles."""

    _SKIP = {"script", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in ("br", "p", "div", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def plain_text(text: str | None) -> str:
    """Descriptions are plain text: apps render them as HTML, so no markup may reach them."""
    text = clean_xml_text(text)
    if "<" in text or "&" in text:
        parser = _TextExtractor()
        try:
            parser.feed(text)
            parser.close()
            text = "".join(parser.parts)
        except AssertionError:
            # html.parser asserts on some broken markup ("<![0"): drop anything tag-like instead.
            text = html.unescape(re.sub(r"<[^<>]*>", " ", text))
    return re.sub(r"[ \t]+", " ", text).strip()


def _truncate_bytes(text: str, limit: int = MAX_DESCRIPTION_BYTES) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[: limit - len("…".encode("utf-8"))].decode("utf-8", "ignore")
    return cut.rstrip() + "…"


def web_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) link, else None: an article's link is only ever a web
    page (never ``javascript:`` or ``data:``, which a page would run)."""
    from urllib.parse import urlsplit

    url = clean_xml_text(url).strip()
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


file_url = layout.file_url  # where a published file is, absolute (kept here: modules import it)


def _check_category(config: Config) -> None:
    show = config.show
    where = config.root / "podcast.toml"
    if show.category not in APPLE_CATEGORIES:
        raise UserError(f"{where}: [show] category {show.category!r} is not one of Apple's "
                        f"categories ({', '.join(APPLE_CATEGORIES)})")
    if show.subcategory and show.subcategory not in APPLE_CATEGORIES[show.category]:
        allowed = ", ".join(APPLE_CATEGORIES[show.category]) or "none"
        raise UserError(f"{where}: [show] subcategory {show.subcategory!r} is not under "
                        f"{show.category!r} in Apple's list (allowed: {allowed})")


def _new_generator() -> FeedGenerator:
    fg = FeedGenerator()
    # Registered under feedgen's own "podcast" name so fg.podcast.itunes_* work as documented.
    fg.register_extension("podcast", AppleExtension, AppleEntryExtension, atom=False)
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension,
                          atom=False)
    fg.register_extension("paging", PagingExtension, atom=False)
    return fg


@dataclass(frozen=True)
class FeedContext:
    """What every part of one feed document is written with."""

    config: Config
    base: str  # the base URL the files are linked under
    cover_url: str | None
    title: str  # the channel's
    guid_url: str  # the feed URL the channel's podcast:guid derives from (the configured one, not a preview's)

    @property
    def language(self) -> str:
        return clean_xml_text(self.config.show.language) or "fr"


def render_feed(
    config: Config,
    manifests: Sequence[EpisodeManifest],
    *,
    cover_path: str | None,
    base_url: str | None = None,
    relative: str = layout.FEED,
    links: Links | None = None,
    channel_title: str | None = None,
) -> bytes:
    """The XML (UTF-8) of the feed document ``relative`` holding ``manifests``, newest first.

    ``base_url`` overrides ``config.show.base_url`` (serving locally); ``podcast:guid`` always
    derives from the configured URL, so a show keeps its identity wherever it is previewed.
    ``cover_path`` is the cover's path relative to public/; ``links`` the RFC 5005 links to the
    archive feeds (see :mod:`pipeline.publish.paging`). A second subscription feed (the
    digests', ``digest.xml``) has a ``channel_title`` of its own and a podcast:guid from its own URL.
    """
    _check_category(config)
    base = (base_url or config.show.base_url).rstrip("/")
    subscription = links.current if links else relative
    context = FeedContext(config, base, file_url(base, cover_path) if cover_path else None,
                          title=plain_text(channel_title or config.show.title) or "Balado",  # RSS requires a title
                          guid_url=file_url(config.show.base_url.rstrip("/"), subscription))
    fg = _new_generator()
    ordered = newest_first(manifests)
    _channel(fg, context, file_url(base, relative), [m.engine for m in ordered])
    if links and (links.is_archive or links.prev_archive):
        _paging(fg.paging, links, base)
    if not (links and links.is_archive):  # a subscription feed: announced, and the one a move redirects
        _listing(fg, config, subscription)
    guids = [m.guid for m in ordered]
    duplicates = sorted({g for g in guids if guids.count(g) > 1})
    if duplicates:
        raise UserError(f"episode manifests share a GUID: {', '.join(duplicates)}")
    for manifest in ordered:
        _add_item(fg, manifest, context)
    # Deterministic: the feed changed last when its newest episode was published.
    fg.lastBuildDate(pub_datetime(ordered[0]) if ordered else datetime(1970, 1, 1, tzinfo=timezone.utc))
    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def _channel(fg: FeedGenerator, context: FeedContext, self_url: str, engines: list[str]) -> None:
    show, base = context.config.show, context.base
    title = context.title
    description = with_disclosure(plain_text(show.description) or title, show_sentence(context.config, engines))
    link = clean_xml_text(show.link) or base + "/"
    fg.title(title)
    fg.description(description)
    # feedgen writes the last link given as the RSS <link>: the self link goes first.
    fg.link(href=self_url, rel="self", type=RSS_TYPE)
    fg.link(href=link)
    fg.language(context.language)
    fg.generator(GENERATOR)
    if context.cover_url:
        fg.image(url=context.cover_url, title=title, link=link)
    _apple_channel(fg.podcast, context, title, description)
    owner_email = plain_text(show.owner_email)
    fg.podcastindex.guid(podcast_guid(context.guid_url))
    fg.podcastindex.locked(False, owner=owner_email or None)
    _directory(fg, context.config)


# podcast:updateFrequency: [directory] update_frequency (or [digest] schedule) → RFC 5545 rule, words.
UPDATE_RULES = {"daily": ("FREQ=DAILY", "Chaque jour"),
                "weekdays": ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Du lundi au vendredi"),
                "weekly": ("FREQ=WEEKLY", "Chaque semaine"), "monthly": ("FREQ=MONTHLY", "Chaque mois")}


def _directory(fg: FeedGenerator, config: Config) -> None:
    """The tags directories read, each only when ``[directory]`` asks (podcast:medium always)."""
    directory, p20 = config.directory, fg.podcastindex
    p20.medium(directory.medium)
    schedule = directory.update_frequency or (config.digest.schedule if config.digest.schedule != "off" else "")
    if schedule:
        p20.update_frequency(*UPDATE_RULES[schedule])
    if directory.license:
        p20.license(plain_text(directory.license), directory.license_url)
    if directory.funding_url:
        p20.funding(directory.funding_url, plain_text(directory.funding_text) or "Soutenir")
    if directory.podcast_block:
        p20.block()
    if directory.itunes_block:
        fg.podcast.itunes_block(True)


def _listing(fg: FeedGenerator, config: Config, subscription: str) -> None:
    """A subscription feed's hubs (only those pinged: see pipeline.announce) and, for the show's
    feed, the address it moved to."""
    for hub in config.announce.hubs:
        fg.paging.hub(hub)
    if config.directory.new_feed_url and subscription == layout.FEED:
        fg.podcast.itunes_new_feed_url(config.directory.new_feed_url)


def with_disclosure(text: str, sentence: str, limit: int = MAX_DESCRIPTION_BYTES) -> str:
    """``text`` ending with the disclosure ``sentence`` (cut so both fit in ``limit`` bytes)."""
    if not sentence or text.endswith(sentence):
        return _truncate_bytes(text, limit)
    room = limit - len(sentence.encode("utf-8")) - 1
    return _truncate_bytes(text, room) + " " + sentence


# An episode number or the publication date repeated in a title (itunes:episode and pubDate say them).
_SEPARATOR = r"\s*[:\-–—,|.]\s*"
_NUMBER_MARK = r"(?:[ÉéEe]pisode|[ÉéEe]p\.?|n°|no\.?|#)\s*(\d+)"
# Compiled once: a feed of 300 items cleans 300 titles (the number is compared after the match).
_MARK_AT_START = re.compile(rf"^{_NUMBER_MARK}\b{_SEPARATOR}", re.I)
_MARK_AT_END = re.compile(rf"(?:{_SEPARATOR}|\s+|\()\(?{_NUMBER_MARK}\)?$", re.I)
_WEEKDAY = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"


def listing_title(title: str, number: int, day) -> str:
    """``title`` without an episode-number mark or a full date of ``day`` it starts or ends with
    ("Épisode 12 : …", "… du 3 décembre 2026"): Apple and Spotify show both from their own tags."""
    from pipeline.text.dates import french_date

    cleaned = title
    for pattern in (_MARK_AT_START, _MARK_AT_END):
        match = pattern.search(cleaned)
        if match and int(match.group(1)) == number:
            cleaned = (cleaned[:match.start()] + cleaned[match.end():]).strip()
    written = (french_date(day), day.date().isoformat(), day.strftime("%d/%m/%Y"))
    if any(d.casefold() in cleaned.casefold() for d in written):  # rare: only then a pattern of its own
        dates = "|".join(re.escape(d) for d in written)
        for pattern in (rf"^(?:(?:du|le)\s+)?{_WEEKDAY}(?:{dates}){_SEPARATOR}",
                        rf"(?:{_SEPARATOR}|\s+(?:du|le)\s+|\s*\()\s*{_WEEKDAY}(?:{dates})\)?$"):
            cleaned = re.sub(pattern, "", cleaned, flags=re.I).strip()
    return cleaned or title


def _paging(paging, links: Links, base: str) -> None:
    """RFC 5005: archived-feed links (current, prev/next-archive) and paged-feed ones (first,
    next, previous, last), so an app that follows either reaches the whole back catalogue."""
    named = [("current", links.current if links.is_archive else None), ("first", links.current),
             ("prev-archive", links.prev_archive), ("next-archive", links.next_archive),
             ("next", links.next), ("previous", links.previous), ("last", links.last)]
    for rel, relative in named:
        if relative:
            paging.link(rel, file_url(base, relative))
    paging.archive(links.is_archive)


def _apple_channel(itunes, context: FeedContext, title: str, description: str) -> None:
    show = context.config.show
    itunes.itunes_author(plain_text(show.author))
    owner_name, owner_email = plain_text(show.owner_name), plain_text(show.owner_email)
    if owner_email:  # feedgen wants both; validation reports a missing e-mail
        itunes.itunes_owner(name=owner_name or title, email=owner_email)
    if context.cover_url:
        itunes.itunes_image(context.cover_url)
    category = {"cat": show.category}
    if show.subcategory:
        category["sub"] = show.subcategory
    itunes.itunes_category(category)
    itunes.itunes_explicit(show.explicit)  # a bool: config.py refuses anything else
    itunes.itunes_type("episodic")
    itunes.itunes_summary(description)


def _add_item(fg: FeedGenerator, manifest: EpisodeManifest, context: FeedContext) -> None:
    audio = manifest.files.get("audio")
    if not audio:
        raise UserError(f"episode {manifest.slug}: its manifest names no audio file")
    length = manifest.audio_bytes
    if not isinstance(length, int) or isinstance(length, bool) or length <= 0:
        # feedgen would happily write length="None"; apps then refuse the episode.
        raise UserError(f"episode {manifest.slug}: audio size {length!r} is not a byte count")

    config = context.config
    title = listing_title(plain_text(manifest.title) or manifest.slug, manifest.episode_number,
                          pub_datetime(manifest).astimezone(config.tz))
    entry = fg.add_entry(order="append")  # we sorted already; the default prepends
    entry.title(title)
    entry.description(with_disclosure(plain_text(manifest.description) or title,
                                      episode_sentence(config, manifest.engine, kind=manifest.kind)))
    entry.guid(clean_xml_text(manifest.guid), permalink=False)
    entry.pubDate(pub_datetime(manifest))
    entry.enclosure(url=layout.enclosure_url(context.base, audio, config.analytics.prefix), length=str(length),
                    type=FEED_TYPES["audio"])
    if web_url(manifest.source_url):
        entry.link(href=web_url(manifest.source_url))

    itunes = entry.podcast
    itunes.itunes_duration(str(round(manifest.duration_seconds)))
    itunes.itunes_episode(int(manifest.episode_number))
    itunes.itunes_explicit(context.config.show.explicit)
    if manifest.author:
        itunes.itunes_author(plain_text(manifest.author))
    if context.cover_url:
        itunes.itunes_image(context.cover_url)
    _persons(entry.podcastindex, manifest, config)
    _side_files(entry.podcastindex, manifest, context)


def authors_of(author: str | None) -> list[str]:
    """"Jeanne Martin et Paul Durand", "A, B & C": each author's name."""
    names = re.split(r"\s*(?:,|;|&|\bet\b|\band\b)\s*", plain_text(author))
    return [name for name in names if name]


def _persons(p20, manifest: EpisodeManifest, config: Config) -> None:
    """podcast:person for each author, with the front matter's author_url when there is one author."""
    role = config.directory.person_role
    names = authors_of(manifest.author)
    href = web_url(manifest.author_url) if len(names) == 1 else None
    for name in names:
        p20.person(name, role=role, group=PERSON_ROLES[role], href=href)


def _side_files(p20, manifest: EpisodeManifest, context: FeedContext) -> None:
    """podcast:transcript (WebVTT as captions, SRT) and podcast:chapters."""
    files, base = manifest.files, context.base
    if files.get("vtt"):
        p20.transcript(file_url(base, files["vtt"]), FEED_TYPES["vtt"], language=context.language, rel="captions")
    if files.get("srt"):
        p20.transcript(file_url(base, files["srt"]), FEED_TYPES["srt"], language=context.language)
    if files.get("chapters"):
        p20.chapters(file_url(base, files["chapters"]), FEED_TYPES["chapters"])
