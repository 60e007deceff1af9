"""Pronunciation rules: what the voice says for a word, in plain TOML.

``[lexicon]`` in ``podcast.toml`` (the show's) and in an article's front matter (that article's,
overriding the show's for the same word). Each key is a word or phrase; its value is either a
respelling (the old form, ``PURL = "Peurl"``) or a table::

    Zelensky = { say = "Zélenski" }
    SNCF = { read = "letters" }            # spelled: « S N C F »
    OTAN = { read = "word" }               # read as a word: « Otan »
    kyiv = { say = "Kiev", case_sensitive = false }
    "-gate" = { say = "-guète", whole_word = false }

Rules match case-sensitively and on whole words unless they say otherwise. Rules are applied
after the French normalisation, in one pass (no rule's output feeds another), and the words
they name are kept out of the acronym speller so a rule always wins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.errors import UserError

READINGS = ("letters", "word")
RULE_KEYS = {"say", "read", "case_sensitive", "whole_word"}


@dataclass(frozen=True)
class Rule:
    word: str
    say: str | None = None  # a respelling
    read: str | None = None  # "letters" (spelled) or "word" (read as a word)
    case_sensitive: bool = True
    whole_word: bool = True

    @property
    def spoken(self) -> str:
        if self.say is not None:
            return self.say
        if self.read == "letters":
            return " ".join(ch for ch in self.word if not ch.isspace())
        return self.word.capitalize() if self.word.isupper() else self.word

    def to_toml(self):
        """The plain value when a respelling is all it says (the old form), else a table."""
        if self.say is not None and self.read is None and self.case_sensitive and self.whole_word:
            return self.say
        table = {key: getattr(self, key) for key in ("say", "read") if getattr(self, key) is not None}
        if not self.case_sensitive:
            table["case_sensitive"] = False
        if not self.whole_word:
            table["whole_word"] = False
        return table

    def pattern(self) -> str:
        body = re.escape(self.word)
        return rf"(?<!\w){body}(?!\w)" if self.whole_word else body


def parse_rule(word, value, where: str) -> Rule:
    """One ``[lexicon]`` entry, or one clear line naming ``where`` and what is wrong."""
    word = str(word).strip()
    if not word:
        raise UserError(f"{where}: [lexicon] has an empty word")
    if isinstance(value, str):
        value = {"say": value}
    if not isinstance(value, dict):
        raise UserError(f"{where}: [lexicon] {word} must be a respelling or a table such as "
                        f"{{ say = \"…\" }} or {{ read = \"letters\" }}, not {value!r}")
    unknown = set(value) - RULE_KEYS
    if unknown:
        raise UserError(f"{where}: [lexicon] {word}: unknown key(s) {', '.join(sorted(unknown))} "
                        f"(say, read, case_sensitive, whole_word)")
    say, read = value.get("say"), value.get("read")
    if say is not None and (not isinstance(say, str) or not say.strip()):
        raise UserError(f"{where}: [lexicon] {word}: say must be a non-empty respelling, not {say!r}")
    if read is not None and read not in READINGS:
        raise UserError(f"{where}: [lexicon] {word}: read must be \"letters\" or \"word\", not {read!r}")
    if say is None and read is None:
        raise UserError(f"{where}: [lexicon] {word}: say what to do (say = \"…\" or read = \"letters\"/\"word\")")
    flags = {}
    for key in ("case_sensitive", "whole_word"):
        if key in value and not isinstance(value[key], bool):
            raise UserError(f"{where}: [lexicon] {word}: {key} must be true or false, not {value[key]!r}")
        flags[key] = value.get(key, True)
    return Rule(word, say=say.strip() if say else None, read=read, **flags)


def parse_rules(table, where: str) -> tuple[Rule, ...]:
    if not isinstance(table, dict):
        raise UserError(f"{where}: lexicon must be a table of word = rule, not {table!r}")
    return tuple(parse_rule(word, value, where) for word, value in table.items())


def parse_try(text: str, where: str = "--try") -> Rule:
    """``"Zelensky=Zélenski"``: a respelling to hear, not saved."""
    word, sign, say = text.partition("=")
    if not sign or not word.strip() or not say.strip():
        raise UserError(f"{where} takes WORD=RESPELLING, such as \"Zelensky=Zélenski\", not {text!r}")
    return Rule(word.strip(), say=say.strip())


@dataclass(frozen=True)
class Lexicon:
    """The rules in force for one text: the show's, overridden by an article's."""

    rules: tuple[Rule, ...] = ()

    @classmethod
    def of(cls, value) -> "Lexicon":
        """A lexicon from itself, a table of respellings (the old ``dict``) or nothing."""
        if isinstance(value, Lexicon):
            return value
        return cls(tuple(Rule(str(k), say=str(v)) for k, v in (value or {}).items()))

    def overridden_by(self, rules) -> "Lexicon":
        """These rules first: a word they name (in any case) replaces the show's rule for it."""
        rules = tuple(rules or ())
        if not rules:
            return self
        folded = {r.word.casefold() for r in rules}
        return Lexicon(rules + tuple(r for r in self.rules if r.word.casefold() not in folded))

    def to_toml(self) -> dict:
        """The rules as ``[lexicon]`` writes them (old-form respellings stay plain strings, so an
        unchanged show keeps its recipes)."""
        return {rule.word: rule.to_toml() for rule in self.rules}

    def __bool__(self) -> bool:
        return bool(self.rules)

    def __contains__(self, word: str) -> bool:
        """A word a rule names: the acronym speller leaves it for the rule."""
        return any(r.word == word or (not r.case_sensitive and r.word.casefold() == word.casefold())
                   for r in self.rules)

    def __getitem__(self, word: str) -> str:
        """What the voice says for ``word`` (as the old table of respellings answered)."""
        for rule in self.rules:
            if rule.word == word:
                return rule.spoken
        raise KeyError(word)

    def apply(self, text: str) -> str:
        if not self.rules:
            return text
        pattern, ordered = _compiled(self.rules)
        return pattern.sub(lambda match: ordered[match.lastindex - 1].spoken, text)


@lru_cache(maxsize=64)
def _compiled(rules: tuple[Rule, ...]) -> tuple[re.Pattern[str], tuple[Rule, ...]]:
    """One pattern for every rule, the longest word first; a group per rule says which matched."""
    ordered = tuple(sorted(rules, key=lambda r: len(r.word), reverse=True))
    body = "|".join(f"(?{'' if r.case_sensitive else 'i'}:({r.pattern()}))" for r in ordered)
    return re.compile(body), ordered
