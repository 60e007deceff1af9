"""An article from the web as a file in ``episodes/``: Markdown with TOML front matter, so it
can be reviewed, edited and rebuilt offline like any hand-written article.

Before it is written, the text goes through the project's own reader
(:func:`pipeline.text.article.read_article`), so an ingested file can never stop a build (not
French, no text left…): such an entry is refused here with the reader's reason. Files are
written atomically, and only when their text changes.
"""
from __future__ import annotations

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.errors import UserError
from pipeline.text.furniture import Block, word_count
from pipeline.text.article import FRONT_MATTER, SUPPORTED_SUFFIXES, read_article, slugify

SUFFIX = ".md"


class NotAnArticle(Exception):
    """This page or entry is not an article to speak (too short, paywalled, not French…)."""


@dataclass(frozen=True)
class Draft:
    title: str
    blocks: tuple[Block, ...]
    source_url: str | None
    canonical_url: str | None = None
    author: str | None = None
    date: datetime | None = None
    description: str | None = None
    entry_id: str | None = None
    status: str | None = None  # "draft": from a source with review = true (pipeline.desk.drafts)
    dropped: tuple[tuple[str, str], ...] = ()  # (text, rule): the page's furniture, for the editor's review


def render(draft: Draft, slug: str) -> str:
    """The article file's text; the same draft always gives the same bytes."""
    fields = [("title", draft.title), ("slug", slug), ("author", draft.author), ("description", draft.description),
              ("source_url", draft.source_url), ("canonical_url", draft.canonical_url), ("entry_id", draft.entry_id),
              ("status", draft.status)]
    lines = ["+++"] + [f"{key} = {_toml_string(value)}" for key, value in fields if value]
    if draft.date:
        # Never in the future: the reader refuses that, and clocks and feeds disagree by minutes.
        when = min(draft.date, datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
        lines.append(f"date = {when.isoformat().replace('+00:00', 'Z')}")
    lines += ["+++", ""]
    for block in draft.blocks:
        lines += [f"## {block.text}" if block.heading else _paragraph(block.text), ""]
    return "\n".join(lines)


def check(text: str, slug: str, min_words: int, draft: Draft) -> None:
    """Refuse what is not an article: too short, or anything the project's reader would refuse."""
    words = word_count(list(draft.blocks))
    if words < min_words:
        raise NotAnArticle(f"too short for an episode ({words} words, at least {min_words}): a brief or a stub")
    with tempfile.TemporaryDirectory(prefix="balado-check-") as folder:
        candidate = Path(folder) / f"{slug}{SUFFIX}"
        candidate.write_text(text, encoding="utf-8")
        try:
            read_article(candidate)
        except UserError as exc:
            raise NotAnArticle(str(exc).removeprefix(f"{candidate}: ")) from None


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` atomically unless it already holds exactly that; True if written."""
    from pipeline.fsutil import atomic_write_text

    if path.exists() and path.read_bytes() == text.encode("utf-8"):
        return False
    atomic_write_text(path, text)
    return True


def text_hash(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()[:16]


def slug_for(url: str | None, title: str) -> str:
    """The page's own name in its URL (``…/metropole-budget-transports/``), else the title."""
    if url:
        segments = [s for s in unquote(urlsplit(url).path).split("/") if s]
        if segments:
            stem = re.sub(r"\.(s?html?|php|aspx?)$", "", segments[-1], flags=re.I)
            candidate = slugify(stem)
            if candidate.count("-") >= 2 and re.search(r"[a-z]{3}", candidate):
                return candidate
    return slugify(title)


@dataclass(frozen=True)
class ArticleFile:
    path: Path
    meta: dict  # its TOML front matter ({} when it has none or it is not valid)


def catalogue(episodes_dir: Path) -> dict[str, ArticleFile]:
    """Every article file in ``episodes/`` by its episode slug (front-matter ``slug``, else its name)."""
    files = {}
    for path in sorted(Path(episodes_dir).glob("*")):
        if not path.is_file() or path.suffix.lower() not in SUPPORTED_SUFFIXES or path.name.startswith("."):
            continue
        meta = front_matter(path)
        files[slugify(str(meta.get("slug") or path.stem))] = ArticleFile(path, meta)
    return files


def front_matter(path: Path) -> dict:
    import tomllib

    match = FRONT_MATTER.match(path.read_text(encoding="utf-8", errors="replace"))
    try:
        return tomllib.loads(match.group(1)) if match else {}
    except tomllib.TOMLDecodeError:
        return {}


def _toml_string(value: str) -> str:
    # A JSON string is a TOML basic string, but for DEL, which TOML wants escaped.
    return json.dumps(" ".join(str(value).split()), ensure_ascii=False).replace("\x7f", "\\u007f")


def _paragraph(text: str) -> str:
    # A paragraph opening with "#" would read back as a heading in Markdown.
    return text if not text.startswith("#") else "\u2060" + text
