"""An article page → its text and its own metadata.

trafilatura finds the body and leaves the menu, cookie banner, share bar, "Lire aussi" asides,
comments and footer behind. The metadata comes from what the page states about itself, in this
order: JSON-LD (``NewsArticle`` and kin), Open Graph and ``<meta>``, then trafilatura's
reading of the page. A page marked ``isAccessibleForFree: false`` is a paywall stub (trafilatura
drops the paywall notice, so the text alone would look like a short article).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from pipeline.sources.furniture import Block, clean_blocks

ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
                 "reviewnewsarticle", "backgroundnewsarticle", "blogposting", "report", "webpage", "liveblogposting"}
TITLE_SEPARATORS = (" - ", " | ", " — ", " – ", " · ", " :: ", " » ", " / ")
HTML_TYPES = ("text/html", "application/xhtml+xml")
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True)
class PageArticle:
    title: str
    blocks: tuple[Block, ...]
    author: str | None = None
    date: datetime | None = None  # aware, UTC; only a date the page states
    canonical_url: str | None = None
    description: str | None = None
    site_name: str | None = None
    free: bool | None = None  # False: the page says it is for subscribers


def decode_page(body: bytes, charset: str | None) -> str:
    """The page's text: charset from the HTTP header, else the page's ``<meta charset>``, else UTF-8,
    else what charset detection finds (legacy newsrooms still serve windows-1252)."""
    declared = META_CHARSET.search(body[:4096])
    for candidate in (charset, declared.group(1).decode("ascii") if declared else None, "utf-8"):
        if not candidate:
            continue
        try:
            return body.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    return str(best) if best is not None else body.decode("cp1252", errors="replace")


def extract_page(html: str, url: str | None = None) -> PageArticle:
    import trafilatura

    facts = _page_facts(html)
    meta = trafilatura.extract_metadata(html, default_url=url,
                                        date_config={"extensive_search": False, "original_date": True})
    xml = trafilatura.extract(html, url=url, output_format="xml", include_comments=False, include_tables=False,
                              include_images=False, favor_precision=True)
    heading, blocks = _xml_blocks(xml)
    site = facts.get("site_name") or (meta.sitename if meta else None)
    title = facts.get("headline") or facts.get("og:title") or heading or (meta.title if meta else None) or ""
    return PageArticle(
        title=clean_title(title, site), blocks=tuple(clean_blocks(blocks)),
        author=facts.get("author") or (meta.author if meta else None),
        date=_date(facts.get("datePublished") or facts.get("article:published_time")
                   or (meta.date if meta else None)),
        canonical_url=facts.get("canonical") or facts.get("og:url") or (meta.url if meta else None) or url,
        description=facts.get("og:description") or (meta.description if meta else None),
        site_name=site, free=facts.get("free"),
    )


def clean_title(title: str, site_name: str | None) -> str:
    """« Titre - Le Courrier du Rhône » → « Titre » (and « Site | Titre » → « Titre »)."""
    title = " ".join(title.split())
    if not site_name:
        return title
    site = " ".join(site_name.split()).casefold()
    for separator in TITLE_SEPARATORS:
        if title.casefold().endswith(separator.casefold() + site):
            return title[: -len(separator) - len(site)].strip()
        if title.casefold().startswith(site + separator.casefold()):
            return title[len(site) + len(separator):].strip()
    return title


def _xml_blocks(xml: str | None) -> tuple[str | None, list[Block]]:
    from lxml import etree

    if not xml:
        return None, []
    heading, blocks = None, []
    for element in etree.fromstring(xml.encode("utf-8")).iter("head", "p", "item", "quote"):
        text = " ".join("".join(element.itertext()).split())
        if not text:
            continue
        if element.tag == "head" and element.get("rend") == "h1":
            heading = heading or text  # the title, not a chapter
        else:
            blocks.append(Block(text, heading=element.tag == "head"))
    return heading, blocks


def _page_facts(html: str) -> dict:
    """What the page says about itself in ``<head>``: JSON-LD, Open Graph, canonical link."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # lxml raises several types on garbage; there is then nothing to learn
        return {}
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
            facts.setdefault("site_name", str(node["publisher"]["name"]))
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


def is_html(content_type: str, body: bytes) -> bool:
    if content_type:
        return content_type in HTML_TYPES
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head
