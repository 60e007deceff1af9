"""A feed of articles → entries. RSS 2.0 and Atom through feedparser (given the bytes we fetched,
never a URL: the HTTP is ours), JSON Feed through the standard library (feedparser does not read
it). A body that is not a feed, or XML that is not well formed, is one :class:`FeedError`.
"""
from __future__ import annotations

import calendar
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

JSON_TYPES = ("application/feed+json", "application/json")


class FeedError(Exception):
    """Not a feed we can read; the message is one line."""


@dataclass(frozen=True)
class FeedEntry:
    id: str  # the entry's own id (guid), else its link
    link: str | None
    title: str
    author: str | None = None
    published: datetime | None = None  # aware, UTC
    updated: datetime | None = None
    categories: tuple[str, ...] = ()
    content_html: str | None = None  # the whole article, when the feed carries it
    content_text: str | None = None  # JSON Feed's plain-text variant
    summary_html: str | None = None

    @property
    def fingerprint(self) -> str:
        """Changes when the entry does: then its article is made again."""
        parts = [self.title, self.link, self.content_html, self.content_text, self.summary_html,
                 self.updated.isoformat() if self.updated else None]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Feed:
    title: str
    entries: tuple[FeedEntry, ...]


def parse_feed(body: bytes, content_type: str = "", charset: str | None = None) -> Feed:
    if content_type in JSON_TYPES or body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return _json_feed(body)
    return _xml_feed(body, content_type, charset)


def _xml_feed(body: bytes, content_type: str, charset: str | None) -> Feed:
    import feedparser

    headers = {"content-type": f"{content_type or 'application/xml'}" + (f"; charset={charset}" if charset else "")}
    parsed = feedparser.parse(body, response_headers=headers)
    if parsed.bozo and not isinstance(parsed.bozo_exception, (feedparser.CharacterEncodingOverride,
                                                              feedparser.NonXMLContentType)):
        if not parsed.get("version"):
            raise FeedError("not an RSS, Atom or JSON feed")
        raise FeedError(f"malformed feed XML ({_first_line(parsed.bozo_exception)})")
    if not parsed.get("version"):
        raise FeedError("not an RSS, Atom or JSON feed")
    entries = tuple(e for e in (_xml_entry(item) for item in parsed.entries) if e is not None)
    return Feed(title=parsed.feed.get("title", ""), entries=entries)


def _xml_entry(item) -> FeedEntry | None:
    link = item.get("link") or None
    entry_id = item.get("id") or link
    if not entry_id:
        return None  # nothing to know it by twice
    content = item.get("content") or []
    html = next((c.get("value") for c in content if "html" in (c.get("type") or "")), None)
    text = None if html else next((c.get("value") for c in content if c.get("value")), None)
    return FeedEntry(
        id=entry_id, link=link, title=item.get("title", ""), author=item.get("author") or None,
        # dict.get: feedparser's own get maps a missing updated_parsed to published_parsed, with a warning
        published=_struct_time(dict.get(item, "published_parsed") or dict.get(item, "updated_parsed")),
        updated=_struct_time(dict.get(item, "updated_parsed")),
        categories=tuple(t.get("term") for t in item.get("tags", []) if t.get("term")),
        content_html=html, content_text=text, summary_html=item.get("summary") or None,
    )


def _json_feed(body: bytes) -> Feed:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedError(f"malformed JSON ({_first_line(exc)})") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith("https://jsonfeed.org/version/") \
            or not isinstance(data.get("items"), list):
        raise FeedError("not an RSS, Atom or JSON feed (JSON without a JSON Feed version and items)")
    entries = tuple(e for e in (_json_entry(item) for item in data["items"] if isinstance(item, dict)) if e)
    return Feed(title=str(data.get("title", "")), entries=entries)


def _json_entry(item: dict) -> FeedEntry | None:
    link = _text(item.get("url")) or _text(item.get("external_url"))
    entry_id = _text(item.get("id")) or link
    if not entry_id:
        return None
    authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
    names = [a.get("name") for a in authors if isinstance(a, dict) and a.get("name")]
    tags = item.get("tags") if isinstance(item.get("tags"), list) else []
    return FeedEntry(
        id=entry_id, link=link, title=_text(item.get("title")) or "", author=", ".join(names) or None,
        published=_iso(item.get("date_published") or item.get("date_modified")),
        updated=_iso(item.get("date_modified")),
        categories=tuple(str(t) for t in tags if t), content_html=_text(item.get("content_html")),
        content_text=_text(item.get("content_text")), summary_html=_text(item.get("summary")),
    )


def _text(value) -> str | None:
    return str(value) if value not in (None, "") and not isinstance(value, (dict, list)) else None


def _struct_time(value) -> datetime | None:
    return datetime.fromtimestamp(calendar.timegm(value), timezone.utc) if value else None


def _iso(value) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc) if when else None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:160] if text else type(exc).__name__
