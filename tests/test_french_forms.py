"""The forms an independent test set found uncovered: one table per rule, with forms that must
not change, plus the properties that nothing is lost and nothing is left for the engine."""
from __future__ import annotations

import pytest

from pipeline.french import normalise_for_speech


def say(text: str, **kwargs) -> str:
    return normalise_for_speech(text, **kwargs)


# --- "J.-C.": the end of a date, the end of a sentence only before what opens one ------------------
@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("en 52 av. J.-C.", "en cinquante-deux avant Jésus-Christ."),
        ("En 52 av. J.-C. César conquiert la Gaule.",
         "En cinquante-deux avant Jésus-Christ, César conquiert la Gaule."),
        ("né en 4 av. J.-C. Il meurt", "né en quatre avant Jésus-Christ. Il meurt"),
        ("en 64 apr. J.-C. La ville brûle", "en soixante-quatre après Jésus-Christ. La ville brûle"),
        ("En 14 apr. J.-C. « Il faut »", "En quatorze après Jésus-Christ. Il faut"),
        ("en 52 av. J.-C., César", "en cinquante-deux avant Jésus-Christ, César"),
        ("entre 52 av. J.-C. et 14 apr. J.-C. la paix",
         "entre cinquante-deux avant Jésus-Christ et quatorze après Jésus-Christ la paix"),
        ("en 800 après J.-C. Charlemagne", "en huit cents après Jésus-Christ, Charlemagne"),
        ("la naissance de J.-C. Puis", "la naissance de Jésus-Christ. Puis"),
        ("J.-C. Decaux a dit", "J.-C. Decaux a dit"),  # a person's initials
    ],
)
def test_era(written: str, spoken: str) -> None:
    assert say(written) == spoken


# --- feminine regnal and ordinal forms ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Marie Ire", "Marie première"),
        ("Élisabeth Ire", "Élisabeth première"),
        ("Isabelle Ire de Castille", "Isabelle première de Castille"),
        ("Catherine Ire de Russie", "Catherine première de Russie"),
        ("Marie Ière", "Marie première"),
        ("Marie Iʳᵉ", "Marie première"),
        ("Marie 1re", "Marie première"),
        ("la Ire armée", "la première armée"),
        ("la Ire République", "la première République"),
        ("les Ires places", "les premières places"),
        ("la 1re fois", "la première fois"),
        ("les 1res places", "les premières places"),
        ("1re étape : Lyon", "première étape : Lyon"),
        ("en 1re", "en première"),
        ("la 1ʳᵉ ministre", "la première ministre"),
        ("les 1ères places", "les premières places"),
        ("en 2de", "en seconde"),
        ("les 2des", "les secondes"),
        ("le 2d tour", "le second tour"),
        ("François Ier", "François premier"),
        ("L'Ire", "L'Ire"),  # a title: an elided article is followed by a noun
        ("Irène", "Irène"),
    ],
)
def test_feminine_ordinals(written: str, spoken: str) -> None:
    assert say(written) == spoken
