"""The one way from HTML to an article: a page (``episodes/*.html``, ``--url``, a feed's linked
page) or the HTML a feed carries.

A page goes through four steps, each its own function:

1. :func:`_prepare` mends the markup that loses words: empty inline tags mid-sentence
   (``<em></em>``), a lead box that is a ``<div>`` with no ``<p>``, words before a box's first
   ``<p>``; it removes furniture that sits inside the text ("Lire aussi" bold runs, lists of related
   links and the title of the box they leave empty, captions marked as such);
2. trafilatura finds the body and leaves menus, banners, share bars, asides and footers behind
   (:func:`_xml_blocks` reads its paragraphs, lists, quotes and intertitles);
3. the standfirst (:func:`_standfirst`) goes right after the title, whatever element holds it (marked
   as such, the page's description, or the sentence right under the headline);
4. :func:`pipeline.text.furniture.clean_blocks` drops the furniture left, rule by rule.

The facts (title, author, date, canonical address, whether it is free) come from what the page
says about itself: JSON-LD (``NewsArticle`` and kin), Open Graph, ``<meta>``, then trafilatura's
reading of it. The title loses the site's name (« … - Gala », « … | Le Monde »).
"""
from __future__ import annotations

from html import unescape
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from pipeline.text.furniture import Block, Cleaned, clean_blocks, judge, normalise

ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
                 "reviewnewsarticle", "backgroundnewsarticle", "blogposting", "report", "webpage", "liveblogposting"}
TITLE_SEPARATORS = (" - ", " | ", " — ", " – ", " · ", " :: ", " » ", " / ", " : ")
INLINE = ("em", "i", "b", "strong", "span", "a", "u", "small", "mark", "sup", "sub", "font", "abbr", "cite", "q",
          "time", "ins", "del", "s")
LABEL = re.compile(r"label|kicker|rubri|surtitre|overline|category|tag\b", re.I)
UNWRAPPED = ("span", "time", "font", "abbr", "mark", "small", "u", "ins")
BLOCKS = ("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "section",
          "article", "figure", "header", "footer", "aside", "nav", "form", "pre", "dl", "main")
STANDFIRST = re.compile(r"(^|[\s_-])(chapo|chapeau|standfirst|summary|lead|leadin|intro|accroche|subtitle|subheadline"
                        r"|sub-headline|deck|hat|excerpt|article__desc|article-desc|header__desc)($|[\s_-])", re.I)
# Sharing bars, related links, forms and embeds are never article text, whatever they contain (feeds' HTML).
DROPPED_TAGS = ("script", "style", "nav", "aside", "form", "button", "iframe", "figure", "figcaption",
                "noscript", "svg", "object", "embed", "video", "audio", "footer", "header", "table")
DROPPED_CLASSES = re.compile(r"share|sharing|sharedaddy|social|related|jp-relatedposts|newsletter|more-link|"
                             r"wp-block-embed|advert|\bad\b|paywall|subscribe|comments?\b", re.I)
# A photo's caption or credit, marked as such (« pic_description », « legende », « credit »): never article text.
CAPTION_CLASSES = re.compile(r"(^|[\s_-])(caption|legende|légende|legend|credits?|copyright|pic_description"
                             r"|photo-?credit|wp-caption-text)($|[\s_-])", re.I)
FRAGMENT_BLOCKS = {"p": False, "li": False, "blockquote": False, "pre": False,
                   "h1": True, "h2": True, "h3": True, "h4": True, "h5": True, "h6": True}


@dataclass(frozen=True)
class WebArticle:
    title: str
    blocks: tuple[Block, ...]  # the standfirst first, then the body; headings are intertitles
    standfirst: str | None = None
    author: str | None = None
    date: datetime | None = None  # aware, UTC; only a date the page states
    canonical_url: str | None = None
    description: str | None = None
    site_name: str | None = None
    free: bool | None = None  # False: the page says it is for subscribers
    dropped: tuple[tuple[str, str], ...] = field(default=())  # (text, rule): what was not spoken, and why


def extract_page(html: str, url: str | None = None, *, learned: frozenset[str] = frozenset(),
                 source: str = "") -> WebArticle:
    """``learned``: the line keys this ``source`` repeats in its articles (see furniture.line_key)."""
    import trafilatura

    root = _parse(html)
    facts = _page_facts(root) if root is not None else {}
    meta = trafilatura.extract_metadata(html, default_url=url,
                                        date_config={"extensive_search": False, "original_date": True})
    dropped: list[tuple[str, str]] = []
    standfirst = _standfirst(root, facts.get("og:description")) if root is not None else None
    prepared = _serialise(root, dropped) if root is not None else html
    xml = trafilatura.extract(prepared, url=url, output_format="xml", include_comments=False, include_tables=False,
                              include_images=False, include_links=False, favor_precision=True, deduplicate=False)
    h1, blocks = _xml_blocks(xml)
    sites = _site_names(facts, meta, root)
    title = next((clean_title(t, *sites) for t in (facts.get("headline"), facts.get("og:title"), h1,
                                                    meta.title if meta else None) if t and t.strip()), "")
    blocks = _with_standfirst(blocks, standfirst, title)
    cleaned = clean_blocks(blocks, learned, source)
    return WebArticle(
        title=title, blocks=tuple(cleaned.blocks), standfirst=standfirst, dropped=tuple(dropped + cleaned.dropped),
        author=facts.get("author") or (meta.author if meta else None),
        date=_date(facts.get("datePublished") or facts.get("article:published_time") or (meta.date if meta else None)),
        canonical_url=facts.get("canonical") or facts.get("og:url") or (meta.url if meta else None) or url,
        description=facts.get("og:description") or (meta.description if meta else None),
        site_name=sites[0] if sites else None, free=facts.get("free"),
    )


def clean_title(title: str, *site_names: str | None) -> str:
    """« Titre - Le Courrier du Rhône » → « Titre » (and « Site | Titre » → « Titre »)."""
    title = " ".join(unescape(title).split())  # some pages escape their <meta> twice (« r&#233;volutions »)
    for site in filter(None, site_names):
        site = " ".join(site.split()).casefold()
        folded = title.casefold()
        for separator in TITLE_SEPARATORS:
            if folded.endswith(separator.casefold() + site) and len(title) > len(site) + len(separator):
                return title[: -len(separator) - len(site)].strip()
            if folded.startswith(site + separator.casefold()) and len(title) > len(site) + len(separator):
                return title[len(site) + len(separator):].strip()
    return title


# --- 1. markup that loses words, furniture inside the text ------------------------------------
def _parse(html: str):
    import lxml.html

    try:
        return lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", html))
    except Exception:  # lxml raises several types on garbage; trafilatura then reads the text as it is
        return None


def _serialise(root, dropped: list[tuple[str, str]]) -> str:
    import lxml.html

    _prepare(root, dropped)
    return lxml.html.tostring(root, encoding="unicode")


def _prepare(root, dropped: list[tuple[str, str]]) -> None:
    for element in list(root.iter(*INLINE)):
        if element.getparent() is not None and not element.text_content().strip() and not len(element.xpath(".//img")):
            element.drop_tree()  # « a dit <em></em> que… »: keeps the words after it (its tail)
        elif element.tag in UNWRAPPED and element.xpath("ancestor::p|ancestor::li|ancestor::blockquote"):
            element.drop_tag()  # span soup, <time> inside a sentence: only their words matter
    for element in list(root.iter(*INLINE)):
        parent = element.getparent()
        if parent is None or parent.tag not in ("p", "div", "li") or element.getparent().tag in INLINE:
            continue
        text = " ".join(element.text_content().split())
        whole = " ".join(parent.text_content().split())
        if text != whole and judge(text) == "related link":
            dropped.append((text, "related link"))
            _drop_with_link(element)
    for embed in list(root.xpath("//blockquote[contains(@class,'twitter-tweet') or contains(@class,'instagram-media')"
                                 " or contains(@class,'tiktok-embed') or contains(@class,'bluesky-embed')]")):
        dropped.append((" ".join(embed.text_content().split()), "embedded post"))
        embed.drop_tree()  # a post from a social network quoted whole: shown on the page, not read
    _drop_links_away(root, dropped)
    boxes = []
    for listing in list(root.iter("ul", "ol")):
        if listing.getparent() is not None and _all_links(listing):
            dropped.append((" · ".join(" ".join(li.text_content().split()) for li in listing.iter("li")),
                            "list of related links"))
            boxes.extend(a for a in listing.iterancestors() if a.tag not in ("body", "html"))
            listing.drop_tree()
    _drop_emptied_box_headings(boxes, dropped)
    for element in list(root.iter("p", "div", "span")):
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        if element.getparent() is not None and CAPTION_CLASSES.search(marks) and \
                len(element.text_content().split()) <= 40:
            dropped.append((" ".join(element.text_content().split()), "caption"))
            element.drop_tree()  # « La France gagne sur des buts de Giroud et Malouda. BELGA_AFP »
    for div in list(root.iter("div")):
        if not any(isinstance(child.tag, str) and child.tag in BLOCKS for child in div) and _own_words(div) >= 12:
            div.tag = "p"  # a lead box made of a <div> and its text: a paragraph, not a layout box
        elif div.text and len(div.text.split()) >= 12:
            _wrap_leading_text(div)


def _wrap_leading_text(div) -> None:
    """« <div>Le Premier ministre a annoncé…<p>Réunis depuis lundi… » : the words before the first block
    of a box are its first paragraph (and the inline elements that continue them)."""
    import lxml.html

    paragraph = lxml.html.Element("p")
    paragraph.text, div.text = div.text, None
    while len(div) and isinstance(div[0].tag, str) and div[0].tag not in BLOCKS:
        paragraph.append(div[0])  # appending moves the element, with its tail
    div.insert(0, paragraph)


def _drop_links_away(root, dropped: list[tuple[str, str]]) -> None:
    """Paragraphs and headings that are wholly a link lead to another page (« > Le Village olympique
    ouvre »); a heading-link with its short summary is the teaser of another article."""
    for element in list(root.iter("p", "h2", "h3", "h4")):
        if element.getparent() is None or not (_link_only(element) or element.xpath("ancestor::a")):
            continue
        card = element.getparent()
        text = " ".join(element.text_content().split())
        if element.tag != "p" and card.tag in ("div", "article", "li", "section") and \
                len(card.text_content().split()) <= 80 and card.getparent() is not None:
            dropped.append((" ".join(card.text_content().split()), "teaser of another article"))
            card.drop_tree()
        else:
            dropped.append((text, "link to another page"))
            element.drop_tree()


def _drop_emptied_box_headings(boxes, dropped: list[tuple[str, str]]) -> None:
    """« <div><h2>Foot</h2><ul>(links)</ul></div> »: once its links are gone, the box is only its title,
    which announces nothing of the article."""
    for box in boxes[:3 * len(boxes)]:
        if box.getparent() is None or not box.xpath("ancestor::body"):
            continue
        headings = [h for h in box.iter("h2", "h3", "h4", "h5", "h6")]
        text = " ".join(box.text_content().split())
        if len(headings) == 1 and text and text == " ".join(headings[0].text_content().split()):
            dropped.append((text, "heading of a box of links"))
            box.drop_tree()


def _link_only(element) -> bool:
    text = " ".join(element.text_content().split())
    linked = " ".join(" ".join(a.text_content().split()) for a in element.iter("a"))
    return bool(text) and re.sub(r"\W+", "", text.lstrip("»>›→ ")) == re.sub(r"\W+", "", linked)


def _drop_with_link(element) -> None:
    following = element.getnext()
    if following is not None and following.tag == "a" and not (element.tail or "").strip():
        following.drop_tree()  # « <b>Lire aussi :</b> <a>the other article</a> »
    element.drop_tree()


def _all_links(listing) -> bool:
    """Every item a link to another page; a box of three links or more may carry one short line that is
    not (« Découvrez ce mercredi la nouvelle Libre chez votre libraire ! »)."""
    items = listing.findall("li")
    links = sum(1 for item in items if _link_only(item))
    others = [item for item in items if not _link_only(item)]
    return bool(items) and (not others or (links >= 3 and len(others) == 1
                                           and len(others[0].text_content().split()) <= 12))


def _own_words(div) -> int:
    linked = sum(len(a.text_content().split()) for a in div.iter("a"))
    return len(div.text_content().split()) - linked


# --- 2. trafilatura's body --------------------------------------------------------------------
def _xml_blocks(xml: str | None) -> tuple[str | None, list[Block]]:
    from lxml import etree

    if not xml:
        return None, []
    h1, blocks = None, []
    wanted = ("head", "p", "item", "quote")
    for element in etree.fromstring(xml.encode("utf-8")).iter(*wanted):
        if any(child.tag in wanted for child in element.iterdescendants()):
            continue  # a quote or an item holding paragraphs: the inner ones are read instead
        text = _text(element)
        if not text:
            continue
        if element.tag == "head" and element.get("rend") == "h1":
            h1 = h1 or text  # the title, not a chapter
        else:
            heading = element.tag == "head" and not _is_prose(text)
            blocks.append(Block(text, heading=heading, item=element.tag == "item"))
    return h1, blocks


def _text(element) -> str:
    """Every word of the element, a line break being a space (« ne<br>changerait »)."""
    parts = []
    for node in element.iter():
        if node is not element and node.tag == "lb":
            parts.append(" ")
        if node.text and node.tag != "lb":
            parts.append(node.text)
        if node is not element and node.tail:
            parts.append(node.tail)
    return " ".join("".join(parts).split())


def _is_prose(text: str) -> bool:
    """An <h2> holding a sentence or two is a standfirst or a paragraph, not an intertitle."""
    return len(text.split()) > 20 or (len(text.split()) > 10 and re.search(r"[.!?…]\W*$", text) is not None)


# --- 3. the standfirst ------------------------------------------------------------------------
def _standfirst(root, description: str | None = None) -> str | None:
    """The element the page marks as its standfirst (« chapo », « standfirst », « article__desc »…), else
    the one whose text is the page's own description; after the headline, outside links and menus."""
    body = root.find("body")
    elements = [e for e in (body if body is not None else root).iter() if isinstance(e.tag, str)]
    headline = next((i for i, e in enumerate(elements) if e.tag == "h1"), 0)
    wanted = _words(description) if description else None
    for marked in (True, False):
        for element in elements[headline:]:
            if element.tag in ("a", "img", "body", "html", "meta", "h1") or \
                    element.xpath("ancestor::a|ancestor::nav|ancestor::aside|ancestor::footer"):
                continue
            text = _without_labels(element)
            if not (5 if marked else 8) <= len(text.split()) <= 120 or element.xpath(".//p[2]|.//li|.//h2"):
                continue
            marks = f"{element.get('class', '')} {element.get('id', '')}"
            if marked and (STANDFIRST.search(marks) or element.get("itemprop") == "description"):
                return text
            if not marked and wanted and _words(text) == wanted:
                return text
    return _under_headline(elements[headline] if elements else None)


def _under_headline(h1) -> str | None:
    """« <h1>…</h1><h2>"Je l'ai séduite…" titre le New York Post.</h2> »: the sentence right under the
    headline, in a heading or a paragraph of its own, is the standfirst."""
    if h1 is None or h1.tag != "h1":
        return None
    after = h1.getnext()
    if after is None or after.tag not in ("h2", "h3", "p") or after.xpath(".//a"):
        return None
    text = " ".join(after.text_content().split())
    if 8 <= len(text.split()) <= 60 and re.search(r"[.!?…»\"]\W*$", text) and judge(text) is None:
        return text
    return None


def _without_labels(element) -> str:
    """The standfirst's words without the rubric label some pages put in it (« FOOTBALL Le club… »)."""
    text = " ".join(element.text_content().split())
    for label in element.iterdescendants():
        if isinstance(label.tag, str) and LABEL.search(f"{label.get('class', '')}"):
            own = " ".join(label.text_content().split())
            if own and text.startswith(own):
                text = text[len(own):].strip()
    return text


def _with_standfirst(blocks: list[Block], standfirst: str | None, title: str) -> list[Block]:
    """The standfirst right after the title when the body lacks it (trafilatura often leaves it out
    as page furniture); the title itself never again as a paragraph."""
    said = _words(title)
    long = [i for i, b in enumerate(blocks) if len(b.text.split()) >= 15]
    opening = long[1] if len(long) > 1 else len(blocks)  # the standfirst and the first paragraph
    blocks = [b for i, b in enumerate(blocks) if i >= opening or _words(b.text) != said]
    if not standfirst:
        return blocks
    key = _words(standfirst)
    if any(key in _words(b.text) for b in blocks):
        return [Block(standfirst) if _labelled(_words(b.text), key) else Block(b.text) if _words(b.text) == key else b
                for b in blocks]  # said where the page has it
    return [Block(standfirst), *blocks]


def _labelled(said: str, key: str) -> bool:
    """« MISE À JOUR La réaction virulente… »: the standfirst with a label of a few words before it."""
    return said != key and said.endswith(" " + key) and len(said[: -len(key)].split()) <= 4


def _words(text: str) -> str:
    return re.sub(r"[\W_]+", " ", normalise(text).casefold()).strip()


# --- the HTML a feed carries -------------------------------------------------------------------
def extract_fragment(fragment: str, *, learned: frozenset[str] = frozenset(), source: str = "") -> Cleaned:
    """Paragraphs and subheadings of an HTML fragment (a feed's ``content:encoded``), cleaned like a page."""
    import lxml.html

    if not fragment or not fragment.strip():
        return Cleaned([], [])
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    dropped: list[tuple[str, str]] = []
    for element in list(root.iter()):
        if element.getparent() is not None and _dropped(element):
            element.drop_tree()
    _prepare(root, dropped)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")  # a line break separates words, and paragraphs when doubled
    blocks = []
    for element in root.iter(*FRAGMENT_BLOCKS):
        if any(child.tag in FRAGMENT_BLOCKS for child in element.iterdescendants()):
            continue  # a <blockquote> or <li> holding <p>s: the inner blocks are read instead
        text = " ".join(element.text_content().split())
        if text:
            heading = FRAGMENT_BLOCKS[element.tag] and not _is_prose(text)
            blocks.append(Block(text, heading, item=element.tag == "li"))
    if not blocks:  # bare text with <br>s, as some feeds send it
        text = lxml.html.tostring(root, method="text", encoding="unicode")
        blocks = [Block(" ".join(part.split())) for part in re.split(r"\n\s*\n", text) if part.strip()]
    cleaned = clean_blocks(blocks, learned, source)
    return Cleaned(cleaned.blocks, dropped + cleaned.dropped)


def html_blocks(fragment: str) -> list[Block]:
    return extract_fragment(fragment).blocks


def _dropped(element) -> bool:
    if not isinstance(element.tag, str):
        return True  # comments, processing instructions
    if element.tag in DROPPED_TAGS:
        return True
    return bool(DROPPED_CLASSES.search(f"{element.get('class', '')} {element.get('id', '')}"))


# --- facts the page states about itself ------------------------------------------------------
def _site_names(facts: dict, meta, root) -> list[str]:
    """Every name the site goes by here, « Le Monde.fr » also as « Le Monde »; and what <title> adds to <h1>."""
    names = [facts.get("site_name"), facts.get("publisher"), meta.sitename if meta else None]
    heading = root.findtext(".//h1") if root is not None else None
    page_title = root.findtext(".//title") if root is not None else None
    if heading and page_title:
        heading, page_title = " ".join(heading.split()), " ".join(page_title.split())
        for separator in TITLE_SEPARATORS:
            if page_title.startswith(heading + separator):
                names.append(page_title[len(heading) + len(separator):])
    found = []
    for name in filter(None, names):
        name = " ".join(str(name).split())
        for variant in (name, re.sub(r"\.(fr|com|net|org|be|ch|ca|info)$", "", name, flags=re.I)):
            if variant and variant not in found:
                found.append(variant)
    return found


def _page_facts(root) -> dict:
    """What the page says about itself in ``<head>``: JSON-LD, Open Graph, canonical link."""
    facts: dict = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key in ("og:title", "og:url", "og:description", "og:site_name", "article:published_time", "author"):
            facts.setdefault(key, (meta.get("content") or "").strip() or None)
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            facts.setdefault("canonical", link.get("href").strip())
    facts["site_name"] = facts.pop("og:site_name", None)
    for script in root.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json":
            _json_ld_facts(script.text or "", facts)
    return {k: v for k, v in facts.items() if v is not None}


def _json_ld_facts(text: str, facts: dict) -> None:
    try:
        data = json.loads(text)
    except ValueError:
        return
    for node in _nodes(data):
        kinds = node.get("@type")
        kinds = {str(k).lower() for k in (kinds if isinstance(kinds, list) else [kinds])}
        if not kinds & ARTICLE_TYPES:
            continue
        for key in ("headline", "datePublished"):
            if isinstance(node.get(key), str) and node[key].strip():
                facts.setdefault(key, node[key].strip())
        names = _names(node.get("author"))
        if names:
            facts["author"] = ", ".join(names)  # JSON-LD's author beats <meta name=author>
        if isinstance(node.get("publisher"), dict) and node["publisher"].get("name"):
            facts.setdefault("publisher", str(node["publisher"]["name"]))
        if _false(node.get("isAccessibleForFree")) or any(_false(part.get("isAccessibleForFree"))
                                                           for part in _nodes(node.get("hasPart"))):
            facts["free"] = False


def _nodes(data) -> list[dict]:
    """Every object in a JSON-LD document: top level, lists and ``@graph``."""
    if isinstance(data, list):
        return [node for item in data for node in _nodes(item)]
    if isinstance(data, dict):
        return [data, *(_nodes(data["@graph"]) if "@graph" in data else [])]
    return []


def _names(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = [item.get("name") if isinstance(item, dict) else item for item in items]
    return [" ".join(str(n).split()) for n in names if isinstance(n, str) and n.strip()]


def _false(value) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _date(value) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
