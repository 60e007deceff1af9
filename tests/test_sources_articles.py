"""Article files written by ingest read back exactly, through the project's own reader."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from _helpers_newsroom import TRAMWAY
from pipeline.sources.articles import Draft, NotAnArticle, check, render, slug_for
from pipeline.text.furniture import Block
from pipeline.text.article import read_article

BLOCKS = (Block(TRAMWAY.lead), Block("Un chantier de trois ans", heading=True),
          *(Block(p) for p in TRAMWAY.paragraphs), Block("# 1 : le chiffre du jour, et ce qu'il veut dire."))


def test_a_written_article_reads_back_with_its_metadata_headings_and_text(tmp_path):
    draft = Draft(title='Budget : « record » pour les "transports" \\ C:\\dossier', blocks=BLOCKS,
                  source_url="https://courrier.example/politique/budget/", author="Claire Dubreuil",
                  canonical_url="https://courrier.example/budget", entry_id="https://courrier.example/?p=101",
                  date=datetime(2025, 12, 1, 8, 30, tzinfo=timezone.utc), description="Le chapô.\x7f")
    path = tmp_path / "budget.md"
    path.write_text(render(draft, "budget"), encoding="utf-8")
    article = read_article(path)
    assert article.title == draft.title and article.slug == "budget" and article.author == "Claire Dubreuil"
    assert article.date == draft.date and article.source_url == draft.source_url
    assert [p.text for p in article.passages] == [b.text for b in BLOCKS if not b.heading]
    assert {p.heading for p in article.passages[1:]} == {"Un chantier de trois ans"}
    assert render(draft, "budget") == path.read_text(encoding="utf-8")  # the same draft, the same bytes


def test_a_date_in_the_future_is_written_as_now(tmp_path):
    draft = Draft(title=TRAMWAY.title, blocks=BLOCKS, source_url=None,
                  date=datetime.now(timezone.utc) + timedelta(hours=2))
    path = tmp_path / "demain.md"
    path.write_text(render(draft, "demain"), encoding="utf-8")
    assert read_article(path).date <= datetime.now(timezone.utc)


def test_check_refuses_what_the_reader_would_refuse_or_what_is_too_short():
    english = Draft(title="Lyon hosts a summit", source_url=None, blocks=tuple(
        Block("The organisers say that the event has grown every year since it was first held in the city.")
        for _ in range(3)))
    with pytest.raises(NotAnArticle, match="^the text does not look French"):
        check(render(english, "summit"), "summit", 10, english)
    short = Draft(title=TRAMWAY.title, blocks=(Block(TRAMWAY.lead),), source_url=None)
    with pytest.raises(NotAnArticle, match=r"^too short for an episode \(23 words, at least 120\)"):
        check(render(short, "court"), "court", 120, short)


@pytest.mark.parametrize("url, title, slug", [
    ("https://x.example/politique/2025/12/01/metropole-budget-transports/", "T", "metropole-budget-transports"),
    ("https://x.example/article/la-greve-continue.html", "T", "la-greve-continue"),
    ("https://x.example/article.php?id=123", "Grève : le trafic perturbé", "greve-le-trafic-perturbe"),
    ("https://x.example/2025/12/01/123456", "L’Otan sort le chéquier", "l-otan-sort-le-chequier"),
    (None, "Un titre", "un-titre"),
])
def test_the_slug_comes_from_the_url_s_own_name_else_the_title(url, title, slug):
    assert slug_for(url, title) == slug
