"""Articles from where they are published: a page by its URL, or the feeds of ``[[sources]]``.

fetch.py    HTTP (and local files) with time-outs, a size cap, bounded retries, conditional GET
feeds.py    RSS 2.0 and Atom (feedparser) and JSON Feed (json) → entries
pages.py    a fetched page's bytes → its text (the article in it is read by pipeline.text.webpage)
articles.py   an article file in episodes/: Markdown with TOML front matter, checked, written atomically
state.py    what ingest remembers (episodes/ingested.json), each source's furniture with it
ingest.py   every source → new or changed article files, exactly once
commands.py   build-episode --url, ingest, update and remove, as cli.py calls them
"""
