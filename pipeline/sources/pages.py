"""A fetched page's bytes → its text, and whether it is HTML at all.

What the page says, and which of its words are the article, is read by the one HTML reader,
:mod:`pipeline.text.webpage`.
"""
from __future__ import annotations

import re

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Pages that say ISO-8859-1 are read as windows-1252, as every browser does (the WHATWG Encoding
# standard): the curly apostrophe and the euro sign of old newsrooms are in its 0x80-0x9F range.
LATIN1_LABELS = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "iso-ir-100", "cp819",
                 "ibm819", "csisolatin1", "iso-8859-1:1987", "windows-1252", "x-cp1252"}
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode_page(body: bytes, charset: str | None) -> str:
    """The page's text: charset from the HTTP header, else the page's ``<meta charset>``, else UTF-8,
    else what charset detection finds (legacy newsrooms still serve windows-1252)."""
    declared = META_CHARSET.search(body[:4096])
    for candidate in (charset, declared.group(1).decode("ascii") if declared else None, "utf-8"):
        if not candidate:
            continue
        if candidate.strip().lower().replace("_", "-") in LATIN1_LABELS:
            candidate = "cp1252"  # as browsers read it: « l’indexation », not « l\x92indexation »
        try:
            return body.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    return str(best) if best is not None else body.decode("cp1252", errors="replace")


def is_html(content_type: str, body: bytes) -> bool:
    if content_type:
        return content_type in HTML_TYPES
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head
