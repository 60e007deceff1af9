"""[[sources]] and [fetch] in podcast.toml: read as written, and one clear line for each mistake."""
from datetime import datetime, timezone

import pytest

from pipeline.config import load_config
from pipeline.errors import UserError


def test_sources_are_read_with_their_options(tmp_path):
    (tmp_path / "podcast.toml").write_text("""
[fetch]
read_timeout_seconds = 1
max_bytes = 1000

[[sources]]
name = "Le Courrier"
url = "https://courrier.example/feed/"
include_categories = ["Politique"]
exclude_urls = ["re:/live/", "*/podcasts/*"]
since = 2025-11-01
max_new = 3
full_text = "page"

[[sources]]
url = "archives/fil.json"
""", encoding="utf-8")
    config = load_config(tmp_path)
    first, second = config.sources
    assert first.label == "Le Courrier" and first.include_categories == ("Politique",)
    assert first.exclude_urls == ("re:/live/", "*/podcasts/*") and first.max_new == 3 and first.full_text == "page"
    assert first.since == datetime(2025, 11, 1, tzinfo=timezone.utc)
    assert second.label == "archives/fil.json" and second.full_text == "auto" and second.max_new == 10
    assert config.fetch.read_timeout_seconds == 1 and config.fetch.max_bytes == 1000


def test_no_sources_is_fine(tmp_path):
    (tmp_path / "podcast.toml").write_text("[show]\ntitle = 'Sans flux'\n", encoding="utf-8")
    assert load_config(tmp_path).sources == ()


@pytest.mark.parametrize("toml, problem", [
    ("[[sources]]\nname = 'x'\n", "[[sources]] #1 needs a url"),
    ("[[sources]]\nurl = 'ftp://x.example/feed'\n", "must be http(s)://, file:// or a path"),
    ("[[sources]]\nurl = 'a.xml'\nfull_text = 'all'\n", "full_text must be auto, feed or page, not 'all'"),
    ("[[sources]]\nurl = 'a.xml'\nmax_new = 0\n", "max_new must be a whole number of at least 1, not 0"),
    ("[[sources]]\nurl = 'a.xml'\nexclude_urls = ['re:(']\n", "'re:(' is not a valid regular expression"),
    ("[[sources]]\nurl = 'a.xml'\ninclude_categories = 'Politique'\ncolour = 1\n", "unknown setting(s) in [[sources]] #1: colour"),
    ("[[sources]]\nurl = 'a.xml'\nsince = 'hier'\n", "since 'hier' is not a date"),
    ("[[sources]]\nurl = 'a.xml'\ninclude_urls = [1]\n", "include_urls must be a list of strings"),
    ("[[sources]]\nurl = 'a.xml'\n[[sources]]\nurl = 'a.xml'\n", "url 'a.xml' is listed twice"),
    ("sources = 'a.xml'\n", "sources must be [[sources]] tables"),
    ("[fetch]\nread_timeout_seconds = 0\n", "[fetch] time-outs and max_bytes must be more than 0"),
    ("[fetch]\nmax_bytes = 'beaucoup'\n", "max_bytes = 'beaucoup' is not a valid int"),
])
def test_mistakes_get_one_line_naming_the_file(tmp_path, toml, problem):
    (tmp_path / "podcast.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_config(tmp_path)
    message = str(caught.value)
    assert problem in message and "podcast.toml" in message and "\n" not in message
