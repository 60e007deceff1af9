"""The article's own text, without the furniture pages and feeds wrap around it.

Feeds carry their own boilerplate: WordPress ends every ``content:encoded`` with « L'article …
est apparu en premier sur … » (in English « The post … appeared first on … »), sharing plugins
add "Partager sur Facebook" lists, excerpts end in "Lire la suite" or "[…]", and "Lire aussi"
asides point elsewhere. None of it is spoken. :func:`html_blocks` turns an HTML fragment (a
feed's content) into paragraphs and subheadings; :func:`is_furniture` judges one paragraph, and
is applied to the text extracted from pages too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# A paragraph that is one of these, whole, is furniture. Compared after normalising apostrophes.
FURNITURE_PATTERNS = [re.compile(p, re.I) for p in (
    r"l'article .+ est apparu en premier sur .+",
    r"the post .+ appeared first on .+",
    r"cet article est paru (en premier|initialement) sur .+",
    r"(lire|voir|à lire|a lire|read|continue reading|keep reading)( la suite| aussi| plus| more| également)?"
    r"( de l'article| the article)?\s*(:.*|»|›|→|\.\.\.|…)?",
    r"(à lire|a lire|lire|voir) (aussi|également)\s*:.*",
    r"(partager|partagez|share)( (sur|on|via) [\w .+-]{1,20}| cet article| this( article| post)?| par e-?mail)?"
    r"\s*:?",
    r"(suivez|follow)[- ](nous|us)( sur| on)? .{0,60}",
    r"(abonnez-vous|inscrivez-vous|s'abonner|subscribe)\b.{0,120}",
    r"cet article est réservé aux abonnés.*",
    r"il vous reste \d+ ?% de l'article à lire.*",
    r"(publicité|advertisement|sponsorisé)",
    r"\[(…|\.\.\.|&hellip;)\]",
)]
# Sharing bars, related links, forms and embeds are never article text, whatever they contain.
DROPPED_TAGS = ("script", "style", "nav", "aside", "form", "button", "iframe", "figure", "figcaption",
                "noscript", "svg", "object", "embed", "video", "audio", "footer", "header", "table")
DROPPED_CLASSES = re.compile(r"share|sharing|sharedaddy|social|related|jp-relatedposts|newsletter|more-link|"
                             r"wp-block-embed|advert|\bad\b|paywall|subscribe|comments?\b", re.I)
BLOCK_TAGS = {"p": False, "li": False, "blockquote": False, "pre": False,
              "h1": True, "h2": True, "h3": True, "h4": True, "h5": True, "h6": True}
TRAILING_ELLIPSIS = re.compile(r"\s*\[(…|\.\.\.|&hellip;)\]\s*$")


@dataclass(frozen=True)
class Block:
    """A paragraph of the article, or a subheading (which becomes a chapter)."""

    text: str
    heading: bool = False


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("’", "'")).strip()


def is_furniture(text: str) -> bool:
    key = normalise(text).strip(" .:|>•·-–—»«")
    return not key or any(pattern.fullmatch(key) for pattern in FURNITURE_PATTERNS)


def clean_blocks(blocks: list[Block]) -> list[Block]:
    """Drop furniture paragraphs, a trailing "[…]", and headings left with nothing under them."""
    kept = []
    for block in blocks:
        text = TRAILING_ELLIPSIS.sub("", re.sub(r"\s+", " ", block.text).strip())
        if text and not is_furniture(text):
            kept.append(Block(text, block.heading))
    while kept and kept[-1].heading:
        kept.pop()
    return [b for i, b in enumerate(kept) if not (b.heading and i + 1 < len(kept) and kept[i + 1].heading)]


def html_blocks(fragment: str) -> list[Block]:
    """Paragraphs and subheadings of an HTML fragment, as a feed carries an article."""
    import lxml.html

    if not fragment or not fragment.strip():
        return []
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in list(root.iter()):
        if element.getparent() is not None and _dropped(element):
            element.drop_tree()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")  # a line break separates words, and paragraphs when doubled
    blocks = []
    for element in root.iter(*BLOCK_TAGS):
        if any(child.tag in BLOCK_TAGS for child in element.iterdescendants()):
            continue  # a <blockquote> or <li> holding <p>s: the inner blocks are read instead
        text = " ".join(element.text_content().split())
        if text:
            blocks.append(Block(text, BLOCK_TAGS[element.tag]))
    if not blocks:  # bare text with <br>s, as some feeds send it
        text = lxml.html.tostring(root, method="text", encoding="unicode")
        blocks = [Block(" ".join(part.split())) for part in re.split(r"\n\s*\n", text) if part.strip()]
    return clean_blocks(blocks)


def text_blocks(text: str) -> list[Block]:
    """Paragraphs of plain text (a JSON Feed's ``content_text``)."""
    return clean_blocks([Block(" ".join(p.split())) for p in re.split(r"\n\s*\n", text or "") if p.strip()])


def _dropped(element) -> bool:
    if not isinstance(element.tag, str):
        return True  # comments, processing instructions
    if element.tag in DROPPED_TAGS:
        return True
    return bool(DROPPED_CLASSES.search(f"{element.get('class', '')} {element.get('id', '')}"))


def word_count(blocks: list[Block]) -> int:
    return sum(len(block.text.split()) for block in blocks if not block.heading)
