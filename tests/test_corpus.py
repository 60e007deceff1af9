"""Real French article pages (tests/corpus/, origins in its MANIFEST.md), each with a file of what
must be spoken, checked by hand against the page: the title, then the standfirst, paragraphs,
lists, quotes and intertitles (``## ``) in order; below ``--- furniture``, lines of the page that
must never be heard. The one HTML reader must speak every word of the article and nothing else.

Words are compared in order (difflib): "kept" are the article's words spoken, "lost" the
article's words not spoken, "furniture" the words spoken that are not the article's.
"""
from __future__ import annotations

import difflib
import gzip
import re
import unicodedata
from pathlib import Path

import pytest

from pipeline.sources.pages import decode_page
from pipeline.text.webpage import extract_page

CORPUS = Path(__file__).parent / "corpus"
PAGES = sorted(p.name.removesuffix(".expected.txt") for p in CORPUS.glob("*.expected.txt"))


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return re.findall(r"\w+", text)


def expected(name: str) -> tuple[list[str], list[str], list[str]]:
    """(accepted titles, article lines, furniture lines)."""
    text = (CORPUS / f"{name}.expected.txt").read_text(encoding="utf-8")
    body, _, furniture = text.partition("\n--- furniture\n")
    lines = [line for line in body.splitlines() if line.strip()]
    titles = [line.removeprefix("title: ") for line in lines if line.startswith("title: ")]
    article = [line.removeprefix("## ") for line in lines if not line.startswith("title: ")]
    said = {" ".join(words(line)) for line in article}  # a contents list repeats the intertitles
    return titles, article, [line for line in furniture.splitlines() if line.strip() and
                             " ".join(words(line)) not in said]


def measure(name: str) -> dict:
    html = decode_page(gzip.decompress((CORPUS / f"{name}.html.gz").read_bytes()), None)
    page = extract_page(html)
    titles, article, furniture = expected(name)
    want = [w for line in article for w in words(line)]
    said = [w for block in page.blocks for w in words(block.text)]
    matcher = difflib.SequenceMatcher(None, want, said, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    heard = {" ".join(words(block.text)) for block in page.blocks}
    return {"page": name, "title": page.title, "title ok": any(words(t) == words(page.title) for t in titles),
            "article words": len(want), "kept": kept, "lost": len(want) - kept, "furniture": len(said) - kept,
            "furniture lines heard": [line for line in furniture if " ".join(words(line)) in heard],
            "lost at": _gaps(matcher, want, "delete"), "extra at": _gaps(matcher, said, "insert")}


def _gaps(matcher, sequence: list[str], kind: str) -> list[str]:
    side = 1 if kind == "delete" else 3
    return [" ".join(sequence[op[side]:op[side + 1]])[:160] for op in matcher.get_opcodes()
            if op[0] in (kind, "replace")][:6]


@pytest.mark.parametrize("name", PAGES)
def test_every_article_word_spoken_and_no_furniture(name):
    result = measure(name)
    print(f"{name}: {result['kept']}/{result['article words']} article words kept, {result['lost']} lost, "
          f"{result['furniture']} words of furniture spoken; title « {result['title']} »")
    assert result["title ok"], f"title « {result['title']} » is not the page's headline without the site name"
    assert result["lost"] == 0, f"article words lost: {result['lost at']}"
    assert result["furniture"] == 0 and not result["furniture lines heard"], \
        f"furniture spoken: {result['extra at']} {result['furniture lines heard']}"


def test_the_corpus_is_large_and_varied():
    sites = {name.split("-", 1)[1].split("_")[0].split("-")[0] for name in PAGES}
    assert len(PAGES) >= 25 and len(sites) >= 12, (PAGES, sites)
