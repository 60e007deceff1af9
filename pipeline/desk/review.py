"""A review page per episode, in ``review/`` (never published): what the editor must hear and check.

- the article as written, each place the voice says something else marked, with what it says
  and the kind of rule (:mod:`pipeline.text.spans`);
- the furniture left out of the article, with the rule that left it;
- the words the voice is likely to get wrong: in no French word list (pyspellchecker's French
  dictionary), as proper nouns, acronyms and foreign words, the most frequent first;
- each section's audio, the transcript following playback.

Pages are written by each build for the episodes it built, and served live by ``invoke review``
(:mod:`pipeline.desk.server`), which adds the forms that write rules.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config
from pipeline.desk.paths import drafts_dir, review_page
from pipeline.fsutil import atomic_write_text
from pipeline.model import Article, EpisodeManifest

if TYPE_CHECKING:
    from pipeline.catalogue import Catalogue

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
ELISION = re.compile(r"^(?:[lLdDjJmMnNsStTcCqQ]|[Qq]u|[Jj]usqu|[Ll]orsqu|[Pp]uisqu)['’]")


@dataclass(frozen=True)
class Flagged:
    word: str
    kind: str  # acronym | proper noun | foreign or rare word
    count: int
    ruled: bool  # a rule of the show or the article names it already


@lru_cache(maxsize=1)
def _french_words():
    from spellchecker import SpellChecker

    return SpellChecker(language="fr", distance=1)


def flagged_words(texts: list[str], lexicon) -> list[Flagged]:
    """Words in no French word list, the most frequent first."""
    known = _french_words()
    counts: Counter[str] = Counter()
    for text in texts:
        for token in text.replace("’", "'").split():
            word = ELISION.sub("", token.strip(".,;:!?«»()[]\"'…"))
            for match in WORD.finditer(word):
                counts[match[0]] += 1
    found = []
    for word, count in counts.items():
        parts = [p for p in word.lower().split("-") if p]
        if len(word) < 2 or all(p in known for p in parts):
            continue
        kind = "acronym" if word.isupper() else "proper noun" if word[0].isupper() else "foreign or rare word"
        found.append(Flagged(word, kind, count, word in lexicon))
    return sorted(found, key=lambda f: (-f.count, f.word.casefold()))


def _cues(vtt: str) -> list[tuple[float, float, str]]:
    cues = []
    for block in vtt.split("\n\n")[1:]:
        lines = block.strip().splitlines()
        if lines and "-->" in lines[0]:
            start, end = (_seconds(t) for t in lines[0].split("-->"))
            cues.append((start, end, " ".join(lines[1:])))
    return cues


def _seconds(clock: str) -> float:
    hours, minutes, seconds = clock.strip().split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _timed(sentences: list[str], cues: list[tuple[float, float, str]]) -> list[tuple[float, float]]:
    """Each sentence's time, from the cues that carry it (a long sentence has several)."""
    times, index = [], 0
    for sentence in sentences:
        length, first = 0, index
        while index < len(cues) and (index == first or length < len(" ".join(sentence.split())) - 2):
            length += len(cues[index][2]) + 1
            index += 1
        times.append((cues[first][0], cues[index - 1][1]) if first < index else (0.0, 0.0))
    return times


def page_data(config: Config, article: Article, manifest: EpisodeManifest, *, draft: bool) -> dict:
    """Everything a review page shows, as plain data for the template."""
    from pipeline.manifest import pub_datetime
    from pipeline.text.script import build_script, lexicon_for
    from pipeline.text.spans import differences

    lexicon = lexicon_for(config, article.lexicon)
    script = build_script(article, config, pub_datetime(manifest))
    folder = drafts_dir(config.root) if draft else config.public_dir
    vtt = (folder / manifest.files["vtt"]).read_text(encoding="utf-8") if "vtt" in manifest.files else ""
    written = [s.written for sec in script.sections for p in sec.paragraphs for s in p.sentences]
    times = iter(_timed(written, _cues(vtt)))
    sections, found = [], []
    for section, chapter in zip(script.sections, list(manifest.chapters) + [None] * len(script.sections)):
        paragraphs = []
        for paragraph in section.paragraphs:
            sentences = []
            for sentence in paragraph.sentences:
                spoken, marks = differences(sentence.written, config.acronyms, lexicon)
                found += [(m.kind, m.written, m.spoken) for m in marks]
                sentences.append({"pieces": _pieces(sentence.written, marks), "spoken": spoken,
                                  "time": next(times, (0.0, 0.0))})
            paragraphs.append(sentences)
        sections.append({"title": section.title, "kind": section.kind, "paragraphs": paragraphs,
                         "start": chapter.start if chapter else 0.0, "end": chapter.end if chapter else 0.0})
    texts = [article.title, *(p.text for p in article.passages)]
    return {"manifest": manifest, "article": article, "draft": draft, "sections": sections,
            "differences": found, "dropped": article.dropped, "flagged": flagged_words(texts, lexicon),
            "audio": ("drafts" if draft else "public", manifest.files["audio"])}


def _pieces(text: str, marks) -> list[dict]:
    """The sentence cut into plain text and marked differences, in order."""
    pieces, at = [], 0
    for mark in marks:
        if mark.start < at:
            continue
        pieces.append({"text": text[at:mark.start]})
        pieces.append({"text": text[mark.start:mark.end], "spoken": mark.spoken, "kind": mark.kind})
        at = mark.end
    return pieces + [{"text": text[at:]}]


STATIC_MEDIA = {"drafts": "drafts/", "public": "../public/"}  # from review/<slug>.html on disk


def render(data: dict, *, media: dict[str, str] = STATIC_MEDIA, token: str | None = None) -> str:
    """The page; ``media``: where drafts/ and public/ are reached from it; ``token``: the review
    server's, which adds the forms (a page written to disk has none)."""
    return _environment().get_template("review.html.j2").render(**data, media=media, token=token)


def index(entries: list[tuple[EpisodeManifest, bool]], token: str | None = None) -> str:
    return _environment().get_template("index.html.j2").render(entries=entries, token=token)


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    folder = Path(__file__).parent / "templates"
    return Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html", "j2"]))


def find_episode(config: Config, slug: str, published: "Catalogue | None" = None):
    """(article, manifest, draft) for ``slug``, or None when it is not built. ``published``: the
    catalogue a build already holds (read from disk otherwise); the article is the file its manifest
    names, so a show of thousands is not scanned for one page."""
    from pipeline.catalogue import load_catalogue
    from pipeline.desk.drafts import Shelf
    from pipeline.text.article import read_article

    manifest, draft = Shelf.load(config).catalogue.get(slug), True
    if manifest is None:
        catalogue = published if published is not None else load_catalogue(config.public_dir, config.cache_dir)
        manifest, draft = catalogue.get(slug), False
    if manifest is None or manifest.kind != "article" or not manifest.source:
        return None
    path = config.root / manifest.source
    if not path.is_file():
        return None
    return read_article(path, tz=config.tz), manifest, draft


def write_pages(config: Config, slugs: list[str], published: "Catalogue | None" = None) -> list[Path]:
    """Write the review pages of these episodes into ``review/``; returns them."""
    written = []
    for slug in slugs:
        found = find_episode(config, slug, published)
        if found is None:
            continue
        article, manifest, draft = found
        html = render(page_data(config, article, manifest, draft=draft))
        path = review_page(config.root, slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, html)
        written.append(path)
    return written


def review_pages(config: Config, slugs: list[str], warn, published: "Catalogue | None" = None) -> None:
    """The build's review pages: a page that cannot be written is a warning, never a failed build."""
    if not slugs:
        return
    try:
        write_pages(config, slugs, published)
    except Exception as exc:  # the episodes are built and published: the page is the editor's aid
        warn(f"warning: review pages not written ({str(exc)[:150]})")
