"""What pages and feeds wrap around an article, and is never spoken.

Each rule has a name; :func:`clean_blocks` returns what it kept and, for the editor, what it
dropped with the rule that dropped it. Two kinds of rules:

- fixed patterns (:data:`RULES`), judged on one whole paragraph after normalising spaces and
  apostrophes: "Lire aussi" in its every form, newsletter and subscription boxes, paywall
  teasers, photo captions and credits, "Publié le … Mis à jour le …", share and comment prompts,
  author lines, WordPress' « L'article … est apparu en premier sur … », a date alone « (26/02/2012) »,
  breadcrumbs « Accueil » Société » Trafic », the newsroom or agency on its own line « Rédaction en
  ligne (avec Belga) », a file to download; an advert or comments heading takes its box with it;
- what one source repeats (:func:`line_key`, learned by :mod:`pipeline.sources.ingest`): a short
  paragraph found in several recent articles of the same source is that source's furniture.

A paragraph that repeats an earlier one of the same article (a pull quote) is said once.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

SHARE = (r"(partager|partagez|share|envoyer|imprimer|copier le lien|lire dans l'app|mail|e-mail|facebook|twitter|x"
         r"|linkedin|whatsapp|messenger|flipboard|pinterest|telegram|threads|bluesky|send|reddit|discussion"
         r"|sauvegarder|enregistrer)")
MONTHS = r"(janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre)"
DAY = r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
DATE = rf"\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}(er)? {MONTHS} \d{{4}}"
AGENCIES = r"(afp|belga|reuters|ap|ats|dpa|ansa|efe|anp|apa|sda|xinhua|associated press|agence france-presse)"
CRUMB = r"[^>»›|:!?,;«\s]+(\s[^>»›|:!?,;«\s]+){0,3}"  # one step of a breadcrumb: a few words
# Short paragraphs only: a long one that happens to start like a rule is article text.
SHORT, CAPTION = 40, 60


def _rule(pattern: str, max_words: int = SHORT, flags: int = re.I) -> tuple[re.Pattern, int]:
    return re.compile(pattern, flags), max_words


RULES: dict[str, tuple[re.Pattern, int]] = {
    # « Lire aussi » is never article text, whatever follows; « Lire la suite » only when nothing does.
    "related link": _rule(r"[»>›→•▶►*\s]*((à|a) )?(lire|voir|relire|écouter|regarder|découvrir)"
                          r"( aussi| également)\b.*"
                          r"|((à|a) )?(lire|voir) (la suite|plus|l'article)( de l'article)?\s*(:.*|[»›→>.…]+)?"
                          r"|(lire|voir) l'article complet\b.*"
                          r"|((continue|keep) reading|read (more|also))\b.*"),
    "related heading": _rule(r"(sur le même (sujet|thème)|à découvrir (également|aussi)|nos articles?( sur le sujet)?"
                             r"|articles? (liés?|similaires)|les plus lus|à la une|dans la même rubrique"
                             r"|pour aller plus loin|vous aimerez aussi|recommandé pour vous|notre sélection"
                             r"|(notre|nos) (dossiers?|articles?|séries?) (sur|consacrés? à) .{1,80})\W*", 14),
    "newsletter": _rule(r".*\b(newsletters?|lettre d'information|inscrivez-vous|abonnez-vous|s'abonner|je m'abonne"
                        r"|déjà abonné|recevez (chaque|nos|gratuitement)|votre adresse e-?mail|subscribe|offres? premium"
                        r"|découvrez nos offres)\b.*"),
    "paywall": _rule(r".*\b(il vous reste [\d.,]+ ?% de (cet|l') ?article"
                     r"|(la suite|cet article|article) (est )?réservée?s? aux abonnés|pour lire la suite|contenu réservé|offre (d'abonnement|spéciale|numérique))\b.*", 60),
    "credit": _rule(r"((photos?|illustrations?|images?|vidéo|infographie|crédits?( photos?)?|légende)\s*:.*"
                    r"|.*(©|\btous droits réservés\b).*|.*[/|]\s*(afp|reuters|ap|abaca|maxppp|getty( images)?|sipa"
                    r"|hans lucas|ip3|shutterstock|leemage|epa|belga|keystone|dpa|ansa|istock|unsplash|adobe stock)"
                    r"( photos?)?\W*)", CAPTION),
    "dateline": _rule(r"(publié|mis en ligne|mis à jour|modifié|actualisé)(e|s|es)?\s*(le|il y a|à|:|,)?\s*"
                      r"(?=.*(\d|il y a)).*", 16),
    "share": _rule(rf"{SHARE}([\s,:|•·]+{SHARE})*\s*((sur|on|via) [\w .+-]{{1,20}}|cet article|this( article| post)?"
                   r"|par e-?mail)?", 15),
    "comments": _rule(r"(\d+\s+)?(réagir|commenter|commentaires?|voir les commentaires|ajouter un commentaire"
                      r"|laisser un commentaire|donnez votre avis|réagissez|voir les contributions|contributions"
                      r"|vos (réactions|commentaires)|voir toutes les réactions)"
                      r"(\s*\(\d+\))?( (sur|à) cet article)?", 10),
    # Case matters here: « Par ailleurs, … » is article text, « Par Denis Loctier » an author line.
    "author box": _rule(r"(?i:par|by|propos recueillis par|journaliste|rédaction|auteur|autrice|avec)\s*[:•·-]?\s*"
                        r"([A-ZÀ-Ý][\w'’.-]+\s*){1,4}((et|,|and|•)\s*([A-ZÀ-Ý][\w'’.-]+\s*){1,4})*"
                        r"(\s*[(,-].{0,40})?", 14, 0),
    "follow us": _rule(r"(suivez|follow)[- ](nous|us|[A-Z]\w+)( sur| on)? .{0,60}", 15),
    "reading time": _rule(r"(temps de )?lecture\s*:?\s*\d+\s*min(\.|utes?)?", 6),
    "advert": _rule(r"(publicités?|advertisement|advertising|sponsorisé|contenu sponsorisé|pub|annonces?"
                    r"|liens? (publicitaires?|sponsorisés?|commerciaux))\W*", 3),
    # « (26/02/2012) », « Samedi 2 mars 2013, 17h32 »: a date alone, in brackets or not, says when, not what.
    "date alone": _rule(rf"\(?\s*({DAY} )?(le )?({DATE})(\s*[,-]?\s*(à )?\d{{1,2}}\s*[h:]\s*\d{{2}})?\s*\)?", 9),
    # « La Libre.be > Actu > Belgique > Article », « Accueil » Société » Trafic »: where the page sits in the site.
    # (« … » quotes the page's words: a » is a step only when there are two of them and no «.)
    "breadcrumb": _rule(rf"{CRUMB}(\s*[>›]\s*{CRUMB})+|(?!.*«){CRUMB}(\s*»\s*{CRUMB}){{2,}}", 16),
    # The newsroom or the agency a dispatch comes from, on its own line: « Rédaction en ligne (avec Belga) », « AFP ».
    "agency byline": _rule(rf"\(?\s*((la )?rédaction( en ligne| web| numérique)?|(avec |source\s*:\s*)?{AGENCIES})"
                           rf"(\s*[(,/-]?\s*(avec|et|source\s*:)?\s*({AGENCIES})\s*\)?)*\s*\)?", 8),
    # « Téléchargez pdf (1,4 MB) »: a file to download, not something to hear.
    "download": _rule(r".*\b(téléchargez|télécharger|download)\b.*\b(pdf|document|fichier|brochure)\b.*", 15),
    "wordpress": _rule(r"(l'article .+ est apparu en premier sur .+|the post .+ appeared first on .+"
                       r"|cet article est paru (en premier|initialement) sur .+)", 60),
    "ellipsis": _rule(r"\[(…|\.\.\.|&hellip;)\]", 1),
}
# A heading of these kinds opens a box (newsletter offer, related articles): what is under it goes too.
BOX_RULES = {"newsletter", "paywall", "related heading", "advert", "comments"}
# Readers' comments run to the end of the page, however long each one is.
UNBOUNDED_BOXES = {"comments"}
TRAILING_ELLIPSIS = re.compile(r"\s*\[(…|\.\.\.|&hellip;)\]\s*$")


@dataclass(frozen=True)
class Block:
    """A paragraph of the article, or a subheading (which becomes a chapter)."""

    text: str
    heading: bool = False
    item: bool = False  # an item of a list (a box of links is a list under a line that announces it)


@dataclass(frozen=True)
class Cleaned:
    blocks: list[Block]
    dropped: list[tuple[str, str]]  # (text, rule), for the editor's review


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()


def judge(text: str) -> str | None:
    """The name of the fixed rule this paragraph is furniture by, or None for article text."""
    key = normalise(text).strip(" .:|>•·-–—»«")
    if not key or not any(ch.isalnum() for ch in key):
        return "no words"
    words = len(key.split())
    for name, (pattern, max_words) in RULES.items():
        if words <= max_words and pattern.fullmatch(key):
            return name
    return None


def is_furniture(text: str) -> bool:
    return judge(text) is not None


def line_key(text: str) -> str | None:
    """What identifies a short paragraph across one source's articles (long ones are never furniture)."""
    key = normalise(text).casefold()
    if not key or len(key.split()) > SHORT:
        return None
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def clean_blocks(blocks: list[Block], learned: frozenset[str] = frozenset(), source: str = "") -> Cleaned:
    """Drop furniture, paragraphs said already, a trailing "[…]", and headings left with nothing under
    them. ``learned``: :func:`line_key` of the paragraphs this ``source`` repeats."""
    kept, dropped = [], []
    bodies = [_said(b.text) for b in blocks if not b.heading]
    box, box_heading = None, False  # a furniture heading or line, and what is under it: its box
    for index, block in enumerate(blocks):
        text = TRAILING_ELLIPSIS.sub("", _spaces(block.text))
        rule = judge(text) if text else "no words"
        if rule is None and line_key(text) in learned:
            rule = f"repeated by {source or 'this source'}"
        if rule is None and not block.heading and _quoted_elsewhere(_said(text), bodies, index, blocks):
            rule = "said elsewhere in the article (pull quote)"
        if rule is None and box and not block.heading and (block.item or (box_heading and (
                len(text.split()) <= 100 or box in UNBOUNDED_BOXES))):
            rule = f"{box} (in its box)"
        if block.heading or (rule is None and box):
            box, box_heading = (rule, block.heading) if rule in BOX_RULES else (None, False)
        elif rule in BOX_RULES and text.endswith(":"):
            box, box_heading = rule, False  # « Notre dossier sur … : » and the list of links under it
        if rule:
            dropped.append((text, rule))
            continue
        kept.append(Block(text, block.heading, block.item))
    while kept and kept[-1].heading:
        dropped.append((kept.pop().text, "heading with no text under it"))
    final = []
    for i, block in enumerate(kept):
        if block.heading and i + 1 < len(kept) and kept[i + 1].heading:
            dropped.append((block.text, "heading with no text under it"))
        else:
            final.append(block)
    return Cleaned(final, dropped)


def _spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def _quoted_elsewhere(said: str, bodies: list[str], index: int, blocks: list[Block]) -> bool:
    """A pull quote repeats words of a paragraph; the paragraph is kept, the repeat is not."""
    position = sum(1 for b in blocks[:index] if not b.heading)
    if len(said.split()) < 12:
        return False  # a short line (« CURE D'AUSTÉRITÉ ») is an intertitle, not a pull quote
    return any(i != position and said in other and (len(other) > len(said) or i > position)
                              for i, other in enumerate(bodies))


def _said(text: str) -> str:
    return re.sub(r"[\W_]+", " ", normalise(text).casefold()).strip()


def text_blocks(text: str) -> list[Block]:
    """Paragraphs of plain text (a JSON Feed's ``content_text``)."""
    return clean_blocks([Block(" ".join(p.split())) for p in re.split(r"\n\s*\n", text or "") if p.strip()]).blocks


def word_count(blocks: list[Block]) -> int:
    return sum(len(block.text.split()) for block in blocks if not block.heading)
