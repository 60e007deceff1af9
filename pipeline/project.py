"""A new show: `invoke init` writes a commented ``podcast.toml`` and an ``episodes/`` folder.

Every other task needs that file: without it they say, in one line, to run ``invoke init``
(a show built on invented defaults would publish a feed pointing at nowhere).
"""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.errors import UserError
from pipeline.fsutil import atomic_write_text

SETTINGS = "podcast.toml"
GITIGNORE = "public/\n.cache/\nreview/\n"  # review/: drafts and review pages, never published

TEMPLATE = """\
# The show's settings: everything a listener sees or hears about the show lives here.
# Written by `invoke init`; every key is explained in the README ("Settings").

[show]
title = {title}
description = {description}
author = {owner_name}
owner_name = {owner_name}          # Apple shows it to no one but writes to it about the show
owner_email = {owner_email}
base_url = {base_url}   # where public/ is served: the feed's links start with it
link = {link}
language = "fr"
timezone = "Europe/Paris"    # naive front-matter times, the date said in the intro, dates on the pages
category = "News"            # Apple's list: News, Society & Culture, …
subcategory = "Daily News"
explicit = false
# cover = "cover.png"        # a square JPEG/PNG, 1400-3000 px; a default one is drawn when absent

[voice]
engine = "auto"      # auto: Google's French voice when it answers, else espeak-ng (offline) | gtts | espeak
lang = "fr"
tld = "fr"           # fr: accent de France, ca: accent québécois
max_chars = 200      # per request: Google speaks about 200 characters in one breath
espeak_voice = "fr"
espeak_wpm = 165

[audio]
bitrate = "96k"
sample_rate = 44100
transition_sting = "sounds/sting.wav"   # made by `invoke init` itself: plays between a digest's articles
# intro_music = "sounds/generique.mp3"  # any file ffmpeg reads: under a digest's intro (and outro_music)

[digest]
schedule = "off"     # daily | weekly: `invoke update` builds the digest of the day (or week)
title = "Le journal du {{date}}"

[synthesis]
jobs = 4             # requests to Google in flight at once

[script]
intro = "{{show}}. {{title}}. Un article du {{date}}."
outro = "C'était {{title}}. Merci de votre écoute, et à bientôt sur {{show}}."

[lexicon]
# Whole words said differently, for the whole show:  PURL = "Peurl"

# --- How the show is announced and listed (README, "The feed") --------------------------------
[disclosure]
# Ends every episode description and is said once in the intro; {{voice}} names the voice that
# spoke (Google Traduction or espeak-ng). Reword it freely; "" drops it, on purpose only.
episode = "Cet article est lu par une voix de synthèse : {{voice}}."
show = "Les articles sont lus par une voix de synthèse : {{voice}}."   # ends the show's description

[announce]
# Told as soon as a publish (or update) has made a new feed live; off while both lists are empty.
# hubs = ["https://pubsubhubbub.appspot.com/"]                                    # WebSub hubs, declared in the feed
# notify = ["https://api.podcastindex.org/api/1.0/hub/pubnotify?url={{feed}}"]    # GET, {{feed}}: the feed's URL
# timeout_seconds = 10; attempts = 3

[directory]
# person_role = "author"     # podcast:person of each article's author: author, writer, editor, reporter, host…
# medium = "podcast"
# update_frequency = ""      # daily | weekdays | weekly | monthly; "" follows [digest] schedule
# license = "cc-by-4.0"; license_url = "https://creativecommons.org/licenses/by/4.0/"
# funding_url = "https://gazette.example/soutenir"; funding_text = "Soutenir la rédaction"
# itunes_block = false; podcast_block = false       # true: keep the show out of Apple / Podcasting 2.0 directories
# new_feed_url = "https://nouvelle-adresse.example/podcast/feed.xml"   # the show moved (see README)

[analytics]
# prefix = "https://op3.dev/e/"   # opt in: downloads counted by the prefix service (it sees each listener's IP)

[embed]
# origins = ["https://www.gazette.example"]   # sites whose article pages load embed.js (CORS: publish sets the bucket's rule)
"""


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def init_project(root: Path | str, *, title: str, base_url: str, owner_name: str, owner_email: str) -> list[Path]:
    """Write ``podcast.toml`` (never over an existing one) and ``episodes/``; return what was made."""
    root = Path(root)
    settings = root / SETTINGS
    if settings.exists():
        raise UserError(f"{settings}: a show is already set up here (edit that file instead)")
    if not base_url.startswith(("http://", "https://")):
        raise UserError(f"--base-url must be the http(s) address public/ will be served from, not {base_url!r}")
    base_url = base_url.rstrip("/")
    text = TEMPLATE.format(
        title=_toml_string(title), description=_toml_string(f"{title} : les articles de la rédaction, lus à voix haute."),
        owner_name=_toml_string(owner_name), owner_email=_toml_string(owner_email),
        base_url=_toml_string(base_url), link=_toml_string(base_url + "/"))
    made = [settings]
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_text(settings, text)
    episodes = root / "episodes"
    if not episodes.exists():
        episodes.mkdir()
        made.append(episodes)
    sting = root / "sounds" / "sting.wav"
    if not sting.exists():
        from pipeline.sound.music import write_sting

        sting.parent.mkdir(exist_ok=True)
        made.append(write_sting(sting))
    ignore = root / ".gitignore"
    if not ignore.exists():
        atomic_write_text(ignore, GITIGNORE)
        made.append(ignore)
    from pipeline.command.schedulers import write_schedulers

    return made + write_schedulers(root)
