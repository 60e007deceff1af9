"""Sentence splitting and prosody-aware chunking: tables, properties, and the sample article."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text.chunking import _break_cost, _hard_split, chunk_sentence, split_sentences
from pipeline.text.french import clean_typography, normalise_for_speech

SAMPLE = Path(__file__).resolve().parents[1] / "episodes" / "otan-cheque-ukraine.txt"
NBSP, NNBSP = "\u00a0", "\u202f"
LIMIT = 100  # the tables were written for gTTS's own 100-character cut


# --- sentences ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("paragraph", "sentences"),
    [
        ("Il pleut. Il vente.", ["Il pleut.", "Il vente."]),
        ("Vraiment ? Oui ! Bien sûr.", ["Vraiment ?", "Oui !", "Bien sûr."]),
        ("Le vent souffle de l'est. Il fait froid.", ["Le vent souffle de l'est.", "Il fait froid."]),
        ("Voici ce qu'a dit M. Dupont hier. Rien.", ["Voici ce qu'a dit M. Dupont hier.", "Rien."]),
        ("Mme. Durand et Mme Roux. Puis MM. Dupont.", ["Mme. Durand et Mme Roux.", "Puis MM. Dupont."]),
        ("Le Dr. Watson arrive. Il entre.", ["Le Dr. Watson arrive.", "Il entre."]),
        ("Des pommes, des poires, etc. et des prunes. Fin.",
         ["Des pommes, des poires, etc. et des prunes.", "Fin."]),
        ("Des pommes, des poires, etc. Puis la suite.", ["Des pommes, des poires, etc.", "Puis la suite."]),
        ("Donald J. Trump parle. J.-M. Le Pen aussi.", ["Donald J. Trump parle.", "J.-M. Le Pen aussi."]),
        ("Il a mesuré 4.7 mètres. Ensuite 3,5.", ["Il a mesuré 4.7 mètres.", "Ensuite 3,5."]),
        ("Voir p. 12 et art. 4. Fin.", ["Voir p. 12 et art. 4.", "Fin."]),
        ("« Je ne sais pas… » dit-il. Puis il part.", ["« Je ne sais pas… » dit-il.", "Puis il part."]),
        ("Il a dit : « Je ne sais pas… Peut-être demain. » Puis il part.",
         ["Il a dit : « Je ne sais pas… Peut-être demain. »", "Puis il part."]),
        ("Et puis… Rien. Fin.", ["Et puis…", "Rien.", "Fin."]),
        ("Elle a dit : « Venez à la table pour une paix juste. » La suite.",
         ["Elle a dit : « Venez à la table pour une paix juste. »", "La suite."]),
        (f"Elle a dit : «{NNBSP}Venez.{NNBSP}» La suite.",
         [f"Elle a dit : «{NNBSP}Venez.{NNBSP}»", "La suite."]),
        ("« Pourquoi ? » demande-t-il. Personne.", ["« Pourquoi ? » demande-t-il.", "Personne."]),
        ("Une “citation.” Ensuite.", ["Une “citation.”", "Ensuite."]),
        ("Il est parti (enfin.) Ensuite.", ["Il est parti (enfin.)", "Ensuite."]),
        ("En 2024. 150 000 personnes.", ["En 2024.", "150 000 personnes."]),
        ("L'État décide. À Paris, rien.", ["L'État décide.", "À Paris, rien."]),
        ("une phrase sans fin", ["une phrase sans fin"]),
        ("Fin.\n\nSuite ici.", ["Fin.", "Suite ici."]),
        ("", []),
        ("   ", []),
    ],
)
def test_split_sentences(paragraph: str, sentences: list[str]) -> None:
    assert split_sentences(paragraph) == sentences


@pytest.mark.parametrize(
    ("paragraph", "sentences"),
    [
        # After "J.-C." (a date, not initials) a word capitalised only at a sentence start opens one;
        # a name continues the sentence: the date was fronted without its comma.
        ("En 52 av. J.-C. César conquiert la Gaule. Puis il rentre.",
         ["En 52 av. J.-C. César conquiert la Gaule.", "Puis il rentre."]),
        ("Il est né en 4 av. J.-C. Il meurt en 30.", ["Il est né en 4 av. J.-C.", "Il meurt en 30."]),
        ("Il naît vers 6 av. J.-C. La ville est petite.", ["Il naît vers 6 av. J.-C.", "La ville est petite."]),
        ("Rome brûle en 64 apr. J.-C. Selon Tacite, Néron chante.",
         ["Rome brûle en 64 apr. J.-C.", "Selon Tacite, Néron chante."]),
        ("La ville est fondée en 753 av. J.-C. L'empire viendra.",
         ["La ville est fondée en 753 av. J.-C.", "L'empire viendra."]),
        ("Il meurt en 14 apr. J.-C. 30 ans plus tard, rien.", ["Il meurt en 14 apr. J.-C.", "30 ans plus tard, rien."]),
        ("En 52 av. J.-C. « Il faut vaincre », dit César.", ["En 52 av. J.-C.", "« Il faut vaincre », dit César."]),
        ("Vers 30 apr. J.-C. Jésus meurt à Jérusalem.", ["Vers 30 apr. J.-C. Jésus meurt à Jérusalem."]),
        # The cost of the choice: a sentence that starts with a name stays with the date before it.
        ("Auguste meurt en 14 apr. J.-C. Tibère lui succède.", ["Auguste meurt en 14 apr. J.-C. Tibère lui succède."]),
        ("J.-C. Decaux a parlé. Fin.", ["J.-C. Decaux a parlé.", "Fin."]),  # initials, as before
        # Abbreviations that are also nouns hold the sentence only before a number or a numeral.
        ("Il a raté son vol. Puis il est rentré.", ["Il a raté son vol.", "Puis il est rentré."]),
        ("Voir le vol. II de l'ouvrage. Fin.", ["Voir le vol. II de l'ouvrage.", "Fin."]),
        ("Il aime l'art. Elle aussi.", ["Il aime l'art.", "Elle aussi."]),
        ("Selon l'art. L. 121-1 du code. Fin.", ["Selon l'art. L. 121-1 du code.", "Fin."]),
        ("Voir l'art. 4. Fin.", ["Voir l'art. 4.", "Fin."]),
        ("Il a parlé à son ex. Elle a souri.", ["Il a parlé à son ex.", "Elle a souri."]),
        ("Des fruits, p. ex. Des pommes. Fin.", ["Des fruits, p. ex. Des pommes.", "Fin."]),
        ("Il a couru 10 min. Puis il a marché.", ["Il a couru 10 min.", "Puis il a marché."]),
        # Street types and c.-à-d. never end a sentence.
        ("Il habite au 12 bd. Voltaire. Fin.", ["Il habite au 12 bd. Voltaire.", "Fin."]),
        ("Rendez-vous pl. Bellecour. Fin.", ["Rendez-vous pl. Bellecour.", "Fin."]),
        ("Au 3 imp. Des Lilas. Fin.", ["Au 3 imp. Des Lilas.", "Fin."]),
        ("Un seul, c.-à-d. Paul. Fin.", ["Un seul, c.-à-d. Paul.", "Fin."]),
    ],
)
def test_split_sentences_after_abbreviations(paragraph: str, sentences: list[str]) -> None:
    assert split_sentences(paragraph) == sentences


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aéM. !?…«»\u202fAÉ", max_size=80))
def test_split_sentences_loses_nothing(paragraph: str) -> None:
    sentences = split_sentences(paragraph)
    assert "".join("".join(sentences).split()) == "".join(paragraph.split())
    assert all(s == s.strip() and s for s in sentences)


# --- chunks ------------------------------------------------------------------------------------------
def test_a_sentence_that_fits_is_one_chunk() -> None:
    text = "Ce dispositif a déjà levé près de quatre milliards d'euros."
    assert chunk_sentence(text, LIMIT) == [text]
    assert chunk_sentence("  Ce   dispositif\n a levé.  ", LIMIT) == ["Ce dispositif a levé."]
    assert chunk_sentence("x" * 100 + "", LIMIT) == ["x" * 100]
    assert chunk_sentence("", LIMIT) == [] and chunk_sentence("   ", LIMIT) == []


@pytest.mark.parametrize(
    ("sentence", "chunks"),
    [
        (  # the colon beats a comma
            "Le ministre, arrivé tôt ce matin, a fixé deux priorités pour la réunion : maintenir la "
            "pression sur la Russie et armer l'Ukraine.",
            ["Le ministre, arrivé tôt ce matin, a fixé deux priorités pour la réunion :",
             "maintenir la pression sur la Russie et armer l'Ukraine."],
        ),
        (  # a semicolon
            "Le gouvernement a présenté son budget pour l'année prochaine au Parlement ; les "
            "députés en débattront dès lundi matin.",
            ["Le gouvernement a présenté son budget pour l'année prochaine au Parlement ;",
             "les députés en débattront dès lundi matin."],
        ),
        (  # a comma
            "Plusieurs ministres européens ont accusé le Kremlin de jouer la montre, voire de "
            "saboter toute perspective de paix.",
            ["Plusieurs ministres européens ont accusé le Kremlin de jouer la montre,",
             "voire de saboter toute perspective de paix."],
        ),
        (  # before a relative pronoun when there is no punctuation
            "Les prochains jours diront si les discussions russo-américaines ont encore une chance "
            "de produire des résultats.",
            ["Les prochains jours diront",
             "si les discussions russo-américaines ont encore une chance de produire des résultats."],
        ),
        (  # before a conjunction
            "Poutine devrait cesser les fanfaronnades et les effusions de sang et venir à la table "
            "pour une paix juste et durable.",
            ["Poutine devrait cesser les fanfaronnades et les effusions de sang",
             "et venir à la table pour une paix juste et durable."],
        ),
    ],
)
def test_chunks_break_where_a_presenter_breathes(sentence: str, chunks: list[str]) -> None:
    assert chunk_sentence(sentence, LIMIT) == chunks


def test_never_strands_punctuation_or_a_short_fragment() -> None:
    sentence = (
        "La cheffe de la diplomatie britannique a été l'une des plus directes envers ses homologues "
        "russes hier ; oui."
    )
    chunks = chunk_sentence(sentence, LIMIT)
    assert all(not re.fullmatch(r"[;:!?».,]+", c) for c in chunks)
    assert all(len(c.split()) >= 3 for c in chunks), chunks


def test_never_breaks_right_after_an_article_or_a_preposition() -> None:
    sentence = "mot " * 18 + "avec le président de la République française et les autres invités"
    for chunk in chunk_sentence(sentence, LIMIT)[:-1]:
        assert chunk.split()[-1] not in {"le", "la", "de", "avec", "les"}, chunk


@pytest.mark.parametrize("limit", [40, 60, 100])
def test_respects_any_limit(limit: int) -> None:
    text = normalise_for_speech(SAMPLE.read_text(encoding="utf-8").splitlines()[4])
    chunks = chunk_sentence(text, limit)
    assert all(len(c) <= limit for c in chunks)
    assert " ".join(chunks) == " ".join(text.split())


def test_a_word_longer_than_the_limit_is_the_only_mid_word_cut() -> None:
    url = "https://balado.example/" + "x" * 120
    chunks = chunk_sentence(f"voir le lien {url} pour la suite", 100)
    assert all(len(c) <= 100 for c in chunks)
    assert "".join(chunks).replace(" ", "") == f"voirlelien{url}pourlasuite"


@pytest.mark.parametrize(
    ("word", "limit", "pieces"),
    [
        ("https://www.service-public.gouv.fr/particuliers/vosdroits/F1234-demande-de-passeport", 40,
         ["https://www.service-public.gouv.fr/", "particuliers/vosdroits/F1234-demande-de-",
          "passeport"]),
        ("https://balado.example/" + "x" * 120, 100,
         ["https://balado.example/", "x" * 100, "x" * 20]),  # a run with no joint: read in pieces
        ("anticonstitutionnellement-intergouvernementalisation-internationalisation", 30,
         ["anticonstitutionnellement-", "intergouvernementalisation-", "internationalisation"]),
        ("mot_clé_très_long_pour_le_test", 12, ["mot_clé_", "très_long_", "pour_le_test"]),
        ("prenom.nom@exemple-de-domaine.fr", 20, ["prenom.nom@exemple-", "de-domaine.fr"]),
        ("a?b=1&c=2&d=3&e=4", 8, ["a?b=1&c=", "2&d=3&e=", "4"]),
        ("a" * 25, 10, ["a" * 10, "a" * 10, "a" * 5]),
        ("court-mot", 40, ["court-mot"]),
    ],
)
def test_a_long_word_is_cut_at_its_own_punctuation(word: str, limit: int, pieces: list[str]) -> None:
    assert _hard_split(word, limit) == pieces


@pytest.mark.parametrize("limit", [30, 100, 200])
def test_a_long_url_in_a_sentence_is_cut_at_its_joints(limit: int) -> None:
    url = "https://www.example.fr/" + "/".join(["rubrique-longue"] * 20)
    sentence = f"voir le lien {url} pour la suite"
    chunks = chunk_sentence(sentence, limit)
    assert all(len(c) <= limit for c in chunks)
    assert "".join(chunks).replace(" ", "") == sentence.replace(" ", "")
    at = 0
    for chunk in chunks[:-1]:  # every cut falls between words or right after a joint of the URL
        at = sentence.index(chunk, at) + len(chunk)
        assert sentence[at] == " " or chunk[-1] in "/.:-", chunks


# --- properties --------------------------------------------------------------------------------------
WORDS = st.text(alphabet="abcdeéèàçôïœ'-", min_size=1, max_size=15)
PUNCTUATED = st.tuples(WORDS, st.sampled_from(["", "", "", ",", ";", " :", " ?", "."])).map("".join)
CONNECTORS = st.sampled_from(["et", "mais", "qui", "que", "dont", "où", "pour", "de", "la", "« ", "»"])
TOKEN = st.one_of(PUNCTUATED, PUNCTUATED, CONNECTORS)
SEPARATORS = st.sampled_from([" ", "  ", "\n", " \t "])


@st.composite
def sentences(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(TOKEN, min_size=1, max_size=70))
    return "".join(tok + draw(SEPARATORS) for tok in tokens)


@settings(max_examples=400, deadline=None)
@given(sentences(), st.sampled_from([100, 100, 60, 45]))
def test_chunks_fit_keep_every_word_and_never_split_one(text: str, limit: int) -> None:
    chunks = chunk_sentence(text, limit)
    assert all(0 < len(c) <= limit for c in chunks)
    # Nothing lost, nothing reordered, no word cut: the words of the chunks are the input's words.
    assert [w for c in chunks for w in c.split()] == text.split()
    assert " ".join(chunks) == " ".join(text.split())


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=3, max_size=60))
def test_no_fragment_of_one_or_two_words(words: list[str]) -> None:
    # With words of at most 15 characters a cut into chunks of 3+ words always exists.
    chunks = chunk_sentence(" ".join(words), 100)
    assert all(len(c.split()) >= 3 for c in chunks), chunks


# --- the sample article ------------------------------------------------------------------------------
def _sample_body() -> list[str]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    body = [line for line in lines[1:] if line.strip()]
    return [line for line in body if line.strip() != "L'accueil"]  # the scraper's crumb


def _spoken_chunks(paragraphs: list[str]) -> list[list[str]]:
    return [
        chunk_sentence(normalise_for_speech(sentence, lexicon={"PURL": "Peurl"}), LIMIT)
        for paragraph in paragraphs
        for sentence in split_sentences(clean_typography(paragraph))
    ]


def test_sample_body_needs_few_requests() -> None:
    paragraphs = _sample_body()
    assert len(paragraphs) == 6
    per_sentence = _spoken_chunks(paragraphs)
    chunks = [c for sentence in per_sentence for c in sentence]
    print(f"\nsample body: {len(per_sentence)} sentences, {len(chunks)} chunks")
    assert len(per_sentence) == 17
    assert len(chunks) <= 38
    assert all(len(c) <= 100 for c in chunks)
    assert not any(re.search(r"\d", c) for c in chunks)
    assert all(len(c.split()) >= 3 for c in chunks)


def test_sample_body_beats_gtts_own_split() -> None:
    from gtts import gTTS

    paragraphs = _sample_body()
    theirs = sum(len(gTTS(p, lang="fr")._tokenize(p)) for p in paragraphs)
    ours = sum(len(s) for s in _spoken_chunks(paragraphs))
    print(f"\nsample body: {ours} chunks here, {theirs} with gTTS's own tokenizer")
    assert ours < theirs


@pytest.mark.parametrize("sentence, never_split", [
    ("Selon le ministre de l'économie et des finances publiques, la croissance devrait atteindre un "
     "virgule deux pour cent, contre zéro virgule neuf pour cent cette année.", ["pour cent", "virgule deux"]),
    ("Les Pays-Bas ont annoncé lundi un engagement supplémentaire de deux cent cinquante millions "
     "d'euros pour la défense aérienne du pays.", ["deux cent cinquante millions d'euros"]),
    ("Le Canada a de son côté promis vingt et un millions d'euros, tandis que les Pays-Bas ont annoncé "
     "lundi un engagement.", ["vingt et un millions d'euros"]),
])
def test_a_number_and_its_unit_stay_in_one_breath(sentence, never_split):
    chunks = chunk_sentence(sentence, LIMIT)
    assert len(chunks) > 1
    for phrase in never_split:
        assert any(phrase in chunk for chunk in chunks), chunks


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="abé-/._:?=&", min_size=1, max_size=300), st.integers(min_value=1, max_value=220))
def test_hard_split_loses_nothing_and_cuts_mid_letters_only_when_it_must(word: str, limit: int) -> None:
    pieces = _hard_split(word, limit)
    assert "".join(pieces) == word
    assert all(0 < len(p) <= limit for p in pieces)
    for piece, following in zip(pieces, pieces[1:]):
        # A piece ends at a joint, or is full because its run of letters had none to cut at.
        joint = piece[-1] in "-/._:?=&"
        assert joint or len(piece) == limit or following[0] in "-/._:?=&", (piece, following)


# --- no breath inside a pronoun + relative, nor inside a hyphenated number ------------------------------
@pytest.mark.parametrize(
    ("before", "after", "may_breathe"),
    [
        ("ce", "qui", False),
        ("ce", "que", False),
        ("ce", "qu'il", False),
        ("ce", "dont", False),
        ("celui", "qui", False),
        ("celui", "dont", False),
        ("celle", "que", False),
        ("ceux", "que", False),
        ("ceux", "qui", False),
        ("celles", "où", False),
        ("tout", "ce", False),
        ("tous", "ceux", False),
        ("toutes", "celles", False),
        ("quarante-cinq", "millions", False),
        ("quatre-vingt-dix", "mille", False),
        ("vingt-et-un", "mille", False),
        ("soixante-douze", "euros", False),
        ("deux", "quatre-vingts", False),
        ("l'homme", "qui", True),  # a noun and its relative: a natural breath
        ("ce,", "qui", True),  # the writer's own comma
        ("trois,", "quatre-vingts", True),  # an enumeration
        ("celui-ci", "qui", True),
        ("porte-parole", "millions", True),  # hyphenated, but not a number
    ],
)
def test_break_between(before: str, after: str, may_breathe: bool) -> None:
    words = ["mot", "mot", before, after, "mot", "mot"]
    assert (_break_cost(words, 3) <= 16) is may_breathe


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("Les habitants du quartier ont longuement raconté aux enquêteurs ce qui s'était passé pendant "
         "cette longue nuit d'hiver.", "ce qui"),
        ("Le jury a finalement décerné le premier prix de la compétition internationale à celui qui "
         "avait le moins d'expérience.", "celui qui"),
        ("Les électeurs de la circonscription ont massivement soutenu dimanche ceux que les sondages "
         "donnaient perdants depuis des mois.", "ceux que"),
        ("Le ministre a promis de rendre publics dans les prochains jours tout ce dont disposent les "
         "services de renseignement.", "tout ce dont"),
        ("Les sauveteurs ont fouillé toute la journée les ruines du bâtiment effondré parmi celles où "
         "vivaient encore des familles entières.", "celles où"),
        ("Les enquêteurs ont interrogé pendant des heures tous ceux qui avaient assisté à la scène "
         "depuis leurs fenêtres ce soir-là.", "tous ceux qui"),
        ("Il faut savoir distinguer dans ce dossier complexe ce à quoi le gouvernement s'est réellement "
         "engagé devant les députés.", "ce à"),
        ("Les agriculteurs touchés par la sécheresse recevront une aide exceptionnelle de quarante-cinq "
         "millions d'euros dès cet automne.", "quarante-cinq millions d'euros"),
        ("La région a investi au total quatre-vingt-dix-sept millions d'euros dans la rénovation des "
         "lycées publics du département.", "quatre-vingt-dix-sept millions d'euros"),
        ("Le chantier de la nouvelle ligne de tramway a coûté à la métropole soixante-douze mille euros "
         "par mètre de voie posée.", "soixante-douze mille euros"),
        ("Le marathon de la ville a réuni cette année trente-deux mille coureurs venus de toute "
         "l'Europe malgré la pluie.", "trente-deux mille"),
        ("La commune compte désormais vingt-et-un mille habitants selon le dernier recensement publié "
         "par l'Insee ce mardi.", "vingt-et-un mille"),
    ],
)
@pytest.mark.parametrize("limit", [40, 50, 60, 80, 100, 200])
def test_held_together_at_any_limit(sentence: str, phrase: str, limit: int) -> None:
    chunks = chunk_sentence(sentence, limit)
    assert all(len(c) <= limit for c in chunks)
    assert any(phrase in chunk for chunk in chunks), chunks
