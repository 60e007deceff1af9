"""Settings: defaults, and one clear line for each kind of mistake in podcast.toml."""
import pytest

from pipeline.config import load_config
from pipeline.errors import UserError


def test_repository_settings_load(project):
    config = load_config(project)
    assert config.show.language == "fr" and config.voice.tld == "fr" and config.synthesis.jobs == 4
    assert config.lexicon["PURL"] == "Peurl"
    assert config.feed_url == "https://balado.example/podcast/feed.xml"


def test_a_folder_without_settings_is_not_a_show(tmp_path):
    with pytest.raises(UserError, match="no podcast.toml here; run `invoke init`"):
        load_config(tmp_path)


def test_settings_left_out_take_their_defaults(tmp_path):
    (tmp_path / "podcast.toml").write_text("[show]\ntitle = 'Mon émission'\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert config.audio.bitrate == "96k" and config.voice.max_chars == 200 and config.show.timezone == "Europe/Paris"


def test_a_time_zone_that_does_not_exist_is_refused(tmp_path):
    (tmp_path / "podcast.toml").write_text("[show]\ntimezone = 'Europe/Lutece'\n", encoding="utf-8")
    with pytest.raises(UserError, match="'Europe/Lutece' is not a time zone"):
        load_config(tmp_path)


@pytest.mark.parametrize("toml, problem", [
    ("[show]\ntitle = ", "not valid TOML"),
    ("[show]\ncolour = 'red'\n", "unknown setting(s) in [show]: colour"),
    ("[voice]\nengine = 'siri'\n", "engine must be auto, gtts or espeak"),
    ("[audio]\nloudness_method = 'loud'\n", "loudness_method must be gain or loudnorm"),
    ("[audio]\nmp3_quality = 12\n", "mp3_quality must be 0 to 9"),
    ("[synthesis]\njobs = 0\n", "jobs must be at least 1"),
    ("[show]\nbase_url = 'balado.example'\n", "base_url must be an http(s) URL"),
])
def test_bad_settings_get_one_line(tmp_path, toml, problem):
    (tmp_path / "podcast.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_config(tmp_path)
    assert problem in str(caught.value) and "podcast.toml" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("toml, problem", [
    ("[synthesis]\njobs = 'quatre'\n", "jobs = 'quatre' is not a valid int"),
    ("[synthesis]\ntimeout_seconds = 'x'\n", "timeout_seconds = 'x' is not a valid float"),
    ("[audio]\npause_sentence_ms = -5\n", "pause_sentence_ms = -5 is not a valid int"),
])
def test_settings_of_the_wrong_type_get_one_line(tmp_path, toml, problem):
    (tmp_path / "podcast.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(UserError, match=problem.replace("'", ".")):
        load_config(tmp_path)


def test_every_problem_is_named_on_one_line(tmp_path):
    (tmp_path / "podcast.toml").write_text("[voice]\nengine = 'siri'\n[synthesis]\njobs = 0\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_config(tmp_path)
    message = str(caught.value)
    assert "engine must be auto, gtts or espeak" in message and "jobs must be at least 1" in message
    assert "\n" not in message


def test_every_setting_the_init_template_shows_commented_out_works_once_uncommented(tmp_path):
    """A newsroom enables a setting by deleting its ``# ``: each such line must be TOML on its own
    (one key a line) and a setting load_config reads."""
    import re

    from pipeline.project import init_project

    init_project(tmp_path, title="La Gazette", base_url="https://gazette.example/podcast", owner_name="La Gazette",
                 owner_email="podcast@gazette.example")
    toml = tmp_path / "podcast.toml"
    template = toml.read_text(encoding="utf-8")
    commented = re.findall(r"(?m)^# ([a-z_]+) = ", template)
    assert len(commented) >= 15
    toml.write_text(re.sub(r"(?m)^# ([a-z_]+ = )", r"\1", template), encoding="utf-8")
    (tmp_path / "cover.png").write_bytes(b"")  # files the examples name (checked when used)
    (tmp_path / "sounds").mkdir(exist_ok=True)
    (tmp_path / "sounds" / "generique.mp3").write_bytes(b"")
    config = load_config(tmp_path)
    assert (config.announce.timeout_seconds, config.announce.attempts) == (10, 3)
    assert (config.directory.license, config.directory.license_url) == (
        "cc-by-4.0", "https://creativecommons.org/licenses/by/4.0/")
    assert (config.directory.funding_url, config.directory.funding_text) == (
        "https://gazette.example/soutenir", "Soutenir la rédaction")
    assert config.directory.itunes_block is False and config.directory.podcast_block is False
