"""Hear a word or phrase as the show says it, in seconds, before rebuilding anything.

Spoken with the show's voice and lexicon (a rule to try, ``WORD=RESPELLING``, overrides it for
this once and is saved nowhere), through the same chunk cache as every episode: saying it again
costs no request, and an episode using the same sentence finds it spoken.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config
from pipeline.desk.paths import said_dir
from pipeline.errors import UserError, command
from pipeline.text.lexicon import Rule

PLAYERS = (("paplay",), ("aplay", "-q"), ("afplay",), ("ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"),
           ("mpv", "--really-quiet"))


@dataclass(frozen=True)
class Said:
    path: Path
    spoken: str  # what the voice was given
    engine: str
    chunks: int
    cached: int
    requests: int


def spoken_text(config: Config, text: str, rules: tuple[Rule, ...] = ()) -> str:
    from pipeline.text.french import normalise_for_speech

    return normalise_for_speech(text, acronyms=config.acronyms, lexicon=config.lexicon.overridden_by(rules))


def say(config: Config, text: str, *, rules: tuple[Rule, ...] = (), engine: str | None = None,
        out: Path | None = None, warn=lambda message: None) -> Said:
    """Speak ``text`` and write it as a WAV (``out``, else ``review/say/<text>.wav``)."""
    from pipeline.episode import synthesizer_for
    from pipeline.fsutil import atomic_write_bytes
    from pipeline.sound.assembly import pcm_to_wav
    from pipeline.sound.cache import ChunkCache
    from pipeline.sound.engines import choose_engine
    from pipeline.text.article import slugify
    from pipeline.text.chunking import chunk_sentence

    if not text or not text.strip():
        raise UserError(f"say what to speak: {command('say')} \"Volodymyr Zelensky\" (or --try WORD=RESPELLING)")
    spoken = spoken_text(config, text.strip(), rules)
    chunks = chunk_sentence(spoken, config.voice.max_chars) if spoken.strip() else []
    if not chunks:
        raise UserError(f"{text!r}: nothing to say once normalised")
    cache = ChunkCache(config.cache_dir)
    voice = choose_engine(engine or config.voice.engine, config, cache, chunks, warn)
    with synthesizer_for(config, voice, cache, jobs=min(len(chunks), config.synthesis.jobs), warn=warn) as synth:
        stream = synth.stream(chunks)
        pcm = b"".join(stream)
    name = slugify(text)[:60] + ("-" + slugify(rules[0].say or rules[0].word)[:30] if rules else "")
    path = Path(out) if out else said_dir(config.root) / f"{name}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, pcm_to_wav(pcm))
    stats = stream.stats
    return Said(path, spoken, voice.name, len(chunks), stats.cached, stats.requests)


def play(path: Path) -> str:
    """Play ``path`` with the first player found on this machine; its name."""
    for command in PLAYERS:
        if shutil.which(command[0]):
            subprocess.run([*command, str(path)], check=False, timeout=120)
            return command[0]
    raise UserError(f"no audio player found ({', '.join(c[0] for c in PLAYERS)}); the file is {path}")
