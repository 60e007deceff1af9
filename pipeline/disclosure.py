"""The disclosure that a synthetic voice reads the show (``[disclosure]`` in ``podcast.toml``).

Directories ask shows to say so, and listeners deserve to know: by default every episode
description ends with one French sentence naming the voice that actually spoke that episode (the
manifest records it), the channel description with one naming the voices of its episodes, and
the spoken intro says the episode's sentence once. A newsroom may reword it; it goes only when a
key is set to "" on purpose (``pipeline.config`` refuses a blank one).

Here, not in ``sound/``, because the text stage, the feed and the pages all say it, and none of
them may import the speech engines.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from pipeline.config import Config

# How each engine is named in writing (descriptions) and aloud (the intro).
WRITTEN_NAMES = {"gtts": "Google Traduction (gTTS)", "espeak": "espeak-ng"}
SPOKEN_NAMES = {"gtts": "Google Traduction", "espeak": "eSpeak"}


def expected_voice(engine_choice: str) -> str:
    """The engine an episode will most likely be spoken by, before the build chooses (``auto``
    speaks with Google when it answers; the build re-writes the intro if it falls back)."""
    return "espeak" if engine_choice == "espeak" else "gtts"


def voice_name(engine: str, *, spoken: bool = False) -> str:
    names = SPOKEN_NAMES if spoken else WRITTEN_NAMES
    return names.get(engine, engine)


def episode_sentence(config: Config, engine: str, *, spoken: bool = False, kind: str = "article") -> str:
    """The sentence ending an episode's description (or said in its intro); "" when dropped.
    A digest, made of several articles, says the show's sentence ("Les articles sont lus…")."""
    template = (config.disclosure.show if kind == "digest" else "") or config.disclosure.episode
    return template.format(voice=voice_name(engine, spoken=spoken)).strip() if template else ""


def show_sentence(config: Config, engines: Iterable[str]) -> str:
    """The sentence ending the channel description: the voices of the feed's episodes, the most
    used first (the configured voice for a feed with none yet)."""
    template = config.disclosure.show
    if not template:
        return ""
    counted = Counter(engines)
    voices = [e for e, _ in counted.most_common()] or [expected_voice(config.voice.engine)]
    return template.format(voice=" ou ".join(voice_name(v) for v in voices)).strip()
