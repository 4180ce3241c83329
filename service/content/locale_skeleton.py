"""Start a new locale file: every text of the base files and every phrase, each entry marked unreviewed.

    .venv/bin/python -m service.content.locale_skeleton fr "Français" ou > service/content/data/locales/fr.toml

The file it writes holds the en-GB wording as a starting point for a translator, who replaces every
text by hand (a test fails while a standalone locale still has en-GB texts); nothing here translates.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

from service.content import DEFAULT_DATA_DIR, load_editions
from service.content.locales import Phrase, Text, TextKey


def _value(text: Text) -> str:
    if isinstance(text, tuple):
        return "[\n" + "".join(f"  {json.dumps(t, ensure_ascii=False)},\n" for t in text) + "]"
    return json.dumps(text, ensure_ascii=False)


def _key(part: str) -> str:
    return part if part.replace("_", "").replace("-", "").isalnum() else json.dumps(part)


def _tables(texts: dict[TextKey, Text]) -> Iterator[str]:
    entries: dict[tuple[str, ...], list[tuple[str, Text]]] = {}
    for key, text in texts.items():
        entries.setdefault(key[:-1], []).append((key[-1], text))
    for entry, fields in entries.items():
        header = ".".join(_key(p) for p in entry)
        # A variant's or a field's options table belongs to its entry, which carries the flag.
        flag = "" if entry[-2:-1] == ("variant",) or entry[-1:] == ("options",) else "translation_reviewed = false\n"
        yield f"[{header}]\n{flag}" + "".join(f"{field} = {_value(text)}\n" for field, text in fields)


def _phrase(phrase: Phrase) -> str:
    forms = {"neutral": phrase.neutral, "region": phrase.region, "with_service": phrase.with_service,
             "without_service": phrase.without_service, **phrase.by_region}
    lines = "".join(f"{name} = {json.dumps(text, ensure_ascii=False)}\n" for name, text in forms.items()
                    if text is not None)
    return f"[phrase.{phrase.name}]\ntranslation_reviewed = false\n{lines}"


def skeleton(tag: str, name: str, word_or: str, directory: Path = DEFAULT_DATA_DIR) -> str:
    editions = load_editions(directory)
    source = editions.locales[editions.default_language]
    parts = [f'locale = "{tag}"\nname = {json.dumps(name, ensure_ascii=False)}\nor = {json.dumps(word_or)}\n']
    parts += list(_tables(dict(source.texts)))
    parts += [_phrase(p) for p in source.phrases.values()]
    for region in editions.regions.regions.values():
        if region.urgent_care and region.urgent_care.translate:
            parts.append(f"[service.{region.id}]\ntranslation_reviewed = false\n"
                         f"name = {json.dumps(region.urgent_care.name, ensure_ascii=False)}\n")
    return "\n".join(parts)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.stdout.write(skeleton(*sys.argv[1:]))
