"""French sentence splitting and prosody-aware chunking for the TTS engine. Pure: no I/O.

An engine takes a limited number of characters per request and speaks each request as one
utterance, with a falling end; gTTS, left alone, cuts at every comma (choppy intonation). Here each sentence is cut only when it does not fit, at the break a presenter would
breathe at: ``; :`` first, then a comma, then before a conjunction or relative pronoun, then before
a preposition, and only as a last resort at any space. No chunk is a fragment of one or two words.
"""
from __future__ import annotations

import re

UPPER = "A-ZÀ-ÖØ-Þ"

# --- sentences ------------------------------------------------------------------------------------
# Words whose full stop does not end a sentence when a capital follows ("dit M. Dupont").
ABBREVIATIONS = frozenset(
    "M MM Mme Mmes Mlle Mlles Dr Pr Me Mgr St Ste av apr cf p pp env chap fig éd coll "
    "hab no n° vs Jr Sr Inc Ltd Co Gal Cdt Col Lt Sgt Cne Adj bd av réf tél c.-à-d dir trad suiv "
    "bld boul pl imp chem fg fbg rte sq crs r Bd Av Pl Imp Fg Bld".split()
)
# Abbreviations that are also nouns ("il a raté son vol.", "l'art.", "en 10 min."): they hold the
# sentence only before what they abbreviate for: a number, a Roman numeral, a code ("art. L. 121").
NOUN_ABBREVIATIONS = frozenset("vol art ex min max".split())
_NUMBERED = re.compile(r"^(?:\d|[IVXLC]+\b|[A-Z]\.?\s?\d|[A-Z]\.(?:\s|$))")
# "J.-C." ends a date, not a person's initials; whether the sentence ends there depends on what
# follows (see opens_sentence).
_ERA = "J.-C"
_END = re.compile(
    r"(?P<end>[.!?…]+)"  # the sentence's final punctuation
    r"(?P<close>(?:\s*[»”\"’)\]])*)"  # closing quotes and brackets stay with their sentence
    r"(?P<gap>\s+)"
    rf"(?=[«“\"(\[–—-]?\s*[{UPPER}0-9])"  # the next sentence starts with a capital or a digit
)
_INITIAL = re.compile(rf"^(?:[{UPPER}]\.-?)*[{UPPER}]$")  # "J", "J.-M" (initials)


def _is_boundary(text: str, m: re.Match[str]) -> bool:
    end = m["end"]
    if end == ".":
        word = re.split(r"[\s(«“\"'’]", text[: m.start()])[-1]
        following = text[m.end():].lstrip("«“\"([–—- ")
        if word == _ERA:
            return opens_sentence(following.split(maxsplit=1)[0])
        if word in NOUN_ABBREVIATIONS:
            return not (_NUMBERED.match(following) or text[: m.start()].endswith("p. ex"))
        if word in ABBREVIATIONS or _INITIAL.match(word):
            return False
    if "…" in end and not m["close"].strip():
        # An ellipsis inside an open « quote » is a hesitation, not the end of the sentence.
        before = text[: m.start()]
        if before.count("«") > before.count("»"):
            return False
    return True


def split_sentences(text: str) -> list[str]:
    """Split a French paragraph into sentences (stripped, in order, nothing lost)."""
    sentences, start = [], 0
    for m in _END.finditer(text):
        if _is_boundary(text, m):
            sentences.append(text[start : m.start("gap")].strip())
            start = m.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


# --- chunks -----------------------------------------------------------------------------------------
# Breathing before these words sounds natural (a clause or a complement starts there).
CONJUNCTIONS = frozenset(
    "et mais ou donc or ni car qui que qu' dont où lorsque lorsqu' puisque puisqu' quand comme "
    "tandis alors parce afin bien quoique quoiqu' si tant sinon soit ainsi".split()
)
PREPOSITIONS = frozenset(
    "pour dans avec sans sur sous entre contre depuis pendant avant après malgré selon vers chez "
    "face durant envers parmi jusqu' jusqu'à jusque auprès lors hors notamment dès".split()
)
# Short prepositions: a possible breath before a complement ("un engagement | de deux cents...").
WEAK_PREPOSITIONS = frozenset("de d' à au aux en par".split())
# Never breathe right after these (an article or a preposition waits for its noun).
FUNCTION_WORDS = frozenset(
    "le la les l' un une des du de d' à au aux en et ou ne n' se s' ce c' sa son ses leur leurs "
    "mon ma mes ton ta tes notre nos votre vos cette cet ces qui que qu' dont où par pour dans "
    "avec sans sur sous entre plus très moins si y il elle ils elles on nous vous je j' tu "
    "me m' te t' lui".split()
)
# A spoken number and its unit are said in one breath: "deux cent cinquante | millions" or
# "douze | pour cent" would sound like two numbers.
NUMBER_WORDS = frozenset(
    "zéro un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
    "seize vingt vingts trente quarante cinquante soixante cent cents mille million millions "
    "milliard milliards virgule moins".split()
)
NUMBER_FOLLOWERS = frozenset(
    "euro euros d'euros dollars dollar livres francs degré degrés heure heures minute minutes "
    "seconde secondes kilomètres kilomètre mètres mètre kilos tonnes ans pour".split()
)
# A demonstrative pronoun is the antecedent of the relative that follows: "ce | qui", "celui |
# dont" would leave a pronoun hanging. "tout ce qui", "tous ceux que" hold together too.
DEMONSTRATIVES = frozenset("ce celui celle ceux celles".split())
RELATIVES = frozenset("qui que qu' dont où quoi lequel laquelle lesquels lesquelles".split())
# Words capitalised only because they open a sentence (a name is capitalised anywhere).
SENTENCE_OPENERS = FUNCTION_WORDS | CONJUNCTIONS | PREPOSITIONS | WEAK_PREPOSITIONS | frozenset(
    "puis ensuite enfin alors aujourd'hui hier demain cependant pourtant toutefois néanmoins "
    "désormais là ici c' cet cela ceci ça aucun aucune chaque tout tous toute toutes plusieurs "
    "certains certaines quelques autre autres".split()
)
CHUNK_COST = 6  # each extra request costs more than a weak break (keeps the request count low)
SHORT_CHUNK = 30  # a breath shorter than this (in characters) sounds rushed
_CLOSING = re.compile(r"^[;:!?»”),.…]+$")  # tokens that belong to the word before them
_HAS_WORD = re.compile(r"\w")


def opens_sentence(word: str) -> bool:
    """Whether a capitalised word after "av. J.-C." opens a new sentence: a pronoun, an article, a
    conjunction, a number ("né en 4 av. J.-C. Il meurt…"). A name continues the sentence, the date
    being fronted without its comma ("En 52 av. J.-C. César conquiert la Gaule.")."""
    return word[:1].isdigit() or _lead(word) in SENTENCE_OPENERS


def _lead(word: str) -> str:
    """The word as a table key: lower case, without leading punctuation, elision kept ("qu'")."""
    word = word.lower().lstrip("«“\"(–-")
    elided = re.match(r"^(\w+')", word)
    return elided.group(1) if elided else word.rstrip(",;:.!?»”)")


def _break_cost(words: list[str], i: int) -> int:
    """Cost of breathing between words[i-1] and words[i] (lower is a more natural pause)."""
    before, after = words[i - 1], words[i]
    if _CLOSING.match(after) or before in ("«", "“", "(", "–", "-"):
        return 100  # never strand punctuation, never open a quote and stop
    if before[-1] in ";:!?…":
        return 0
    if _inside_number(words, i):
        return 60
    if before[-1] in ",)»”–":
        return 1
    if _lead(before) in ("tout", "tous", "toutes") and _lead(after) in DEMONSTRATIVES:
        return 100  # "tout | ce qui"
    if _lead(before) in DEMONSTRATIVES:
        return 100 if _lead(after) in RELATIVES else 30  # "ce | qui"; "ce | matin" waits too
    if _lead(after) in CONJUNCTIONS:
        return 3
    if _lead(before) in FUNCTION_WORDS or before.endswith("'"):
        return 30
    if _lead(after) in PREPOSITIONS:
        return 5
    if _lead(after) in WEAK_PREPOSITIONS:
        return 8
    return 16


def _number_word(word: str) -> bool:
    """"quarante", and "quarante-cinq", "quatre-vingt-dix", "vingt-et-un" (every part a number)."""
    return word in NUMBER_WORDS or ("-" in word and all(
        part in NUMBER_WORDS or part == "et" for part in word.split("-")))


def _inside_number(words: list[str], i: int) -> bool:
    before, after = _lead(words[i - 1]), _lead(words[i])
    if before[-1:] in (",", ";") or words[i - 1][-1] in ",;":
        return False  # "trois, quatre": an enumeration may breathe
    if before == "pour" and after == "cent":
        return True
    if not _number_word(before):
        return False
    if after == "pour":
        return i + 1 < len(words) and _lead(words[i + 1]) == "cent"
    if after in ("d'", "de") and before in ("million", "millions", "milliard", "milliards"):
        return True  # "deux millions d'euros"
    if after == "et":  # "vingt et un"
        return i + 1 < len(words) and _lead(words[i + 1]) in ("un", "une", "onze")
    return _number_word(after) or after in NUMBER_FOLLOWERS


# Inside a word too long for one request (a URL, a chain of compounds), a cut after one of these
# reads as the word's own joints; the punctuation stays with the piece it closes.
_WORD_JOINTS = re.compile(r"(?<=[-/._~:?&=#+@,;])")


def _hard_split(word: str, limit: int) -> list[str]:
    """A single word longer than the limit has to be cut: at its own punctuation first (pieces
    packed as long as they fit), mid-letters only for a run that has none. No letter is lost."""
    if len(word) <= limit:
        return [word]
    pieces, current = [], ""
    for joint in _WORD_JOINTS.split(word):
        if current and len(current) + len(joint) > limit:
            pieces.append(current)
            current = ""
        current += joint
        while len(current) > limit:  # no joint of its own: read it in pieces
            pieces.append(current[:limit])
            current = current[limit:]
    return [*pieces, current] if current else pieces


def chunk_sentence(text: str, limit: int) -> list[str]:
    """Cut one (normalised) sentence into chunks of at most ``limit`` characters.

    Joining the chunks with single spaces gives back the whitespace-normalised input. Among all
    cuts that respect the limit, the cheapest is chosen (dynamic programming over word gaps):
    each chunk costs CHUNK_COST, plus the cost of its break, plus a penalty for a short breath;
    a chunk of one or two words costs so much that it only appears when nothing else fits.
    """
    words = [piece for word in text.split() for piece in _hard_split(word, limit)]
    if not words:
        return []
    if len(" ".join(words)) <= limit:
        return [" ".join(words)]
    n = len(words)
    ends = [0]  # ends[j] = length of " ".join(words[:j]) + 1 (a trailing space)
    for word in words:
        ends.append(ends[-1] + len(word) + 1)
    counted = [0]  # how many real words (not lone punctuation) precede position j
    for word in words:
        counted.append(counted[-1] + bool(_HAS_WORD.search(word)))
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * n
    for j in range(1, n + 1):
        tail = 0 if j == n else _break_cost(words, j)
        for i in range(j - 1, -1, -1):
            length = ends[j] - ends[i] - 1
            if length > limit:
                break
            if best[i][0] == float("inf"):
                continue
            cost = best[i][0] + CHUNK_COST + tail
            if counted[j] - counted[i] < 3:
                cost += 1000  # a fragment of one or two words: only if nothing else fits
            if length < SHORT_CHUNK:
                cost += 3
            if cost < best[j][0]:
                best[j] = (cost, i)
    chunks, j = [], n
    while j > 0:
        i = best[j][1]
        chunks.append(" ".join(words[i:j]))
        j = i
    return chunks[::-1]
