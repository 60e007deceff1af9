"""A small French news site on loopback, real at the HTTP level, for the ingest tests.

« Le Courrier du Rhône » serves article pages with the furniture real sites carry (menu, cookie
banner, share bar, "Lire aussi", comments, footer, JSON-LD ``NewsArticle`` and Open Graph
metadata, a ``<title>`` with the site name appended), a WordPress-style RSS feed with
``content:encoded`` (share links, "Lire la suite" and "L'article … est apparu en premier sur …"
included), an Atom feed of summaries that link to the pages, and a JSON Feed.

The server is ``http.server.ThreadingHTTPServer`` on 127.0.0.1, port 0. It answers conditional
GETs (``ETag`` / ``Last-Modified`` → 304) and records every request, so tests can count them
and read the headers the client sent. :func:`stalled_server` accepts connections and never
answers. Nothing here reaches beyond loopback.
"""
from __future__ import annotations

import contextlib
import hashlib
import html
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

from _helpers_project import serving

SITE_NAME = "Le Courrier du Rhône"
LAST_MODIFIED = "Tue, 02 Dec 2025 08:00:00 GMT"

# Sentences that belong to the page or the feed, never to the article: none may be spoken.
FURNITURE = (
    "Nous utilisons des cookies", "Tout accepter", "Partager sur Facebook", "Partager sur X",
    "Copier le lien", "Lire aussi", "Le tramway de Villeurbanne", "Commentaires",
    "Très bon article", "Mentions légales", "Plan du site", "S'abonner", "Abonnez-vous",
    "Lire la suite", "est apparu en premier sur", "Votre adresse e-mail", "Météo",
    "Toute l'actualité", "Faits divers",
)


@dataclass(frozen=True)
class Story:
    """One article of the newsroom, as its page, its feed entries and its tests see it."""

    path: str  # the page's path on the site
    title: str
    author: str
    published: datetime
    lead: str
    paragraphs: tuple[str, ...]
    subheads: dict[int, str] = field(default_factory=dict, compare=False)  # paragraph index → heading before it
    categories: tuple[str, ...] = ()
    post_id: int = 0  # WordPress' ?p= id, the RSS guid
    free: bool = True  # JSON-LD isAccessibleForFree
    lang: str = "fr"

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in (self.lead, *self.paragraphs))


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


TRAMWAY = Story(
    path="/politique/2025/12/01/metropole-budget-transports/",
    title="La Métropole de Lyon vote un budget record pour les transports",
    author="Claire Dubreuil",
    published=_when("2025-12-01T09:30:00+01:00"),
    lead="Les élus métropolitains ont adopté lundi soir un budget de 2,4 milliards d'euros, "
         "dont près d'un tiers sera consacré aux transports en commun.",
    paragraphs=(
        "La séance a duré plus de six heures. Au terme d'un débat souvent vif, la majorité a fait "
        "adopter le budget par soixante-dix-huit voix contre cinquante-deux. L'opposition dénonce "
        "une hausse de la dette, que l'exécutif juge maîtrisée.",
        "La ligne de tramway vers l'est de l'agglomération recevra à elle seule 310 millions "
        "d'euros. Les travaux doivent commencer au printemps et durer trois ans, avec des "
        "déviations de bus annoncées dès le mois de mars.",
        "Les associations d'usagers saluent l'effort mais regrettent que les lignes de bus de "
        "nuit ne soient pas renforcées. Elles demandent une concertation avant l'été.",
        "Le vice-président chargé des mobilités promet un premier bilan à l'automne. Il assure "
        "que les tarifs des abonnements resteront inchangés l'an prochain.",
    ),
    subheads={1: "Un chantier de trois ans"},
    categories=("Politique", "Transports"),
    post_id=101,
)

SECHERESSE = Story(
    path="/economie/2025/12/01/secheresse-agriculteurs-drome/",
    title="Sécheresse : les agriculteurs de la Drôme réclament des aides d'urgence",
    author="Julien Marchetti",
    published=_when("2025-12-01T14:10:00+01:00"),
    lead="Après un automne sans pluie, les producteurs de fruits de la vallée du Rhône "
         "estiment leurs pertes à près de quarante pour cent.",
    paragraphs=(
        "Devant la préfecture de Valence, une centaine d'agriculteurs se sont rassemblés mardi "
        "matin. Ils demandent un fonds d'urgence et l'assouplissement des restrictions d'eau "
        "pour les vergers les plus exposés.",
        "La chambre d'agriculture rappelle que les nappes phréatiques sont à leur plus bas "
        "niveau depuis vingt ans. Les abricotiers, plantés sur les coteaux, souffrent le plus.",
        "Le préfet a reçu une délégation en fin de matinée. Il s'est engagé à transmettre leurs "
        "demandes au ministère et à réunir un comité de suivi dans les quinze jours.",
        "En attendant, plusieurs coopératives ont décidé de mettre leurs réserves en commun pour "
        "arroser les jeunes arbres, qui ne survivraient pas à un deuxième hiver aussi sec.",
    ),
    categories=("Économie", "Environnement"),
    post_id=102,
)

MUSEE = Story(
    path="/culture/2025/12/02/musee-confluences-galerie/",
    title="Le musée des Confluences rouvre sa galerie des sciences",
    author="Nadia Benali",
    published=_when("2025-12-02T07:45:00+01:00"),
    lead="Fermée depuis un an pour travaux, la galerie consacrée aux sciences de la Terre "
         "accueille de nouveau le public à partir de samedi.",
    paragraphs=(
        "Le parcours a été entièrement repensé. Les visiteurs découvrent désormais les "
        "météorites et les minéraux dans une scénographie plus sombre, pensée pour les enfants.",
        "La directrice du musée espère attirer de nouveaux publics, notamment les scolaires. "
        "Des ateliers gratuits seront proposés chaque mercredi après-midi jusqu'en juin.",
        "Les travaux ont coûté quatre millions d'euros, financés en partie par la région et "
        "par un appel aux dons qui a réuni plus de deux mille contributeurs.",
        "L'entrée de la galerie sera gratuite le premier dimanche de chaque mois. Le musée "
        "recommande de réserver en ligne, les créneaux du week-end étant déjà presque complets.",
    ),
    categories=("Culture",),
    post_id=103,
)

GREVE = Story(
    path="/societe/2025/12/02/greve-trains-region/",
    title="Grève des contrôleurs : le trafic régional perturbé jusqu'à jeudi",
    author="Paul Ferrand",
    published=_when("2025-12-02T11:20:00+01:00"),
    lead="Un train régional sur deux circulera mercredi et jeudi sur les lignes de la région, "
         "selon les prévisions publiées mardi par la direction.",
    paragraphs=(
        "Les syndicats réclament des embauches et une prime pour les contrôleurs qui travaillent "
        "seuls à bord. La direction propose d'ouvrir des discussions la semaine prochaine.",
        "Les voyageurs sont invités à reporter leurs déplacements ou à consulter les horaires "
        "la veille au soir. Les cars de substitution ne pourront pas remplacer tous les trains.",
        "Dans les gares de la région, les guichets resteront ouverts plus tard pour échanger les "
        "billets sans frais. Les abonnés pourront demander un dédommagement en ligne dès lundi.",
        "La région, qui finance les trains régionaux, demande un service minimum renforcé aux "
        "heures de pointe et réclame le remboursement des abonnés.",
    ),
    categories=("Société", "Transports"),
    post_id=104,
)

ENQUETE = Story(  # paywalled: the page shows the lead only, and says so in its JSON-LD
    path="/enquetes/2025/12/02/coulisses-rachat-club/",
    title="Enquête : les coulisses du rachat du club de football",
    author="Sophie Lambert",
    published=_when("2025-12-02T06:00:00+01:00"),
    lead="Pendant six mois, nous avons reconstitué les négociations qui ont conduit à la vente "
         "du club à un fonds d'investissement américain.",
    paragraphs=(),
    categories=("Sport", "Enquêtes"),
    post_id=105,
    free=False,
)

SUMMIT = Story(  # in English: the voice only speaks French
    path="/english/2025/12/02/tech-summit/",
    title="Lyon hosts an international technology summit",
    author="Mark Jennings",
    published=_when("2025-12-02T10:00:00+01:00"),
    lead="More than three thousand engineers and founders are expected this week at the "
         "convention centre, where the city hopes to attract new investors.",
    paragraphs=(
        "The organisers say that the event has grown every year since it was first held. "
        "They have added a second hall for the start-up exhibition and a stage for the talks.",
        "Hotels in the city centre are almost fully booked, and the public transport network "
        "will run extra trams in the evening for the whole week of the summit.",
        "Several of the speakers are expected to announce new offices in the region, which the "
        "mayor described as a sign that the local economy has recovered from the crisis.",
        "Tickets for the public day on Saturday are still available, and the organisers have "
        "promised that every talk will be filmed and put online the following week.",
    ),
    categories=("International",),
    post_id=106,
    lang="en",
)

BREVE = Story(  # a two-line brief: not an article worth an episode
    path="/faits-divers/2025/12/02/accident-a7/",
    title="Un accident ralentit la circulation sur l'A7",
    author="La rédaction",
    published=_when("2025-12-02T12:00:00+01:00"),
    lead="Un poids lourd s'est renversé ce midi au sud de Vienne. Aucun blessé n'est à déplorer.",
    paragraphs=(),
    categories=("Faits divers",),
    post_id=107,
)

STORIES = (TRAMWAY, SECHERESSE, MUSEE, GREVE, ENQUETE, SUMMIT, BREVE)


# --- the article page -------------------------------------------------------------------------
def article_page(story: Story, base: str) -> str:
    url = base + story.path
    body = [f"<p class=\"chapo\">{html.escape(story.lead)}</p>"]
    for index, paragraph in enumerate(story.paragraphs):
        if index in story.subheads:
            body.append(f"<h2>{html.escape(story.subheads[index])}</h2>")
        body.append(f"<p>{html.escape(paragraph)}</p>")
        if index == 0:
            body.append(LIRE_AUSSI.format(base=base))
    if not story.free:
        body.append('<div class="paywall"><p>Cet article est réservé aux abonnés. Il vous reste 92 % '
                    'de l\'article à lire.</p><p><a href="/abonnement">S\'abonner pour 1 € le premier '
                    'mois</a></p></div>')
    return PAGE.format(
        lang=story.lang, title=html.escape(story.title), site=html.escape(SITE_NAME), url=url, base=base,
        description=html.escape(story.lead), published=story.published.isoformat(),
        author=html.escape(story.author), json_ld=_json_ld(story, url), body="\n".join(body),
    )


def _json_ld(story: Story, url: str) -> str:
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title,
        "datePublished": story.published.isoformat(), "dateModified": story.published.isoformat(),
        "author": [{"@type": "Person", "name": story.author}], "mainEntityOfPage": url,
        "publisher": {"@type": "NewsMediaOrganization", "name": SITE_NAME},
        "isAccessibleForFree": story.free, "inLanguage": story.lang,
    }
    if not story.free:
        data["hasPart"] = {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".paywall"}
    return json.dumps(data, ensure_ascii=False)


LIRE_AUSSI = """<aside class="related"><p><strong>Lire aussi</strong> :
<a href="{base}/politique/2025/11/20/tramway-villeurbanne/">Le tramway de Villeurbanne prolongé
jusqu'à la Doua, les riverains inquiets</a></p></aside>"""

PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title} - {site}</title>
<meta name="description" content="{description}">
<meta name="author" content="{author}">
<link rel="canonical" href="{url}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="{site}">
<meta property="og:title" content="{title}">
<meta property="og:url" content="{url}">
<meta property="og:description" content="{description}">
<meta property="article:published_time" content="{published}">
<script type="application/ld+json">{json_ld}</script>
</head>
<body>
<div id="cookie-banner" class="cookie-consent"><p>Nous utilisons des cookies pour mesurer
l'audience et vous proposer des contenus adaptés. Vous pouvez changer d'avis à tout moment.</p>
<button>Tout accepter</button><button>Paramétrer</button></div>
<header class="site-header"><a href="{base}/" class="logo">{site}</a>
<nav class="main-menu"><ul><li><a href="{base}/politique/">Politique</a></li>
<li><a href="{base}/economie/">Économie</a></li><li><a href="{base}/culture/">Culture</a></li>
<li><a href="{base}/faits-divers/">Faits divers</a></li><li><a href="{base}/meteo/">Météo</a></li>
<li><a href="{base}/abonnement/">S'abonner</a></li></ul></nav></header>
<main>
<article class="post">
<p class="breadcrumb"><a href="{base}/">Accueil</a> › <a href="{base}/politique/">Toute l'actualité</a></p>
<h1 class="entry-title">{title}</h1>
<p class="byline">Par <span class="author">{author}</span>,
<time datetime="{published}">publié le {published}</time></p>
<div class="share-bar"><a href="https://www.facebook.com/sharer.php?u={url}">Partager sur Facebook</a>
<a href="https://x.com/intent/tweet?url={url}">Partager sur X</a>
<button class="copy-link">Copier le lien</button></div>
<div class="entry-content">
{body}
</div>
</article>
<section id="comments" class="comments-area"><h2>Commentaires</h2>
<div class="comment"><p class="comment-author">Gérard69</p><p>Très bon article, enfin des
nouvelles concrètes pour notre quartier, merci à la rédaction.</p></div>
<form class="comment-form"><p>Votre adresse e-mail ne sera pas publiée.</p>
<textarea name="comment"></textarea><button>Publier</button></form></section>
</main>
<footer class="site-footer"><p>© 2025 {site}. Tous droits réservés.</p>
<ul><li><a href="{base}/mentions-legales/">Mentions légales</a></li>
<li><a href="{base}/plan-du-site/">Plan du site</a></li></ul>
<p>Abonnez-vous à notre lettre d'information pour recevoir l'essentiel chaque matin.</p></footer>
</body>
</html>
"""


# --- the feeds --------------------------------------------------------------------------------
def wordpress_rss(stories, base: str, *, full: bool = True) -> str:
    """WordPress' RSS 2.0: guid ``?p=ID``, categories, and the whole article in ``content:encoded``
    with the share links and notices WordPress and its plugins add."""
    items = "\n".join(_rss_item(story, base, full) for story in stories)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{html.escape(SITE_NAME)}</title>
<atom:link href="{base}/feed/" rel="self" type="application/rss+xml" />
<link>{base}/</link>
<description>L'actualité de Lyon et de la région</description>
<language>fr-FR</language>
<lastBuildDate>Tue, 02 Dec 2025 11:20:00 +0000</lastBuildDate>
<generator>https://wordpress.org/?v=6.7.1</generator>
{items}
</channel>
</rss>
"""


def _rss_item(story: Story, base: str, full: bool) -> str:
    url = base + story.path
    categories = "".join(f"<category><![CDATA[{c}]]></category>" for c in story.categories)
    content = ""
    if full:
        content = f"<content:encoded><![CDATA[{wordpress_content(story, base)}]]></content:encoded>"
    return f"""<item>
<title>{html.escape(story.title)}</title>
<link>{url}</link>
<dc:creator><![CDATA[{story.author}]]></dc:creator>
<pubDate>{format_datetime(story.published)}</pubDate>
{categories}
<guid isPermaLink="false">{base}/?p={story.post_id}</guid>
<description><![CDATA[{html.escape(story.lead)} [&#8230;]]]></description>
{content}
</item>"""


def wordpress_content(story: Story, base: str) -> str:
    url = base + story.path
    parts = [f"<p><strong>{html.escape(story.lead)}</strong></p>"]
    for index, paragraph in enumerate(story.paragraphs):
        if index in story.subheads:
            parts.append(f"<h2>{html.escape(story.subheads[index])}</h2>")
        parts.append(f"<p>{html.escape(paragraph)}</p>")
    parts.append('<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Partager :</h3><ul>'
                 f'<li><a href="{url}?share=facebook">Partager sur Facebook</a></li>'
                 f'<li><a href="{url}?share=x">Partager sur X</a></li></ul></div>')
    parts.append(f'<p><a href="{url}#more-{story.post_id}" class="more-link">Lire la suite</a></p>')
    parts.append(f'<p>L&#8217;article <a href="{url}">{html.escape(story.title)}</a> est apparu en '
                 f'premier sur <a href="{base}">{html.escape(SITE_NAME)}</a>.</p>')
    return "\n".join(parts)


def atom_feed(stories, base: str) -> str:
    """Atom with summaries only: the article is on the page the entry links to."""
    entries = "\n".join(f"""<entry>
<title>{html.escape(s.title)}</title>
<link rel="alternate" type="text/html" href="{base}{s.path}"/>
<id>tag:courrier-du-rhone.example,2025:{s.post_id}</id>
<published>{s.published.isoformat()}</published>
<updated>{s.published.isoformat()}</updated>
<author><name>{html.escape(s.author)}</name></author>
{"".join(f'<category term="{html.escape(c)}"/>' for c in s.categories)}
<summary type="html">{html.escape(html.escape(s.lead))}</summary>
</entry>""" for s in stories)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
<title>{html.escape(SITE_NAME)}</title>
<link rel="self" href="{base}/atom.xml"/>
<link rel="alternate" href="{base}/"/>
<id>tag:courrier-du-rhone.example,2025:feed</id>
<updated>2025-12-02T11:20:00+01:00</updated>
{entries}
</feed>
"""


def json_feed(stories, base: str) -> str:
    items = [{
        "id": f"{base}/?p={s.post_id}", "url": base + s.path, "title": s.title,
        "content_html": wordpress_content(s, base), "summary": s.lead,
        "date_published": s.published.isoformat(), "authors": [{"name": s.author}], "tags": list(s.categories),
    } for s in stories]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": SITE_NAME, "language": "fr",
                       "home_page_url": base + "/", "feed_url": base + "/feed.json", "items": items},
                      ensure_ascii=False, indent=1)


def many_stories(count: int) -> list[Story]:
    """``count`` distinct articles (the four real ones, renumbered), for feeds of realistic length."""
    models = (TRAMWAY, SECHERESSE, MUSEE, GREVE)
    stories = []
    for n in range(count):
        model = models[n % len(models)]
        stories.append(replace(model, path=f"/archives/{n:03d}{model.path}", post_id=1000 + n,
                               title=f"{model.title} ({n + 1})",
                               published=model.published.replace(minute=n % 60)))
    return stories


# --- the server -------------------------------------------------------------------------------
@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    validators: bool = True  # answer with ETag / Last-Modified, and 304 to a matching request
    last_modified: str = LAST_MODIFIED

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    def not_modified(self, headers) -> bool:
        """RFC 9110: If-None-Match decides when present; If-Modified-Since only without it."""
        if not self.validators:
            return False
        if headers.get("If-None-Match") is not None:
            return headers["If-None-Match"] == self.etag
        return headers.get("If-Modified-Since") == self.last_modified


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]


class Newsroom:
    """The site's routes (mutable while it runs) and every request it received."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.sent: dict[str, int] = {}  # path → bytes written, for the endless body
        self.base = ""
        self.changes = 0

    def url(self, path: str) -> str:
        return self.base + path

    def put(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8", **options) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.changes += 1  # a changed route is modified later than the last one
        stamp = datetime(2025, 12, 2, 8, 0, tzinfo=timezone.utc).timestamp() + 60 * self.changes
        self.routes[path] = Route(data, content_type, **options,
                                  last_modified=format_datetime(datetime.fromtimestamp(stamp, timezone.utc),
                                                                usegmt=True))

    def redirect(self, path: str, to: str, status: int = 301) -> None:
        self.routes[path] = Route(b"", status=status, headers={"Location": to}, validators=False)

    def requests_to(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]

    def publish(self, stories=STORIES) -> None:
        """Every page, and the three feeds of ``stories``."""
        for story in STORIES:
            self.put(story.path, article_page(story, self.base))
        self.put("/feed/", wordpress_rss(stories, self.base), "application/rss+xml; charset=UTF-8")
        self.put("/atom.xml", atom_feed(stories, self.base), "application/atom+xml")
        self.put("/feed.json", json_feed(stories, self.base), "application/feed+json")


class _Handler(BaseHTTPRequestHandler):
    server_version = "nginx"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        site: Newsroom = self.server.site  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        site.hits.append(Hit("GET", self.path, dict(self.headers.items())))
        if path == "/endless":
            return self._endless(site, length=self.path.endswith("?length"))
        if path == "/trickle":
            return self._trickle()
        if path == "/trickle-headers":
            return self._trickle_headers()
        route = site.routes.get(path)
        if route is None:
            return self._answer(404, b"<html><body><h1>Page introuvable</h1></body></html>", "text/html")
        if route.not_modified(self.headers):
            return self._answer(304, b"", None, {"ETag": route.etag})
        extra = {"ETag": route.etag, "Last-Modified": route.last_modified} if route.validators else {}
        self._answer(route.status, route.body, route.content_type, {**extra, **route.headers})

    def _answer(self, status: int, body: bytes, content_type: str | None, headers: dict | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self) -> None:
        """A page that arrives a few bytes every 0.1 s: never silent long enough for a read time-out."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()
        try:
            for _ in range(300):  # 30 s at most
                self.wfile.write(b"<p>Encore.</p>\n")
                self.wfile.flush()
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _trickle_headers(self) -> None:
        """Headers that never end, one every 0.1 s: a read time-out never fires."""
        self.close_connection = True
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
            for number in range(300):  # 30 s at most
                self.wfile.write(f"X-Encore-{number}: oui\r\n".encode())
                self.wfile.flush()
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _endless(self, site: Newsroom, length: bool) -> None:
        """A 'page' of 200 MB, announced or not: a client with a cap must hang up long before."""
        total, sent = 200 * 1024 * 1024, 0
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if length:
            self.send_header("Content-Length", str(total))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        block = b"<p>" + "Encore une ligne de texte sans fin. ".encode() * 1800 + b"</p>\n"
        try:
            while sent < total:
                self.wfile.write(block)
                sent += len(block)
                site.sent[self.path] = sent
        except (BrokenPipeError, ConnectionResetError):
            pass


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up on purpose (a page refused as too large) is not an error: the
    traceback socketserver prints would land in the stderr a test is reading."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def newsroom() -> Iterator[Newsroom]:
    """The site, started on a free loopback port and published; stopped on exit."""
    site = Newsroom()
    server = _QuietServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.site = site  # type: ignore[attr-defined]
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    site.publish()
    with serving(server):
        yield site


@contextlib.contextmanager
def stalled_server(hold_seconds: float = 8.0) -> Iterator[str]:
    """A server that accepts every connection and never answers; yields its base URL.

    After ``hold_seconds`` it hangs up, so that a client with no time-out fails its test (with the
    wrong error, too late) instead of hanging the whole suite.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)
    held: list[tuple[float, socket.socket]] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append((time.monotonic(), listener.accept()[0]))
            except OSError:
                pass
            for entry in [e for e in held if time.monotonic() - e[0] > hold_seconds]:
                entry[1].close()
                held.remove(entry)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for _, connection in held:
            connection.close()
        listener.close()


# --- a project reading the newsroom -----------------------------------------------------------
QUICK_FETCH = {"connect_timeout_seconds": 1, "read_timeout_seconds": 1, "total_timeout_seconds": 5,
               "retries": 1, "retry_backoff_seconds": 0.05}


def _toml(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).lower() if isinstance(value, bool) else str(value)


def configure(project, *sources: dict, fetch: dict | None = None, min_words: int | None = None) -> None:
    """Append ``[fetch]`` (quick time-outs by default) and one ``[[sources]]`` table per dict to the
    project's podcast.toml."""
    lines = ["", "[fetch]", *(f"{k} = {_toml(v)}" for k, v in {**QUICK_FETCH, **(fetch or {})}.items())]
    for source in sources:
        lines += ["", "[[sources]]", *(f"{k} = {_toml(v)}" for k, v in source.items())]
        if min_words is not None and "min_words" not in source:
            lines.append(f"min_words = {min_words}")
    path = project / "podcast.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8")
