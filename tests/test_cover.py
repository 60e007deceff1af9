"""Cover art: the generated default and the user's own, held to Apple's rules."""
from __future__ import annotations

import io
import os
import random

import pytest
from PIL import Image

import pipeline.publish.cover as cover
from _helpers_feed import make_config
from pipeline.publish.cover import check_cover, default_cover, ensure_cover
from pipeline.errors import UserError


def image_file(path, size=(1400, 1400), mode="RGB", fmt=None, noise=False):
    """Write a real image; ``noise`` makes it incompressible (a big file)."""
    if noise:
        data = random.Random(1).randbytes(size[0] * size[1] * len(mode))
        img = Image.frombytes(mode, size, data)
    else:
        img = Image.new(mode, size, "navy" if mode != "CMYK" else (200, 100, 0, 0))
    img.save(path, fmt)
    return path


def open_image(path):
    with Image.open(path) as img:
        img.load()
        return img


# --- the generated default -------------------------------------------------------------------
def test_default_cover_meets_apples_rules(tmp_path):
    config = make_config(tmp_path)
    name = ensure_cover(config, tmp_path / "public")
    assert name == "cover.png"
    path = tmp_path / "public" / name
    assert check_cover(path) == []
    img = open_image(path)
    assert (img.format, img.mode, img.size) == ("PNG", "RGB", (1400, 1400))
    assert path.stat().st_size < 512 * 1024
    # Not a blank square: the title is drawn in a second colour over a good part of it.
    colours = img.getcolors(maxcolors=1 << 16)
    background = max(colours)[1]
    ink = sum(count for count, colour in colours if colour != background)
    assert ink > 0.02 * 1400 * 1400


def test_default_cover_is_rewritten_only_when_it_changes(tmp_path):
    public = tmp_path / "public"
    ensure_cover(make_config(tmp_path), public)
    first = os.stat(public / "cover.png")
    ensure_cover(make_config(tmp_path), public)
    again = os.stat(public / "cover.png")
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    ensure_cover(make_config(tmp_path, title="Un autre titre"), public)
    assert os.stat(public / "cover.png").st_ino != first.st_ino
    assert [p.name for p in public.iterdir()] == ["cover.png"]  # no temporary file left


def test_titles_differ_so_covers_differ():
    assert default_cover("Balado") != default_cover("Le journal du soir")


def test_long_title_still_fits(tmp_path):
    title = "Le très long titre d'une émission qui parle de tout, de rien, et surtout " * 3
    path = tmp_path / "cover.png"
    path.write_bytes(default_cover(title))
    assert check_cover(path) == []


def test_default_cover_without_any_system_font(tmp_path, monkeypatch):
    # A fresh machine may have no font at all: Pillow's own scalable font must do.
    monkeypatch.setattr(cover, "_FONT_CANDIDATES", ())
    path = tmp_path / "cover.png"
    path.write_bytes(default_cover("Balado — l'actualité à écouter"))
    assert check_cover(path) == []
    assert cover._fold("L’été « à » Noël — œuvre") == "L'ete \" a \" Noel - oeuvre"


# --- the user's own cover --------------------------------------------------------------------
def test_users_jpeg_is_copied_untouched(tmp_path):
    source = image_file(tmp_path / "art.jpeg", size=(1600, 1600))
    config = make_config(tmp_path, cover="art.jpeg")
    name = ensure_cover(config, tmp_path / "public")
    assert name == "cover.jpg"
    assert (tmp_path / "public" / name).read_bytes() == source.read_bytes()


def test_harmless_mode_is_converted_to_rgb(tmp_path):
    image_file(tmp_path / "art.png", mode="RGBA")
    config = make_config(tmp_path, cover="art.png")
    name = ensure_cover(config, tmp_path / "public")
    path = tmp_path / "public" / name
    assert open_image(path).mode == "RGB"
    assert check_cover(path) == []


@pytest.mark.parametrize("name, kwargs, message", [
    ("wide.png", dict(size=(1600, 1400)), "1600x1400 px, must be square"),
    ("small.png", dict(size=(1000, 1000)), "each side must be 1400-3000 px"),
    ("huge.png", dict(size=(3001, 3001)), "each side must be 1400-3000 px"),
    ("fake.jpg", dict(fmt="PNG"), "cover is PNG but its extension is .jpg"),
    ("print.jpg", dict(mode="CMYK"), "colour mode is CMYK, must be RGB"),
    ("heavy.png", dict(noise=True), "KB, must be under 512 KB"),
    ("anim.gif", dict(fmt="GIF"), "cover is GIF, must be JPEG or PNG"),
])
def test_unfit_user_covers_are_refused_naming_file_and_problem(tmp_path, name, kwargs, message):
    path = image_file(tmp_path / name, **kwargs)
    assert any(message in problem for problem in check_cover(path))
    with pytest.raises(UserError, match=message) as caught:
        ensure_cover(make_config(tmp_path, cover=name), tmp_path / "public")
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "public").exists()  # nothing written


def test_missing_and_unreadable_covers(tmp_path):
    with pytest.raises(UserError, match="nowhere.png: cover image not found"):
        ensure_cover(make_config(tmp_path, cover="nowhere.png"), tmp_path / "public")
    (tmp_path / "text.png").write_text("pas une image")
    with pytest.raises(UserError, match="text.png: cover is not a readable image"):
        ensure_cover(make_config(tmp_path, cover="text.png"), tmp_path / "public")


def test_check_cover_reads_a_truncated_file_as_broken(tmp_path):
    data = io.BytesIO()
    Image.new("RGB", (1400, 1400), "red").save(data, "PNG")
    (tmp_path / "cut.png").write_bytes(data.getvalue()[:60])
    problems = check_cover(tmp_path / "cut.png")
    assert len(problems) == 1 and "not a readable image" in problems[0]


def test_the_published_default_cover_is_recognised_without_the_cache(tmp_path, monkeypatch):
    import shutil

    config = make_config(tmp_path)
    ensure_cover(config, config.public_dir)
    drawn = (config.public_dir / "cover.png").read_bytes()
    shutil.rmtree(config.cache_dir)

    def no_drawing(*args, **kwargs):
        raise AssertionError("the cover was drawn again")

    monkeypatch.setattr(cover, "default_cover", no_drawing)
    assert cover.cover_file(config) == ("cover.png", drawn)
    # Another title is another key: that one is drawn.
    with pytest.raises(AssertionError, match="drawn again"):
        cover.cover_file(make_config(tmp_path, title="Un autre titre"))
