"""What ingest remembers, in ``episodes/ingested.json`` (commit it, beside the articles).

Per source, the validators of its last answer (``ETag``, ``Last-Modified``) and a hash of its
body, so an unchanged feed costs one request answered 304 and nothing else. Per entry (keyed by
its id, else its link), what became of it: the article file written and a hash of the text as
written (a file that differs was edited by hand), a fingerprint of the entry (it changes when
the newsroom updates the article), or why it was skipped, or that it was removed. That record
is what makes ingest exactly-once: an entry is turned into a file once, updated in place, and
never brought back once its file is gone.

The record stays bounded: an entry that left its feed more than :data:`FORGET_AFTER_DAYS` ago is
forgotten. So that a forgotten entry is never taken for a new one should the feed list it again
(an article removed by hand must not come back), each source keeps one date, the latest
publication date among the written or removed entries it forgot: an unknown entry published
then or before is one that was forgotten. A written or removed entry is forgotten only when its
publication date is known and something else keeps its file's name from being given to another
article (the file itself, or ``retired.json``, where the next build records a removed episode).
Per source too, the keys of the short paragraphs of its recent articles: a line found in several of
them is that source's furniture, never spoken.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from pipeline.errors import UserError

STATE_FILE = "ingested.json"
# A short paragraph found in this many of a source's recent articles is that source's furniture.
RECENT_ARTICLES, FURNITURE_IN = 12, 3
VERSION = 1
FORGET_AFTER_DAYS = 90

# What became of an entry. "failed" is retried on later runs (a bounded number of times);
# the others are settled until the entry itself changes (skipped) or for good.
WRITTEN, SKIPPED, FAILED, GAVE_UP, REMOVED = "written", "skipped", "failed", "gave up", "removed"


@dataclass
class EntryRecord:
    source: str  # the source's url, or "url" for build-episode --url
    status: str
    file: str | None = None  # the article's file name in episodes/
    link: str | None = None
    canonical_url: str | None = None
    fingerprint: str | None = None  # of the feed entry, when it was last handled
    written: str | None = None  # hash of the text written; another text on disk was edited by hand
    reason: str | None = None
    attempts: int = 0
    published: str | None = None  # the entry's publication date (ISO 8601), when it has one
    seen: str | None = None  # the last day (ISO) its feed was read with the entry in it


@dataclass
class SourceRecord:
    etag: str | None = None
    last_modified: str | None = None
    body: str | None = None  # hash of the last body read in full (None: read it again next time)


@dataclass
class IngestState:
    path: Path
    sources: dict[str, SourceRecord] = field(default_factory=dict)
    entries: dict[str, EntryRecord] = field(default_factory=dict)
    forgotten_before: dict[str, str] = field(default_factory=dict)  # source url → ISO date-time
    # Per source, per recent entry: the keys of its short paragraphs (pipeline.text.furniture.line_key).
    lines: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    _saved: str = ""

    @classmethod
    def load(cls, episodes_dir: Path) -> "IngestState":
        path = Path(episodes_dir) / STATE_FILE
        if not path.exists():
            return cls(path)
        try:
            text = path.read_text(encoding="utf-8")
            data = json.loads(text)
            sources = {url: _record(SourceRecord, r) for url, r in data.get("sources", {}).items()}
            entries = {key: _record(EntryRecord, r) for key, r in data.get("entries", {}).items()}
            forgotten = {url: str(when) for url, when in data.get("forgotten_before", {}).items()}
            lines = {url: {key: list(keys) for key, keys in recent.items()}
                     for url, recent in data.get("furniture", {}).items()}
        except (ValueError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            raise UserError(f"{path}: damaged ingest record ({exc}); fix or delete it "
                            "(deleting it makes ingest take every feed entry as new)") from None
        return cls(path, sources, entries, forgotten, lines, text)

    def to_json(self) -> str:
        data = {"version": VERSION,
                "sources": {url: _compact(r) for url, r in sorted(self.sources.items())},
                "entries": {key: _compact(r) for key, r in sorted(self.entries.items())}}
        if self.forgotten_before:
            data["forgotten_before"] = dict(sorted(self.forgotten_before.items()))
        if self.lines:
            data["furniture"] = {url: recent for url, recent in sorted(self.lines.items())}
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    def save(self) -> bool:
        """Write the file if anything changed; True if written."""
        from pipeline.fsutil import atomic_write_text

        text = self.to_json()
        if text == self._saved or (not self.sources and not self.entries and not self.lines and not self.path.exists()):
            return False
        atomic_write_text(self.path, text)
        self._saved = text
        return True

    def find(self, key: str | None, urls) -> tuple[str, EntryRecord] | tuple[None, None]:
        """The record for this entry id, else one for any of these URLs (the same article reached
        through two feeds, or through a feed and then by its URL)."""
        if key and key in self.entries:
            return key, self.entries[key]
        wanted = {u for u in urls if u}
        for other, record in self.entries.items():
            if wanted & {record.link, record.canonical_url}:
                return other, record
        return None, None

    def was_forgotten(self, source_url: str, published: datetime | None) -> bool:
        horizon = self.forgotten_before.get(source_url)
        return bool(horizon and published and published <= datetime.fromisoformat(horizon))

    def forget_departed(self, source_url: str, present: set[str], today: date, reserved: set[str]) -> None:
        """Forget this source's entries missing from its feed for more than FORGET_AFTER_DAYS.
        ``reserved``: the slugs that stay taken without this record (files, retired episodes)."""
        horizon = self.forgotten_before.get(source_url)
        for key, record in list(self.entries.items()):
            if record.source != source_url or key in present:
                continue
            if record.seen is None:  # recorded before entries had a date of sight: count from now
                record.seen = today.isoformat()
            if (today - date.fromisoformat(record.seen)).days <= FORGET_AFTER_DAYS:
                continue
            if record.status in (WRITTEN, REMOVED):
                if not record.published or (record.file and Path(record.file).stem not in reserved):
                    continue
                if horizon is None or datetime.fromisoformat(record.published) > datetime.fromisoformat(horizon):
                    horizon = record.published
            del self.entries[key]
        if horizon:
            self.forgotten_before[source_url] = horizon

    def remember_lines(self, source: str, key: str, keys: set[str]) -> None:
        """This entry's paragraph keys, as the newest of the source's recent articles."""
        recent = self.lines.setdefault(source, {})
        recent.pop(key, None)  # an updated entry counts once, as the newest
        recent[key] = sorted(keys)
        for old in list(recent)[:-RECENT_ARTICLES]:
            del recent[old]

    def learned_furniture(self, source: str) -> frozenset[str]:
        """The keys of paragraphs found in at least FURNITURE_IN of this source's recent articles."""
        articles: list[set[str]] = []
        for keys in map(set, self.lines.get(source, {}).values()):
            # The same article under several entries (a re-post) is one article, not evidence of furniture.
            if keys and not any(len(keys & other) * 2 > len(keys) for other in articles):
                articles.append(keys)
        counts: dict[str, int] = {}
        for keys in articles:
            for k in keys:
                counts[k] = counts.get(k, 0) + 1
        return frozenset(k for k, n in counts.items() if n >= FURNITURE_IN)

    def by_file(self, name: str) -> tuple[str, EntryRecord] | tuple[None, None]:
        for key, record in self.entries.items():
            if record.file == name:
                return key, record
        return None, None


def _record(cls, raw: dict):
    known = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in raw.items() if k in known})


def _compact(record) -> dict:
    return {k: v for k, v in dataclasses.asdict(record).items() if v not in (None, 0)}
