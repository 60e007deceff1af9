"""Stage 2: turn an :class:`Article` into a spoken :class:`Script`.

Intro, one section per passage (or per subheading when the article has them), outro. Each
sentence keeps its written form (for transcripts) and the chunks the engine will speak: text
normalised for French speech, cut only when longer than the engine takes in one request
(``[voice] max_chars``, 200 characters for Google's endpoint), at natural breaks.

A script can be saved as JSON beside its article and edited by hand; the build then speaks the
saved script for as long as the article is unchanged.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from pipeline.text.chunking import chunk_sentence, split_sentences
from pipeline.text.dates import french_date
from pipeline.config import Config
from pipeline.disclosure import episode_sentence, expected_voice
from pipeline.errors import UserError, command
from pipeline.text.french import normalise_for_speech
from pipeline.model import Article, Paragraph, Script, Section, Sentence

TITLE_WORDS = 7
SCRIPT_VERSION = 1
def build_script(article: Article, config: Config, pub_date: datetime, voice: str | None = None) -> Script:
    """``voice``: the engine that will speak it, named once in the intro's disclosure (default:
    the one ``[voice] engine`` expects)."""
    speak = _speaker(config, article.lexicon)
    fields = {"show": config.show.title, "title": article.title, "date": french_date(pub_date.astimezone(config.tz))}
    sections = [_template_section("intro", "Introduction", intro_text(config, fields, voice), speak)]
    for heading, passages in _group_by_heading(article):
        title = heading or _first_words(passages[0].text)
        paragraphs = tuple(_paragraph(p.text, speak) for p in passages)
        sections.append(Section("passage", title, tuple(p for p in paragraphs if p.sentences)))
    sections.append(_template_section("outro", "Conclusion", config.script.outro.format(**fields), speak))
    return Script(title=article.title, sections=tuple(s for s in sections if s.paragraphs))


def intro_text(config: Config, fields: dict, voice: str | None = None) -> str:
    """The intro template, then the disclosure sentence said once (see pipeline.disclosure)."""
    voice = voice or expected_voice(config.voice.engine)
    return " ".join(filter(None, (config.script.intro.format(**fields), episode_sentence(config, voice, spoken=True))))


def spoken_paragraph(text: str, config: Config, *, one_breath: bool = False) -> Paragraph:
    """A paragraph the show itself says (a digest's announcements): ``one_breath`` lets short
    sentences share a request, as the intro and outro do."""
    speak = _speaker(config)
    paragraph = _paragraph(text, speak)
    return _merge_short_sentences(paragraph, speak.limit) if one_breath else paragraph


def lexicon_for(config: Config, rules: tuple = ()):
    """The show's pronunciation rules, an article's own (front matter) overriding them."""
    return config.lexicon.overridden_by(rules)


def _speaker(config: Config, rules: tuple = ()):
    lexicon = lexicon_for(config, rules)

    def speak(sentence: str) -> tuple[str, ...]:
        spoken = normalise_for_speech(sentence, acronyms=config.acronyms, lexicon=lexicon)
        return tuple(chunk_sentence(spoken, config.voice.max_chars)) if spoken.strip() else ()
    speak.limit = config.voice.max_chars
    return speak


def _paragraph(text: str, speak) -> Paragraph:
    sentences = []
    # Transcripts keep the article's own typography; only the spoken form is normalised.
    for written in split_sentences(" ".join(text.split())):
        chunks = speak(written)
        if chunks:
            sentences.append(Sentence(written=written, chunks=chunks))
    return Paragraph(tuple(sentences))


def _template_section(kind: str, title: str, text: str, speak) -> Section:
    """Intro and outro: short sentences said in one breath share a request when they fit."""
    paragraph = _merge_short_sentences(_paragraph(text, speak), speak.limit)
    return Section(kind, title, (paragraph,) if paragraph.sentences else ())


def _merge_short_sentences(paragraph: Paragraph, limit: int) -> Paragraph:
    merged: list[Sentence] = []
    for sentence in paragraph.sentences:
        previous = merged[-1] if merged else None
        if (previous and len(previous.chunks) == 1 and len(sentence.chunks) == 1
                and len(previous.chunks[0]) + 1 + len(sentence.chunks[0]) <= limit):
            merged[-1] = Sentence(f"{previous.written} {sentence.written}",
                                  (f"{previous.chunks[0]} {sentence.chunks[0]}",))
        else:
            merged.append(sentence)
    return Paragraph(tuple(merged))


def _group_by_heading(article: Article):
    groups: list[tuple[str | None, list]] = []
    for passage in article.passages:
        if passage.heading and groups and groups[-1][0] == passage.heading:
            groups[-1][1].append(passage)
        else:
            groups.append((passage.heading, [passage]))
    return groups


def _first_words(text: str) -> str:
    """A chapter title from the passage's first sentence, in the article's own typography."""
    words = split_sentences(" ".join(text.split()))[0].split()
    head = " ".join(words[:TITLE_WORDS]).rstrip(",;:.")
    return head + ("…" if len(words) > TITLE_WORDS else "")


# --- JSON form (for `invoke script` and hand edits) ------------------------------------------
def script_to_dict(script: Script, source_hash: str | None = None) -> dict:
    return {
        "version": SCRIPT_VERSION,
        "title": script.title,
        "source_hash": source_hash,
        "sections": [
            {
                "kind": section.kind,
                "title": section.title,
                "paragraphs": [
                    [{"text": s.written, "chunks": list(s.chunks)} for s in paragraph.sentences]
                    for paragraph in section.paragraphs
                ],
            }
            for section in script.sections
        ],
    }


def script_from_dict(data: dict, origin: Path, limit: int) -> Script:
    """A script read back from JSON; every chunk must fit in one request of ``limit`` characters
    (a script saved under a lower limit has shorter chunks: it still builds)."""
    try:
        sections = []
        for section in data["sections"]:
            paragraphs = []
            for paragraph in section["paragraphs"]:
                sentences = []
                for sentence in paragraph:
                    chunks = tuple(str(c).strip() for c in sentence["chunks"] if str(c).strip())
                    too_long = [c for c in chunks if len(c) > limit]
                    if too_long:
                        raise UserError(f"{origin}: chunk longer than {limit} characters ([voice] max_chars): "
                                        f"{too_long[0][:40]!r}…")
                    if chunks:
                        sentences.append(Sentence(str(sentence["text"]), chunks))
                paragraphs.append(Paragraph(tuple(sentences)))
            sections.append(Section(str(section["kind"]), str(section["title"]), tuple(paragraphs)))
        return Script(title=str(data["title"]), sections=tuple(sections))
    except (KeyError, TypeError) as exc:
        raise UserError(f"{origin}: not a balado script (missing or wrong field {exc})") from None


def script_json(script: Script, source_hash: str | None = None) -> str:
    return json.dumps(script_to_dict(script, source_hash), ensure_ascii=False, indent=2) + "\n"


def script_hash(script: Script) -> str:
    blob = json.dumps(script_to_dict(script), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def saved_script_path(source: Path) -> Path:
    return source.with_name(source.stem + ".script.json")


def article_script(article: Article, config: Config, pub_date: datetime, voice: str | None = None) -> Script:
    """What an article is spoken from, in every episode that speaks it (its own, a digest): the
    script saved beside it when there is one (the editor's words), else the one written from it
    (``voice``: the engine its intro names)."""
    return load_saved_script(article, config.voice.max_chars) or build_script(article, config, pub_date, voice)


def load_saved_script(article: Article, limit: int) -> Script | None:
    """The hand-edited script beside the article, if any; refuse one made from an older article."""
    path = saved_script_path(article.source)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: not a balado script (a JSON object is expected)")
    if data.get("source_hash") != article.source_hash:
        raise UserError(
            f"{path}: the article {article.source.name} changed after this script was saved; "
            f"re-run `{command('script')} --source {article.source} --write` (overwrites your edits) or delete the script"
        )
    return script_from_dict(data, path, limit)
