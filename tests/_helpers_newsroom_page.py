"""A newsroom's article page, as a French daily publishes it, for the embeddable player's tests:
its own markup and CSS (some of which would break a player that did not isolate itself), the
article's text a little different from the transcript's (straight apostrophes, NBSP, a link, an
emphasis), served on its own loopback origin, apart from the podcast's."""
from __future__ import annotations

import contextlib
import html
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _helpers_project import SAMPLE, serving

# A page's CSS that would break a player living in the page: hidden buttons and inputs, huge type.
HOSTILE_CSS = """
* { box-sizing: content-box; font-size: 40px; }  /* a careless reset: 40px rem for any widget in rem */
body * { font-size: inherit; }
body { margin: 0; font: 19px/1.6 Georgia, serif; color: #222; background: #fbfaf7; }
header.site, footer.site { background: #14213d; color: #fff; padding: 12px 24px; }
header.site a, footer.site a { color: #fff; }
main { max-width: 720px; margin: 0 auto; padding: 0 16px 48px; }
h1 { font-size: 34px; line-height: 1.2; }
.chapo { font-size: 21px; font-weight: bold; }
.byline, figcaption { color: #555; font-size: 15px; }
a { color: #b00020; }
/* Rules aimed at the player: a component that lets the page in would lose its controls. */
button, input, select, svg { display: none !important; }
div { font-size: 40px !important; color: hotpink; letter-spacing: 4px; }
.player, .play, .seek { display: none !important; }
/* The space the player takes, reserved by the newsroom so nothing moves when it appears. */
[data-balado-player] { display: block; min-height: 194px; margin: 24px 0; }
"""


def article_paragraphs() -> list[str]:
    """The sample article's paragraphs (its first line is the title)."""
    return [line.strip() for line in SAMPLE.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]


def _body_paragraph(index: int, text: str) -> str:
    """A paragraph as the newsroom's CMS writes it, not as the transcript does."""
    escaped = html.escape(text, quote=False)
    if index == 0:
        escaped = escaped.replace("’", "'").replace(" :", "\u00a0:")  # typewriter apostrophes, NBSP
    if index == 1:
        escaped = escaped.replace("programme PURL", 'programme <a href="/purl">PURL</a>', 1)
    if index == 2:
        escaped = escaped.replace("aucun accord", "<em>aucun accord</em>", 1)
    return f"<p>{escaped}</p>"


def article_page(*, title: str, canonical: str | None, podcast: str, player: str = "<div data-balado-player></div>",
                 styled: bool = True, at_end: bool = False) -> str:
    """The article page; ``player`` is the markup the newsroom pastes where the player goes (under
    the byline, or ``at_end`` of a long article, far below the fold)."""
    paragraphs = article_paragraphs()
    body = "\n".join(_body_paragraph(i, p) for i, p in enumerate(paragraphs[1:]))
    link = f'<link rel="canonical" href="{html.escape(canonical)}">' if canonical else ""
    style = '<link rel="stylesheet" href="/gazette.css">' if styled else ""
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – La Gazette</title>
{link}
{style}
</head>
<body>
<header class="site"><a href="/">La Gazette</a> · <a href="/monde">Monde</a></header>
<main>
<article>
<h1>{html.escape(title)}</h1>
<p class="chapo">{html.escape(paragraphs[0])}</p>
<p class="byline">Par la rédaction · Publié le 6 décembre 2026 à 8 h 30</p>
<p class="note title show">Mis à jour à 9 h 10.</p>
{"" if at_end else player}
{body}
{(body + chr(10)) * 3 + player if at_end else ""}
<figure><figcaption>Au siège de l’Otan, à Bruxelles (photo d’archives).</figcaption></figure>
</article>
<aside><h2>Lire aussi</h2><ul><li><a href="/monde/autre-sujet">Un autre sujet</a></li></ul></aside>
</main>
<footer class="site"><p>© La Gazette · <a href="/mentions">Mentions légales</a></p></footer>
<script async src="{podcast}/embed.js"></script>
</body>
</html>
"""


class _Handler(BaseHTTPRequestHandler):
    server: "NewsroomServer"
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        found = self.server.pages.get(path)
        if found is None:
            self.send_error(404)
            return
        body, headers = found
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class NewsroomServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        from _helpers_site import cover_png

        self.pages: dict[str, tuple[str | bytes, dict[str, str]]] = {
            "/gazette.css": (HOSTILE_CSS, {"Content-Type": "text/css"}),
            "/favicon.ico": (cover_png(16), {"Content-Type": "image/png"})}  # else a 404 in the console

    def add(self, path: str, page: str, **headers: str) -> None:
        self.pages[path] = (page, {"Content-Type": "text/html; charset=utf-8", **headers})


@contextlib.contextmanager
def newsroom_server():
    with serving(NewsroomServer()) as server:
        yield server
