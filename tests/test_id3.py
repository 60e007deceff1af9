"""ID3v2.3 tags: metadata, cover, CHAP chapters and a CTOC, read back with mutagen."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from mutagen.id3 import ID3, CTOCFlags, Encoding
from mutagen.mp3 import MP3

from _helpers_audio import small_mp3
from pipeline.sound.tags import read_chapters, write_id3
from pipeline.model import Chapter
from pipeline.publish.sidecars import to_chapters_json

ACCENTED = "Élysée : « l’Otan » à 100 %"
CHAPTERS = [
    Chapter(title="Introduction", start=0.0, end=0.8),
    Chapter(title=ACCENTED, start=0.8, end=2.125),
    Chapter(title="Œuvres et conclusion", start=2.125, end=3.0),
]
COVER = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # payload only needs to survive intact


def _tag(path: Path, **overrides) -> Path:
    fields = dict(
        title=ACCENTED,
        show="Le Balado de l’actualité",
        author="Rédaction",
        date="2024-05-01",
        description="Les membres de l’Otan ont durci le ton à Bruxelles.",
        chapters=CHAPTERS,
        cover=COVER,
        cover_mime="image/png",
        episode_number=7,
    )
    fields.update(overrides)
    write_id3(path, **fields)
    return path


@pytest.fixture
def mp3(tmp_path: Path) -> Path:
    return small_mp3(tmp_path / "episode.mp3")


def test_header_on_disk_is_id3v2_3(mp3: Path):
    data = _tag(mp3).read_bytes()
    assert data[:3] == b"ID3"
    assert data[3:5] == b"\x03\x00"  # major version 3, revision 0
    assert data.count(b"ID3") == 1  # ffmpeg's own tag was replaced, not kept alongside


def test_chapters_read_back_equal_the_input(mp3: Path):
    _tag(mp3)
    assert read_chapters(mp3) == CHAPTERS


def test_chap_frames_have_ids_exact_millisecond_times_and_titles(mp3: Path):
    tags = ID3(_tag(mp3))
    chaps = {frame.element_id: frame for frame in tags.getall("CHAP")}
    assert sorted(chaps) == ["chp0", "chp1", "chp2"]
    assert [(chaps[i].start_time, chaps[i].end_time) for i in ("chp0", "chp1", "chp2")] == [
        (0, 800),
        (800, 2125),
        (2125, 3000),
    ]
    assert [str(chaps[i].sub_frames["TIT2"]) for i in ("chp0", "chp1", "chp2")] == [c.title for c in CHAPTERS]


def test_ctoc_is_top_level_ordered_and_lists_every_chapter_in_order(mp3: Path):
    tags = ID3(_tag(mp3))
    (toc,) = tags.getall("CTOC")
    assert toc.element_id == "toc"
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    assert str(toc.sub_frames["TIT2"]) == ACCENTED


def test_metadata_and_accented_text_survive(mp3: Path):
    tags = ID3(_tag(mp3))
    assert str(tags["TIT2"]) == ACCENTED
    assert str(tags["TALB"]) == "Le Balado de l’actualité"
    assert str(tags["TPE1"]) == "Rédaction"
    assert str(tags["TCON"]) == "Podcast"
    assert str(tags["TRCK"]) == "7"
    (comment,) = tags.getall("COMM")
    assert comment.text == ["Les membres de l’Otan ont durci le ton à Bruxelles."]
    # v2.3 has no UTF-8: text Latin-1 cannot hold goes as UTF-16, the rest stays Latin-1.
    assert tags["TIT2"].encoding == Encoding.UTF16
    assert tags["TPE1"].encoding == Encoding.LATIN1


def test_frames_on_disk_are_v2_3_frames(mp3: Path):
    raw = ID3(_tag(mp3), translate=False)  # frames as stored, not upgraded to v2.4
    assert str(raw["TYER"]) == "2024"
    assert str(raw["TDAT"]) == "0105"  # DDMM
    assert "TDRC" not in raw
    frames = list(raw.values())
    frames += [sub for f in raw.getall("CHAP") + raw.getall("CTOC") for sub in f.sub_frames.values()]
    # v2.3 knows only Latin-1 (0) and UTF-16 with BOM (1).
    assert all(getattr(f, "encoding", 0) in (Encoding.LATIN1, Encoding.UTF16) for f in frames)


def test_cover_art_is_embedded(mp3: Path):
    tags = ID3(_tag(mp3))
    (apic,) = tags.getall("APIC")
    assert apic.type == 3  # front cover
    assert apic.mime == "image/png"
    assert apic.data == COVER


def test_retagging_replaces_everything_and_keeps_the_audio(mp3: Path):
    length = MP3(mp3).info.length
    _tag(mp3)
    _tag(mp3, chapters=CHAPTERS[:1], cover=None, episode_number=None, title="Autre")
    tags = ID3(mp3)
    assert read_chapters(mp3) == CHAPTERS[:1]
    assert not tags.getall("APIC") and "TRCK" not in tags
    assert str(tags["TIT2"]) == "Autre"
    assert MP3(mp3).info.length == pytest.approx(length, abs=0.001)


def test_no_chapters_means_no_chap_or_ctoc(mp3: Path):
    tags = ID3(_tag(mp3, chapters=[]))
    assert not tags.getall("CHAP") and not tags.getall("CTOC")
    assert read_chapters(mp3) == []


def test_untagged_file_has_no_chapters(tmp_path: Path):
    path = tmp_path / "bare.mp3"
    path.write_bytes(b"\xff\xfb\x90\x00" + bytes(413))  # one MPEG frame header, no ID3
    assert read_chapters(path) == []


def test_id3_chapters_agree_with_json_chapters(mp3: Path):
    _tag(mp3)
    from_json = json.loads(to_chapters_json(CHAPTERS))["chapters"]
    from_id3 = read_chapters(mp3)
    assert [(c["title"], c["startTime"]) for c in from_json] == [(c.title, c.start) for c in from_id3]
