"""Every ``[[sources]]`` feed → new or changed article files in ``episodes/``, exactly once.

Per source: one conditional GET (a 304, or a body identical to the last one, ends there); the
feed parsed; entries filtered (categories, URLs, ``since``); at most ``max_new`` new ones,
newest first (the rest wait for the next run); each turned into an article from the feed's own
content or from its page (``full_text``). An entry is known by its id (else its link) in
:mod:`pipeline.sources.state`: a second sight of it writes nothing, a changed entry updates its
file in place (same slug, so the episode keeps its GUID and number), and an entry whose file
was removed, or that ``episodes/retired.json`` names, never comes back.

A source that fails gets one line and the others still run. Each source has one
:class:`~pipeline.sources.fetch.Deadline` per run (``[fetch] total_timeout_seconds``) for its feed
and its entries' pages together: once it has passed, the source's remaining entries wait for the
next run (one line), so one slow site cannot hold up a cron run. An entry that is not an article
gets one line, once, and is not tried again unless the newsroom changes it; one whose page
cannot be fetched is tried again on the next runs, :data:`MAX_ATTEMPTS` times in all, then only
if the newsroom changes it.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pipeline.config import Config, SourceConfig
from pipeline.retired import load_retired
from pipeline.sources import state as st
from pipeline.sources.articles import (ArticleFile, Draft, NotAnArticle, catalogue, check, render, slug_for,
                                       text_hash, write_if_changed)
from pipeline.sources.feeds import Feed, FeedEntry, FeedError, parse_feed
from pipeline.sources.fetch import Deadline, Fetcher, FetchError
from pipeline.sources.pages import decode_page, is_html
from pipeline.text.furniture import line_key, text_blocks, word_count
from pipeline.text.webpage import WebArticle, clean_title, extract_fragment, extract_page

MAX_ATTEMPTS = 3
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
               "text/xml;q=0.9, application/json;q=0.8, */*;q=0.1")
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"


@dataclass
class IngestReport:
    new: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # entries skipped, hand edits kept: once each
    problems: list[str] = field(default_factory=list)  # failures: the run ends with a non-zero status
    requests: int = 0


@dataclass
class Run:
    """One ingest: settings, the HTTP session, what is remembered, what happened."""

    config: Config
    fetcher: Fetcher
    state: st.IngestState
    report: IngestReport
    retired_ids: set[str]
    retired_urls: set[str]
    retired_slugs: set[str]
    deadline: Deadline | None = None  # the source being read: its time budget for this run
    _files: dict[str, ArticleFile] | None = None

    @property
    def files(self) -> dict[str, ArticleFile]:
        """The article files in episodes/ by slug, read once per run and kept up to date by it."""
        if self._files is None:
            self._files = catalogue(self.config.episodes_dir) if self.config.episodes_dir.is_dir() else {}
        return self._files


def open_run(config: Config, fetcher: Fetcher) -> Run:
    retired = load_retired(config.episodes_dir).values()
    return Run(config, fetcher, st.IngestState.load(config.episodes_dir), IngestReport(),
               retired_ids={r.entry_id for r in retired if r.entry_id},
               retired_urls={r.source_url for r in retired if r.source_url},
               retired_slugs={r.slug for r in retired})


def ingest(config: Config) -> IngestReport:
    """Read every source; the caller decides what to print. Holds the project lock while writing."""
    from pipeline.build import project_lock

    with project_lock(config), Fetcher(config.fetch, config.root) as fetcher:
        run = open_run(config, fetcher)
        try:
            for source in config.sources:
                ingest_source(run, source)
        finally:  # even on Ctrl-C: the files already written stay known
            run.state.save()
        run.report.requests = fetcher.requests
    return run.report


def ingest_source(run: Run, source: SourceConfig) -> None:
    remembered = run.state.sources.get(source.url, st.SourceRecord())
    run.deadline = Deadline.starting_now(run.config.fetch.total_timeout_seconds)
    try:
        fetched = run.fetcher.get(source.url, etag=remembered.etag, last_modified=remembered.last_modified,
                                  accept=FEED_ACCEPT, deadline=run.deadline)
    except FetchError as exc:
        run.report.problems.append(f"source {source.label}: {exc}")
        return
    if fetched.status == 304:
        return  # not modified: nothing to read, nothing to write
    digest = text_hash(fetched.body)
    if digest == remembered.body:
        run.state.sources[source.url] = st.SourceRecord(fetched.etag, fetched.last_modified, digest)
        return
    try:
        feed = parse_feed(fetched.body, fetched.content_type, fetched.charset)
    except FeedError as exc:
        run.report.problems.append(f"source {source.label}: {exc}")
        return
    settled = ingest_entries(run, source, feed)
    # Remember this answer only when every entry in it is settled: otherwise a 304 next time would
    # hide the entries still waiting (max_new) or to be tried again.
    run.state.sources[source.url] = (st.SourceRecord(fetched.etag, fetched.last_modified, digest) if settled
                                     else st.SourceRecord())


def ingest_entries(run: Run, source: SourceConfig, feed: Feed) -> bool:
    """Handle the feed's new and changed entries; True when none is left waiting."""
    new, changed, seen, today = [], [], set(), datetime.now(timezone.utc).date()
    for entry in feed.entries:
        key = entry_key(source, entry)
        if {key, entry.link} & seen:
            continue  # the same entry (or article) twice in one feed
        seen |= {key, entry.link} - {None}
        found, record = run.state.find(key, [entry.link])
        if record is not None:
            record.seen = today.isoformat()
            record.published = entry.published.isoformat() if entry.published else record.published
        if record is None:
            if run.state.was_forgotten(source.url, entry.published):
                continue  # handled long ago, then forgotten: never new again
            if is_retired(run, key, entry):
                run.state.entries[key] = new_record(source, entry, st.REMOVED, reason="retired")
            elif passes_filters(source, entry):
                new.append((key, entry))
        elif found == key and wants_another_look(run, record, entry):
            changed.append((found, entry))
        # found under another id: the same article through another feed; the first one owns it
    run.state.forget_departed(source.url, seen, today, reserved=set(run.files) | run.retired_slugs)
    new.sort(key=lambda item: item[1].published.timestamp() if item[1].published else 0.0, reverse=True)
    settled = len(new) <= source.max_new
    waiting = changed + new[: source.max_new]
    for done, (key, entry) in enumerate(waiting):
        if run.deadline and run.deadline.left() <= 0:
            run.report.problems.append(f"source {source.label}: out of time ({run.deadline.seconds:g} s); "
                                       f"{len(waiting) - done} entries wait for the next run")
            return False
        settled &= ingest_entry(run, source, feed, key, entry)
    return settled


def new_record(source: SourceConfig, entry: FeedEntry, status: str, **fields) -> st.EntryRecord:
    return st.EntryRecord(source.url, status, link=entry.link, seen=datetime.now(timezone.utc).date().isoformat(),
                          published=entry.published.isoformat() if entry.published else None, **fields)


def entry_key(source: SourceConfig, entry: FeedEntry) -> str:
    """An entry's id where it is global (a URL, a tag: or urn: URI), else scoped by its feed."""
    if re.match(r"^([a-z][a-z0-9+.-]*://|tag:|urn:)", entry.id, re.I):
        return entry.id
    return f"{source.url}#{entry.id}"


def is_retired(run: Run, key: str, entry: FeedEntry) -> bool:
    return key in run.retired_ids or entry.id in run.retired_ids or (entry.link in run.retired_urls)


def wants_another_look(run: Run, record: st.EntryRecord, entry: FeedEntry) -> bool:
    """Removed: never. Failed: on the next runs (bounded). Written, skipped, given up: when the
    newsroom changes the entry."""
    if record.status == st.REMOVED:
        return False
    if record.status == st.WRITTEN and record.file and not (run.config.episodes_dir / record.file).exists():
        # Deleted by hand: the episode leaves the show, and the entry must not bring it back.
        record.status, record.reason = st.REMOVED, "article file deleted"
        return False
    return record.status == st.FAILED or record.fingerprint != entry.fingerprint


def passes_filters(source: SourceConfig, entry: FeedEntry) -> bool:
    if source.since and entry.published and entry.published < source.since:
        return False
    categories = {_folded(c) for c in entry.categories}
    if source.include_categories and not categories & {_folded(c) for c in source.include_categories}:
        return False
    if categories & {_folded(c) for c in source.exclude_categories}:
        return False
    url = entry.link or ""
    if source.include_urls and not any(url_matches(p, url) for p in source.include_urls):
        return False
    return not any(url_matches(p, url) for p in source.exclude_urls)


def url_matches(pattern: str, url: str) -> bool:
    """``re:…`` is a regular expression searched in the URL; anything else a glob on the whole URL."""
    if pattern.startswith("re:"):
        return re.search(pattern[3:], url) is not None
    return fnmatch.fnmatchcase(url, pattern)


def _folded(text: str) -> str:
    """« Économie » and « economie » are the same category."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)).strip()


def ingest_entry(run: Run, source: SourceConfig, feed: Feed, key: str, entry: FeedEntry) -> bool:
    """One entry → its article file, or one line saying why not; True when it is settled."""
    record = run.state.entries.get(key) or new_record(source, entry, st.FAILED)
    run.state.entries[key] = record
    where = entry.link or entry.id
    try:
        draft = draft_from_entry(run, source, feed, entry)
        draft = dataclasses.replace(draft, status="draft") if source.review else draft
        run.state.remember_lines(source.url, key, draft_lines(draft))
        save_article(run, key, draft, min_words=source.min_words)
    except NotAnArticle as exc:
        if record.status == st.WRITTEN:  # an update that is no article: the file keeps the last good one
            run.report.notices.append(f"kept {record.file}: the update of {where} was not applied ({exc})")
        else:
            record.status, record.reason = st.SKIPPED, str(exc)
            run.report.notices.append(f"skipped {where}: {exc}")
    except FetchError as exc:
        record.attempts += 1
        if record.attempts < MAX_ATTEMPTS:
            record.reason = str(exc)
            record.status = st.WRITTEN if record.status == st.WRITTEN else st.FAILED
            run.report.problems.append(f"{source.label}: {where}: {exc}; will try again on the next run")
            return False
        record.reason, record.attempts = str(exc), 0
        record.status = st.WRITTEN if record.status == st.WRITTEN else st.GAVE_UP
        run.report.problems.append(f"{source.label}: {where}: {exc}; gave up after {MAX_ATTEMPTS} runs")
    record.fingerprint = entry.fingerprint
    return True


def draft_from_entry(run: Run, source: SourceConfig, feed: Feed, entry: FeedEntry) -> Draft:
    learned = run.state.learned_furniture(source.url)
    cleaned = extract_fragment(entry.content_html, learned=learned, source=source.label) if entry.content_html \
        else None
    blocks = cleaned.blocks if cleaned else text_blocks(entry.content_text or "")
    if source.full_text == "feed" and not blocks:
        cleaned = extract_fragment(entry.summary_html or "", learned=learned, source=source.label)
        blocks = cleaned.blocks
    if source.full_text == "feed" or (source.full_text == "auto" and word_count(blocks) >= source.min_words):
        return Draft(title=clean_title(entry.title, feed.title), blocks=tuple(blocks), source_url=entry.link,
                     author=entry.author, date=entry.published, entry_id=entry.id,
                     dropped=tuple(cleaned.dropped) if cleaned else ())
    if not entry.link:
        raise NotAnArticle("the feed carries only a summary and no link to the article")
    page, final_url = fetch_page(run.fetcher, entry.link, run.deadline, learned=learned, source=source.label)
    return draft_from_page(page, final_url, entry=entry, site_name=feed.title)


def draft_lines(draft: Draft) -> set[str]:
    """The article's short paragraphs, kept or dropped, as the source's furniture is learned from them."""
    texts = [block.text for block in draft.blocks] + [text for text, _ in draft.dropped]
    return {key for key in map(line_key, texts) if key}


def fetch_page(fetcher: Fetcher, url: str, deadline: Deadline | None = None, *,
               learned: frozenset[str] = frozenset(), source: str = "") -> tuple[WebArticle, str]:
    fetched = fetcher.get(url, accept=PAGE_ACCEPT, deadline=deadline)
    if not is_html(fetched.content_type, fetched.body):
        raise NotAnArticle(f"not an HTML page ({fetched.content_type or 'unknown type'})")
    page = extract_page(decode_page(fetched.body, fetched.charset), fetched.url, learned=learned, source=source)
    if page.free is False:
        raise NotAnArticle("for subscribers only (the page says isAccessibleForFree: false)")
    return page, fetched.url


def draft_from_page(page: WebArticle, final_url: str, *, entry: FeedEntry | None = None,
                    site_name: str | None = None) -> Draft:
    """``final_url``: where the link led (a short or tracking link is not what the article records)."""
    title = clean_title(page.title, site_name) if page.title else (entry.title if entry else "")
    return Draft(title=title, blocks=page.blocks, source_url=final_url,
                 canonical_url=page.canonical_url if page.canonical_url not in (None, final_url) else None,
                 author=page.author or (entry.author if entry else None),
                 date=page.date or (entry.published if entry else None), description=page.description,
                 entry_id=entry.id if entry else None, dropped=page.dropped)


def save_article(run: Run, key: str, draft: Draft, *, min_words: int, overwrite_edits: bool = False) -> Path:
    """Write the draft to the entry's file (chosen once, then kept), checked and atomically."""
    record = run.state.entries[key]
    path = run.config.episodes_dir / record.file if record.file else adopt(run, record, draft)
    slug = path.stem if path else unique_slug(run, slug_for(draft.source_url, draft.title))
    text = render(draft, slug)
    check(text, slug, min_words, draft)
    path = path or run.config.episodes_dir / f"{slug}.md"
    edited = path.exists() and record.written and text_hash(path.read_bytes()) != record.written
    if edited and not overwrite_edits:
        record.reason = "edited by hand: the newsroom's update was not applied"
        run.report.notices.append(f"kept {path.relative_to(run.config.root)}: edited by hand, so the "
                                  f"newsroom's update of {draft.source_url} was not applied")
        return path
    existed = path.exists()
    if write_if_changed(path, text):
        (run.report.updated if existed else run.report.new).append(path)
    run.files[slug] = ArticleFile(path, {"slug": slug, "entry_id": draft.entry_id, "source_url": draft.source_url})
    record.status, record.file, record.written, record.reason, record.attempts = st.WRITTEN, path.name, \
        text_hash(text), None, 0
    # The entry keeps the link it was found by; the page's own address is matched too.
    record.link, record.canonical_url = record.link or draft.source_url, draft.canonical_url or draft.source_url
    return path


def adopt(run: Run, record: st.EntryRecord, draft: Draft) -> Path | None:
    """A file in episodes/ that ingest wrote for this entry but does not remember (a run cut short
    after writing it, or ingested.json deleted): it is the entry's file, never a second one, and
    is brought up to date with the entry (edits made by hand before the record was lost are not
    told apart)."""
    for file in run.files.values():
        same_entry = draft.entry_id and file.meta.get("entry_id") == draft.entry_id
        if same_entry or (not draft.entry_id and draft.source_url and file.meta.get("source_url") == draft.source_url):
            record.written = text_hash(file.path.read_bytes()) if file.path.exists() else None
            return file.path
    return None


def unique_slug(run: Run, wanted: str) -> str:
    """``wanted``, or ``wanted-2``…: never the slug of another article, of a retired episode, or of
    a file ingest wrote before (even one since removed)."""
    taken = set(run.files) | run.retired_slugs
    taken |= {Path(r.file).stem for r in run.state.entries.values() if r.file}
    slug, number = wanted, 1
    while slug in taken:
        number += 1
        slug = f"{wanted[:76]}-{number}"
    return slug
