"""What the review pages' forms do: hear a rule, or write it to ``podcast.toml`` and rebuild the
episode. The rule goes into ``[lexicon]`` through tomlkit, which keeps the file's comments and
layout; the new text is checked as the build reads it before it replaces the old one, so a bad
rule or a conflict is one line and the file is never left half-written.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from pipeline.config import Config, load_config
from pipeline.errors import UserError
from pipeline.text.lexicon import Rule, parse_rule


def rule_from_form(form: dict) -> Rule:
    value: dict = {}
    if form.get("say", "").strip():
        value["say"] = form["say"].strip()
    if form.get("read"):
        value["read"] = form["read"]
    if form.get("case_blind"):
        value["case_sensitive"] = False
    return parse_rule(form.get("word", ""), value, "the rule")


def write_rule(settings: Path, rule: Rule) -> None:
    """Add ``rule`` to ``[lexicon]`` in ``settings``, keeping everything else as it was."""
    import tomlkit

    from pipeline.fsutil import atomic_write_text

    text = settings.read_text(encoding="utf-8")
    document = tomlkit.parse(text)
    if "lexicon" not in document:
        document.add(tomlkit.nl())
        document["lexicon"] = tomlkit.table()
    lexicon = document["lexicon"]
    wanted = rule.to_toml()
    if rule.word in lexicon:
        existing = lexicon[rule.word]
        if (existing.unwrap() if hasattr(existing, "unwrap") else existing) == wanted:
            return
        raise UserError(f"{settings}: [lexicon] {rule.word} already has a rule ({existing.as_string().strip()}); "
                        "change it there")
    if isinstance(wanted, dict):
        table = tomlkit.inline_table()
        table.update(wanted)
        wanted = table
    lexicon[rule.word] = wanted
    new = tomlkit.dumps(document)
    with tempfile.TemporaryDirectory() as scratch:  # read back as the build reads it, before replacing
        candidate = Path(scratch) / settings.name
        candidate.write_text(new, encoding="utf-8")
        load_config(settings.parent, path=candidate)
    atomic_write_text(settings, new)


def handle(config: Config, path: str, form: dict, *, engine: str | None = None) -> dict:
    rule = rule_from_form(form)
    if path == "/say":
        return hear(config, rule, engine)
    if path == "/rule":
        return save_and_rebuild(config, rule, form.get("slug", ""), engine)
    raise UserError(f"{path}: no such action")


def hear(config: Config, rule: Rule, engine: str | None) -> dict:
    from pipeline.desk.say import say

    said = say(config, rule.word, rules=(rule,), engine=engine)
    return {"message": f"« {said.spoken} »", "audio": f"/media/say/{said.path.name}", "spoken": said.spoken}


def save_and_rebuild(config: Config, rule: Rule, slug: str, engine: str | None) -> dict:
    from pipeline.build import build
    from pipeline.sources.articles import catalogue

    found = catalogue(config.episodes_dir).get(slug)
    if found is None:
        raise UserError(f"{slug}: no such article in {config.episodes_dir}")
    settings = config.root / "podcast.toml"
    write_rule(settings, rule)
    fresh = load_config(config.root)
    report = build(fresh, sources=[found.path], engine=engine or fresh.voice.engine, warn=lambda m: None)
    episode = next((e for e in report.episodes if e.slug == slug), None)
    respoken = episode.spoken if episode and episode.status == "built" else 0
    return {"message": f"rule saved in podcast.toml ({rule.word} → {rule.spoken}); {slug} rebuilt: "
                       f"{respoken} chunk(s) re-spoken", "respoken": respoken}
