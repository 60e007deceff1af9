"""The one HTML reader (pipeline/text/webpage.py): no word of the article lost, no furniture spoken,
the standfirst right after the title, the site's name out of the title; the same reader for
episodes/*.html, --url pages and a feed's HTML; each source's own furniture learned."""
from __future__ import annotations

import json

import pytest

from pipeline.sources.state import IngestState
from pipeline.text.article import read_article
from pipeline.text.furniture import judge, line_key
from pipeline.text.webpage import clean_title, extract_fragment, extract_page

BODY = ("<p>Le conseil municipal a voté mardi soir le budget de l'année prochaine, après six heures de débats "
        "parfois vifs entre la majorité et l'opposition.</p>"
        "<p>Le maire a dit <em></em> que la réforme serait votée <b><i></i></b>avant l'été, selon <span><span>"
        "plusieurs</span> <span>sources</span></span> <a href='/x'>concordantes</a> à la mairie.</p>"
        "<p>Il a ajouté que rien ne<br>changerait pour les retraités modestes de la commune et de ses environs.</p>"
        "<div class='encadre'>Une boîte de tête sans paragraphe mais avec des mots qui comptent pour tout "
        "l'article et ses lecteurs.</div>"
        "<h2>Les transports d'abord</h2>"
        "<p>La plus grosse part ira aux transports, avec deux lignes de bus nouvelles et un tramway prolongé "
        "jusqu'à la gare.</p>"
        "<blockquote>Nous avons fait le choix de la mobilité pour tous, a déclaré l'adjointe aux finances.</blockquote>"
        "<ul><li>Une ligne de bus vers le nord de la ville</li><li>Une ligne de bus vers la zone industrielle</li></ul>")
FURNITURE = ("<p><strong>Lire aussi : Le tramway prolongé jusqu'à la Doua</strong></p>"
             "<p>LIRE AUSSI SUR GALA &gt;&gt;</p>"
             "<p>La séance a été suspendue deux fois. <b>À lire aussi :</b> <a href='/y'>Le budget de l'an dernier</a></p>"
             "<ul><li><a href='/a'>Un autre article</a></li><li><a href='/b'>Encore un autre article</a></li></ul>"
             "<p>Inscrivez-vous à notre newsletter pour recevoir l'essentiel chaque matin.</p>"
             "<p>Il vous reste 72 % de cet article à lire. La suite est réservée aux abonnés.</p>"
             "<p>Crédits photos : Jean Dupont / Abaca</p><p>Le maire en séance. JEAN DUPONT / AFP</p>"
             "<p>Publié le 03/12/2025 à 18h02, mis à jour le 03/12/2025 à 19h10</p>"
             "<p>Partager sur Facebook</p><p>Réagir</p><p>Par Jeanne Martin</p>")


def page(standfirst: str, body: str = BODY + FURNITURE, title: str = "Budget : la Métropole vote - Gala") -> str:
    return (f"<html><head><title>{title}</title><meta property='og:site_name' content='Gala'></head><body>"
            "<nav><ul><li><a href='/'>Accueil</a></li><li><a href='/p'>Politique</a></li></ul></nav>"
            f"<article><h1>Budget : la Métropole vote</h1>{standfirst}{body}</article>"
            "<footer><p>© 2025 Gala. Tous droits réservés.</p></footer></body></html>")


def spoken(article) -> str:
    return " ".join(block.text for block in article.blocks)


STANDFIRST = "Après six mois de travail, les élus ont adopté un budget en hausse de quatre pour cent."


def test_every_word_survives_inline_markup_and_every_kind_of_block_is_kept():
    article = extract_page(page(f"<h2>{STANDFIRST}</h2>"))
    text = spoken(article)
    assert "Le maire a dit que la réforme serait votée avant l'été, selon plusieurs sources concordantes à la " \
           "mairie." in text
    assert "rien ne changerait pour les retraités" in text
    assert "Une boîte de tête sans paragraphe" in text  # a lead box with no <p>
    assert "Nous avons fait le choix de la mobilité pour tous" in text
    assert "Une ligne de bus vers le nord de la ville" in text and "vers la zone industrielle" in text
    assert "La séance a été suspendue deux fois." in text
    headings = [block.text for block in article.blocks if block.heading]
    assert headings == ["Les transports d'abord"]  # an intertitle becomes a chapter


@pytest.mark.parametrize("standfirst", [
    f"<h2>{STANDFIRST}</h2>", f"<div class='chapo'>{STANDFIRST}</div>", f"<p class='article__desc'>{STANDFIRST}</p>",
    f"<header><p class='standfirst'><strong class='label'>POLITIQUE</strong> {STANDFIRST}</p></header>",
])
def test_the_standfirst_is_spoken_right_after_the_title_whatever_holds_it(standfirst):
    article = extract_page(page(standfirst))
    assert article.blocks[0].text == STANDFIRST and not article.blocks[0].heading
    assert article.title == "Budget : la Métropole vote"


def test_no_furniture_is_spoken_and_each_drop_names_its_rule():
    article = extract_page(page(f"<h2>{STANDFIRST}</h2>"))
    text = spoken(article).casefold()
    for word in ("lire aussi", "doua", "newsletter", "il vous reste", "abaca", "afp", "publié", "partager",
                 "réagir", "jeanne martin", "un autre article", "gala", "accueil", "©"):
        assert word not in text, word
    rules = {rule for _, rule in article.dropped}
    assert {"related link", "newsletter", "paywall", "credit", "dateline", "share", "comments", "author box",
            "list of related links"} <= rules
    assert ("Lire aussi : Le tramway prolongé jusqu'à la Doua", "related link") in article.dropped


@pytest.mark.parametrize("line, rule", [
    ("Lire aussi : Le tramway prolongé", "related link"), ("» À LIRE AUSSI", "related link"),
    ("LIRE AUSSI SUR BONDY BLOG >>", "related link"), ("Il vous reste 57.09% de cet article à lire.", "paywall"),
    ("Photo : Marie Curie", "credit"), ("Crédit photo : Jean Dupont / Hans Lucas", "credit"),
    ("© Stéphane Lemouton / Bestimage", "credit"), ("Publié le 30 août 2023 à 14h52, modifié à 15h54", "dateline"),
    ("Temps de Lecture 4 min.", "reading time"), ("Copier le lien", "share"),
    ("(26/02/2012)", "date alone"), ("Samedi 2 mars 2013, 17h32", "date alone"),
    ("La Libre.be > Actu > Belgique > Article", "breadcrumb"), ("Accueil » Société » Trafic", "breadcrumb"),
    ("Rédaction en ligne (avec Belga)", "agency byline"), ("AFP", "agency byline"), ("(Belga)", "agency byline"),
    ("(avec AFP)", "agency byline"),
    ("La brochure \"Migrer vers la Flandre\" Téléchargez pdf (1,4 MB)", "download"),
    ("Liens publicitaires", "advert"), ("Vos réactions", "comments"),
    ("> Lire l'article complet sur ses conditions de détention", "related link"),
])
def test_fixed_furniture_rules(line, rule):
    assert judge(line) == rule


@pytest.mark.parametrize("sentence", [
    "Par ailleurs, la ville a obtenu une subvention de l'État pour ses écoles.",
    "Publié le mois dernier, le rapport de la Cour des comptes était sévère.",
    "Envoyer des troupes au sol serait une erreur, estime le ministre.",
    "« Peu de garanties » sur l'emploi", "« Non », a-t-il répondu", "Le 12 mai 2013, la France a voté.",
    "Bruxelles > Paris > Londres : le train du futur", "AFP et Reuters ont publié la même dépêche.",
])
def test_article_sentences_that_look_like_furniture_are_kept(sentence):
    assert judge(sentence) is None


@pytest.mark.parametrize("title, sites, expected", [
    ("Budget : la Métropole vote - Gala", ("Gala",), "Budget : la Métropole vote"),
    ("Sophie Binet met en garde | Le Monde", ("Le Monde.fr",), "Sophie Binet met en garde"),
    ("Le Freebox Delta et ses r&#233;volutions", (), "Le Freebox Delta et ses révolutions"),
])
def test_titles_lose_the_site_name(title, sites, expected):
    from pipeline.text.webpage import _site_names

    names = _site_names({"site_name": sites[0]} if sites else {}, None, None)
    assert clean_title(title, *names) == expected


def test_json_ld_publisher_names_the_site_when_open_graph_does_not():
    ld = json.dumps({"@type": "NewsArticle", "headline": "Le tramway prolongé - Bondy Blog",
                     "publisher": {"@type": "Organization", "name": "Bondy Blog"}})
    html = page(f"<h2>{STANDFIRST}</h2>").replace("<meta property='og:site_name' content='Gala'>",
                                                  f"<script type='application/ld+json'>{ld}</script>")
    assert extract_page(html).title == "Le tramway prolongé"


def test_an_html_file_in_episodes_is_read_by_the_same_reader(tmp_path):
    source = tmp_path / "budget.html"
    source.write_text(page(f"<h2>{STANDFIRST}</h2>"), encoding="utf-8")
    article = read_article(source)
    assert article.title == "Budget : la Métropole vote"
    assert article.passages[0].text == STANDFIRST
    assert " ".join(p.text for p in article.passages) == \
        " ".join(b.text for b in extract_page(page(f"<h2>{STANDFIRST}</h2>")).blocks if not b.heading)
    assert ("Réagir", "comments") in article.dropped


def test_a_feeds_html_goes_through_the_same_rules():
    cleaned = extract_fragment(BODY + FURNITURE)
    text = " ".join(block.text for block in cleaned.blocks)
    assert "Le maire a dit que la réforme serait votée avant l'été" in text
    assert "Lire aussi" not in text and "Il vous reste" not in text and "La séance a été suspendue deux fois." in text
    assert ("Inscrivez-vous à notre newsletter pour recevoir l'essentiel chaque matin.", "newsletter") in cleaned.dropped


def test_what_one_source_repeats_is_learned_as_its_furniture(tmp_path):
    state = IngestState.load(tmp_path)
    promo = "Retrouvez toute l'actualité du Courrier sur notre application gratuite."
    for n in range(3):
        story = f"<p>Un article différent, le numéro {n}, avec ses propres phrases et ses faits du jour.</p>"
        state.remember_lines("https://courrier.example/feed", f"entry-{n}", {line_key(promo), line_key(story)})
    learned = state.learned_furniture("https://courrier.example/feed")
    assert learned == {line_key(promo)} and not state.learned_furniture("https://other.example/feed")
    cleaned = extract_fragment(f"<p>{STANDFIRST}</p><p>{promo}</p>", learned=learned, source="Le Courrier")
    assert [b.text for b in cleaned.blocks] == [STANDFIRST]
    assert (promo, "repeated by Le Courrier") in cleaned.dropped
    state.save()
    assert IngestState.load(tmp_path).learned_furniture("https://courrier.example/feed") == learned


def test_the_same_article_posted_twice_is_not_evidence_of_furniture(tmp_path):
    state = IngestState.load(tmp_path)
    lines = {line_key("Une phrase de l'article."), line_key("Une autre phrase de l'article.")}
    for n in range(4):
        state.remember_lines("feed", f"repost-{n}", lines)
    assert state.learned_furniture("feed") == frozenset()


def test_ingest_learns_a_sources_furniture_and_never_speaks_it_again(project):
    from dataclasses import replace

    from _helpers_newsroom import GREVE, MUSEE, SECHERESSE, TRAMWAY, configure, newsroom, wordpress_rss
    from pipeline.config import load_config
    from pipeline.sources.ingest import ingest

    promo = "Retrouvez toute l'actualité du Courrier du Rhône sur notre application, gratuite et sans publicité."
    stories = [replace(s, paragraphs=(*s.paragraphs, promo)) for s in (TRAMWAY, SECHERESSE, MUSEE, GREVE)]
    with newsroom() as site:
        site.put("/promo.xml", wordpress_rss(stories[:3], site.base), "application/rss+xml")
        configure(project, {"name": "Le Courrier", "url": site.url("/promo.xml")})
        first = ingest(load_config(project)).new
        assert len(first) == 3 and all(promo in p.read_text(encoding="utf-8") for p in first)  # not yet learned
        site.put("/promo.xml", wordpress_rss(stories, site.base), "application/rss+xml")
        [fourth] = ingest(load_config(project)).new
    text = fourth.read_text(encoding="utf-8")
    assert promo not in text and GREVE.paragraphs[0] in text
    assert "furniture" in json.loads((project / "episodes" / "ingested.json").read_text(encoding="utf-8"))


def test_an_advert_or_comments_heading_takes_its_box_with_it():
    comment = "Un lecteur écrit ici une très longue réaction " + "et il continue encore, " * 60 + "puis il signe."
    html = page(f"<h2>{STANDFIRST}</h2>", BODY + "<h2>Liens publicitaires</h2><p>Ces annonces sont générées "
                "automatiquement au regard du contenu de la page.</p>"
                f"<h2>Vos réactions</h2><p>@6. clem En Allemagne chaque contribuable choisit son culte.</p><p>{comment}</p>")
    text = spoken(extract_page(html))
    assert "La plus grosse part ira aux transports" in text
    for furniture in ("Liens publicitaires", "Ces annonces", "Vos réactions", "clem", "Un lecteur"):
        assert furniture not in text, furniture


def test_captions_marked_as_such_and_the_title_of_an_emptied_box_of_links_are_not_spoken():
    box = ("<div class='bloc'><h2>Foot</h2><div><ul><li><a href='/1'>Grèce - Belgique (1-1) : le nul</a></li>"
           "<li><a href='/2'>Angleterre - Belgique (4-0)</a></li></ul></div></div>")
    caption = "<div><img src='x.jpg'><p class='pic_description'>La France gagne sur des buts de Giroud. BELGA_AFP</p></div>"
    article = extract_page(page(f"<h2>{STANDFIRST}</h2>", caption + box + BODY))
    text = spoken(article)
    assert "Giroud" not in text and "Foot" not in text and "Angleterre" not in text
    assert article.blocks[0].text == STANDFIRST
    assert ("Foot", "heading of a box of links") in article.dropped


def test_a_list_of_links_with_one_announcement_is_still_a_list_of_links():
    links = "".join(f"<li><a href='/{n}'>Un autre article sur le budget, le numéro {n}</a></li>" for n in range(4))
    listing = f"<ul>{links}<li><span></span>Découvrez la nouvelle Libre chez votre libraire !</li></ul>"
    text = spoken(extract_page(page(f"<h2>{STANDFIRST}</h2>", listing + BODY)))
    assert "Un autre article sur le budget" not in text and "libraire" not in text


def test_words_before_the_first_paragraph_of_a_box_are_its_first_paragraph():
    lead = ("Le Premier ministre a annoncé mardi matin un accord sur le budget, qui comprend des mesures "
            "d'austérité et un gel des salaires pour deux ans.")
    body = f"<div class='text'>{lead} <b>Il</b> l'a dit sur Twitter.<p>{BODY}</p></div>"
    text = spoken(extract_page(page(f"<h2>{STANDFIRST}</h2>", body)))
    assert lead + " Il l'a dit sur Twitter." in text


def test_the_sentence_right_under_the_headline_and_a_labelled_standfirst_are_spoken_first():
    html = page("", BODY).replace("<h1>Budget : la Métropole vote</h1>",
                                  f"<h1>Budget : la Métropole vote</h1><h2>{STANDFIRST}</h2>")
    assert extract_page(html).blocks[0].text == STANDFIRST
    labelled = (f"<p class='intro'><span class='label'>MISE À JOUR</span> <b>{STANDFIRST}</b></p>"
                "<meta property='og:description' content='x'>")
    article = extract_page(page(labelled.replace("<span class='label'>", "<span class='tag'>")))
    assert article.blocks[0].text == STANDFIRST and "MISE À JOUR" not in spoken(article)


def test_a_page_that_says_iso_8859_1_is_read_as_browsers_read_it():
    from pipeline.sources.pages import decode_page

    body = b'<html><head><meta charset="iso-8859-1"></head><body><p>' + "l’indexation, 2 €".encode("cp1252") + b"</p>"
    assert "l’indexation, 2 €" in decode_page(body, None)
