"""Where the spoken text differs from the written one, and which rule made it differ.

Runs the normaliser's own steps (:func:`pipeline.text.french.speech_steps`, so the spoken text
is exactly the one the build speaks) and, after each, aligns its output with its input word by
word (difflib). Every character of the text being rewritten keeps the span of the written text
it came from, so each replacement is reported as a span of the article as written, with what is
said instead and the kind of rule (number, date, abbreviation, symbol, acronym, lexicon…).
Typography and punctuation steps are followed but not reported.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

KINDS = {
    "dates": "date", "times": "time", "ordinals": "number", "cardinals": "number", "fractions": "number",
    "currencies": "number", "percentages": "number", "units": "unit", "units_with_digits": "unit",
    "per_unit": "unit", "temperatures": "number", "roman_numerals": "number", "signs": "symbol",
    "math_signs": "symbol", "symbols": "symbol", "addresses": "address", "expand_abbreviations": "abbreviation",
    "split_letters_digits": "number", "acronyms": "acronym", "lexicon": "lexicon",
}
UNREPORTED = {"clean_typography", "drop_elisions", "speech_punctuation", "spaces"}
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Difference:
    start: int  # in the written text
    end: int
    written: str
    spoken: str
    kind: str


def differences(text: str, acronyms=None, lexicon=None) -> tuple[str, list[Difference]]:
    """The spoken form of ``text`` and every place it differs from it."""
    from pipeline.text.french import speech_steps

    current = text
    origin = [(i, i + 1) for i in range(len(text))]
    kinds: list[str | None] = [None] * len(text)
    for name, step in speech_steps(acronyms, lexicon):
        after = step(current)
        if after != current:
            kind = None if name in UNREPORTED else KINDS.get(name, name)
            origin, kinds = _carry(current, after, origin, kinds, kind)
            current = after
    return current, _spans(text, current, origin, kinds)


def _carry(before: str, after: str, origin, kinds, kind):
    """Each character of ``after`` with the written span it comes from, and the rule that changed it."""
    old, new = _tokens(before), _tokens(after)
    matcher = difflib.SequenceMatcher(None, [t for _, t in old], [t for _, t in new], autojunk=False)
    new_origin, new_kinds = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        start, end = old[i1][0] if i1 < len(old) else len(before), old[i2][0] if i2 < len(old) else len(before)
        length = sum(len(t) for _, t in new[j1:j2])
        if op == "equal":
            new_origin += origin[start:end]
            new_kinds += kinds[start:end]
            continue
        spans = origin[start:end] or [(origin[start - 1][1],) * 2 if start else (0, 0)]
        inherited = next((k for k in kinds[start:end] if k), None)
        whitespace = not "".join(t for _, t in new[j1:j2]).strip() and not before[start:end].strip()
        new_origin += [(min(s for s, _ in spans), max(e for _, e in spans))] * length
        new_kinds += [None if whitespace else (kind or inherited)] * length
    return new_origin, new_kinds


def _tokens(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m[0]) for m in TOKEN.finditer(text)]


def _spans(written: str, spoken: str, origin, kinds) -> list[Difference]:
    """Runs of reported characters, merged where their written spans meet or overlap."""
    runs: list[list] = []
    for index, (span, kind) in enumerate(zip(origin, kinds)):
        if kind is None:
            continue
        if runs and span[0] < runs[-1][1] + 1 and index <= runs[-1][3] + 2:
            run = runs[-1]
            run[0], run[1], run[3] = min(run[0], span[0]), max(run[1], span[1]), index
        else:
            runs.append([span[0], span[1], index, index, kind])
    merged: list[list] = []
    for run in runs:  # "14 h 30", "1,5 Md€": one replacement the alignment cut in pieces
        if merged and not written[merged[-1][1]:run[0]].strip() and not spoken[merged[-1][3] + 1:run[2]].strip():
            merged[-1][1], merged[-1][3] = max(merged[-1][1], run[1]), run[3]
        else:
            merged.append(run)
    result = []
    for start, end, first, last, kind in merged:
        said, shown = spoken[first:last + 1].strip(" ,"), written[start:end].strip()
        if said != shown:
            result.append(Difference(start, end, written[start:end], said, kind))
    return result
