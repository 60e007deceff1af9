"""An article's URL, normalised the way ``embed.js`` does, and the lookup file it is found under.

The player on an article page asks for ``embed/lookup/<h>.json`` where ``h`` names the page's
normalised URL: one small static file per article, so a lookup costs the same in a show of ten
episodes or ten thousand. The JavaScript and this module must agree exactly (a browser test runs
both on ``tests/embed_url_cases.py``): http and https are the same article; host case, default
ports, the fragment, a trailing slash and tracking parameters (``utm_*``, ``xtor``, ``fbclid``…)
never make two articles of one.
"""
from __future__ import annotations

import hashlib
import re
import string
from urllib.parse import quote, urlsplit

LOOKUP_CHARS = 16  # hex characters of SHA-256: a clash is told apart by the file's "url"
TRACKING = frozenset({"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid",
                      "twclid", "yclid", "xtor", "xtref", "_ga", "_gl", "ncid", "ocid", "cmpid", "ito", "sr_share"})
TRACKING_PREFIXES = ("utm_", "at_")
DEFAULT_PORTS = {"http": 80, "https": 443}
# What the WHATWG URL parser leaves alone in a path / a query of an http(s) URL (the rest, and
# every non-ASCII character as UTF-8, is percent-encoded; an existing %XX stays as written).
_PRINTABLE = set(string.printable) - set(string.whitespace)
_PATH_SAFE = "".join(sorted(_PRINTABLE - set('"#<>?`{}')))
_QUERY_SAFE = "".join(sorted(_PRINTABLE - set('"#<>\'')))
_STRIPPED = re.compile(r"[\t\n\r]")


def is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING or name.startswith(TRACKING_PREFIXES)


def normalise_url(url: str | None) -> str | None:
    """The article's URL as the player names it, or None if it is not an http(s) URL with a host.

    ``HTTP://WWW.Lemonde.fr:80/a/b/?utm_source=x&id=3#top`` → ``https://www.lemonde.fr/a/b?id=3``
    """
    text = _STRIPPED.sub("", (url or "").strip(" \x00-\x1f"))
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    netloc = _host(parts.hostname)
    if port is not None and port not in (DEFAULT_PORTS[parts.scheme], DEFAULT_PORTS["https"]):
        netloc += f":{port}"
    query = "&".join(p for p in parts.query.split("&") if p and not is_tracking(p.split("=", 1)[0]))
    query = quote(query, safe=_QUERY_SAFE)
    return f"https://{netloc}{_path(parts.path)}" + (f"?{query}" if query else "")


def _host(hostname: str) -> str:
    """Lower-cased, ASCII (IDNA), an IPv6 address in brackets."""
    if ":" in hostname:
        return f"[{hostname}]"
    try:
        return hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return hostname.lower()


def _path(path: str) -> str:
    """Dot segments resolved, percent-encoded as a browser does, no trailing slash but the root's."""
    segments: list[str] = []
    for segment in path.replace("\\", "/").split("/")[1:]:
        if segment in (".", "%2e", "%2E"):
            continue
        if segment.lower() in ("..", ".%2e", "%2e.", "%2e%2e"):
            segments = segments[:-1]
            continue
        segments.append(segment)
    return quote("/" + "/".join(segments), safe=_PATH_SAFE).rstrip("/") or "/"


def lookup_hash(normalised: str) -> str:
    """The name of the lookup file of an already normalised URL (16 hex characters of SHA-256)."""
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:LOOKUP_CHARS]
