"""``invoke validate``: check public/ the way a podcast directory and an app would.

Reads only what is published (the feed and its archive feeds, the files they point at, the
episode manifests, the pages) and returns one human-readable line per problem; an empty list
means the site is fit to publish. A build runs the same checks on the documents it renders,
against its candidate, before anything is published (:func:`validate_documents`).
"""
from __future__ import annotations

import json
import posixpath
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from lxml import etree

from pipeline import layout
from pipeline.config import Config
from pipeline.publish.cover import check_cover
from pipeline.errors import UserError
from pipeline.fsutil import FileSizes
from pipeline.publish.feed import APPLE_CATEGORIES, MAX_DESCRIPTION_BYTES, file_url
from pipeline.manifest import read_manifest
from pipeline.model import EpisodeManifest
from pipeline.manifest import podcast_guid
from pipeline.publish.podcast_ns import ITUNES_NS, PODCAST_NS
from pipeline.norms import FEED_TYPES, TYPE_EXTENSIONS, loudness_norm_text, meets_loudness_norm

ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"
NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": ATOM_NS, "fh": HISTORY_NS}

DURATION_TOLERANCE = 1.0  # seconds


class Files:
    """Where the checks read a published path from: ``public/`` itself, or a build's candidate
    (``locate`` resolves through its staging overlay). ``deep`` says whose content to inspect
    (MP3 duration, file types, loudness): everything for ``invoke validate``; during a build only
    the files written now, those already published having been inspected when they were."""

    def __init__(self, public_dir: Path, locate: Callable[[str], Path] | None = None,
                 deep: Callable[[str], bool] | None = None, size: Callable[[str], int | None] | None = None):
        self.public_dir = Path(public_dir)
        self.locate = locate or (lambda relative: self.public_dir / relative)
        self.deep = deep or (lambda relative: True)
        # The size of the file at a path, None when there is none (a listing per folder, not a stat per file).
        self.size = size or FileSizes(public_dir).size


@dataclass
class DocumentCheck:
    problems: list[str] = field(default_factory=list)
    guids: list[str] = field(default_factory=list)
    numbers: list[tuple[str, str]] = field(default_factory=list)  # (<itunes:episode>, the item's title) of each item
    links: dict[str, str] = field(default_factory=dict)  # RFC 5005 rel → document, relative to public/
    readable: bool = True  # False: not RSS at all, nothing else could be checked


def validate_public(
    config: Config,
    public_dir: Path,
    *,
    base_url: str | None = None,
    check_loudness: bool = True,
    pages: bool = True,
) -> list[str]:
    """Every problem found in ``public_dir``, one line each; empty when it is fit to publish.

    The feed and every archive feed reachable from it, the files they name, each episode in
    exactly one of them and matching its manifest, and the pages (landing, archives, episodes)
    linking only to files that exist.
    """
    files = Files(public_dir)
    base = (base_url or config.show.base_url).rstrip("/")
    if not files.locate(layout.FEED).is_file():
        return [f"{files.locate(layout.FEED)}: missing (build an episode or run invoke feed)"]
    problems, guids, numbers = [], {}, {}
    for relative, check in _feed_chain(config, files, base, check_loudness, _subscriptions(config, files)):
        if relative == layout.FEED and not check.readable:
            return check.problems  # the feed itself is unreadable: everything else would follow from it
        problems += check.problems
        guids[relative], numbers[relative] = check.guids, check.numbers
    manifests, manifest_problems = _read_manifests(public_dir)
    problems += manifest_problems
    problems += _guids_match_manifests(public_dir, guids, manifests)
    problems += _numbers_unique(files, numbers)
    return problems + (check_pages(files, manifests) if pages else [])


def validate_documents(config: Config, site, relatives: list[str], *, base_url: str | None = None) -> list[str]:
    """The feed documents a build rendered (``relatives``), against its candidate ``site``."""
    candidate = site.snapshot()
    files = Files(site.public, locate=site.resolve, deep=candidate.is_staged, size=candidate.size)
    base = (base_url or config.show.base_url).rstrip("/")
    problems = []
    for relative in relatives:
        check = check_feed_document(config, files, relative, base=base, check_loudness=False)
        problems += check.problems
        for rel, target in check.links.items():
            if not files.locate(target).is_file():
                problems.append(f"{files.locate(relative)}: <atom:link rel={rel!r}> names {target}, which is missing")
    return problems


def _subscriptions(config: Config, files: Files) -> list[str]:
    """The show's subscription feeds: its feed, and the digests' own when it has one."""
    separate = config.digest.feed == "digest" or files.locate(layout.DIGEST_FEED).is_file()
    return [layout.FEED, *([layout.DIGEST_FEED] if separate else [])]


def canonical_feed_url(config: Config, relative: str) -> str:
    """The configured URL of the subscription feed ``relative`` belongs to (podcast:guid derives from it)."""
    return file_url(config.show.base_url.rstrip("/"), layout.subscription_of(relative))


def _feed_chain(config: Config, files: Files, base: str, check_loudness: bool, subscriptions: list[str]):
    """The feeds, then every archive feed their RFC 5005 links reach (each once)."""
    queue, seen = list(subscriptions), set()
    while queue:
        relative = queue.pop(0)
        if relative in seen:
            continue
        seen.add(relative)
        if not files.locate(relative).is_file():
            yield relative, DocumentCheck(problems=[f"{files.locate(relative)}: missing, yet an archive link names it"],
                                          readable=False)
            continue
        check = check_feed_document(config, files, relative, base=base, check_loudness=check_loudness)
        queue += [target for rel, target in check.links.items() if rel in ("prev-archive", "next-archive")]
        yield relative, check


def check_feed_document(config: Config, files: Files, relative: str, *, base: str,
                        check_loudness: bool) -> DocumentCheck:
    path = files.locate(relative)
    try:
        root = etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return DocumentCheck([f"{path}: not well-formed XML ({exc})"], readable=False)
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        found = f"<{root.tag} version={root.get('version')!r}>" + ("" if channel is not None else " without <channel>")
        return DocumentCheck([f"{path}: not an RSS 2.0 feed (found {found})"], readable=False)
    check = _Checker(files, base, relative, canonical_feed_url(config, relative))
    check.prefix = config.analytics.prefix
    check.hubs(channel, config.announce.hubs)
    check.channel(channel)
    items = channel.findall("item")
    for index, item in enumerate(items, start=1):
        check.item(item, index, check_loudness)
    check.order(items)
    guids = [_text(item, "guid") for item in items]
    for guid in sorted({g for g in guids if g and guids.count(g) > 1}):
        check.fail("items", f"GUID {guid!r} appears more than once")
    numbers = [(_text(item, "itunes:episode"), _text(item, "title") or _text(item, "guid")) for item in items]
    return DocumentCheck(check.problems, guids, [n for n in numbers if n[0]], check.paging_links(channel))


def _read_manifests(public_dir: Path) -> tuple[list[EpisodeManifest], list[str]]:
    manifests, problems = [], []
    for path in layout.manifest_paths(public_dir):
        try:
            manifests.append(read_manifest(path))
        except UserError as exc:
            problems.append(str(exc))
    return manifests, problems


def _guids_match_manifests(public_dir: Path, guids: dict[str, list[str]],
                           manifests: list[EpisodeManifest]) -> list[str]:
    """Each episode in exactly one feed document, and no item without its episode."""
    problems, where = [], f"{layout.under(public_dir, layout.FEED)}: items"
    counts: dict[str, int] = {}
    homes: dict[str, list[str]] = {}
    for relative, items in guids.items():
        for guid in items:
            counts[guid] = counts.get(guid, 0) + 1
            if relative not in homes.setdefault(guid, []):
                homes[guid].append(relative)
    for guid, documents in sorted(homes.items()):
        if len(documents) > 1:
            problems.append(f"{where}: GUID {guid!r} is in more than one feed document ({', '.join(documents)})")
    by_guid: dict[str, list[str]] = {}
    for m in manifests:
        by_guid.setdefault(m.guid, []).append(m.slug)
    for guid, slugs in sorted(by_guid.items()):
        if len(slugs) > 1:
            problems.append(f"{public_dir / layout.EPISODES}: episodes {', '.join(sorted(slugs))} share the GUID {guid!r}")
        if guid not in counts:
            problems.append(f"{where}: episode {slugs[0]} (GUID {guid!r}) is not in the feed")
    for guid in sorted(set(counts) - set(by_guid)):
        if guid:
            problems.append(f"{where}: GUID {guid!r} matches no episode manifest in {public_dir / layout.EPISODES}")
    return problems


def _numbers_unique(files: Files, numbers: dict[str, list[tuple[str, str]]]) -> list[str]:
    """Each <itunes:episode> number on one episode of its subscription feed, its archives included
    (apps sort and de-duplicate by it): one line per number given twice."""
    given: dict[tuple[str, str], list[str]] = {}
    for relative, items in numbers.items():
        for number, title in items:
            given.setdefault((layout.subscription_of(relative), number), []).append(f"{title!r} in {relative}")
    return [f"{files.locate(feed)}: items: <itunes:episode> {number} is given to {len(holders)} episodes "
            f"({'; '.join(holders)})" for (feed, number), holders in sorted(given.items(), key=_by_number)
            if len(holders) > 1]


def _by_number(entry) -> tuple[str, str]:
    (feed, number), _ = entry
    return feed, number.zfill(20)  # 2 before 10


# --- pages ------------------------------------------------------------------------------------
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")


def check_pages(files: Files, manifests: list[EpisodeManifest]) -> list[str]:
    """The landing page, the archive pages, every episode's page and its player page (iframe)
    exist and link only to files that exist."""
    pages = [layout.INDEX, *(layout.episode_page(m.slug) for m in manifests), *(layout.embed_page(m.slug) for m in manifests)]
    archive = files.public_dir / layout.ARCHIVE
    pages += sorted(f"{layout.ARCHIVE}/{p.name}" for p in archive.glob("*.html")) if archive.is_dir() else []
    problems = []
    for relative in pages:
        path = files.locate(relative)
        if not path.is_file():
            problems.append(f"{path}: missing")
            continue
        problems += [f"{path}: {problem}" for problem in _broken_links(files, relative, path)]
    return problems


def _broken_links(files: Files, relative: str, path: Path) -> list[str]:
    import posixpath

    import lxml.html

    problems = []
    for element in lxml.html.fromstring(path.read_bytes()).iter():
        link = element.get("href") or element.get("src")
        if not link or link.startswith("#") or _SCHEME.match(link):
            continue
        target = posixpath.normpath(posixpath.join(posixpath.dirname(relative), unquote(link.split("#")[0].split("?")[0])))
        if target.startswith(".."):
            problems.append(f"links outside the site ({link})")
        elif not files.locate(target).is_file():
            problems.append(f"links to {target}, which is missing")
    return problems


def _text(elem, path: str) -> str:
    found = elem.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


class _Checker:
    """The checks of one feed document (``relative``), reading the files it names through ``files``."""

    def __init__(self, files: Files, base: str, relative: str, canonical_feed_url: str):
        self.files = files
        self.canonical_feed_url = canonical_feed_url
        self.show_guid = podcast_guid(canonical_feed_url)
        self.base = base
        self.relative = relative
        self.feed = files.locate(relative)
        self.problems: list[str] = []

    def paging_links(self, channel) -> dict[str, str]:
        """The document's RFC 5005 links (other than self), as paths relative to public/."""
        links = {}
        for link in channel.findall("atom:link", NS):
            rel, href = link.get("rel"), link.get("href") or ""
            if rel in ("self", "hub", None):
                continue
            if not href.startswith(self.base + "/"):
                self.fail("channel", f"<atom:link rel={rel!r}> {href!r} is not under {self.base}/")
                continue
            links[rel] = unquote(href[len(self.base) + 1:])
        return links

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{self.feed}: {where}: {message}")

    prefix: str | None = None  # [analytics] prefix every enclosure URL goes through

    def hubs(self, channel, pinged: tuple[str, ...]) -> None:
        """A feed declares exactly the WebSub hubs balado pings ([announce] hubs)."""
        declared = [link.get("href") for link in channel.findall("atom:link", NS) if link.get("rel") == "hub"]
        is_archive = channel.find("fh:archive", NS) is not None
        expected = [] if is_archive else list(pinged)
        if declared != expected:
            self.fail("channel", f"<atom:link rel=\"hub\"> declares {declared or 'none'}, "
                                 f"but [announce] hubs pings {expected or 'none'}")

    def unprefixed(self, url: str, where: str) -> str:
        """The enclosure's own URL, behind the ``[analytics] prefix`` when there is one."""
        if not self.prefix:
            return url
        prefix = self.prefix.rstrip("/") + "/"
        if not url.startswith(prefix):
            self.fail(where, f"<enclosure> URL {url!r} does not go through [analytics] prefix {prefix}")
            return url
        rest = url[len(prefix):]
        return rest if rest.startswith(("http://", "https://")) else "https://" + rest

    # --- channel -----------------------------------------------------------------------------
    def channel(self, channel) -> None:
        where = "channel"
        for tag in ("title", "description", "language", "link"):
            if not _text(channel, tag):
                self.fail(where, f"<{tag}> is missing or empty")
        description = _text(channel, "description")
        if len(description.encode("utf-8")) > MAX_DESCRIPTION_BYTES:
            self.fail(where, f"<description> is over {MAX_DESCRIPTION_BYTES} bytes")
        if not _text(channel, "itunes:author"):
            self.fail(where, "<itunes:author> is missing or empty")
        if not _text(channel, "itunes:owner/itunes:email"):
            self.fail(where, "<itunes:owner><itunes:email> is missing or empty")
        if _text(channel, "itunes:type") not in ("episodic", "serial"):
            self.fail(where, "<itunes:type> must be episodic or serial")
        if _text(channel, "podcast:locked") not in ("yes", "no"):
            self.fail(where, "<podcast:locked> must be yes or no")
        self.explicit(channel, where, required=True)
        self.categories(channel)
        self_link = channel.find("atom:link[@rel='self']", NS)
        expected = file_url(self.base, self.relative)
        if self_link is None or self_link.get("href") != expected:
            found = None if self_link is None else self_link.get("href")
            self.fail(where, f"<atom:link rel=\"self\"> is {found!r}, expected {expected!r}")
        guid = _text(channel, "podcast:guid")
        if not guid:
            self.fail(where, "<podcast:guid> is missing (apps follow a moved feed by it)")
        elif guid != self.show_guid:
            self.fail(where, f"<podcast:guid> is {guid!r}, expected {self.show_guid!r} "
                             f"(derived from {self.canonical_feed_url})")
        image = channel.find("itunes:image", NS)
        if image is None or not image.get("href"):
            self.fail(where, "<itunes:image href> is missing")
        else:
            self.image(image.get("href"), where)

    def explicit(self, elem, where: str, required: bool) -> None:
        found = elem.find("itunes:explicit", NS)
        if found is None:
            if required:
                self.fail(where, "<itunes:explicit> is missing")
        elif (found.text or "").strip() not in ("true", "false"):
            self.fail(where, f"<itunes:explicit> is {found.text!r}, must be true or false")

    def categories(self, channel) -> None:
        cats = channel.findall("itunes:category", NS)
        if not cats:
            self.fail("channel", "<itunes:category> is missing")
        for cat in cats:
            name = cat.get("text")
            if name not in APPLE_CATEGORIES:
                self.fail("channel", f"<itunes:category> {name!r} is not in Apple's list")
                continue
            for sub in cat.findall("itunes:category", NS):
                if sub.get("text") not in APPLE_CATEGORIES[name]:
                    self.fail("channel", f"<itunes:category> {sub.get('text')!r} is not a "
                                         f"subcategory of {name!r} in Apple's list")

    def image(self, url: str, where: str) -> None:
        path = self.resolve(url, where, "image")
        if path is None or not self.files.deep(self.relative_of(url)):
            return
        for problem in check_cover(path):
            self.fail(where, problem)

    # --- items -------------------------------------------------------------------------------
    def item(self, item, index: int, check_loudness: bool) -> None:
        where = f"item {index} ({_text(item, 'title') or _text(item, 'guid') or 'untitled'})"
        for tag in ("title", "guid", "pubDate"):
            if not _text(item, tag):
                self.fail(where, f"<{tag}> is missing or empty")
        pub_date = _text(item, "pubDate")
        if pub_date:
            try:
                when = parsedate_to_datetime(pub_date)
            except (TypeError, ValueError):
                self.fail(where, f"<pubDate> {pub_date!r} is not an RFC 2822 date")
            else:
                if when.tzinfo is None:
                    self.fail(where, f"<pubDate> {pub_date!r} has no time zone")
                # Apps hide or misorder episodes dated in the future (small slack for clocks).
                elif when > datetime.now(timezone.utc) + timedelta(minutes=5):
                    self.fail(where, f"<pubDate> {pub_date!r} is in the future")
        self.explicit(item, where, required=False)
        image = item.find("itunes:image", NS)
        if image is not None:
            self.resolve(image.get("href") or "", where, "itunes:image")

        duration = self.duration(item, where)
        enclosure = item.find("enclosure")
        if enclosure is None:
            self.fail(where, "<enclosure> is missing")
        else:
            self.enclosure(enclosure, where, duration, check_loudness)

        for transcript in item.findall("podcast:transcript", NS):
            self.side_file(transcript, where, "podcast:transcript")
        for chapters in item.findall("podcast:chapters", NS):
            self.side_file(chapters, where, "podcast:chapters")

    def duration(self, item, where: str) -> float | None:
        text = _text(item, "itunes:duration")
        if not text:
            self.fail(where, "<itunes:duration> is missing")
            return None
        if not re.fullmatch(r"\d+(:\d{1,2}){0,2}", text):
            self.fail(where, f"<itunes:duration> {text!r} is not seconds or [HH:]MM:SS")
            return None
        seconds = 0
        for part in text.split(":"):
            seconds = seconds * 60 + int(part)
        return float(seconds)

    def enclosure(self, enclosure, where: str, duration: float | None,
                  check_loudness: bool) -> None:
        url, length, mime = (enclosure.get(k) for k in ("url", "length", "type"))
        if mime != FEED_TYPES["audio"]:
            self.fail(where, f"<enclosure type> is {mime!r}, expected {FEED_TYPES['audio']!r}")
        if not (length or "").isdigit():
            self.fail(where, f"<enclosure length> is {length!r}, must be the size in bytes")
            length = None
        url = self.unprefixed(url or "", where)
        path = self.resolve(url, where, "enclosure")
        if path is None:
            return
        self.extension(path, mime, where, "enclosure")
        size = self.files.size(self.relative_of(url))
        if length is not None and int(length) != size:
            self.fail(where, f"<enclosure length> is {length} but {path} is {size} bytes")
        if self.files.deep(self.relative_of(url)):
            self.mp3(path, where, duration, check_loudness)

    def mp3(self, path: Path, where: str, duration: float | None, check_loudness: bool) -> None:
        from mutagen import MutagenError
        from mutagen.mp3 import MP3

        try:
            real = MP3(path).info.length
        except (MutagenError, OSError) as exc:
            self.fail(where, f"{path} is not an MP3 file ({exc})")
            return
        if duration is not None and abs(real - duration) > DURATION_TOLERANCE:
            self.fail(where, f"<itunes:duration> is {duration:.0f} s but {path} lasts "
                             f"{real:.1f} s")
        if check_loudness:
            self.loudness(path, where)

    def loudness(self, path: Path, where: str) -> None:
        from pipeline.sound.loudness import measure_file

        measured = measure_file(path)
        if not meets_loudness_norm(measured.integrated, measured.true_peak):
            self.fail(where, f"{path} loudness is {measured.integrated:.1f} LUFS, {loudness_norm_text()}; "
                             f"its true peak is {measured.true_peak:.1f} dBTP")

    def side_file(self, elem, where: str, tag: str) -> None:
        mime = elem.get("type") or ""
        path = self.resolve(elem.get("url") or "", where, tag)
        if path is None:
            return
        self.extension(path, mime, where, tag)
        problem = _sniff(path, mime) if self.files.deep(self.relative_of(elem.get("url") or "")) else None
        if problem:
            self.fail(where, f"<{tag}> {path}: {problem}")

    def extension(self, path: Path, mime: str, where: str, tag: str) -> None:
        allowed = TYPE_EXTENSIONS.get(mime)
        if allowed is None:
            self.fail(where, f"<{tag}> has an unexpected type {mime!r}")
        elif path.suffix.lower() not in allowed:
            self.fail(where, f"<{tag}> type {mime} does not match {path.name}")

    def relative_of(self, url: str) -> str:
        """The path under public/ that a URL of the site names."""
        return unquote(url[len(self.base) + 1:].split("?")[0].split("#")[0])

    def resolve(self, url: str, where: str, tag: str) -> Path | None:
        """The file of public/ a URL names, or None (after reporting why)."""
        prefix = self.base + "/"
        if not url.startswith(prefix):
            self.fail(where, f"<{tag}> URL {url!r} is not under {prefix}")
            return None
        if not url.isascii():
            self.fail(where, f"<{tag}> URL {url!r} is not ASCII")
        relative = self.relative_of(url)
        normal = posixpath.normpath(relative)
        if normal == ".." or normal.startswith(("../", "/")):  # lexical: the site is served as plain files
            self.fail(where, f"<{tag}> URL {url!r} points outside public/")
            return None
        path = self.files.locate(relative)
        if self.files.size(relative) is None:
            self.fail(where, f"<{tag}> URL {url!r} has no file: {path} is missing")
            return None
        return path

    # --- whole feed --------------------------------------------------------------------------
    def order(self, items) -> None:
        dates = []
        for item in items:
            try:
                when = parsedate_to_datetime(_text(item, "pubDate"))
            except (TypeError, ValueError):
                return  # already reported
            if when.tzinfo is None:
                return  # already reported
            dates.append(when)
        if any(a < b for a, b in zip(dates, dates[1:])):
            self.fail("items", "not in newest-first order")


def _sniff(path: Path, mime: str) -> str | None:
    """Why ``path`` is not really of type ``mime`` (None when it is, or the type is unknown)."""
    data = path.read_bytes()
    if mime == "text/vtt":
        text = data.decode("utf-8", "replace").lstrip("\ufeff")
        return None if text.startswith("WEBVTT") else "not a WebVTT file (no WEBVTT header)"
    if mime in ("application/x-subrip", "application/srt"):
        text = data.decode("utf-8", "replace").lstrip("\ufeff")
        if re.match(r"\s*\d+\s*\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}", text):
            return None
        return "not an SRT file (no numbered cue with a time range)"
    if mime == "application/json+chapters":
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            return f"not JSON ({exc})"
        if not isinstance(doc, dict) or "version" not in doc or not isinstance(
                doc.get("chapters"), list):
            return "not Podcasting 2.0 JSON chapters (needs version and a chapters list)"
        starts = [c.get("startTime") for c in doc["chapters"] if isinstance(c, dict)]
        if len(starts) != len(doc["chapters"]) or not all(
                isinstance(s, (int, float)) for s in starts):
            return "every chapter needs a numeric startTime"
        if starts != sorted(starts):
            return "chapters are not sorted by startTime"
    return None



# --- [analytics] prefix: does the prefix service send apps on to the file? --------------------
def check_prefix(config: Config, public_dir: Path, timeout: float = 10.0) -> tuple[list[str], list[str]]:
    """(problems, notes): the newest episode's enclosure asked of the prefix service (HEAD, no
    redirect followed), which must redirect to the file's own URL. When the service cannot be
    reached (offline, a firewall) that is a note, not a problem: nothing could be checked."""
    prefix = config.analytics.prefix
    feed = layout.under(public_dir, layout.FEED)
    if not prefix or not feed.is_file():
        return [], []
    enclosure = etree.parse(str(feed), etree.XMLParser(resolve_entities=False, no_network=True)).find(
        "channel/item/enclosure")
    if enclosure is None:
        return [], []
    url = enclosure.get("url") or ""
    rest = url[len(prefix.rstrip("/")) + 1:]
    direct = rest if rest.startswith(("http://", "https://")) else "https://" + rest
    import requests

    try:
        answer = requests.head(url, allow_redirects=False, timeout=timeout)
    except requests.RequestException as exc:
        return [], [f"note: [analytics] prefix {prefix} could not be reached ({type(exc).__name__}); "
                    "its redirect to the audio is not checked"]
    location = answer.headers.get("Location", "")
    if answer.status_code not in (301, 302, 303, 307, 308) or location != direct:
        return [f"{feed}: [analytics] prefix {prefix} answers {answer.status_code} "
                f"{('to ' + location) if location else 'without a redirect'} for {url}, not a redirect to {direct}"], []
    return [], [f"[analytics] prefix {prefix} redirects to the audio ({direct})"]
