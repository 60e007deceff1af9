"""Reading articles: decoding, front matter, debris, Markdown and HTML bodies."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from _helpers_project import SAMPLE
from pipeline.text.article import read_article, slugify
from pipeline.errors import UserError


def test_sample_keeps_the_article_and_drops_the_debris():
    article = read_article(SAMPLE)
    assert article.title == "L’Otan sort le chéquier : plus d’un milliard pour l’Ukraine"
    assert article.slug == "otan-cheque-ukraine"
    assert len(article.passages) == 6
    assert article.passages[0].text.startswith("Au lendemain de discussions tendues")
    assert article.passages[-1].text.endswith("hors de portée.")
    assert not any("accueil" in p.text.lower() for p in article.passages)
    assert len(article.source_hash) == 64


def test_front_matter_sets_metadata(tmp_path):
    path = tmp_path / "brief.md"
    path.write_text('+++\ntitle = "Le titre choisi"\ndate = 2025-12-03\nauthor = "Jeanne Martin"\n'
                    'slug = "mon-episode"\nsource_url = "https://example.org/a"\n+++\n'
                    "# Un autre titre\n\nLes États membres de l'Otan ont durci le ton à Bruxelles.\n",
                    encoding="utf-8")
    article = read_article(path)
    assert article.title == "Le titre choisi" and article.slug == "mon-episode"
    assert article.date == datetime(2025, 12, 3, 0, 0, tzinfo=timezone.utc)
    assert article.author == "Jeanne Martin" and article.source_url == "https://example.org/a"


def test_future_date_is_refused(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("+++\ndate = 2999-01-01\n+++\nTitre\nLes États membres de l'Otan ont durci le ton à Bruxelles.\n")
    with pytest.raises(UserError, match="in the future"):
        read_article(path)


def test_markdown_headings_links_and_emphasis(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# Le titre\n\nLe **programme** [PURL](https://x.org) est un mécanisme de la *défense*.\n\n"
                    "## Les montants\n\nLe Canada a promis une aide, et les Pays-Bas aussi.\n\n"
                    "![photo](x.jpg)\n\n```\ncode = 1\n```\n", encoding="utf-8")
    article = read_article(path)
    assert article.title == "Le titre"
    assert [p.text for p in article.passages] == [
        "Le programme PURL est un mécanisme de la défense.", "Le Canada a promis une aide, et les Pays-Bas aussi."]
    assert [p.heading for p in article.passages] == [None, "Les montants"]


HTML = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>L’Otan sort le chéquier | Le Journal</title></head>
<body><header><nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav></header>
<div class="cookie-banner">Nous utilisons des cookies pour améliorer votre expérience. <button>Accepter</button></div>
<main><article><h1>L’Otan sort le chéquier</h1>
<div class="share"><a href="#">Partager sur Facebook</a> <a href="#">Twitter</a></div>
<p>Au lendemain de discussions tendues à Moscou, les États membres de l’Otan ont durci le ton. La réunion de Bruxelles s’est concentrée sur deux urgences.</p>
<h2>Un milliard d’euros d’armes</h2>
<p>Ces achats s’inscrivent dans le programme PURL, un mécanisme qui permet aux pays européens de financer du matériel militaire.</p>
<aside class="related"><h3>Lire aussi</h3><ul><li><a href="/x">Ukraine : le front de l’Est sous pression</a></li></ul></aside>
<p>Le Canada a de son côté promis 200 millions d’euros, tandis que les Pays-Bas ont annoncé un engagement supplémentaire.</p>
</article></main><footer><p>© 2025 Le Journal — Mentions légales — Contact</p></footer></body></html>"""


def test_html_body_without_menus_banners_asides_or_footer(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    article = read_article(path)
    assert article.title == "L’Otan sort le chéquier"
    spoken = " ".join(p.text for p in article.passages)
    for debris in ("cookies", "Accepter", "Partager", "Twitter", "Lire aussi", "front de l’Est", "Mentions", "Monde"):
        assert debris not in spoken
    assert [p.heading for p in article.passages] == [None, "Un milliard d’euros d’armes", "Un milliard d’euros d’armes"]


def test_cp1252_file_from_windows_is_decoded(tmp_path):
    path = tmp_path / "windows.txt"
    text = "Réunion à Bruxelles\nLes États membres ont durci le ton, « sans avancée » selon l’émissaire américain.\n"
    path.write_bytes(text.encode("cp1252"))
    article = read_article(path)
    assert article.title == "Réunion à Bruxelles"
    assert "« sans avancée »" in article.passages[0].text and "l’émissaire" in article.passages[0].text


@pytest.mark.parametrize("content, problem", [
    (b"", "the file is empty"),
    (b"  \n\t\n  \n", "only whitespace"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not text"),
    (b"Titre seul\n\n\nL'accueil\n", "no article text left"),
    (b"The weather\nThe government said on Tuesday that the plan was not going to be changed for the time being.\n",
     "does not look French"),
])
def test_bad_input_gets_one_clear_line(tmp_path, content, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(UserError) as caught:
        read_article(path)
    assert problem in str(caught.value) and str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_missing_file_and_wrong_type(tmp_path):
    with pytest.raises(UserError, match="file not found"):
        read_article(tmp_path / "absent.txt")
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(UserError, match="unsupported file type"):
        read_article(tmp_path / "a.pdf")


def test_slugify_is_ascii():
    assert slugify("L’Otan sort le chéquier : 1 milliard !") == "l-otan-sort-le-chequier-1-milliard"


def test_markup_in_metadata_is_removed(tmp_path):
    path = tmp_path / "a.md"
    path.write_text('+++\ntitle = "l\'État <b>réagit</b> &amp; tranche"\ndescription = "<script>x()</script>Un résumé"\n+++\n'
                    "Les États membres de l'Otan ont durci le ton à Bruxelles mardi.\n", encoding="utf-8")
    article = read_article(path)
    assert article.title == "l'État réagit & tranche"
    assert "<" not in article.description and "Un résumé" in article.description


def test_today_as_a_bare_date_is_not_in_the_future(tmp_path):
    from datetime import date

    path = tmp_path / "a.md"
    path.write_text(f"+++\ndate = {date.today().isoformat()}\n+++\n# Titre\n\n"
                    "Les États membres de l'Otan ont durci le ton à Bruxelles mardi.\n", encoding="utf-8")
    assert read_article(path).date.date() == date.today()


def test_utf16_file_with_a_byte_order_mark_is_text(tmp_path):
    path = tmp_path / "notepad.txt"
    path.write_bytes("Réunion à Bruxelles\nLes États membres de l’Otan ont durci le ton mardi.\n".encode("utf-16"))
    article = read_article(path)
    assert article.title == "Réunion à Bruxelles" and "l’Otan" in article.passages[0].text
