"""An article's URL as the embed player names it (pipeline.player.urls): one lookup file per
article whatever campaign, scheme or slash the page was reached by."""
from __future__ import annotations

import hashlib

import pytest

from embed_url_cases import CASES
from pipeline.player.urls import LOOKUP_CHARS, is_tracking, lookup_hash, normalise_url


@pytest.mark.parametrize("url, expected", CASES, ids=[str(i) for i in range(len(CASES))])
def test_normalise_url(url, expected):
    assert normalise_url(url) == expected


@pytest.mark.parametrize("url, expected", [(u, e) for u, e in CASES if e])
def test_normalising_twice_changes_nothing(url, expected):
    assert normalise_url(expected) == expected


def test_every_campaign_variant_of_an_article_is_one_lookup_file():
    article = "https://www.lemonde.fr/international/article/2025/03/14/otan_6581234_3210.html"
    variants = [article, article.replace("https:", "http:"), article + "#comments", article + "/",
                article + "?xtor=RSS-3208", article + "?utm_source=twitter&utm_medium=social&fbclid=abc",
                article.replace("www.lemonde.fr", "WWW.LEMONDE.FR:443")]
    assert {lookup_hash(normalise_url(v)) for v in variants} == {lookup_hash(article)}


def test_a_real_parameter_makes_another_article():
    base = "https://www.liberation.fr/politique/article"
    assert normalise_url(base + "?id=1") != normalise_url(base + "?id=2") != normalise_url(base)


def test_lookup_hash_is_sixteen_hex_of_sha256_of_the_utf8_url():
    url = "https://www.gazette.example/soci%C3%A9t%C3%A9"
    assert lookup_hash(url) == hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    assert LOOKUP_CHARS == 16


@pytest.mark.parametrize("name", ["utm_source", "UTM_Campaign", "utm_", "at_medium", "xtor", "FBCLID", "_ga"])
def test_tracking_names(name):
    assert is_tracking(name)


@pytest.mark.parametrize("name", ["utm", "at", "id", "page", "xtor_extra", "ga", "q"])
def test_names_that_are_not_tracking(name):
    assert not is_tracking(name)


@pytest.mark.parametrize("url", ["https://", "http://[::1", "https://exa mple.org:99999/", None, "   "])
def test_what_is_not_a_url_gives_none(url):
    assert normalise_url(url) is None
