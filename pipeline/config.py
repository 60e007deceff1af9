"""The show's settings, read from ``podcast.toml``."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from pipeline import layout
from pipeline.errors import UserError

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


@dataclass(frozen=True)
class VoiceConfig:
    engine: str = "auto"
    lang: str = "fr"
    tld: str = "fr"
    espeak_voice: str = "fr"
    espeak_wpm: int = 165


@dataclass(frozen=True)
class AudioConfig:
    bitrate: str = "96k"
    sample_rate: int = 44100
    pause_sentence_ms: int = 350
    pause_paragraph_ms: int = 700
    pause_section_ms: int = 1200
    mp3_quality: int = 7  # LAME algorithm quality, 0 (best) … 9 (fastest)
    loudness_method: str = "gain"  # "gain" (linear gain + limiter) or "loudnorm" (ffmpeg's, linear)


@dataclass(frozen=True)
class SynthesisConfig:
    jobs: int = 4
    timeout_seconds: float = 10.0
    max_total_wait_seconds: float = 120.0


@dataclass(frozen=True)
class ScriptConfig:
    intro: str = DEFAULT_INTRO
    outro: str = DEFAULT_OUTRO


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
    publish: PublishConfig = field(default_factory=PublishConfig)
    lexicon: dict[str, str] = field(default_factory=dict)
    acronyms: dict[str, str] = field(default_factory=dict)

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
    """Read ``podcast.toml`` under ``root``; a missing file gives the defaults."""
    root = Path(root).resolve()
    path = Path(path) if path else root / "podcast.toml"
    raw: dict = {}
    if path.exists():
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
            publish=_section(PublishConfig, raw.get("publish", {}), "publish", path),
            lexicon={str(k): str(v) for k, v in raw.get("lexicon", {}).items()},
            acronyms={str(k): str(v) for k, v in raw.get("acronyms", {}).items()},
        )
    except TypeError as exc:
        raise UserError(f"{path}: {exc}") from None
    return _check(config, path)


def _check(config: Config, path: Path) -> Config:
    """Settings whose mistakes would otherwise surface deep inside a build."""
    problems = []
    if config.voice.engine not in ("auto", "gtts", "espeak"):
        problems.append(f"[voice] engine must be auto, gtts or espeak, not {config.voice.engine!r}")
    if config.audio.loudness_method not in ("gain", "loudnorm"):
        problems.append(f"[audio] loudness_method must be gain or loudnorm, not {config.audio.loudness_method!r}")
    if not 0 <= config.audio.mp3_quality <= 9:
        problems.append(f"[audio] mp3_quality must be 0 to 9, not {config.audio.mp3_quality!r}")
    if config.synthesis.jobs < 1:
        problems.append(f"[synthesis] jobs must be at least 1, not {config.synthesis.jobs!r}")
    if not config.show.base_url.startswith(("http://", "https://")):
        problems.append(f"[show] base_url must be an http(s) URL, not {config.show.base_url!r}")
    problems += _check_publish(config.publish)
    if problems:
        raise UserError(f"{path}: {'; '.join(problems)}")
    return config


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
