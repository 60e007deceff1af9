"""Stage 1: read an article source (.txt, .md, .html) into an :class:`Article`.

Decoding, TOML front matter and scraper-debris removal live here; an HTML file is read by the
one HTML reader, :mod:`pipeline.text.webpage`, as pages from the web are.
Every refusal is a :class:`UserError` whose message names the file and the problem.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from datetime import date, datetime, time, timezone, tzinfo
from pathlib import Path

from pipeline.errors import UserError
from pipeline.model import Article, Passage

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
FRONT_MATTER = re.compile(r"\A\ufeff?\+\+\+[ \t]*\r?\n(.*?)\r?\n\+\+\+[ \t]*(?:\r?\n|\Z)", re.S)
FRONT_MATTER_KEYS = {"title", "date", "author", "author_url", "description", "slug", "source_url",
                     "canonical_url", "entry_id",  # these two: where ingest found the article
                     "status", "lexicon"}  # "draft": spoken, published once approved; its own pronunciation rules
STATUSES = ("draft", "published")

# Words a scraper leaves behind from menus, share bars and footers. Compared case-insensitively
# with a whole line that has no sentence punctuation.
DEBRIS_LINES = {
    "accueil", "l'accueil", "retour à l'accueil", "menu", "rechercher", "recherche", "partager",
    "partager sur facebook", "partager sur twitter", "facebook", "twitter", "x", "linkedin",
    "whatsapp", "e-mail", "email", "imprimer", "lire aussi", "lire la suite", "à lire aussi",
    "voir aussi", "publicité", "s'abonner", "abonnez-vous", "newsletter", "se connecter",
    "connexion", "commentaires", "réagir", "haut de page", "retour en haut", "suivez-nous",
    "mentions légales", "contact", "cookies", "accepter", "tout accepter", "fermer", "copier le lien",
}
SENTENCE_END = re.compile(r"[.!?…»\"”:)]$")


def read_article(path: Path | str, *, tz: tzinfo = timezone.utc) -> Article:
    """``tz``: the show's time zone, for front-matter times and dates that name none."""
    path = Path(path)
    raw = _read_bytes(path)
    text = _decode(raw, path)
    meta, body = _split_front_matter(text, path)
    suffix = path.suffix.lower()
    dropped: tuple = ()
    if suffix in (".html", ".htm"):
        title, passages, extracted, dropped = _html_passages(body)
        meta = {**extracted, **meta}
    elif suffix in (".md", ".markdown"):
        title, passages = _markdown_passages(body, titled="title" in meta)
    else:
        title, passages = _plain_passages(body, titled="title" in meta)
    title = _plain(str(meta.get("title") or title or ""))
    if not passages:
        raise UserError(f"{path}: no article text left after cleaning (only a title, menus or blank lines)")
    if not title:
        raise UserError(f"{path}: no title (add a first line or a front-matter title)")
    _check_french(path, title + " " + " ".join(p.text for p in passages))
    from pipeline.text.lexicon import parse_rules

    if meta.get("status", "published") not in STATUSES:
        raise UserError(f"{path}: front-matter status must be \"draft\" or \"published\", not {meta['status']!r}")
    return Article(
        source=path,
        title=title,
        passages=tuple(passages),
        slug=slugify(str(meta.get("slug") or path.stem)),
        source_hash=hashlib.sha256(raw).hexdigest(),
        date=_parse_date(meta.get("date"), path, tz),
        author=_optional_str(meta.get("author")),
        description=_optional_str(meta.get("description")),
        source_url=_optional_str(meta.get("source_url")),
        status=meta.get("status", "published"),
        lexicon=parse_rules(meta.get("lexicon", {}), str(path)),
        dropped=dropped if suffix in (".html", ".htm") else _dropped(body, title, passages),
        author_url=_optional_str(meta.get("author_url")),
        canonical_url=_optional_str(meta.get("canonical_url")),
    )


# --- bytes and text ---------------------------------------------------------------------------
def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise UserError(f"{path}: file not found")
    if path.is_dir():
        raise UserError(f"{path}: is a folder, not an article file")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UserError(f"{path}: unsupported file type {path.suffix or '(none)'!r}; use .txt, .md or .html")
    raw = path.read_bytes()
    if not raw.strip():
        raise UserError(f"{path}: the file is empty" if not raw else f"{path}: the file holds only whitespace")
    if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 has NULs
        raise UserError(f"{path}: not text (binary data)")
    return raw


def _decode(raw: bytes, path: Path) -> str:
    try:
        # Notepad's "Unicode" is UTF-16 with a byte-order mark.
        text = raw.decode("utf-16") if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows newsrooms still save cp1252/latin-1; let charset detection pick the encoding.
        from charset_normalizer import from_bytes

        best = from_bytes(raw, cp_isolation=["cp1252", "iso8859_15", "latin_1", "mac_roman", "cp850", "utf_16"]).best()
        if best is None:
            raise UserError(f"{path}: cannot decode the text (not UTF-8 nor a known legacy encoding)") from None
        text = str(best)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(3, len(text) // 100):
        raise UserError(f"{path}: not text (too many control characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text.lstrip("\ufeff")
    try:
        meta = tomllib.loads(match.group(1))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: front matter is not valid TOML ({exc})") from None
    unknown = set(meta) - FRONT_MATTER_KEYS
    if unknown:
        raise UserError(f"{path}: unknown front-matter key(s): {', '.join(sorted(unknown))}")
    return meta, text[match.end():]


def _parse_date(value, path: Path, tz: tzinfo) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise UserError(f"{path}: front-matter date {value!r} is not an ISO date (2026-11-26)") from None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
    elif isinstance(value, date):
        # A bare date: midnight where the show is, so the page and the intro say that day, and
        # it is never in the future on the day itself.
        moment = datetime.combine(value, time(0, 0), tzinfo=tz)
    else:
        raise UserError(f"{path}: front-matter date must be a date, got {value!r}")
    if moment > datetime.now(timezone.utc):
        raise UserError(f"{path}: front-matter date {moment:%Y-%m-%d %H:%M} UTC is in the future")
    return moment.astimezone(timezone.utc)


def _optional_str(value) -> str | None:
    return _plain(str(value)) or None if value is not None else None


def _plain(text: str) -> str:
    """Metadata is spoken, tagged and put in XML: no markup in it ("l'État <b>réagit</b>")."""
    import html

    return _clean_line(html.unescape(re.sub(r"<[^>]*>", "", text)))


# --- plain text and Markdown ------------------------------------------------------------------
def _clean_line(line: str) -> str:
    line = "".join(ch for ch in line if unicodedata.category(ch) not in ("Cc", "Cf") or ch == "\t")
    return re.sub(r"\s+", " ", line).strip()


def debris_rule(line: str) -> str | None:
    """Why ``line`` is page furniture rather than article text, or None."""
    key = line.lower().replace("’", "'").strip(" .:|>•·-–—»«")
    if key in DEBRIS_LINES:
        return "a menu, share-bar or footer word (DEBRIS_LINES)"
    return None if any(ch.isalpha() for ch in line) else "no letters (rules, bullets, numbers alone)"


def _is_debris(line: str) -> bool:
    return debris_rule(line) is not None


def _dropped(body: str, title: str, passages: list[Passage]) -> tuple[tuple[str, str], ...]:
    """The lines of the file that are not spoken, each with the rule that left it out."""
    spoken = " ".join([title, *(p.text for p in passages), *(p.heading or "" for p in passages)])
    dropped = []
    for line in body.split("\n"):
        text = _markdown_inline(line.strip().lstrip("#>-*+ ").strip())
        if text and text not in spoken:
            dropped.append((text, debris_rule(text) or "a short line without a sentence end at the end "
                                                       "(breadcrumbs, tags) or a code block"))
    return tuple(dropped)


def _looks_like_heading(line: str) -> bool:
    return len(line.split()) <= 12 and not SENTENCE_END.search(line)


def _plain_passages(body: str, titled: bool = False) -> tuple[str, list[Passage]]:
    """``titled``: the front matter gave the title, so the first line is already the body."""
    lines = [_clean_line(line) for line in body.split("\n")]
    lines = [line for line in lines if line and not _is_debris(line)]
    if not lines:
        return "", []
    title, rest = ("", lines) if titled else (lines[0], lines[1:])
    # Trailing crumbs (breadcrumbs, "L'accueil", tags) are short lines with no sentence end.
    while rest and _looks_like_heading(rest[-1]) and len(rest[-1].split()) <= 4:
        rest.pop()
    return title, _group(rest)


def _group(lines: list[str]) -> list[Passage]:
    """Short unpunctuated lines become the heading of the passages that follow them."""
    passages: list[Passage] = []
    heading = None
    for i, line in enumerate(lines):
        followed = i + 1 < len(lines) and not _looks_like_heading(lines[i + 1])
        if _looks_like_heading(line) and followed:
            heading = line
        elif not _looks_like_heading(line) or len(line.split()) > 4:
            passages.append(Passage(text=line, heading=heading))
    return passages


MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def _markdown_inline(text: str) -> str:
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images are not spoken
    text = MD_LINK.sub(r"\1", text)
    text = MD_EMPHASIS.sub(r"\2", text)
    text = re.sub(r"<[^>]+>", "", text)
    return _clean_line(text)


def _markdown_passages(body: str, titled: bool = False) -> tuple[str, list[Passage]]:
    title, heading = "", None
    passages: list[Passage] = []
    paragraph: list[str] = []
    in_code = False

    def flush():
        text = _markdown_inline(" ".join(paragraph))
        paragraph.clear()
        if text and not _is_debris(text):
            passages.append(Passage(text=text, heading=heading))

    for line in body.split("\n"):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            flush()
            continue
        if in_code:
            continue  # code is not read aloud
        heading_match = re.match(r"(#{1,6})\s+(.*?)\s*#*$", stripped)
        if heading_match:
            flush()
            text = _markdown_inline(heading_match.group(2))
            if len(heading_match.group(1)) == 1 and not title:
                title = text
            else:
                heading = text
        elif not stripped or re.fullmatch(r"([-*_]\s*){3,}", stripped):
            flush()
        elif re.match(r"([-*+]|\d+[.)])\s+", stripped):
            flush()  # each list item is said as its own passage
            paragraph.append(re.sub(r"^([-*+]|\d+[.)])\s+", "", stripped))
        else:
            paragraph.append(stripped.lstrip("> "))
    flush()
    if not title and not titled and passages:
        first = passages.pop(0)
        title = first.text
    return title, passages


# --- HTML -------------------------------------------------------------------------------------
def _html_passages(html: str) -> tuple[str, list[Passage], dict, tuple]:
    """The one HTML reader (pipeline.text.webpage), as for --url and feeds."""
    from pipeline.text.webpage import extract_page

    page = extract_page(html)
    extracted = {key: value for key, value in (("date", page.date), ("description", page.description),
                                               ("source_url", page.canonical_url), ("author", page.author)) if value}
    passages: list[Passage] = []
    heading = None
    for block in page.blocks:
        if block.heading:
            heading = block.text
        elif not _is_debris(block.text):
            passages.append(Passage(text=_clean_line(block.text), heading=heading))
    return page.title, passages, extracted, page.dropped


# --- language and names -----------------------------------------------------------------------
FRENCH_WORDS = set(
    "le la les de des du un une et est en que qui dans pour sur pas au aux ce cette ces il elle ils "
    "elles nous vous avec par plus ne se sa son ses leur leurs mais ou où été sont ont a à d l "
    "comme aussi entre après avant sans sous chez dont".split()
)
ENGLISH_WORDS = set(
    "the of and to in is that for it with as was on be by this are from at or an have not which "
    "but they his her has were their will would there been".split()
)


def _check_french(path: Path, text: str) -> None:
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœæ]+", text.lower().replace("’", " ").replace("'", " "))
    if len(words) < 8:
        return  # too short to judge; a two-line brief is still welcome
    french = sum(w in FRENCH_WORDS for w in words) / len(words)
    english = sum(w in ENGLISH_WORDS for w in words) / len(words)
    if french < 0.08 or english > french:
        raise UserError(f"{path}: the text does not look French (the voice only speaks French)")


def slugify(value: str) -> str:
    value = value.replace("’", "-").replace("'", "-")  # "l’Otan" → "l-otan", not "lotan"
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].strip("-") or "episode"
