"""The show's cover art: the user's own, checked against Apple's rules, or a generated default.

Apple wants a square JPEG or PNG, 1400 to 3000 px a side, RGB, and (our limit, as most hosts and
apps advise) under 512 KB; the file extension must match the real type.
"""
from __future__ import annotations

import hashlib
import io
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from pipeline.config import Config
from pipeline.errors import UserError
from pipeline.fsutil import atomic_write_bytes
from pipeline.layout import COVER_NAMES, DIGEST_COVER, DIGEST_FEED, cover_name

MIN_SIDE = 1400
MAX_SIDE = 3000
MAX_BYTES = 512 * 1024
EXTENSIONS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}
PUBLIC_EXTENSION = {"JPEG": ".jpg", "PNG": ".png"}  # feeds want .jpg or .png exactly
# Modes that become RGB without losing anything a listener would notice.
HARMLESS_MODES = {"L", "LA", "P", "PA", "RGBA"}

DEFAULT_SIDE = 1400
DEFAULT_VERSION = "1"  # bump when the default cover's drawing changes
KEY_CHUNK = b"balado-cover\x00"  # a PNG tEXt keyword and its separator
BACKGROUND = (24, 44, 72)  # deep ink blue
INK = (245, 240, 228)  # warm off-white
ACCENT = (232, 168, 56)  # amber rule under the title

# A bundled font with French accents, if the package ships one; then common system fonts;
# last, Pillow's own scalable font (which lacks accented letters: text is folded for it).
_FONT_CANDIDATES = (
    Path(__file__).parent / "assets" / "cover-font.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
    Path("C:/Windows/Fonts/arialbd.ttf"),
)


def check_cover(path: Path) -> list[str]:
    """Problems that make ``path`` unfit as podcast cover art; empty when it is fine."""
    path = Path(path)
    if not path.is_file():
        return [f"{path}: cover image not found"]
    problems: list[str] = []
    size = path.stat().st_size
    try:
        with Image.open(path) as img:
            fmt, (width, height), mode = img.format, img.size, img.mode
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        return [f"{path}: cover is not a readable image ({exc})"]
    if fmt not in EXTENSIONS:
        return [f"{path}: cover is {fmt}, must be JPEG or PNG"]
    if path.suffix.lower() not in EXTENSIONS[fmt]:
        problems.append(f"{path}: cover is {fmt} but its extension is {path.suffix or 'missing'} "
                        f"(use {EXTENSIONS[fmt][0]})")
    if width != height:
        problems.append(f"{path}: cover is {width}x{height} px, must be square")
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        problems.append(f"{path}: cover is {width}x{height} px, each side must be "
                        f"{MIN_SIDE}-{MAX_SIDE} px")
    if mode != "RGB":
        problems.append(f"{path}: cover colour mode is {mode}, must be RGB")
    if size >= MAX_BYTES:
        problems.append(f"{path}: cover is {size // 1024} KB, must be under {MAX_BYTES // 1024} KB")
    return problems


def cover_file(config: Config) -> tuple[str, bytes]:
    """The show's cover as (published name, bytes): the user's, checked, or the default one.

    Drawing or converting it costs a few tenths of a second, so the result is kept in
    ``.cache/`` under a key of what it is made from (the user's file, or the title and font);
    the default cover also carries its key inside (a PNG text chunk), so the published one is
    recognised even with the cache emptied.
    """
    if not config.show.cover:
        return cover_name(".png"), drawn_cover(config, config.show.title, cover_name(".png"))
    source = config.root / config.show.cover
    key = hashlib.sha256(source.read_bytes()).hexdigest() if source.is_file() else None
    cached = next(iter(config.cache_dir.glob(f"cover-{key[:16]}.*")), None) if key else None
    if cached:
        return cover_name(cached.suffix), cached.read_bytes()
    fmt, data = _user_cover(source)
    _keep(config, f"cover-{key[:16]}{PUBLIC_EXTENSION[fmt]}" if key else None, data)
    return cover_name(PUBLIC_EXTENSION[fmt]), data


def drawn_cover(config: Config, title: str, name: str) -> bytes:
    """The default cover for ``title`` (PNG), drawn once and then found again (cache or published
    ``name``) by its key."""
    key = hashlib.sha256(f"{DEFAULT_VERSION}|{title}|{_font_stamp()}".encode()).hexdigest()
    cached = config.cache_dir / f"cover-{key[:16]}.png"
    if cached.is_file():
        return cached.read_bytes()
    published = config.public_dir / name
    if published.is_file() and _carries_key(published, key):
        return published.read_bytes()
    data = default_cover(title, key=key)
    _keep(config, cached.name, data)
    return data


def _keep(config: Config, name: str | None, data: bytes) -> None:
    if name:
        config.cache_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(config.cache_dir / name, data)


def _carries_key(path: Path, key: str) -> bool:
    with open(path, "rb") as stream:
        return KEY_CHUNK + key.encode() in stream.read(4096)  # text chunks come before the image data


def _font_stamp() -> str:
    font = _FONT_CANDIDATES[0]
    return f"{font.stat().st_size}" if font.is_file() else "builtin"


def ensure_cover(config: Config, public_dir: Path) -> str:
    """Write the cover into ``public_dir`` (only if it changed); return its path relative to it."""
    name, data = cover_file(config)
    target = Path(public_dir) / name
    if not (target.is_file() and target.read_bytes() == data):
        atomic_write_bytes(target, data)
    return name


def stage_file(site, name: str, data: bytes) -> None:
    """``data`` as ``name`` in a build's candidate site, written only if it changed."""
    current = site.resolve(name)
    if not (current.is_file() and current.read_bytes() == data):
        site.write(name, data)


def stage_feed_covers(config: Config, site) -> dict[str, str]:
    """The covers of the show's other subscription feeds (the digests' own), by feed."""
    if config.digest.feed != "digest":
        if site.resolve(DIGEST_COVER).is_file():
            site.remove(DIGEST_COVER)
        return {}
    title = config.digest.show_title.format(show=config.show.title)
    stage_file(site, DIGEST_COVER, drawn_cover(config, title, DIGEST_COVER))
    return {DIGEST_FEED: DIGEST_COVER}


def stage_cover(config: Config, site) -> str:
    """The cover in a build's candidate site (written only if it changed, the other name removed)."""
    name, data = cover_file(config)
    stage_file(site, name, data)
    for other in COVER_NAMES:
        if other != name and site.resolve(other).is_file():
            site.remove(other)
    return name


def _user_cover(path: Path) -> tuple[str, bytes]:
    """The user's cover as (format, bytes); refused with one line naming the file if unfit."""
    problems = check_cover(path)
    mode_only = bool(problems) and all("colour mode" in p for p in problems)
    if problems and not mode_only:
        raise UserError("; ".join(problems))
    with Image.open(path) as img:
        fmt = img.format
        if not problems:
            return fmt, path.read_bytes()
        if img.mode not in HARMLESS_MODES:  # CMYK, 16-bit...: converting would shift colours
            raise UserError("; ".join(problems))
        rgb = _flatten(img)
    data = _encode(rgb, fmt)
    if len(data) >= MAX_BYTES:
        raise UserError(f"{path}: cover is {len(data) // 1024} KB once converted to RGB, "
                        f"must be under {MAX_BYTES // 1024} KB")
    return fmt, data


def _flatten(img: Image.Image) -> Image.Image:
    """RGB version of ``img``, transparency laid on white."""
    img = img.convert("RGBA")
    background = Image.new("RGB", img.size, (255, 255, 255))
    background.paste(img, mask=img.getchannel("A"))
    return background


def _encode(img: Image.Image, fmt: str, *, key: str | None = None) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        img.save(out, "JPEG", quality=90, optimize=True)
    else:
        info = None
        if key:
            from PIL.PngImagePlugin import PngInfo

            info = PngInfo()
            info.add_text(KEY_CHUNK[:-1].decode(), key)
        img.save(out, "PNG", optimize=True, pnginfo=info)
    return out.getvalue()


def _load_font(size: int) -> tuple[ImageFont.FreeTypeFont, bool]:
    """(font, whether it has French accents)."""
    for candidate in _FONT_CANDIDATES:
        if candidate.is_file():
            try:
                return ImageFont.truetype(str(candidate), size), True
            except OSError:
                continue
    return ImageFont.load_default(size=size), False


def _fold(text: str) -> str:
    """Text Pillow's built-in font can draw: accents dropped, typographic marks made plain."""
    text = text.translate(str.maketrans({"—": "-", "–": "-", "’": "'", "«": '"', "»": '"',
                                         "œ": "oe", "Œ": "OE", "\u00a0": " ", "\u202f": " "}))
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _wrap(title: str, font, draw: ImageDraw.ImageDraw, width: int) -> list[str]:
    """Greedy word wrap measured with the font itself."""
    lines: list[str] = []
    for word in title.split():
        if lines and draw.textlength(lines[-1] + " " + word, font=font) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def default_cover(title: str, side: int = DEFAULT_SIDE, *, key: str | None = None) -> bytes:
    """A plain, legible cover: the show's title in large type on a dark background.

    PNG, as flat colours and type compress far better than JPEG (about 50 KB against 75 KB).
    """
    img = Image.new("RGB", (side, side), BACKGROUND)
    draw = ImageDraw.Draw(img)
    margin = side // 10
    usable = side - 2 * margin
    title = " ".join(title.split()) or "Balado"
    # The largest type that fits the square in at most five lines.
    for size in range(side // 7, side // 30, -side // 140):
        font, accents = _load_font(size)
        text = title if accents else _fold(title)
        lines = _wrap(text, font, draw, usable)
        line_height = int(size * 1.2)
        widest = max(draw.textlength(line, font=font) for line in lines)
        if len(lines) <= 5 and widest <= usable and line_height * len(lines) <= usable * 0.8:
            break
    else:  # even the smallest size needs more than five lines: keep five, mark the cut
        if len(lines) > 5:
            lines = lines[:5]
            lines[-1] += " …" if accents else " ..."
    top = (side - line_height * len(lines)) // 2 - side // 20
    for i, line in enumerate(lines):
        draw.text((margin, top + i * line_height), line, font=font, fill=INK)
    rule_y = top + line_height * len(lines) + side // 30
    draw.rectangle((margin, rule_y, margin + side // 6, rule_y + side // 90), fill=ACCENT)
    return _encode(img, "PNG", key=key)
