"""How a show of any size is cut into documents. Pure: no I/O.

- The feed carries the newest ``feed_items`` episodes; the older ones go to archive feeds of
  ``archive_items`` each, numbered from the oldest (RFC 5005: the subscription feed links to the
  newest archive with ``prev-archive``, and ``next`` for apps that page; each archive links to
  its neighbours). Pages fill from the oldest, so a new episode only ever changes the newest
  archive (or opens a new one): full archives never change.
- The landing page lists the newest ``latest`` episodes; HTML archive pages list the rest the
  same way. Every episode also has a page of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from pipeline import layout
from pipeline.model import EpisodeManifest


@dataclass(frozen=True)
class Links:
    """RFC 5005 links of one feed document (paths relative to public/, None when absent)."""

    current: str = layout.FEED  # the subscription document
    prev_archive: str | None = None  # the next older archive
    next_archive: str | None = None  # the next newer archive
    next: str | None = None  # paged-feed semantics: older entries
    previous: str | None = None  # paged-feed semantics: newer entries
    last: str | None = None  # the oldest archive
    is_archive: bool = False


@dataclass(frozen=True)
class FeedDocument:
    relative: str
    episodes: tuple[EpisodeManifest, ...]  # newest first
    links: Links


@dataclass(frozen=True)
class PageDocument:
    relative: str
    episodes: tuple[EpisodeManifest, ...]  # newest first
    number: int  # 0: the landing page; 1…: archive pages, 1 the oldest
    pages: int  # how many archive pages there are


def _oldest_first_chunks(older: Sequence[EpisodeManifest], size: int) -> list[tuple[EpisodeManifest, ...]]:
    """``older`` (newest first) cut from its oldest end into chunks of ``size``, oldest chunk first."""
    ascending = list(reversed(older))
    return [tuple(reversed(ascending[i:i + size])) for i in range(0, len(ascending), size)]


def feed_documents(newest_first: Sequence[EpisodeManifest], *, feed_items: int, archive_items: int,
                   feed: str = layout.FEED) -> list[FeedDocument]:
    """The subscription ``feed``, then its archives from the newest to the oldest."""
    archives = _oldest_first_chunks(newest_first[feed_items:], archive_items)
    count = len(archives)

    def archive(number: int) -> str:
        return layout.archive_feed(number, feed)

    newest = archive(count) if count else None
    documents = [FeedDocument(feed, tuple(newest_first[:feed_items]),
                              Links(current=feed, prev_archive=newest, next=newest, last=archive(1) if count else None))]
    for number in range(count, 0, -1):
        older = archive(number - 1) if number > 1 else None
        newer = archive(number + 1) if number < count else None
        documents.append(FeedDocument(archive(number), archives[number - 1], Links(
            current=feed, prev_archive=older, next_archive=newer, next=older, previous=newer or feed,
            last=archive(1), is_archive=True)))
    return documents


def page_documents(newest_first: Sequence[EpisodeManifest], *, latest: int, archive_items: int) -> list[PageDocument]:
    """The landing page, then the HTML archive pages from the newest to the oldest."""
    archives = _oldest_first_chunks(newest_first[latest:], archive_items)
    count = len(archives)
    documents = [PageDocument(layout.INDEX, tuple(newest_first[:latest]), 0, count)]
    for number in range(count, 0, -1):
        documents.append(PageDocument(layout.archive_page(number), archives[number - 1], number, count))
    return documents
