"""Written French → what a presenter says: no digit or symbol is left for the TTS engine to guess.

Modelled on gTTS's tokenizer: an ordered list of small text→text pre-processors (``PRE_PROCESSORS``),
each testable alone. Numbers are spelled by num2words (``lang="fr"``), never by hand. Pure: no I/O.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container
from functools import lru_cache

from pipeline.text.chunking import opens_sentence
from pipeline.text.dates import MONTHS, day_month_year

# --- helpers -------------------------------------------------------------------------------------
UPPER = "A-ZÀ-ÖØ-Þ"
LOWER = "a-zß-öø-ÿœ"
# A number as French writes it: "3 345", "1 500 000", "4,7" (groups of three after clean_typography
# turned NBSP / narrow NBSP into plain spaces).
NUM = r"(?<!\d)(?:\d{1,3}(?: \d{3})+|\d+)(?:,\d+)?(?![\d])"


@lru_cache(maxsize=1)
def _n2w() -> Callable[..., str]:
    from num2words import num2words  # ~25 ms to import: only pay it when a number shows up

    return num2words


def _value(number: str) -> float:
    return float(number.replace(" ", "").replace(",", "."))


def _plural(number: str) -> bool:
    """French grammar: plural from 2 up ("1,5 million", "2 millions")."""
    return abs(_value(number)) >= 2


def _feminine(words: str) -> str:
    """"vingt et un" → "vingt et une" before a feminine noun ("vingt et une heures")."""
    return re.sub(r"(?<![a-zé])un$", "une", words)


def say_number(number: str, feminine: bool = False) -> str:
    """"3 345" → "trois mille trois cent quarante-cinq", "4,75" → "quatre virgule soixante-quinze"."""
    n2w = _n2w()
    whole, _, decimals = number.replace(" ", "").partition(",")
    significant = whole.lstrip("0")
    if significant:  # leading zeros are read out: "007" → "zéro zéro sept"
        spoken = "zéro " * (len(whole) - len(significant)) + n2w(int(significant), lang="fr")
    else:
        spoken = "zéro"
    if not decimals:
        return _feminine(spoken) if feminine else spoken
    zeros = len(decimals) - len(decimals.lstrip("0"))
    rest = decimals.lstrip("0")
    if len(rest) > 3:  # long decimals are read digit by digit
        tail = " ".join(n2w(int(d), lang="fr") for d in rest)
    else:
        tail = n2w(int(rest), lang="fr") if rest else ""
    return " ".join(filter(None, [spoken, "virgule", "zéro " * zeros + tail])).replace("  ", " ")


def say_ordinal(number: int, suffix: str = "e") -> str:
    if number == 1:
        return {"re": "première", "ère": "première", "res": "premières", "ères": "premières",
                "ers": "premiers"}.get(suffix, "premier")
    if number == 2 and suffix.startswith(("nd", "d")):
        return {"nd": "second", "nde": "seconde", "nds": "seconds", "ndes": "secondes",
                "d": "second", "de": "seconde", "des": "secondes"}[suffix]
    word = _n2w()(number, lang="fr", to="ordinal")
    # num2words slips on round numbers ("deux centsième", "un millionième"): mend them.
    word = re.sub(r"(cent|vingt|million|milliard)sième$", r"\1ième", word)
    word = re.sub(r"^un (million|milliard)", r"\1", word)
    return word + ("s" if suffix.endswith("s") else "")


def _subs(rules: list[tuple[str, str | Callable[[re.Match[str]], str]]]) -> Callable[[str], str]:
    """A pre-processor applying (pattern, replacement) pairs in order. Patterns are compiled on
    first use so that importing this module stays cheap (there are about a hundred)."""
    compiled: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = []

    def run(text: str) -> str:
        if not compiled:
            compiled.extend((re.compile(p), r) for p, r in rules)
        for pattern, repl in compiled:
            text = pattern.sub(repl, text)
        return text

    return run


# --- typography -----------------------------------------------------------------------------------
_SPACES = "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000\t\r\n"
_TRANSLATE = {ord(c): " " for c in _SPACES}
_TRANSLATE.update({ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"})
_TRANSLATE.update({ord("\u2019"): "'", ord("\u2018"): "'", ord("\u02bc"): "'", ord("\u2032"): "'",
                   ord("\u2212"): "-", ord("\u2010"): "-", ord("\u2011"): "-", ord("\u2012"): "-",
                   ord("\u2015"): "—", ord("\u201c"): "«", ord("\u201d"): "»", ord("\u201e"): "«",
                   ord("\u00ba"): "°"})
_typography = _subs([
    (r"\.{3,}", "…"),
    (r"ᵉʳ", "er"), (r"ʳᵉ", "re"), (r"ᵉ", "e"),
    (r'"([^"]*)"', r"«\1»"),  # straight double quotes in pairs
    (r"(?<=\d)[–—](?=\d)", "-"),  # ranges: 1939–1945
    (r"(?:(?<=\s)|^|(?<=\())[–—](?=\d)", "-"),  # minus sign: –2 °C
    (r"\s*—\s*|\s+–\s*|\s*–\s+", " – "),  # dashes of an aside
    (r"«\s*", "« "), (r"\s*»", " »"),
    (r"(?<=\w)«", " «"), (rf"»(?=[\w{UPPER}])", "» "),
    (rf"(?<=[{UPPER}{LOWER}»)])\s*([;:!?]+)(?=\s|$|»)", r" \1"),
    (r"\s+([,.…)])", r"\1"), (r"\(\s+", "("),
    (r" {2,}", " "),
])


# Compatibility forms are folded (NFKC) before any rule: ligatures ("ﬁ"), full-width digits and
# letters, superscript letters of abbreviations ("Mᵐᵉ", "Dʳ", "1ᵉʳ"), "㎡", "℃", Roman numeral
# signs. Kept as they are, because a rule reads them: "²" and "³" (m², x²), the vulgar fractions
# ("½"), "…", "µ". "œ", "æ", "€", "°" are no compatibility forms: NFKC leaves them.
_FOLD_KEPT = frozenset("²³½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅐⅛⅜⅝⅞⅑⅒…µ")
_FOLD_FIRST = {"™": "", "℠": "", "№": "n°", "⁄": "/", "ᵒ": "°"}  # "nᵒ 5" is "n° 5"
_SUPERSCRIPT_DIGITS = "⁰¹⁴⁵⁶⁷⁸⁹"


def _fold_char(char: str) -> str:
    if char.isascii() or char in _FOLD_KEPT:
        return char
    return _FOLD_FIRST[char] if char in _FOLD_FIRST else unicodedata.normalize("NFKC", char)


def fold_compatibility(text: str) -> str:
    """NFC, then NFKC character by character except what a rule reads. A superscript digit after
    a word is a footnote call (not read); after a number, a power ("10⁶": "10 puissance 6")."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
    text = re.sub(rf"(?<=\d)([{_SUPERSCRIPT_DIGITS}]+)", lambda m: " puissance " + unicodedata.normalize("NFKC", m[1]),
                  text)
    text = re.sub(rf"(?<=[^\s\d])[{_SUPERSCRIPT_DIGITS}]+", "", text)
    return "".join(map(_fold_char, text))


def clean_typography(text: str) -> str:
    """Typographic cleanup only (transcripts keep the article's words): compatibility forms
    folded, plain spaces everywhere (no NBSP before ; : ! ? », which stops gTTS from splitting),
    ' for apostrophes, « » quotes, – for asides, … for ellipses, no zero-width characters."""
    return _typography(fold_compatibility(text.translate(_TRANSLATE))).strip()


# --- pre-processors (order matters; see PRE_PROCESSORS) -----------------------------------------
def _keep_stop(word: str) -> Callable[[re.Match[str]], str]:
    """An abbreviation's full stop also ends the sentence when nothing or a capital follows."""

    def repl(m: re.Match[str]) -> str:
        rest = m.string[m.end():]
        ends = not rest.strip() or re.match(rf"\s+[{UPPER}]", rest)
        return word + ("." if ends and m.group(0).endswith(".") else "")

    return repl


# --- web and mail addresses ----------------------------------------------------------------------
# Read as a French presenter says them: "https://" is not read, "www." is "trois w", "point",
# "tiret", "tiret bas", "slash", "arobase"; endings said as words ("point com", "point gouv") or
# spelled ("point f r"); a query string or an anchor is not read.
_DOMAIN_WORDS = {"com", "org", "net", "info", "gouv", "gov", "paris", "asso", "edu", "int", "news",
                 "app", "museum", "online", "media", "radio", "blog", "shop"}
# Endings recognised without "www." or a scheme ("de", "es", "it", "me", "la" are words too).
_BARE_TLDS = {"fr", "com", "org", "net", "eu", "info", "io", "be", "ch", "ca", "uk", "lu", "tv", "co",
              "app", "gov", "re", "gp", "mq", "nc", "pf", "ma", "sn", "tn", "dz", "ci", "cm", "qc"}
_ADDRESS = (r"(?<![\w@./:-])(?P<mail>[\w.+-]+@)?(?P<scheme>(?:https?|ftp)://)?(?P<www>www\.)?"
            r"(?P<host>(?:[^\W_](?:[\w-]*[^\W_])?\.)*(?P<tld>[^\W_](?:[\w-]*[^\W_])?))(?![\w@-])"
            r"(?::\d+)?(?P<path>/[^\s«»\"<>\[\]]*)?")
_ADDRESS_SIGNS = {".": "point", "-": "tiret", "_": "tiret bas", "+": "plus", "~": "tilde"}


def _say_label(label: str, ending: bool = False) -> str:
    """One label of a domain or one segment of a path: spelled when it is an initialism."""
    words = []
    for piece in re.split(r"(\d+)", label):
        if not piece or piece.isdigit():
            words.append(piece)
        elif ending and len(piece) <= 3 and piece.lower() not in _DOMAIN_WORDS:
            words.append(_spell(piece.lower()))
        elif piece.upper() in ACRONYMS_SPELLED or (
                len(piece) <= 5 and not re.search("[aeiouyéèàù]", piece, re.IGNORECASE)):
            words.append(_spell(piece.lower()))
        else:
            words.append(piece)
    return " ".join(filter(None, words))


def _say_parts(text: str, ending: bool = False) -> str:
    pieces = [p for p in re.split(r"([._+~-])|[^\w._+~-]+", text) if p]
    last = len(pieces) - 1
    return " ".join(_ADDRESS_SIGNS[p] if p in _ADDRESS_SIGNS else _say_label(p, ending and i == last)
                    for i, p in enumerate(pieces))


def _address(m: re.Match[str]) -> str:
    dotted = "." in m["host"]
    if not (m["scheme"] or ((m["mail"] or m["www"]) and dotted) or (dotted and m["tld"] in _BARE_TLDS)):
        return m[0]
    from urllib.parse import unquote

    path = m["path"] or ""
    # The sentence's punctuation after the address, and a bracket closed around it, are not part
    # of it ("(voir https://fr.wikipedia.org/wiki/Balado)." ; ".../Balado_(podcast)" keeps its own).
    unbalanced = path.count("(") < path.count(")")
    trailing = re.search(r"[.,;:!?…]+$|\)$" if unbalanced else r"[.,;:!?…]+$", path)
    path = path[: trailing.start()] if trailing else path
    words = []
    if m["mail"]:
        words += [_say_parts(m["mail"][:-1]), "arobase"]
    if m["www"]:
        words += ["trois w", "point"]
    words.append(_say_parts(m["host"], ending=True))
    for segment in unquote(re.split(r"[?#]", path)[0]).split("/")[1:]:
        if segment:
            words += ["slash", _say_parts(segment)]
    return " ".join(words) + (trailing[0] if trailing else "")


addresses = _subs([(_ADDRESS, _address)])


def _era(word: str) -> Callable[[re.Match[str]], str]:
    """"J.-C." closes a date. Its full stop ends the sentence when nothing follows or what follows
    opens a sentence ("né en 4 av. J.-C. Il meurt"), as split_sentences decides; before a name the
    date was fronted without its comma ("En 52 av. J.-C. César…"): the presenter pauses there.
    A bare "J.-C." before a name, with no date before it, is a person's initials ("J.-C. Decaux")."""

    def repl(m: re.Match[str]) -> str:
        rest = m.string[m.end():]
        following = re.match(rf"\s+[«(\"]?\s*([{UPPER}\d]\S*)", rest)
        if not rest.strip() or (following and opens_sentence(following[1])):
            return word + "."
        dated = re.search(r"(?:\d|avant|après) $", m.string[: m.start()])
        if following and m[0] == "J.-C." and not dated:
            return m[0]
        return word + ("," if following else "")

    return repl


# Street types, read out after a number ("12 bd Voltaire", "3 bis, av. Foch") or before a name
# ("av. de la République", "pl. Bellecour"). Those whose bare letters are words need their dot.
_STREET_TYPES = {
    "bd": "boulevard", "bld": "boulevard", "boul": "boulevard", "av": "avenue", "pl": "place",
    "fg": "faubourg", "fbg": "faubourg", "imp": "impasse", "chem": "chemin", "rte": "route",
    "all": "allée", "sq": "square", "crs": "cours", "pass": "passage", "r": "rue",
}
_STREET_DOT_REQUIRED = {"boul", "pl", "imp", "chem", "all", "sq", "pass", "r"}


def _street(m: re.Match[str]) -> str:
    key = m["abbr"].lower()
    if key in _STREET_DOT_REQUIRED and not m["dot"]:
        return m[0]
    after_number = re.search(r"\d+(?: ?(?:bis|ter|quater|[A-Da-d]))?,? $", m.string[: m.start()])
    before_name = re.match(rf"(?:\s+|-(?=[{UPPER}]))(?:[{UPPER}]|d'|de |du |des )", m.string[m.end():])
    if not (after_number or before_name):
        return m[0]
    word = _STREET_TYPES[key]
    return word.capitalize() if m["abbr"][0].isupper() else word


def _edition(m: re.Match[str]) -> str:
    """"2e éd." is an edition, "éd. Gallimard" a publisher, "Dupont (éd.)" an editor."""
    plural = m[0].startswith("éds")
    if m.string[m.start() - 1 : m.start()] == "(" and m.string[m.end() : m.end() + 1] == ")":
        return "éditeurs" if plural else "éditeur"
    ordinal = re.search(r"(?:\d(?:e|re|ère|ème|er|nde)|[IVX]e|ième|ière|nouvelle|dernière) $",
                        m.string[: m.start()])
    if not ordinal and re.match(rf"\s+(?:[{UPPER}]|d'[{UPPER}]|d[eu] [{UPPER}]|des [{UPPER}])",
                                m.string[m.end():]):
        return "éditions"
    return "éditions" if plural else "édition"


drop_elisions = _subs([(r"\s*[(\[]…[)\]]", "")])

# --- legal references -------------------------------------------------------------------------------
# "art. L. 121-1" is said "article L cent vingt et un tiret un": the code's letter (L, R, D, A, LO)
# without its dot, the hyphen of a numbered article "tiret", never a range; "49.3" "quarante-neuf
# trois". The same for a law's or a decree's number ("loi n° 2021-1109": "deux mille vingt et un
# tiret mille cent neuf").
_LEGAL_REF = r"(?:(?:L\.? ?O|LO|L|R|D|A)\.? ?\*? ?)?\d+(?:er)?(?:[-.]\d+)*(?: (?:bis|ter|quater)\b)?"


def _say_reference(ref: str) -> str:
    letters = re.match(r"[A-Z][A-Z. *]*", ref)
    prefix = " ".join(re.findall(r"[A-Z]", letters[0])) + " " if letters else ""
    number = ref[letters.end():] if letters else ref
    number = re.sub(r"(?<=\d)\.(?=\d)", " ", number)
    return prefix + re.sub(r"(?<=\d)-(?=\d)", " tiret ", number)


def _legal(m: re.Match[str]) -> str:
    word = m["word"]
    plural = word.lower().startswith(("arts", "articles"))
    spoken = ("Articles" if plural else "Article") if word[0] == "A" else ("articles" if plural else "article")
    refs = re.sub(_LEGAL_REF, lambda r: _say_reference(r[0]), m["refs"])
    return f"{spoken} {refs}"


legal_references = _subs([
    (rf"\b(?P<word>[Aa]rts?\.|[Aa]rticles?) ?(?P<refs>{_LEGAL_REF}(?:(?:, | et | à | ou ){_LEGAL_REF})*)"
     r"(?![\w-])", _legal),
    (r"(?<=\bn°) ?(\d+(?:-\d+)+)\b", lambda m: " " + m[1].replace("-", " tiret ")),
    (r"(?<![\w.-])49[.-]3(?![\w.-]|,\d)", "49 3"),  # "le 49.3", "un 49-3": "quarante-neuf trois"
])

expand_abbreviations = _subs([
    # "M." before any word: "M. Dupont", "M. le maire", "M. et Mme Martin".
    (rf"\bMM\.(?=\s+[\w«])", "Messieurs"), (rf"\bM\.(?=\s+[\w«])", "Monsieur"),
    (r"\bMmes\b\.?", "Mesdames"), (r"\bMme\b\.?", "Madame"),
    (r"\bMlles\b\.?", "Mesdemoiselles"), (r"\bMlle\b\.?", "Mademoiselle"),
    (rf"\bDr\b\.?(?=\s+[{UPPER}])", "Docteur"), (rf"\bPr\b\.?(?=\s+[{UPPER}])", "Professeur"),
    (rf"\bMe(?=\s+[{UPPER}][{LOWER}])", "Maître"), (r"\bMgr\b\.?", "Monseigneur"),
    (rf"\bSte(?=[- ][{UPPER}])", "Sainte"), (rf"\bSt(?=[- ][{UPPER}])", "Saint"),
    (r"\bav\. J\.-C\.", _era("avant Jésus-Christ")),
    (r"\bapr\. J\.-C\.", _era("après Jésus-Christ")), (r"\bJ\.-C\.", _era("Jésus-Christ")),
    (r"\b(?:av\.|avant) n\. ?è\.", _keep_stop("avant notre ère")), (r"\bav\.(?= notre ère)", "avant"),
    (r"\b(?:apr\.|après) n\. ?è\.", _keep_stop("après notre ère")), (r"\bapr\.(?= notre ère)", "après"),
    (r"\betc\.(?:\s*…)?|\betc\b", _keep_stop("et cetera")),
    (r"(?<![\w.])(?:c\.-à-d\.|c\.à\.d\.|c-à-d\b\.?|càd\b\.?)", "c'est-à-dire"),
    (r"\bp\. ?ex\.", "par exemple"),
    (r"\bcf\.", "voir"), (r"\benv\.", _keep_stop("environ")),
    (r"\bpp\.\s*(?=\d)", "pages "), (r"\bp\.\s*(?=\d)", "page "),
    (r"\bvol\.\s*(?=\d|[IVXLC]+\b)", "volume "), (r"\bfig\.\s*(?=\d)", "figure "),
    (r"\bart\.\s*(?=\d)", "article "), (r"\bchap\.\s*", "chapitre "), (r"\bvs\.?(?=\s)", "contre"),
    (r"\béds?\.", _edition), (r"\bcoll\.", "collection"), (r"\bdir\.(?= de)", "direction"),
    (r"\btrad\.", "traduction"), (r"\bréf\.", "référence"),
    (r"(?<![\w.])(?P<abbr>[Bb]ld|[Bb]oul|[Bb]d|[Aa]v|[Pp]l|[Ff]bg|[Ff]g|[Ii]mp|[Cc]hem|[Rr]te|[Aa]ll|"
     rf"[Ss]q|[Cc]rs|[Pp]ass|r)(?P<dot>\.)?(?=\s|-[{UPPER}])", _street),
    (r"\bhab\.", _keep_stop("habitants")),
    (r"\btél\.", "téléphone"), (r"\bCie\b", "compagnie"),
    (r"\b[nN]°\s*", "numéro "), (r"§\s*", "paragraphe "), (r"\s*&\s*", " et "),
])


def _times_sign(m: re.Match[str]) -> str:
    """"×2", "prix x3": multiplied by; but "Windows x64", "x86" are names (a factor written with
    an "x" is small)."""
    previous = re.search(r"(\w+)\s*$", m.string[: m.start()])
    if m["sign"] == "x" and (int(m["n"]) > 20 or (previous and previous[1][0].isupper())):
        return m[0]
    return "multiplié par "


# Mathematical signs. "x" is a multiplication only between numbers ("3 x 4", "2x3") or right after
# one ("3x plus cher"); dimensions are "sur" ("2 m × 1,5 m", "60 x 40 x 30 cm"); "un 4x4" is a car.
math_signs = _subs([
    (r"(?<![\w,.])4 ?[x×] ?4(?![\w,.])", "quatre-quatre"),
    (rf"({NUM}) ?[x×] ?({NUM}) ?[x×] ?({NUM})(?= ?(?:mm|cm|m)\b)", r"\1 sur \2 sur \3"),
    (r"(?<=\d)( ?(?:mm|cm|m|km)) ?[x×] ?(?=\d)", r"\1 sur "),
    (r"(?<=\d) ?[x×*] ?(?=[-+]?\d)", " fois "),
    (r"(?<=\d) ?[x×](?![\w²³])", " fois"),
    (r"(?<![\w])(?P<sign>[x×]) ?(?=(?P<n>\d+)\b)", _times_sign),
    (r"\s*×\s*", " fois "), (r"\s*÷\s*", " divisé par "),
    (r"\s*(?:±|\+/-|\+-(?=\s?\d))\s*", " plus ou moins "), (r"\s*∓\s*", " moins ou plus "),
    (r"\s*≈\s*", " environ "), (r"\s*≠\s*", " différent de "),
    (r"\s*≤\s*", " inférieur ou égal à "), (r"\s*≥\s*", " supérieur ou égal à "),
    (r"(?<=\d) - (?=\d+(?:,\d+)? ?=)", " moins "),  # "5 - 3 = 2" is a subtraction, not a range
])

# "G7" → "G 7", "Covid-19" → "Covid 19", "4G" → "4 G": each half is then read by its own rule.
split_letters_digits = _subs([
    (rf"(?<=[{UPPER}{LOWER}])-?(?=\d)", " "), (rf"(?<=\d)(?=[{UPPER}]+\b)", " "),
])

# --- postcodes ---------------------------------------------------------------------------------------
# "75011 Paris" is said as a newsreader says it: the department, then the rest as one number with
# its zeros read ("soixante-quinze zéro onze", "treize zéro zéro huit", "soixante-quinze cent
# seize"), "000" as "mille" ("trente-trois mille Bordeaux", "zéro six mille Nice"). A postcode is
# five digits in one run before a place's name; after a quantity word it is a number.
_QUANTITY_WORDS = frozenset("les des de d' plus moins environ quelque quelques près ces nos vos leurs "
                            "sur dont".split())


def _postcode(m: re.Match[str]) -> str:
    before = re.search(r"(\S+) $", m.string[: m.start()])
    if before and (before[1].lower() in _QUANTITY_WORDS or before[1].lower().endswith("'") or before[1].isdigit()):
        return m[0]
    code = m["code"]
    rest = "mille" if code[2:] == "000" else say_number(code[2:])
    return f"{say_number(code[:2])} {rest}"


postcodes = _subs([
    (rf"(?<![\w,.\-/])(?P<code>(?:0[1-9]|[1-8]\d|9[0-5]|97|98)\d{{3}})(?= (?:[{UPPER}][{LOWER}]|CEDEX\b))",
     _postcode),
])


# --- lists of days --------------------------------------------------------------------------------------
def _day_list(m: re.Match[str]) -> str:
    """"les 17/18 juin" → "les 17 et 18 juin", "les 17-18-19 juin" → "les 17, 18 et 19 juin"; "la nuit
    du 17/18 juin" is "du 17 au 18 juin". A hyphen between two days that do not follow each other
    is a range ("17-21 juin", left to be read "à")."""
    days = [int(d) for d in re.findall(r"\d+", m["days"])]
    det = m["det"] or ""
    if not all(1 <= d <= 31 for d in days) or days != sorted(set(days)):
        return m[0]
    if "-" in m["days"] and len(days) == 2 and days[1] != days[0] + 1 and det.strip().lower() not in ("les", "des"):
        return m[0]
    said = ["1er" if d == 1 else str(d) for d in days]
    if det.strip().lower() == "du" and len(days) == 2:
        return f"{det}{said[0]} au {said[1]}"
    return det + (", ".join(said[:-1]) + " et " + said[-1])


day_lists = _subs([
    (rf"(?<![\w/.,-])(?P<det>(?:[Ll]es|[Dd]es|[Dd]u|[Aa]ux|[Ll]e) )?(?P<days>\d{{1,2}}(?:er)?(?:[/-]\d{{1,2}})+)"
     rf"(?= (?:{'|'.join(MONTHS)})\b)", _day_list),
])


def _date(day: str, month: str, year: str | None) -> str | None:
    d, m = int(day), int(month)
    if not (1 <= d <= 31 and 1 <= m <= 12):
        return None
    return day_month_year(d, m, year)


def _short_date(m: re.Match[str]) -> str:
    """"le 14/07", "du 12/05 au 15/05", "01/02": a day and a month. After "le" a fraction would
    take "de" ("le 1/4 de la population"); without "le", a leading zero marks a date."""
    if m["det"] is None and not (m["day"].startswith("0") or m["month"].startswith("0")):
        return m[0]
    if re.match(r"\s(?:d'|de\b|du\b|des\b)", m.string[m.end():]):
        return m[0]
    spoken = _date(m["day"], m["month"], None)
    return f"{m['det'] or ''}{spoken}" if spoken else m[0]


dates = _subs([
    (r"\b(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})\b",
     lambda m: _date(m[1], m[3], m[4]) or m[0]),
    (r"(?<![\w/.,])(?P<det>(?:[Ll]e|[Dd]u|[Aa]u) )?(?P<day>\d{1,2})/(?P<month>\d{1,2})(?![\w/]|,\d)",
     _short_date),
    (r"\b(\d{4})-(\d{2})-(\d{2})\b", lambda m: _date(m[3], m[2], m[1]) or m[0]),
    (rf"\b1(?= (?:{'|'.join(MONTHS)})\b)", "1er"),
])


def _time(hours: str, minutes: str | None) -> str:
    h = int(hours)
    spoken = "minuit" if h == 0 and minutes else _feminine(say_number(hours)) + (
        " heure" if h < 2 else " heures")
    if minutes and int(minutes):
        spoken += " " + _feminine(say_number(str(int(minutes))))
    return spoken


def _duration(m: re.Match[str]) -> str:
    """"2:01:09" (a race time): hours, minutes and seconds are said with their units."""
    parts = [f"{m[1]} h", f"{m[2]} min", f"{m[3]}{',' + m[4] if m[4] else ''} s"]
    return " ".join(parts)


times = _subs([
    (r"\b(\d+) ?([hj]) ?/ ?(\d+)\b",  # 24h/24, 7j/7
     lambda m: f"{say_number(m[1], m[2] == 'h')} {_UNITS[m[2]][_plural(m[1])]} sur {m[3]}"),
    (r"\b(\d{1,2}):([0-5]\d):([0-5]\d)(?:,(\d+))?\b", _duration),
    # "2 h 30" is a time of day or a duration said "deux heures trente"; "2 h 30 min" leaves its
    # minutes to the units ("deux heures trente minutes").
    (r"\b(\d{1,2})\s?h(?:\s?(\d{2})(?!\s?(?:min|mn)\b))?(?![\w'])", lambda m: _time(m[1], m[2])),
    (r"\b([01]?\d|2[0-3]):([0-5]\d)\b", lambda m: _time(m[1], m[2])),
])

# --- fractions and pairs of years -----------------------------------------------------------------
_VULGAR = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅖": (2, 5),
           "⅗": (3, 5), "⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅐": (1, 7), "⅛": (1, 8), "⅜": (3, 8),
           "⅝": (5, 8), "⅞": (7, 8), "⅑": (1, 9), "⅒": (1, 10)}
_FRACTION_NAMES = {2: ("demi", "demis"), 3: ("tiers", "tiers"), 4: ("quart", "quarts")}
_PLURAL_DETERMINERS = frozenset("les des aux ces ses leurs nos vos mes".split())
_DETERMINERS = _PLURAL_DETERMINERS | frozenset(
    "le la l' un une au du sa son ce cet cette leur notre votre mon ma en".split())
# Nouns said with "demi-" ("une demi-heure", "la demi-finale"), and the article of the singular.
_DEMI_NOUNS = {"heure": "une", "journée": "une", "finale": "une", "douzaine": "une", "saison": "une",
               "mesure": "une", "portion": "une", "pension": "une", "page": "une", "bouteille": "une",
               "sœur": "une", "litre": "un", "siècle": "un", "tour": "un", "tarif": "un", "kilo": "un",
               "mètre": "un", "point": "un", "frère": "un", "tasse": "une", "cuillère": "une",
               "baguette": "une", "part": "une", "dose": "une", "pinte": "une"}
_DEMI_RE = "|".join(sorted(_DEMI_NOUNS, key=len, reverse=True))
# Screen formats are said as fractions although the first number is the larger: "seize neuvièmes".
_FORMATS = {(4, 3), (16, 9), (21, 9)}


def _determiner(before: str) -> str:
    """The word just before a fraction, if it is a determiner ("les", "le", "l'")."""
    last = re.search(r"(?:^|[\s'])(\w+ |l')$", before, re.IGNORECASE)
    word = last[1].strip().lower() if last else ""
    return word if word in _DETERMINERS else ""


def _fraction_name(den: int, plural: bool) -> str:
    if den in _FRACTION_NAMES:
        return _FRACTION_NAMES[den][plural]
    return say_ordinal(den, "es" if plural else "e")


def say_fraction(num: int, den: int, determiner: str = "") -> str:
    """3/4 → "trois quarts". After a determiner the "un" goes: "le quart de la population", "les
    huitièmes de finale", "en quart de finale"."""
    if num == 1 and determiner:
        return _fraction_name(den, determiner in _PLURAL_DETERMINERS)
    return f"{say_number(str(num))} {_fraction_name(den, num > 1)}"


def _demi(m: re.Match[str]) -> str:
    """"1/2 heure" → "une demi-heure", "la 1/2 finale" → "la demi-finale"."""
    noun, plural = m["noun"], m["plural"] or ""
    article = "" if _determiner(m.string[: m.start()]) or plural else _DEMI_NOUNS[noun] + " "
    return f"{article}demi-{noun}{plural}"


def _year(number: str) -> int | None:
    return int(number) if len(number) == 4 and 1000 <= int(number) <= 2999 else None


def _years(first: str, second: str, slash: bool) -> str | None:
    """"2024/2025", "2024-25": a season or a school year. A presenter says both years in full with
    a pause between them ("deux mille vingt-quatre, deux mille vingt-cinq"): neither the "sur" of a
    fraction nor the "à" of a range. With a hyphen only consecutive years are a season
    ("1939-1945" stays a range)."""
    start = _year(first)
    if start is None:
        return None
    if len(second) == 2:  # "2024-25", "1999/00": the following year, its century implied
        end = start + 1 if int(second) == (start + 1) % 100 else None
    else:
        end = _year(second)
    if end is None or end <= start or (not slash and end != start + 1):
        return None
    return f"{say_number(str(start))}, {say_number(str(end))}"


def _slash(m: re.Match[str]) -> str:
    """A fraction when a presenter would say one: a half, a third or a quarter ("3/4"), any
    fraction "of" something ("3/5 des voix", "1/10 de seconde") or after a determiner ("les
    3/5"). Anything else ("15/20", "4/5") is left to be read "sur"."""
    years = _years(m["num"], m["den"], slash=True)
    if years:
        return years
    num, den = int(m["num"]), int(m["den"].replace(" ", ""))
    determiner = _determiner(m.string[: m.start()])
    of = re.match(r"\s(?:d'|de\b|du\b|des\b)", m.string[m.end():])
    # "1/5" is "un cinquième"; but a mark is "sur" ("noté 1/5", "une note de 1/10")
    mark = re.search(r"(?:note|notes|noté|notée|notés|notées|score|évaluation|moyenne)(?: de)? $",
                     m.string[: m.start()], re.IGNORECASE)
    one_part = num == 1 and (den <= 12 or den in (100, 1000)) and not mark
    if (1 <= num < den and (den <= 4 or of or determiner or one_part)) or (num, den) in _FORMATS:
        return say_fraction(num, den, determiner)
    return m[0]


_VULGAR_OF = {value: char for char, value in _VULGAR.items()}


def _mixed(m: re.Match[str]) -> str:
    """"1 1/2" → "un et demi", "2 3/4" → "deux et trois quarts" (as "2 ¾" is read)."""
    whole, num, den = m["whole"], int(m["num"]), int(m["den"])
    if not (1 <= num < den <= 16):
        return m[0]
    if (num, den) in _VULGAR_OF:
        return f"{whole} {_VULGAR_OF[num, den]}"
    return f"{whole} et {say_fraction(num, den)}"


def _and_a_half(m: re.Match[str]) -> str:
    """"2 ½ ans" → "deux ans et demi", "1 ¼ heure" → "une heure et un quart": the noun first, a
    half agreeing with it ("deux heures et demie")."""
    num, den = _VULGAR[m["char"]]
    feminine = m["noun"] in _FEMININE_NOUNS or m["noun"].rstrip("s") in _FEMININE_NOUNS
    fraction = ("demie" if feminine else "demi") if den == 2 else say_fraction(num, den)
    return f"{m['whole']} {m['noun']} et {fraction}"


def _after_noun(m: re.Match[str]) -> str:
    """"5 ans 1/2" → "cinq ans et demi", "2 heures 1/4" → "deux heures et quart"."""
    if m["half"]:
        feminine = m["noun"] in _FEMININE_NOUNS or m["noun"].rstrip("s") in _FEMININE_NOUNS
        return f"{m['noun']} et {'demie' if feminine else 'demi'}"
    return f"{m['noun']} et quart"


def _vulgar(m: re.Match[str]) -> str:
    num, den = _VULGAR[m["char"]]
    if m["whole"]:  # "2 ½" → "deux et demi", "1 ¾" → "un et trois quarts"
        return f"{m['whole']} et " + ("demi" if den == 2 else say_fraction(num, den))
    return say_fraction(num, den, _determiner(m.string[: m.start()]))


fractions = _subs([
    (r"(?<![\w/.,])(?<!\d )(?P<whole>\d+) (?P<num>\d{1,2})/(?P<den>\d{1,2})(?![\w/]|,\d)", _mixed),
    (r"(?P<whole>\d+) ?(?P<char>[½¼¾]) (?P<noun>ans|mois|jours|heures?|semaines|siècles|litres?|"
     r"kilos?|mètres?|kilomètres?|tours?|points?)\b", _and_a_half),
    (r"(?<=\w )(?P<noun>ans?|mois|jours|heures?|semaines|siècles|litres?|kilos?|mètres?|kilomètres?|"
     r"tours?|points?) ?(?:(?P<half>1 ?/ ?2|½)|1 ?/ ?4|¼)(?![\w/]|,\d)", _after_noun),
    (rf"(?<![\w/.,])(?<!\d )(?:1 ?/ ?2|½)[- ]?(?P<noun>{_DEMI_RE})(?P<plural>s?)\b", _demi),
    (rf"(?:(?P<whole>\d+) ?)?(?P<char>[{''.join(_VULGAR)}])", _vulgar),
    (r"(?<![\w/.,])(?P<num>\d+) ?/ ?(?P<den>\d{1,3}(?: \d{3})+(?![\d,])|\d+)(?![\w/]|,\d)", _slash),
    (r"(?<![\w.,-])(\d{4})-(\d{4}|\d{2})(?![\w-]|,\d)",
     lambda m: _years(m[1], m[2], slash=False) or m[0]),
])

_ROMAN = re.compile(r"^(?=[IVXLC])(X{0,3}|XL|L?X{0,3}|XC|C{1,3}X{0,3}|C{1,3}XL|C{1,3}L?X{0,3}|"
                    r"C{1,3}XC)(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
# Real words that look like a Roman numeral + ordinal suffix ("Vie" = VI + e).
# ("Ire" is not one of them: the noun "ire" is never capitalised mid-sentence, "Marie Ire" is.)
_NOT_ROMAN = {"Vie", "Vies", "Lie", "Lies", "Cie", "Cies", "Ive", "Xie", "Ce", "Ces", "Le", "Les",
              "Vers"}
_REGNAL = ("Louis Henri Charles François Philippe Napoléon Jean Jean-Paul Jean-Baptiste Benoît Pie "
           "Léon Grégoire Paul Innocent Clément Urbain Boniface Sixte Jules Alexandre Nicolas Pierre "
           "Édouard Edouard Elizabeth Élisabeth Elisabeth Victoria Guillaume George Georges Frédéric "
           "Richard Jacques Alphonse Ferdinand Isabelle Marie Anne Catherine Constantin Juan Felipe "
           "Carlos Ramsès Mohammed Hassan Abdallah Lothaire Childéric Clovis Robert Rainier Albert "
           "Baudouin Harald Olav Haakon Gustave Christian Frederik Umberto Victor-Emmanuel").split()


def _roman(numeral: str) -> int | None:
    if not _ROMAN.match(numeral):
        return None
    values = [_ROMAN_VALUES[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _roman_ordinal(m: re.Match[str]) -> str:
    numeral, suffix = m[1], m[2]
    value = _roman(numeral)
    context = re.match(r"\s+(siècles?|millénaires?)", m.string[m.end():])
    if value is None or m[0] in _NOT_ROMAN or (len(numeral) == 1 and numeral in "LC" and not context):
        return m[0]
    if m.string[m.start() - 1 : m.start()] == "'":
        return m[0]  # "L'Ire" (a title): an elided article is followed by a noun, not a numeral
    if suffix in ("er", "re", "ère", "ers", "res") and value != 1:
        return m[0]
    return say_ordinal(value, suffix)


def _regnal(m: re.Match[str]) -> str:
    value = _roman(m[2])
    if value is None:
        return m[0]
    return f"{m[1]} " + ("premier" if value == 1 else say_number(str(value)))


def _ordinal(m: re.Match[str]) -> str:
    value = int(_value(m[1]))
    if m[2].startswith("d") and value != 2:  # "2de" is "seconde" (a school year); "3d" is not French
        return m[0]
    return say_ordinal(value, m[2])


ordinals = _subs([
    (rf"({NUM})(ers|er|res|re|ères|ère|ndes|nde|nds|nd|des|de|d|èmes|ème|es|e|è)\b", _ordinal),
    (r"\b([IVXLC]+)(ers|er|res|re|ère|èmes|ème|es|e)\b", _roman_ordinal),
    (r"\b([IVXLC]+)(?=\s+siècles?\b)", lambda m: say_ordinal(_roman(m[1]) or 0) if _roman(m[1]) else m[0]),
])

roman_numerals = _subs([
    (rf"\b({'|'.join(map(re.escape, _REGNAL))}) ([IVXLC]+)\b(?!')", _regnal),
    # Any capitalised name followed by a multi-letter numeral: "Vatican II", "Apollo XI".
    (rf"\b([{UPPER}][{LOWER}]+) ([IVX]{{2,}})\b(?![\w'])", _regnal),
    # ("article L 121": the letter of a code, before its number, is no numeral)
    (r"\b(chapitre|tome|acte|titre|livre|partie|scène|volume|saison|article) ([IVXLC]+)\b(?![\w']| \d| [A-Z] \d)",
     _regnal),
])


def _signed(sign: str | None, number: str, singular: str, plural: str) -> str:
    spoken = {"-": "moins ", "+": "plus "}.get(sign or "", "") + say_number(number)
    return f"{spoken} {plural if _plural(number) else singular}"


temperatures = _subs([
    (rf"(?<![\w])([-+])?({NUM}) ?° ?C\b", lambda m: _signed(m[1], m[2], "degré", "degrés")),
    (rf"(?<![\w])([-+])?({NUM}) ?° ?F\b",
     lambda m: _signed(m[1], m[2], "degré Fahrenheit", "degrés Fahrenheit")),
    (rf"(?<![\w])([-+])?({NUM}) ?°", lambda m: _signed(m[1], m[2], "degré", "degrés")),
])

# symbol → (singular, plural, "de"/"d'" form after millions, name of the hundredths)
_CURRENCIES = {
    "€": ("euro", "euros", "d'euros", "centimes"), "EUR": ("euro", "euros", "d'euros", "centimes"),
    "$": ("dollar", "dollars", "de dollars", "cents"), "USD": ("dollar", "dollars", "de dollars", "cents"),
    "£": ("livre", "livres", "de livres", "pence"),
    "CHF": ("franc suisse", "francs suisses", "de francs suisses", "centimes"),
    "¥": ("yen", "yens", "de yens", ""),
}
_CUR = r"(€|\$|£|¥|\bEUR\b|\bUSD\b|\bCHF\b)"
_SCALES = {"M": ("million", "millions"), "Md": ("milliard", "milliards"),
           "Mds": ("milliard", "milliards"), "Mrd": ("milliard", "milliards"),
           "Mrds": ("milliard", "milliards"), "G": ("milliard", "milliards")}


def _money(number: str, symbol: str, scale: str | None = None) -> str:
    singular, plural, of, cents = _CURRENCIES[symbol]
    feminine = symbol == "£"
    if scale in ("k", "K"):
        return f"{say_number(number)} mille {plural}"
    if scale:
        words = _SCALES.get(scale) or ((scale, scale) if scale.endswith("s") else (scale, scale + "s"))
        return f"{say_number(number)} {words[1] if _plural(number) else words[0]} {of}"
    whole, _, decimals = number.partition(",")
    if decimals and len(decimals) <= 2 and cents:
        hundredths = say_number(str(int(decimals.ljust(2, "0"))))
        if not whole.strip("0 "):
            return f"{hundredths} {cents}"
        unit = plural if _plural(whole) else singular
        return f"{say_number(whole, feminine)} {unit} {hundredths}"
    spoken = say_number(number, feminine)
    if re.search(r"(million|milliard)s?$", spoken):
        return f"{spoken} {of}"  # "un million d'euros", not "un million euros"
    return f"{spoken} {plural if _plural(number) else singular}"


currencies = _subs([
    (rf"({NUM}) ?(Mds|Mrds|Mrd|Md|M|G|k|K) ?{_CUR}", lambda m: _money(m[1], m[3], m[2])),
    (rf"({NUM}) (millions?|milliards?|mille) (?:d'|de )?{_CUR}", lambda m: _money(m[1], m[3], m[2])),
    (rf"({NUM}) ?{_CUR}", lambda m: _money(m[1], m[2])),
    (rf"(?:US)?{_CUR} ?({NUM})(?: (millions?|milliards?))?", lambda m: _money(m[2], m[1], m[3])),
])

percentages = _subs([(rf"({NUM}) ?%", lambda m: say_number(m[1]) + " pour cent")])

# unit → (singular, plural); only after a number, case-sensitive.
_UNITS = {
    "km/h": ("kilomètre heure", "kilomètres heure"), "km²": ("kilomètre carré", "kilomètres carrés"),
    "m²": ("mètre carré", "mètres carrés"), "m³": ("mètre cube", "mètres cubes"),
    "km": ("kilomètre", "kilomètres"), "cm": ("centimètre", "centimètres"),
    "mm": ("millimètre", "millimètres"), "m": ("mètre", "mètres"), "kg": ("kilo", "kilos"),
    "mg": ("milligramme", "milligrammes"), "g": ("gramme", "grammes"), "t": ("tonne", "tonnes"),
    "l": ("litre", "litres"), "L": ("litre", "litres"), "ml": ("millilitre", "millilitres"),
    "cl": ("centilitre", "centilitres"), "ha": ("hectare", "hectares"),
    "kWh": ("kilowattheure", "kilowattheures"), "TWh": ("térawattheure", "térawattheures"),
    "kW": ("kilowatt", "kilowatts"), "MW": ("mégawatt", "mégawatts"), "GW": ("gigawatt", "gigawatts"),
    "Mo": ("mégaoctet", "mégaoctets"), "Go": ("gigaoctet", "gigaoctets"),
    "min": ("minute", "minutes"), "mn": ("minute", "minutes"), "j": ("jour", "jours"),
    "h": ("heure", "heures"), "s": ("seconde", "secondes"), "ms": ("milliseconde", "millisecondes"),
    "pts": ("point", "points"),
    "Mds": ("milliard", "milliards"), "Md": ("milliard", "milliards"),
    "cm²": ("centimètre carré", "centimètres carrés"), "mm²": ("millimètre carré", "millimètres carrés"),
    "cm³": ("centimètre cube", "centimètres cubes"), "hm³": ("hectomètre cube", "hectomètres cubes"),
    "MWh": ("mégawattheure", "mégawattheures"), "GWh": ("gigawattheure", "gigawattheures"),
    "tr": ("tour", "tours"),
}
_FEMININE_UNITS = {"t", "min", "mn", "s", "ms"}
_UNIT_RE = "|".join(map(re.escape, sorted(_UNITS, key=len, reverse=True)))


def _unit(m: re.Match[str]) -> str:
    singular, plural = _UNITS[m[2]]
    number = re.sub(r"^0+(?=\d)", "", m[1])  # "2 h 01 min 09 s": a measure's zeros are not read
    return f"{say_number(number, m[2] in _FEMININE_UNITS)} {plural if _plural(number) else singular}"


units = _subs([(rf"({NUM}) ?({_UNIT_RE})(?![\w'²³/])", _unit)])

# "m2", "km2", "m3" as typed on a keyboard → the superscript forms the units table reads; bare
# after an article ("le prix du m2", "des milliers de m²"), the unit is said in full.
_SQUARE_CUBE = {"km²": "km²", "km2": "km²", "cm2": "cm²", "mm2": "mm²", "m2": "m²", "m²": "m²",
                "cm3": "cm³", "hm3": "hm³", "m3": "m³", "m³": "m³"}


def _bare_unit(m: re.Match[str]) -> str:
    singular, plural = _UNITS[_SQUARE_CUBE[m[2]]]
    return f"{m[1]} {plural if m[1].lower() in ('de', 'des', 'les', 'en') else singular}"


units_with_digits = _subs([
    (r"(?:(?<=\d)|(?<=\d )|(?<=/)|(?<=/ ))(km|cm|mm|hm|m)([23])(?![\w²³])",
     lambda m: m[1] + "²³"[int(m[2]) - 2]),
    (r"\b([Dd]u|[Aa]u|[Ll]e|[Uu]n|par|[Dd]e|[Dd]es|[Ll]es|en) (km2|km²|m2|m²|m3|m³)(?![\w²³])",
     _bare_unit),
])

# A slash after a unit or a currency is "par" ("1 200 €/mois", "5 €/h", "120 hab./km²"); "km/h"
# keeps its usual "kilomètres heure"; fuel use is "aux cent kilomètres"; an incidence "pour".
_PER = {unit: singular for unit, (singular, _) in _UNITS.items()} | {
    "an": "an", "sem.": "semaine", "sem": "semaine", "hab": "habitant", "habitants": "habitant",
    "pers.": "personne", "pers": "personne",
}
_PER_RE = "|".join(map(re.escape, sorted(_PER, key=len, reverse=True)))


def _per(m: re.Match[str]) -> str:
    if (m["unit"] or "").strip() == "km" and m["den"] == "h":
        return m[0]
    stop = m["den"].endswith(".") and re.match(rf"\s*$|\s+[{UPPER}]", m.string[m.end():])
    return f"{m['cur'] or m['unit']} par {_PER.get(m['den'], m['den'])}" + ("." if stop else "")


per_unit = _subs([
    (r"(?<=\d)( ?[lL]) ?/ ?100 ?km\b", r"\1 aux cent kilomètres"),
    (rf"({NUM}) ?/ ?({NUM})(?= habitants\b)", r"\1 pour \2"),
    (rf"(?:(?P<cur>{_CUR})|(?<=\d)(?P<unit> ?(?:{_UNIT_RE}|habitants?)))"
     rf" ?/ ?(?P<den>{_PER_RE}|[{LOWER}]{{2,}})(?![\w²³])", _per),
])

signs = _subs([
    (r"(?<![\d.])(\d{1,3}(?:\.\d{3})+)(?![\d.,])", lambda m: m[1].replace(".", " ")),  # 1.500
    (r"(?<=\d)\.(?=\d)", " point "),  # 2.5
    (r"(?<=\d) ?[-–] ?(?=\d)", " à "),  # 1939-1945, 3-2
    (r"(?<![\w-])-(?=\d)", "moins "), (r"(?<![\w+])\+(?=\d)", "plus "),
    (r"(?<=\d) ?/ ?(?=\d)", " sur "),  # 24h/24, 7j/7, 3/4
])

# Nouns that make "un" feminine: "une personne", "vingt et une voix".
_FEMININE_NOUNS = set(
    "heure minute seconde fois personne tonne semaine année journée nuit voix victime femme fille "
    "page place voiture maison entreprise région ville commune école équipe mesure question nation "
    "province étape édition saison session réunion division brigade armée arme frappe attaque "
    "roquette bombe ogive balle chaîne ligne usine centrale république langue chambre élection "
    "famille génération espèce pièce vie mort livre lettre loi proposition circonscription "
    "candidate guerre base vague classe catégorie".split())


def _cardinal(m: re.Match[str]) -> str:
    noun = (m[2] or "").strip().lower()
    feminine = noun in _FEMININE_NOUNS or noun.rstrip("sx") in _FEMININE_NOUNS
    return say_number(m[1], feminine)


cardinals = _subs([(rf"({NUM})(?=( [{LOWER}]+)?)", _cardinal)])

# Acronyms read as a word (value) rather than spelled; anything else is spelled letter by letter.
ACRONYMS_AS_WORDS = {
    "OTAN": "Otan", "ONU": "Onu", "UNESCO": "Unesco", "UNICEF": "Unicef", "NASA": "Nasa",
    "OPEP": "Opep", "SIDA": "sida", "OVNI": "ovni", "INSEE": "Insee", "CNIL": "Cnil", "FIFA": "Fifa",
    "UEFA": "Uefa", "ASEAN": "Asean", "CERN": "Cern", "INSERM": "Inserm", "INRIA": "Inria",
    "SMIC": "Smic", "ENA": "Éna", "UNEF": "Unef", "MEDEF": "Medef", "COP": "Cop", "NUPES": "Nupes",
    "ZAD": "Zad", "CROUS": "Crous", "COVID": "Covid", "SRAS": "Sras", "CAF": "Caf", "SAMU": "Samu",
    "SMUR": "Smur", "GIEC": "Giec", "FED": "Fed", "OPA": "Opa", "PAC": "Pac", "FARC": "Farc",
    "HAMAS": "Hamas", "NATO": "Nato", "MODEM": "Modem", "RAID": "Raid", "BAC": "bac",
    "BRICS": "Brics", "CAC": "Cac", "IFOP": "Ifop", "ADEME": "Ademe", "ANSES": "Anses",
    "ARCOM": "Arcom", "CESE": "Cése", "ONERA": "Onera", "UNRWA": "Unrwa", "AIDES": "Aides",
    "CEDEX": "Cedex",
}
# Spelled even though they contain a vowel (an unknown acronym with a vowel is left to the engine).
ACRONYMS_SPELLED = set(
    "UE USA URSS ONG OMS OCDE OMC FMI BCE AIEA OSCE UA UK RDC RFA RDA IA PIB TVA PME ETI CDI CDD "
    "SDF IVG PMA GPA JO IUT BTS ADN ARN OGM EPR RSA APL HLM CSG ISF RGPD OQTF EDF GDF RTE RATP "
    "SNCF TGV TER RER PDG DRH CGT CFDT FO CNRS FBI CIA KGB FSB NSA DGSE DGSI GIGN PS LR RN LFI PCF "
    "NPA UDI UMP EELV LCI RFI AFP TF BFM BFMTV TV AP EI PSG OM OL UFC USB PC".split()
) - set(ACRONYMS_AS_WORDS)


def _spell(word: str) -> str:
    return " ".join(word)


def acronyms_processor(table: dict[str, str], protected: Container[str]) -> Callable[[str], str]:
    def repl(m: re.Match[str]) -> str:
        word = m[0]
        if word in protected:
            return word
        if word in table:
            return table[word]
        if word in ACRONYMS_SPELLED or not re.search("[AEIOUYÀ-ÆÈ-ÏÒ-ÖÙ-Ü]", word):
            return _spell(word)
        return word

    pattern = re.compile(rf"(?<![\w-])[{UPPER}]{{2,}}(?![\w-])")
    return lambda text: pattern.sub(repl, text)


symbols = _subs([
    (r"\s*%", " pour cent"), (r"\s*€", " euros"), (r"\s*\$", " dollars"), (r"\s*£", " livres"),
    (r"\s*°", " degrés"), (r"\s*\+\s*", " plus "), (r"\s*=\s*", " égale "), (r"\s*@\s*", " arobase "),
    (r"\s*<\s*", " inférieur à "), (r"\s*>\s*", " supérieur à "), (r"[#*_^~|\\]", " "),
    (r"²", " carré"), (r"³", " cube"),  # "x²": "x carré"
    (r"/", " "), (r"\d+", lambda m: say_number(m[0])),  # catch-all: no digit left
])

# What a listener hears as punctuation: quotes are dropped, asides and brackets become pauses.
speech_punctuation = _subs([
    (r"\s*[«»\"]\s*", " "),
    (r"\s+[–-]\s+", ", "), (r"\s*[()\[\]]\s*", ", "),
    (r"\s*,(?:\s*,)+", ","), (r"\s*,\s*([.…;:!?])", r"\1"), (r"^\s*[,;:]\s*", ""),
    (r"\s+([,.…])", r"\1"), (r"[\s,]+$", ""), (r"^\s+", ""), (r" {2,}", " "),
])

PRE_PROCESSORS: tuple[Callable[[str], str], ...] = (
    clean_typography, drop_elisions, addresses, legal_references, expand_abbreviations, postcodes,
    units_with_digits, per_unit, math_signs, split_letters_digits, day_lists, dates, times, fractions, ordinals, roman_numerals, temperatures,
    signs, currencies, percentages, units, cardinals,
)
POST_PROCESSORS: tuple[Callable[[str], str], ...] = (symbols, speech_punctuation)


def apply_lexicon(text: str, lexicon) -> str:
    """Whole-word, case-sensitive replacements in one pass (no replacement feeds another); a
    :class:`~pipeline.text.lexicon.Lexicon` applies its own rules (case, whole word)."""
    from pipeline.text.lexicon import Lexicon

    return Lexicon.of(lexicon).apply(text)


@lru_cache(maxsize=1)
def _step_names() -> dict[int, str]:
    return {id(value): name for name, value in globals().items() if callable(value)}


def speech_steps(acronyms: dict[str, str] | None = None, lexicon=None) -> list[tuple[str, Callable[[str], str]]]:
    """The normaliser's steps in order, each named as this module names it (so a caller can say
    which rule changed what: see :mod:`pipeline.text.spans`)."""
    from pipeline.text.lexicon import Lexicon

    lexicon = Lexicon.of(lexicon)
    table = {**ACRONYMS_AS_WORDS, **(acronyms or {})}
    names = _step_names()
    steps = [(names.get(id(step), step.__name__), step) for step in PRE_PROCESSORS]
    steps.append(("acronyms", acronyms_processor(table, lexicon)))
    steps += [(names.get(id(step), step.__name__), step) for step in POST_PROCESSORS]
    return steps + [("lexicon", lexicon.apply), ("spaces", lambda text: " ".join(text.split()))]


def normalise_for_speech(text: str, acronyms: dict[str, str] | None = None, lexicon=None) -> str:
    """Written French (a sentence or a paragraph) → the words a presenter says. ``lexicon``: a
    table of respellings or a :class:`~pipeline.text.lexicon.Lexicon`."""
    for _, step in speech_steps(acronyms, lexicon):
        text = step(text)
    return text
