"""Articles from where they are published: a page by its URL, or the feeds of ``[[sources]]``.

fetch.py    HTTP (and local files) with time-outs, a size cap, bounded retries, conditional GET
feeds.py    RSS 2.0 and Atom (feedparser) and JSON Feed (json) → entries
furniture.py  the text of a page or feed entry, without menus, share links and feed notices
pages.py    an article page → its text and metadata (trafilatura, JSON-LD, Open Graph)
articles.py   an article file in episodes/: Markdown with TOML front matter, checked, written atomically
state.py    what ingest remembers (episodes/ingested.json)
ingest.py   every source → new or changed article files, exactly once
commands.py   build-episode --url, ingest, update and remove, as cli.py calls them
"""
