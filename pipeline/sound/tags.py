"""ID3v2.3 tags for an episode MP3: metadata, cover art and chapters (CHAP + CTOC).

v2.3 rather than v2.4 because Apple's player garbles v2.4 chapter titles; v2.3 only knows
Latin-1 and UTF-16, so text that Latin-1 cannot hold (’, œ, …) is written as UTF-16.
Overcast lists chapters only when a CTOC (table of contents) points at them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TRCK,
    WXXX,
    CTOCFlags,
    Encoding,
    ID3NoHeaderError,
    PictureType,
)

from pipeline.model import Chapter

TOC_ID = "toc"


def _encoding(*texts: str) -> Encoding:
    try:
        for text in texts:
            text.encode("latin-1")
    except UnicodeEncodeError:
        return Encoding.UTF16
    return Encoding.LATIN1


def _text(frame_type, text: str):
    return frame_type(encoding=_encoding(text), text=[text])


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def write_id3(
    path: Path,
    *,
    title: str,
    show: str,
    author: str,
    date: str,
    description: str,
    chapters: Sequence[Chapter],
    cover: bytes | None,
    cover_mime: str = "image/png",
    episode_number: int | None = None,
    language: str = "fra",
) -> None:
    """Replace the MP3's ID3 tag with the episode's metadata, cover and chapters (ID3v2.3)."""
    tags = ID3()
    for frame in _metadata_frames(title=title, show=show, author=author, date=date, description=description,
                                  episode_number=episode_number, language=language):
        tags.add(frame)
    if cover:
        tags.add(APIC(encoding=Encoding.LATIN1, mime=cover_mime, type=PictureType.COVER_FRONT, desc="", data=cover))
    for frame in _chapter_frames(title, chapters):
        tags.add(frame)
    # save(v2_version=3) only changes the header: the frames must be converted first.
    tags.update_to_v23()
    tags.save(path, v2_version=3)


def _metadata_frames(*, title: str, show: str, author: str, date: str, description: str,
                     episode_number: int | None, language: str) -> list:
    frames = [_text(TIT2, title), _text(TALB, show), _text(TPE1, author)]
    # TDRC is v2.4; update_to_v23() turns it into v2.3's TYER (year) + TDAT (DDMM).
    frames.append(TDRC(encoding=Encoding.LATIN1, text=[date]))
    frames.append(TCON(encoding=Encoding.LATIN1, text=["Podcast"]))
    frames.append(TLAN(encoding=Encoding.LATIN1, text=[language]))
    if episode_number is not None:
        frames.append(TRCK(encoding=Encoding.LATIN1, text=[str(episode_number)]))
    if description:
        frames.append(COMM(encoding=_encoding(description), lang=language, desc="", text=[description]))
    return frames


def _chapter_frames(title: str, chapters: Sequence[Chapter]) -> list:
    """A top-level, ordered CTOC (Overcast lists chapters only with one) and a CHAP per chapter."""
    if not chapters:
        return []
    ids = [f"chp{i}" for i in range(len(chapters))]
    frames = [CTOC(element_id=TOC_ID, flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                   sub_frames=[_text(TIT2, title)])]
    for element_id, chapter in zip(ids, chapters):
        # 0xFFFFFFFF: "no byte offsets", times are authoritative.
        sub_frames = [_text(TIT2, chapter.title)]
        if chapter.url:  # a chapter's link (ID3v2 chapters, §2: WXXX inside CHAP)
            sub_frames.append(WXXX(encoding=Encoding.LATIN1, desc="", url=chapter.url))
        frames.append(CHAP(element_id=element_id, start_time=_ms(chapter.start), end_time=_ms(chapter.end),
                           start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF, sub_frames=sub_frames))
    return frames


def read_chapters(path: Path) -> list[Chapter]:
    """The chapters of an MP3, in table-of-contents order (start order when there is no CTOC)."""
    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        return []
    chaps = {frame.element_id: frame for frame in tags.getall("CHAP")}
    tocs = [toc for toc in tags.getall("CTOC") if toc.flags & CTOCFlags.TOP_LEVEL]
    if tocs:
        order = [chaps[i] for i in tocs[0].child_element_ids if i in chaps]
    else:
        order = sorted(chaps.values(), key=lambda c: c.start_time)
    return [
        Chapter(
            title=str(chap.sub_frames["TIT2"]) if "TIT2" in chap.sub_frames else "",
            start=chap.start_time / 1000,
            end=chap.end_time / 1000,
            url=next((frame.url for frame in chap.sub_frames.getall("WXXX")), None),
        )
        for chap in order
    ]
