"""The digest: one episode a day (or a week) made of the period's episodes, as radio does it.

- **Which episodes**: those published in the period (their pubDate, in the show's time zone), at
  most ``[digest] max_articles`` (the newest), played in ``order``.
- **The script**: an intro that says the date and the headlines, each article's own sections
  behind a short spoken announcement, an outro. An article's chunks are the very ones its
  episode was spoken from, so their audio comes from the cache: the only new requests are the
  intro, the announcements and the outro.
- **The sound**: the show's music under the intro and the outro, its sting between articles,
  when ``[audio]`` names them (see :mod:`pipeline.sound.music`).
- **The episode**: one chapter per article (its title and link); built, checked and published
  like any other (:func:`pipeline.build.publish_site`), with a stable identity: the same day's
  digest rebuilt updates the same episode (slug ``journal-YYYY-MM-DD``), never a second one.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Callable

from pipeline import layout
from pipeline.catalogue import Catalogue
from pipeline.config import Config
from pipeline.episode import EngineChoice, EpisodeReport, Identity, Programme
from pipeline.errors import UserError
from pipeline.manifest import new_guid, podcast_guid, pub_datetime
from pipeline.model import Article, EpisodeManifest, Paragraph, Passage, Script, Section
from pipeline.retired import load_retired
from pipeline.text.dates import french_date

SLUG_PREFIX = "journal"
WEEK = 7


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def slug(self) -> str:
        if self.first == self.last:
            return f"{SLUG_PREFIX}-{self.last.isoformat()}"
        return f"{SLUG_PREFIX}-{self.first.isoformat()}-au-{self.last.isoformat()}"

    @property
    def label(self) -> str:
        """How the title says it: "27 novembre 2026", "semaine du 21 au 27 novembre 2026"."""
        if self.first == self.last:
            return french_date(datetime.combine(self.last, time()))
        return f"semaine du {self.first.day} au {french_date(datetime.combine(self.last, time()))}"


@dataclass(frozen=True)
class DigestReport:
    slug: str
    status: str  # "built" | "up to date" | "empty" | "retired"
    members: tuple[str, ...] = ()
    episode: EpisodeReport | None = None


def period_for(config: Config, on: date | None = None, since: date | None = None) -> Period:
    """The day ``on`` (today where the show is, by default); the week ending then for a weekly
    digest; or from ``since`` to it."""
    last = on or datetime.now(config.tz).date()
    if since:
        if since > last:
            raise UserError(f"--since {since.isoformat()} is after {last.isoformat()}")
        return Period(since, last)
    return Period(last - timedelta(days=WEEK - 1), last) if config.digest.schedule == "weekly" else Period(last, last)


def members_of(config: Config, catalogue: Catalogue, period: Period) -> list[EpisodeManifest]:
    """The articles published in the period, at most ``max_articles`` (the newest), in play order."""
    def day(manifest: EpisodeManifest) -> date:
        return pub_datetime(manifest).astimezone(config.tz).date()

    found = [m for m in catalogue.manifests if m.kind == "article" and period.first <= day(m) <= period.last]
    chosen = found[:config.digest.max_articles]  # the catalogue is newest first
    return chosen if config.digest.order == "newest" else list(reversed(chosen))


# --- the script -------------------------------------------------------------------------------
def headlines(titles: list[str]) -> str:
    """ "a ; b ; et c": the headlines as a presenter lists them."""
    if len(titles) < 2:
        return "".join(titles)
    return " ; ".join(titles[:-1]) + " ; et " + titles[-1]


def article_sections(config: Config, manifest: EpisodeManifest) -> tuple[Section, ...]:
    """The article's own sections, exactly as its episode spoke them (so from the cache)."""
    from pipeline.text.article import read_article
    from pipeline.text.script import article_script

    article = read_article(config.root / manifest.source, tz=config.tz)
    script = article_script(article, config, pub_datetime(manifest))
    return tuple(section for section in script.sections if section.kind == "passage")


def digest_script(config: Config, members: list[EpisodeManifest], title: str, voice: str | None = None) -> Script:
    """Intro (date and headlines, then the disclosure naming ``voice``), one section per article
    (announced, then its own text), outro."""
    from pipeline.disclosure import episode_sentence, expected_voice
    from pipeline.text.script import spoken_paragraph

    fields = {"show": config.show.title, "title": title, "headlines": headlines([m.title for m in members])}
    disclosure = episode_sentence(config, voice or expected_voice(config.voice.engine), spoken=True, kind="digest")
    intro = spoken_paragraph(" ".join(filter(None, (config.digest.intro.format(**fields), disclosure))), config,
                             one_breath=True)
    sections = [Section("intro", "Au sommaire", (intro,))]
    for manifest in members:
        announcement = spoken_paragraph(config.digest.transition.format(title=manifest.title), config)
        body = tuple(p for section in article_sections(config, manifest) for p in section.paragraphs)
        sections.append(Section("passage", manifest.title, (announcement, *body)))
    outro = spoken_paragraph(config.digest.outro.format(**fields), config, one_breath=True)
    sections.append(Section("outro", "Conclusion", (outro,)))
    return Script(title=title, sections=tuple(s for s in sections if any(p.sentences for p in s.paragraphs)))


def chapter_links(config: Config, members: list[EpisodeManifest]) -> tuple[str | None, ...]:
    """Each article's chapter links to the article itself (or its episode's page)."""
    from pipeline.publish.feed import file_url, web_url

    pages = [web_url(m.source_url) or file_url(config.show.base_url, layout.episode_page(m.slug)) for m in members]
    return (None, *pages, None)


# --- the sound --------------------------------------------------------------------------------
def section_sounds(config: Config, script: Script):
    """The show's music under the intro and outro, its sting before every article but the first."""
    audio = config.audio
    if not (audio.intro_music or audio.outro_music or audio.transition_sting):
        return None
    from pipeline.sound import music
    from pipeline.sound.assembly import SectionSound

    load = lambda name: music.load_music(config.root / name) if name else None  # noqa: E731
    intro, outro, sting = load(audio.intro_music), load(audio.outro_music), load(audio.transition_sting)
    sounds, articles = [], 0
    for section in script.sections:
        if section.kind == "intro" and intro:
            sounds.append(SectionSound(bed=_bed(music.intro_bed, intro)))
        elif section.kind == "outro" and outro:
            sounds.append(SectionSound(bed=_bed(music.outro_bed, outro)))
        elif section.kind == "passage":
            articles += 1
            sounds.append(SectionSound(before=sting if sting and articles > 1 else b""))
        else:
            sounds.append(SectionSound())
    return tuple(sounds)


def _bed(preset, music_pcm: bytes):
    """The assembly's view of a music bed: the section's voice in, (the mix, where the voice starts) out."""
    def lay(speech: bytes) -> tuple[bytes, int]:
        bed = preset(speech, music_pcm)
        return bed.pcm, bed.speech_start_ms
    return lay


def _sounds_hash(config: Config) -> dict:
    """The music files by content: a new file is a new recipe."""
    names = (config.audio.intro_music, config.audio.outro_music, config.audio.transition_sting)
    return {name: hashlib.sha256((config.root / name).read_bytes()).hexdigest() for name in names if name}


# --- the episode ------------------------------------------------------------------------------
def feed_of_digests(config: Config) -> str:
    return layout.DIGEST_FEED if config.digest.feed == "digest" else layout.FEED


def identity_for(config: Config, catalogue: Catalogue, period: Period) -> Identity:
    """Kept from the digest's first build; else a GUID from its slug, the next number of its feed
    (:class:`pipeline.numbers.Numbering`: its own again if the ledger gave it one, else past
    every number given, retired ones too; reserved in the ledger before it is published), and the
    end of its period (or now, if that is still to come)."""
    previous = catalogue.get(period.slug)
    if previous:
        return Identity(previous.guid, previous.episode_number, pub_datetime(previous))
    retired = load_retired(config.episodes_dir)
    end = datetime.combine(period.last, time(23, 59), tzinfo=config.tz).astimezone(timezone.utc)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    guid = new_guid(podcast_guid(layout.feed_url(config.show.base_url, feed_of_digests(config))), period.slug)
    numbers = catalogue.numbering(config.digest.numbered_with("digest"), retired.values(), config.episodes_dir)
    number = numbers.number_for("digest", period.slug)
    numbers.reserve(catalogue.held(retired.values()))
    return Identity(guid, number, min(end, now))


def digest_recipe(config: Config, members: list[EpisodeManifest], period: Period) -> str:
    from pipeline.build import RECIPE_VERSION

    parts = {"version": RECIPE_VERSION, "kind": "digest", "period": [period.first, period.last],
             "members": [(m.slug, m.recipe_hash) for m in members], "digest": dataclasses.asdict(config.digest),
             "voice": dataclasses.asdict(config.voice), "audio": dataclasses.asdict(config.audio),
             "sounds": _sounds_hash(config), "show": [config.show.title, config.show.author],
             "lexicon": config.lexicon.to_toml(), "acronyms": config.acronyms, "script": dataclasses.asdict(config.script),
             "disclosure": [config.disclosure.episode, config.disclosure.show]}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def pending_digest(config: Config, catalogue: Catalogue, period: Period, members: list[EpisodeManifest], recipe: str):
    """The digest as a build's pending episode: its programme, identity and ``recipe``."""
    from pipeline.build import PendingEpisode
    from pipeline.disclosure import expected_voice

    title = config.digest.title.format(date=period.label, show=config.show.title)
    script = digest_script(config, members, title)
    identity = identity_for(config, catalogue, period)
    summary = headlines([m.title for m in members])
    article = Article(source=Path(f"{SLUG_PREFIX}/{period.slug}"), title=title, passages=(Passage(summary),),
                      slug=period.slug, source_hash=recipe, date=identity.pub_date, author=config.show.author,
                      description=f"Au sommaire : {summary}.")
    programme = Programme(script=script, sounds=section_sounds(config, script), links=chapter_links(config, members),
                          kind="digest", members=tuple(m.slug for m in members),
                          voiced=lambda voice: digest_script(config, members, title, voice),
                          voice=expected_voice(config.voice.engine))
    return PendingEpisode(article, identity, catalogue.get(period.slug), recipe, programme=programme)


def build_digest(config: Config, *, on: date | None = None, since: date | None = None,
                 engine: EngineChoice = "auto", force: bool = False,
                 warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> DigestReport:
    """Build (or bring up to date) the digest of the period, and publish it with the feed."""
    from pipeline import inputs
    from pipeline.build import Plan, is_current, project_lock, publish_site
    from pipeline.catalogue import load_catalogue, save_catalogue

    period = period_for(config, on, since)
    with project_lock(config):
        if period.slug in load_retired(config.episodes_dir):
            return DigestReport(period.slug, "retired")  # `invoke remove` took it out: never made again
        catalogue = load_catalogue(config.public_dir, config.cache_dir)
        members = members_of(config, catalogue, period)
        if not members:
            return DigestReport(period.slug, "empty")
        recipe, slugs = digest_recipe(config, members, period), tuple(m.slug for m in members)
        # Whether it is current needs only its recipe: the programme (every member scripted, the
        # music decoded) is made only when it is to be spoken.
        if not force and is_current(config, catalogue.get(period.slug), recipe, engine):
            return DigestReport(period.slug, "up to date", slugs)
        pending = pending_digest(config, catalogue, period, members, recipe)
        reports, _ = publish_site(config, catalogue, Plan(pending=[pending]), engine=engine,
                                       jobs=config.synthesis.jobs, warn=warn)
        save_catalogue(catalogue, config.public_dir, config.cache_dir)
    inputs.forget(config)  # the published folders changed: the next build looks again
    return DigestReport(period.slug, "built", slugs, reports[0])
