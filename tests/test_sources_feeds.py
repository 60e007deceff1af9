"""Feeds of articles (RSS 2.0, Atom, JSON Feed) → entries, and the feed's furniture left unspoken."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from _helpers_newsroom import (FURNITURE, GREVE, STORIES, TRAMWAY, atom_feed, json_feed, wordpress_content,
                               wordpress_rss)
from pipeline.sources.feeds import FeedError, parse_feed
from pipeline.text.furniture import Block, is_furniture, text_blocks
from pipeline.text.webpage import html_blocks

BASE = "http://127.0.0.1:8080"


def spoken(blocks: list[Block]) -> str:
    return " ".join(block.text for block in blocks)


def test_wordpress_rss_gives_guid_link_categories_date_and_the_whole_article():
    feed = parse_feed(wordpress_rss(STORIES, BASE).encode(), "application/rss+xml", "utf-8")
    assert feed.title == "Le Courrier du Rhône" and len(feed.entries) == len(STORIES)
    entry = feed.entries[0]
    assert entry.id == f"{BASE}/?p=101" and entry.link == BASE + TRAMWAY.path
    assert entry.categories == ("Politique", "Transports") and entry.author == "Claire Dubreuil"
    assert entry.published == datetime(2025, 12, 1, 8, 30, tzinfo=timezone.utc)
    assert TRAMWAY.paragraphs[-1].replace("'", "&#x27;") in entry.content_html  # content:encoded
    assert "[&#8230;]" in entry.summary_html or "[…]" in entry.summary_html


def test_atom_with_summaries_only_links_to_the_pages():
    feed = parse_feed(atom_feed(STORIES, BASE).encode(), "application/atom+xml")
    entry = feed.entries[3]
    assert entry.id == "tag:courrier-du-rhone.example,2025:104" and entry.link == BASE + GREVE.path
    assert entry.content_html is None and "Un train régional sur deux" in entry.summary_html
    assert entry.categories == ("Société", "Transports")


def test_json_feed_is_read_with_the_standard_library():
    feed = parse_feed(json_feed(STORIES, BASE).encode(), "application/feed+json")
    entry = feed.entries[0]
    assert entry.id == f"{BASE}/?p=101" and entry.link == BASE + TRAMWAY.path and entry.author == "Claire Dubreuil"
    assert entry.published == datetime(2025, 12, 1, 8, 30, tzinfo=timezone.utc)
    assert entry.categories == TRAMWAY.categories and "<strong>Les élus métropolitains" in entry.content_html
    # Served as plain application/json, or with no type at all, it is still a JSON Feed.
    assert parse_feed(json_feed(STORIES, BASE).encode(), "").entries[0].id == entry.id


def test_an_entry_s_fingerprint_changes_when_the_article_does():
    before = parse_feed(wordpress_rss([TRAMWAY], BASE).encode()).entries[0]
    again = parse_feed(wordpress_rss([TRAMWAY], BASE).encode()).entries[0]
    edited = parse_feed(wordpress_rss([TRAMWAY], BASE).replace("six heures", "sept heures").encode()).entries[0]
    assert before.fingerprint == again.fingerprint != edited.fingerprint


@pytest.mark.parametrize("body, problem", [
    (wordpress_rss(STORIES, BASE)[:2500], "malformed feed XML"),
    ("<html><body><h1>Le Courrier du Rhône</h1><p>Bienvenue</p></body></html>", "not an RSS, Atom or JSON feed"),
    ('{"articles": []}', "not an RSS, Atom or JSON feed"),
    ('{"version": "https://jsonfeed.org/version/1.1", "items": [', "malformed JSON"),
    ("", "not an RSS, Atom or JSON feed"),
])
def test_what_is_not_a_feed_is_one_line(body, problem):
    with pytest.raises(FeedError) as caught:
        parse_feed(body.encode(), "")
    assert problem in str(caught.value) and "\n" not in str(caught.value)


def test_wordpress_content_loses_its_share_links_read_more_and_first_published_notice():
    blocks = html_blocks(wordpress_content(TRAMWAY, BASE))
    text = spoken(blocks)
    assert [b.text for b in blocks if not b.heading] == [TRAMWAY.lead, *TRAMWAY.paragraphs]
    assert [b.text for b in blocks if b.heading] == ["Un chantier de trois ans"]
    assert not [f for f in FURNITURE if f in text], text


@pytest.mark.parametrize("line", [
    "L’article La Métropole vote son budget est apparu en premier sur Le Courrier du Rhône.",
    "L'article <a href='x'>Budget</a> est apparu en premier sur <a href='y'>Le Courrier</a>.",
    "The post Lyon hosts a summit appeared first on Lyon Daily.",
    "Lire la suite", "Lire la suite →", "Continue reading", "Lire aussi : Le tramway prolongé jusqu'à la Doua",
    "À lire aussi", "Partager :", "Partager sur Facebook", "Share this:", "[…]", "Suivez-nous sur Instagram",
])
def test_feed_furniture_is_never_spoken(line):
    assert html_blocks(f"<p>{TRAMWAY.lead}</p><p>{line}</p>") == [Block(TRAMWAY.lead)]


def test_sharing_and_related_blocks_are_dropped_whatever_their_words():
    fragment = (f"<p>{TRAMWAY.lead}</p>"
                '<div class="sharedaddy sd-sharing-enabled"><ul><li><a href="#">Facebook</a></li>'
                '<li><a href="#">Envoyer à un ami</a></li></ul></div>'
                '<div id="jp-relatedposts" class="jp-relatedposts"><p>Sur le même sujet, la Métropole '
                "avait déjà voté l'an dernier un budget en hausse.</p></div>"
                "<figure class='wp-block-image'><img src='a.jpg'><figcaption><p>Le conseil métropolitain, lundi "
                "soir, au moment du vote.</p></figcaption></figure>"
                "<figure class='wp-block-pullquote'><blockquote><p>Une dette maîtrisée.</p></blockquote></figure>"
                "<script>var a = 'Partager';</script>")
    assert html_blocks(fragment) == [Block(TRAMWAY.lead)]


@pytest.mark.parametrize("sentence", [
    "Partager, c'est aussi une affaire de confiance, dit-elle.",
    "Lire la suite de l'enquête dans notre édition de demain, qui paraît à six heures.",
    "Voir les chiffres du chômage baisser reste son objectif, assure le ministre.",
])
def test_article_sentences_that_open_like_furniture_are_kept(sentence):
    assert not is_furniture(sentence)


def test_an_excerpt_s_ellipsis_and_plain_text_paragraphs():
    assert html_blocks("<p>Le préfet a reçu une délégation en fin de matinée [&hellip;]</p>") == \
        [Block("Le préfet a reçu une délégation en fin de matinée")]
    assert text_blocks("Premier paragraphe.\n\nSecond\nparagraphe.\n") == \
        [Block("Premier paragraphe."), Block("Second paragraphe.")]
    assert spoken(html_blocks("Texte sans balise.<br><br>Suite du texte.")) == "Texte sans balise. Suite du texte."


def test_json_feed_content_text_and_authors_of_version_1_0():
    data = {"version": "https://jsonfeed.org/version/1", "items": [
        {"id": 7, "url": BASE + "/a/", "title": "T", "content_text": "Un.\n\nDeux.", "author": {"name": "A"}}]}
    [entry] = parse_feed(json.dumps(data).encode(), "application/json").entries
    assert entry.id == "7" and entry.author == "A" and entry.content_text == "Un.\n\nDeux."
