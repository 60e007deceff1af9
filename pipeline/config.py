"""The show's settings, read from ``podcast.toml``."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timezone, tzinfo
from pathlib import Path

from pipeline import layout
from pipeline.errors import UserError
from pipeline.text.lexicon import Lexicon, parse_rules

MIN_REQUEST_CHARS, MAX_REQUEST_CHARS = 60, 1000  # below 60 sentences break apart; above 1000 no engine follows
DEFAULT_INTRO = "{show}. {title}. Un article du {date}."
DEFAULT_OUTRO = "C'était {title}. Merci de votre écoute, et à bientôt sur {show}."


@dataclass(frozen=True)
class ShowConfig:
    title: str = "Balado"
    description: str = "Des articles à écouter."
    author: str = "Balado"
    owner_name: str = "Balado"
    owner_email: str = "podcast@example.org"
    base_url: str = "http://127.0.0.1:8000"
    link: str = "http://127.0.0.1:8000/"
    language: str = "fr"
    category: str = "News"
    subcategory: str | None = "Politics"
    explicit: bool = False
    cover: str | None = None  # path relative to the project folder
    timezone: str = "Europe/Paris"  # for naive front-matter times, the date said in the intro, the pages' dates


@dataclass(frozen=True)
class VoiceConfig:
    engine: str = "auto"
    lang: str = "fr"
    tld: str = "fr"
    espeak_voice: str = "fr"
    espeak_wpm: int = 165
    max_chars: int = 200  # per request: Google's endpoint speaks about 200 characters (gTTS's own cut is 100)


@dataclass(frozen=True)
class AudioConfig:
    bitrate: str = "96k"
    sample_rate: int = 44100
    pause_sentence_ms: int = 350
    pause_paragraph_ms: int = 700
    pause_section_ms: int = 1200
    mp3_quality: int = 7  # LAME algorithm quality, 0 (best) … 9 (fastest)
    loudness_method: str = "gain"  # "gain" (linear gain + limiter) or "loudnorm" (ffmpeg's, linear)
    intro_music: str | None = None  # any file ffmpeg reads, relative to the project: under a digest's intro
    outro_music: str | None = None  # under a digest's outro
    transition_sting: str | None = None  # between a digest's articles


@dataclass(frozen=True)
class SynthesisConfig:
    jobs: int = 4
    timeout_seconds: float = 10.0
    max_total_wait_seconds: float = 120.0


@dataclass(frozen=True)
class SiteConfig:
    feed_items: int = 300  # newest episodes in feed.xml; older ones in RFC 5005 archive feeds
    archive_items: int = 100  # episodes per archive feed and per HTML archive page
    latest_episodes: int = 20  # episodes on the landing page; every episode has its own page


@dataclass(frozen=True)
class DigestConfig:
    schedule: str = "off"  # daily | weekly | off: when `invoke update` builds it
    title: str = "Le journal du {date}"
    max_articles: int = 10
    order: str = "oldest"  # oldest | newest: the order the digest plays its articles in
    feed: str = "main"  # main: in the show's feed | digest: its own feed, digest.xml
    show_title: str = "{show} — le journal"  # the digest feed's channel title (feed = "digest")
    intro: str = "{show}. {title}. Au sommaire : {headlines}."
    transition: str = "{title}."  # said as each article begins
    outro: str = "C'était {title}. Merci de votre écoute, et à bientôt sur {show}."

    def numbered_with(self, kind: str) -> tuple[str, ...]:
        """The kinds of episode whose numbers an episode of ``kind`` follows: those of its feed."""
        return ("article", "digest") if self.feed == "main" else (kind,)


@dataclass(frozen=True)
class ScriptConfig:
    intro: str = DEFAULT_INTRO
    outro: str = DEFAULT_OUTRO


@dataclass(frozen=True)
class FetchConfig:
    """Limits on every page and feed fetched from the web (``[fetch]``)."""

    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 20.0  # silence allowed between two packets
    # One deadline for a whole fetch, and for all one source fetches in a run (feed and pages):
    # connect, headers, body, retries and back-off together.
    total_timeout_seconds: float = 60.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    retries: int = 2  # after a timeout, a refused connection, 429 or 5xx
    retry_backoff_seconds: float = 1.0


FULL_TEXT_CHOICES = ("auto", "feed", "page")
DEFAULT_MAX_NEW = 10
DEFAULT_MIN_WORDS = 120


@dataclass(frozen=True)
class SourceConfig:
    """One ``[[sources]]`` table: a feed of articles (RSS 2.0, Atom or JSON Feed)."""

    url: str  # http(s)://, file:// or a path relative to the project
    name: str = ""
    include_categories: tuple[str, ...] = ()
    exclude_categories: tuple[str, ...] = ()
    include_urls: tuple[str, ...] = ()  # glob, or a regular expression after "re:"
    exclude_urls: tuple[str, ...] = ()
    since: datetime | None = None  # entries published earlier are ignored
    max_new: int = DEFAULT_MAX_NEW  # new articles per run, newest first; the rest wait for the next
    full_text: str = "auto"  # auto | feed | page
    min_words: int = DEFAULT_MIN_WORDS  # shorter is a brief or a paywall stub, not an episode
    review: bool = False  # its articles arrive as drafts: spoken, published only once approved

    @property
    def label(self) -> str:
        """How lines about this source name it: its name, else its address."""
        return self.name or self.url


@dataclass(frozen=True)
class PublishConfig:
    """Where ``invoke publish`` puts public/. Credentials never live here: boto3 finds them
    (environment, AWS_PROFILE, ~/.aws/config and credentials)."""

    to: str | None = None  # s3://bucket/prefix, file:///var/www/podcast or a folder
    public_url: str | None = None  # where the target is served; must be [show] base_url
    endpoint_url: str | None = None  # a non-AWS provider; else AWS_ENDPOINT_URL_S3 or ~/.aws/config
    region: str | None = None
    profile: str | None = None
    public_read: bool = False  # ACL public-read on each object, for providers without a bucket policy
    timeout_seconds: float = 20.0
    attempts: int = 4  # per request, with botocore's backoff


@dataclass(frozen=True)
class Config:
    root: Path
    show: ShowConfig = field(default_factory=ShowConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    synthesis: SynthesisConfig = field(default_factory=SynthesisConfig)
    script: ScriptConfig = field(default_factory=ScriptConfig)
    site: SiteConfig = field(default_factory=SiteConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    publish: PublishConfig = field(default_factory=PublishConfig)
    lexicon: Lexicon = field(default_factory=Lexicon)  # pronunciation rules (pipeline.text.lexicon)
    acronyms: dict[str, str] = field(default_factory=dict)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    sources: tuple[SourceConfig, ...] = ()
    announce: "AnnounceConfig" = field(default_factory=lambda: AnnounceConfig())
    disclosure: "DisclosureConfig" = field(default_factory=lambda: DisclosureConfig())
    directory: "DirectoryConfig" = field(default_factory=lambda: DirectoryConfig())
    analytics: "AnalyticsConfig" = field(default_factory=lambda: AnalyticsConfig())
    embed: "EmbedConfig" = field(default_factory=lambda: EmbedConfig())

    @property
    def episodes_dir(self) -> Path:
        return self.root / "episodes"

    @property
    def public_dir(self) -> Path:
        return self.root / "public"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache"

    @property
    def tz(self) -> tzinfo:
        """The show's time zone (checked when the settings are read)."""
        return _zone(self.show.timezone)

    @property
    def feed_url(self) -> str:
        return layout.feed_url(self.show.base_url)


CREDENTIAL_WORDS = ("key", "secret", "token", "password")


def _section(cls, raw: dict, name: str, path: Path):
    known = {f.name for f in fields(cls)}
    unknown = set(raw) - known
    if any(word in key.lower() for key in unknown for word in CREDENTIAL_WORDS):
        raise UserError(f"{path}: credentials never go in podcast.toml ([{name}] {', '.join(sorted(unknown))}); "
                        "use the environment, AWS_PROFILE or ~/.aws/credentials")
    if unknown:
        raise UserError(f"{path}: unknown setting(s) in [{name}]: {', '.join(sorted(unknown))}")
    defaults = cls()
    for key, value in raw.items():
        expected = type(getattr(defaults, key))
        ok = isinstance(value, expected) or (expected is float and isinstance(value, int)) \
            or (getattr(defaults, key) is None and isinstance(value, str))
        if not ok or (isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0):
            kind = "str" if getattr(defaults, key) is None else expected.__name__
            raise UserError(f"{path}: [{name}] {key} = {value!r} is not a valid {kind}")
    return cls(**raw)


def load_config(root: Path | str = ".", path: Path | str | None = None) -> Config:
    """Read ``podcast.toml`` under ``root``; without one there is no show (``invoke init`` makes it)."""
    root = Path(root).resolve()
    path = Path(path) if path else root / "podcast.toml"
    if not path.exists():
        raise UserError(f"{root}: no podcast.toml here; run `invoke init` to set up a show in this folder")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not valid TOML ({exc})") from None
    try:
        config = Config(
            root=root,
            show=_section(ShowConfig, raw.get("show", {}), "show", path),
            voice=_section(VoiceConfig, raw.get("voice", {}), "voice", path),
            audio=_section(AudioConfig, raw.get("audio", {}), "audio", path),
            synthesis=_section(SynthesisConfig, raw.get("synthesis", {}), "synthesis", path),
            script=_section(ScriptConfig, raw.get("script", {}), "script", path),
            site=_section(SiteConfig, raw.get("site", {}), "site", path),
            digest=_section(DigestConfig, raw.get("digest", {}), "digest", path),
            publish=_section(PublishConfig, raw.get("publish", {}), "publish", path),
            lexicon=Lexicon(parse_rules(raw.get("lexicon", {}), str(path))),
            acronyms={str(k): str(v) for k, v in raw.get("acronyms", {}).items()},
            fetch=_section(FetchConfig, raw.get("fetch", {}), "fetch", path),
            sources=_sources(raw.get("sources", []), path),
            **_listing_sections(raw, path),
        )
    except TypeError as exc:
        raise UserError(f"{path}: {exc}") from None
    return _check(config, path)


def _zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc if name.upper() == "UTC" else None


def _check(config: Config, path: Path) -> Config:
    """Settings whose mistakes would otherwise surface deep inside a build."""
    problems = []
    if _zone(config.show.timezone) is None:
        problems.append(f"[show] timezone {config.show.timezone!r} is not a time zone (Europe/Paris, America/Montreal…)")
    if config.voice.engine not in ("auto", "gtts", "espeak"):
        problems.append(f"[voice] engine must be auto, gtts or espeak, not {config.voice.engine!r}")
    if config.audio.loudness_method not in ("gain", "loudnorm"):
        problems.append(f"[audio] loudness_method must be gain or loudnorm, not {config.audio.loudness_method!r}")
    if not 0 <= config.audio.mp3_quality <= 9:
        problems.append(f"[audio] mp3_quality must be 0 to 9, not {config.audio.mp3_quality!r}")
    if not MIN_REQUEST_CHARS <= config.voice.max_chars <= MAX_REQUEST_CHARS:
        problems.append(f"[voice] max_chars must be {MIN_REQUEST_CHARS} to {MAX_REQUEST_CHARS}, not {config.voice.max_chars!r}")
    if config.synthesis.jobs < 1:
        problems.append(f"[synthesis] jobs must be at least 1, not {config.synthesis.jobs!r}")
    for name in ("feed_items", "archive_items", "latest_episodes"):
        if getattr(config.site, name) < 1:
            problems.append(f"[site] {name} must be at least 1, not {getattr(config.site, name)!r}")
    for name, allowed in (("schedule", ("daily", "weekly", "off")), ("order", ("oldest", "newest")),
                          ("feed", ("main", "digest"))):
        if getattr(config.digest, name) not in allowed:
            problems.append(f"[digest] {name} must be {' or '.join(allowed)}, not {getattr(config.digest, name)!r}")
    for name in ("intro_music", "outro_music", "transition_sting"):
        sound = getattr(config.audio, name)
        if sound and not (config.root / sound).is_file():
            problems.append(f"[audio] {name}: {config.root / sound} is not a file")
    if min(config.fetch.connect_timeout_seconds, config.fetch.read_timeout_seconds,
           config.fetch.total_timeout_seconds) <= 0 or config.fetch.max_bytes < 1:
        problems.append("[fetch] time-outs and max_bytes must be more than 0")
    if not config.show.base_url.startswith(("http://", "https://")):
        problems.append(f"[show] base_url must be an http(s) URL, not {config.show.base_url!r}")
    problems += _check_publish(config.publish)
    problems += _check_listing(config)
    if problems:
        raise UserError(f"{path}: {'; '.join(problems)}")
    return config


# --- [[sources]] ------------------------------------------------------------------------------
def _sources(raw, path: Path) -> tuple[SourceConfig, ...]:
    if not isinstance(raw, list) or not all(isinstance(table, dict) for table in raw):
        raise UserError(f"{path}: sources must be [[sources]] tables")
    sources = tuple(_source(table, number, path) for number, table in enumerate(raw, 1))
    urls = [s.url for s in sources]
    twice = sorted({u for u in urls if urls.count(u) > 1})
    if twice:
        raise UserError(f"{path}: [[sources]] url {twice[0]!r} is listed twice")
    return sources


def _source(table: dict, number: int, path: Path) -> SourceConfig:
    where = f"[[sources]] #{number}"
    known = {f.name for f in fields(SourceConfig)}
    unknown = set(table) - known
    if unknown:
        raise UserError(f"{path}: unknown setting(s) in {where}: {', '.join(sorted(unknown))}")
    url = table.get("url")
    if not isinstance(url, str) or not url.strip():
        raise UserError(f"{path}: {where} needs a url (an RSS, Atom or JSON Feed address, or a file)")
    if re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I) and not re.match(r"^(https?|file)://", url, re.I):
        raise UserError(f"{path}: {where} url {url!r} must be http(s)://, file:// or a path")
    values = {"url": url.strip(), "name": str(table.get("name") or "")}
    for key in ("include_categories", "exclude_categories", "include_urls", "exclude_urls"):
        values[key] = _strings(table.get(key, []), f"{where} {key}", path)
    for key in ("include_urls", "exclude_urls"):
        for pattern in values[key]:
            _check_pattern(pattern, f"{where} {key}", path)
    values["since"] = _since(table.get("since"), where, path)
    for key in ("max_new", "min_words"):
        value = table.get(key, getattr(SourceConfig, key))
        if not isinstance(value, int) or isinstance(value, bool) or value < (1 if key == "max_new" else 0):
            raise UserError(f"{path}: {where} {key} must be a whole number{' of at least 1' * (key == 'max_new')}, "
                            f"not {value!r}")
        values[key] = value
    values["review"] = table.get("review", False)
    if not isinstance(values["review"], bool):
        raise UserError(f"{path}: {where} review must be true or false, not {values['review']!r}")
    values["full_text"] = table.get("full_text", "auto")
    if values["full_text"] not in FULL_TEXT_CHOICES:
        raise UserError(f"{path}: {where} full_text must be auto, feed or page, not {values['full_text']!r}")
    return SourceConfig(**values)


def _strings(value, where: str, path: Path) -> tuple[str, ...]:
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise UserError(f"{path}: {where} must be a list of strings, not {value!r}")
    return tuple(value)


def _check_pattern(pattern: str, where: str, path: Path) -> None:
    if pattern.startswith("re:"):
        try:
            re.compile(pattern[3:])
        except re.error as exc:
            raise UserError(f"{path}: {where} {pattern!r} is not a valid regular expression ({exc})") from None


def _since(value, where: str, path: Path) -> datetime | None:
    """A TOML date or date-time (a bare date is midnight UTC; a naive time is UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            raise UserError(f"{path}: {where} since {value!r} is not a date (2025-12-01)") from None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=timezone.utc)
    raise UserError(f"{path}: {where} since must be a date (2025-12-01), not {value!r}")


# --- [publish] --------------------------------------------------------------------------------
def _check_publish(publish: PublishConfig) -> list[str]:
    problems = []
    for key in ("public_url", "endpoint_url"):
        value = getattr(publish, key)
        if value is not None and not value.startswith(("http://", "https://")):
            problems.append(f"[publish] {key} must be an http(s) URL, not {value!r}")
    if publish.attempts < 1:
        problems.append(f"[publish] attempts must be at least 1, not {publish.attempts!r}")
    if publish.timeout_seconds <= 0:
        problems.append(f"[publish] timeout_seconds must be more than 0, not {publish.timeout_seconds!r}")
    return problems


# --- [announce] [disclosure] [directory] [analytics]: how the show is announced and listed ------
@dataclass(frozen=True)
class AnnounceConfig:
    """Who is told when a new feed is live (``invoke publish``, ``invoke update``). Off: empty lists."""

    hubs: tuple[str, ...] = ()  # WebSub hubs: declared in the feed (atom:link rel="hub") and pinged
    notify: tuple[str, ...] = ()  # URLs fetched (GET) with {feed} replaced by the feed's quoted URL
    timeout_seconds: float = 10.0
    attempts: int = 3  # per hub or URL; a failure after them is one warning line


DEFAULT_DISCLOSURE = "Cet article est lu par une voix de synthèse : {voice}."
DEFAULT_SHOW_DISCLOSURE = "Les articles sont lus par une voix de synthèse : {voice}."


@dataclass(frozen=True)
class DisclosureConfig:
    """The sentence that says a synthetic voice reads: ending every episode description and said
    once in the intro (``episode``), ending the channel description (``show``). ``{voice}``
    names the voice; "" drops it, on purpose only."""

    episode: str = DEFAULT_DISCLOSURE
    show: str = DEFAULT_SHOW_DISCLOSURE


# Podcasting 2.0 person taxonomy (podcasttaxonomy.com): role → its group.
PERSON_ROLES = {"author": "writing", "writer": "writing", "editor": "writing", "reporter": "cast",
                "host": "cast", "narrator": "cast", "producer": "creative direction"}
MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog")
UPDATE_FREQUENCIES = ("", "daily", "weekdays", "weekly", "monthly")


@dataclass(frozen=True)
class DirectoryConfig:
    """Tags directories read (Apple, Spotify, Podcast Index); every one is optional."""

    person_role: str = "author"  # podcast:person role of each article's author
    itunes_block: bool = False  # true: Apple lists the show nowhere
    podcast_block: bool = False  # true: podcast:block yes, every Podcasting 2.0 platform
    new_feed_url: str | None = None  # the show moved: apps follow itunes:new-feed-url
    medium: str = "podcast"
    update_frequency: str = ""  # daily | weekdays | weekly | monthly; "" follows [digest] schedule
    license: str | None = None  # e.g. "cc-by-4.0" (an SPDX identifier)
    license_url: str | None = None
    funding_url: str | None = None
    funding_text: str = "Soutenir la rédaction"


@dataclass(frozen=True)
class AnalyticsConfig:
    """An opt-in prefix for every enclosure URL (OP3, Podtrac, a newsroom's own): the prefix
    service sees each download's IP address, user agent and the file asked for."""

    prefix: str | None = None  # "https://op3.dev/e/": the enclosure becomes prefix + URL without scheme


@dataclass(frozen=True)
class EmbedConfig:
    """The sites whose pages run the embedded player (``[embed]``): its data, transcripts and
    lookups are fetched from their origin, so the host says CORS yes to them (``invoke publish``
    sets the S3 bucket's rule; ``invoke serve`` answers them). Empty: iframes and oEmbed only."""

    origins: tuple[str, ...] = ()  # "https://www.gazette.example", or "*" for any site


_ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$|^https?://\[[0-9a-f:.]+\](:\d{1,5})?$")


def web_origin(value: str) -> str | None:
    """An origin as browsers send it (lower-case, no trailing slash), ``*``, or None if it is not one."""
    value = value.strip()
    origin = value if value == "*" else value.rstrip("/").lower()
    return origin if origin == "*" or _ORIGIN.match(origin) else None


def _listing_sections(raw: dict, path: Path) -> dict:
    sections = {}
    for name, cls in (("announce", AnnounceConfig), ("disclosure", DisclosureConfig),
                      ("directory", DirectoryConfig), ("analytics", AnalyticsConfig), ("embed", EmbedConfig)):
        table = dict(raw.get(name, {}))
        for key in {"announce": ("hubs", "notify"), "embed": ("origins",)}.get(name, ()):
            if key in table:
                table[key] = _strings(table[key], f"[{name}] {key}", path)
        if name == "embed" and "origins" in table:
            table["origins"] = tuple(dict.fromkeys(web_origin(o) or o for o in table["origins"]))
        sections[name] = _section(cls, table, name, path)
    return sections


def _check_listing(config: Config) -> list[str]:
    problems = []
    announce, disclosure, directory = config.announce, config.disclosure, config.directory
    for url in (*announce.hubs, *announce.notify):
        if not url.startswith(("http://", "https://")):
            problems.append(f"[announce] {url!r} must be an http(s) URL")
    if announce.attempts < 1 or announce.timeout_seconds <= 0:
        problems.append("[announce] attempts must be at least 1 and timeout_seconds more than 0")
    for key in ("episode", "show"):
        text = getattr(disclosure, key)
        if text and not text.strip():
            problems.append(f"[disclosure] {key} is blank: to drop the sentence on purpose set it to \"\"")
        try:
            text.format(voice="")
        except (KeyError, IndexError, ValueError):
            problems.append(f"[disclosure] {key} {text!r}: the only placeholder is {{voice}}")
    if directory.person_role not in PERSON_ROLES:
        problems.append(f"[directory] person_role must be one of {', '.join(PERSON_ROLES)}, not {directory.person_role!r}")
    if directory.medium not in MEDIUMS:
        problems.append(f"[directory] medium must be one of {', '.join(MEDIUMS)}, not {directory.medium!r}")
    if directory.update_frequency not in UPDATE_FREQUENCIES:
        problems.append(f"[directory] update_frequency must be daily, weekdays, weekly, monthly or \"\", "
                        f"not {directory.update_frequency!r}")
    for origin in config.embed.origins:
        if web_origin(origin) is None:
            problems.append(f"[embed] origins: {origin!r} is not an origin (scheme and host only, like "
                            "\"https://www.gazette.example\")")
    for key, value in (("new_feed_url", directory.new_feed_url), ("license_url", directory.license_url),
                       ("funding_url", directory.funding_url), ("prefix", config.analytics.prefix)):
        if value is not None and not value.startswith(("http://", "https://")):
            where = "[analytics]" if key == "prefix" else "[directory]"
            problems.append(f"{where} {key} must be an http(s) URL, not {value!r}")
    return problems
