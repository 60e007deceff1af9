"""An article page → its text and its own metadata, with none of the page's furniture."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from _helpers_newsroom import ENQUETE, FURNITURE, SITE_NAME, TRAMWAY, article_page
from pipeline.sources.pages import is_html
from pipeline.text.webpage import clean_title, extract_page

BASE = "http://127.0.0.1:8080"


def test_the_article_page_gives_the_article_and_nothing_else():
    page = extract_page(article_page(TRAMWAY, BASE), BASE + TRAMWAY.path)
    paragraphs = [b.text for b in page.blocks if not b.heading]
    assert paragraphs == [TRAMWAY.lead, *TRAMWAY.paragraphs]
    assert [b.text for b in page.blocks if b.heading] == ["Un chantier de trois ans"]
    text = " ".join(b.text for b in page.blocks)
    assert not [f for f in FURNITURE if f.lower() in text.lower()], text


def test_metadata_comes_from_the_page_itself():
    page = extract_page(article_page(TRAMWAY, BASE), BASE + TRAMWAY.path + "?utm_source=rss")
    assert page.title == TRAMWAY.title  # not « … - Le Courrier du Rhône »
    assert page.author == "Claire Dubreuil" and page.site_name == SITE_NAME
    assert page.date == datetime(2025, 12, 1, 8, 30, tzinfo=timezone.utc)  # JSON-LD, to the minute
    assert page.canonical_url == BASE + TRAMWAY.path and page.free is None


def test_a_page_with_only_a_title_element_loses_the_site_name():
    html = (f"<html><head><title>Budget : la Métropole vote - {SITE_NAME}</title>"
            f'<meta property="og:site_name" content="{SITE_NAME}"></head><body><article>'
            + "".join(f"<p>{p}</p>" for p in TRAMWAY.paragraphs) + "</article></body></html>")
    assert extract_page(html).title == "Budget : la Métropole vote"


@pytest.mark.parametrize("title, site, expected", [
    ("Titre - Le Site", "Le Site", "Titre"), ("Titre | LE SITE", "Le Site", "Titre"),
    ("Le Site — Titre", "Le Site", "Titre"), ("Titre – avec un tiret – Le Site", "Le Site", "Titre – avec un tiret"),
    ("Titre - Autre", "Le Site", "Titre - Autre"), ("Titre - Le Site", None, "Titre - Le Site"),
])
def test_clean_title(title, site, expected):
    assert clean_title(title, site) == expected


def test_a_paywalled_page_says_so_in_its_json_ld():
    page = extract_page(article_page(ENQUETE, BASE), BASE + ENQUETE.path)
    assert page.free is False
    # trafilatura drops the paywall notice: what is left looks like a short article.
    assert "abonnés" not in " ".join(b.text for b in page.blocks)


def test_html_is_told_by_its_type_or_its_first_bytes():
    assert is_html("text/html", b"") and is_html("application/xhtml+xml", b"")
    assert not is_html("application/pdf", b"%PDF-1.7") and not is_html("", b"%PDF-1.7")
    assert is_html("", b"  <!DOCTYPE html><html>") and not is_html("image/png", b"<html>")
