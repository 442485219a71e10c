"""Every string shown on a page has a Chinese and an Urdu translation (the check the issue asks for)."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "jsms" / "locale"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)(?:\.\d+)?[sdf]")


def source_messages() -> set[str]:
    """The message ids the code and templates use now (what `make extract` would find)."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = extract_from_dir(str(ROOT / "src"), method_map, options_map, keywords=keywords)
    return {
        message
        for _file, _line, message, _comments, _context in found
        if isinstance(message, str) and message
    }


def catalogue(language: str):
    with open(LOCALE / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def test_sources_mark_a_reasonable_number_of_strings():
    assert len(source_messages()) > 150


@pytest.mark.parametrize("language", ["zh", "ur"])
def test_every_string_used_has_a_translation(language):
    translated = {m.id: m.string for m in catalogue(language) if m.id and m.string and not m.fuzzy}
    missing = sorted(source_messages() - set(translated))
    assert not missing, f"untranslated in {language} (run `make extract`, then translate): {missing}"


@pytest.mark.parametrize("language", ["zh", "ur"])
def test_translations_keep_their_placeholders(language):
    for message in catalogue(language):
        if message.id and message.string:
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string)), (
                message.id
            )


TEMPLATES = sorted((ROOT / "src" / "jsms").glob("*/templates/**/*.html"))
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", flags=re.S)
TAG = re.compile(r"<[^>]+>", flags=re.S)
# Text that is not language: brand names, symbols and separators.
NOT_WORDS = {"JSMS", "TLP", "*", "·", "—", "(", ")", "×"}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_hold_no_text_outside_the_catalogues(template):
    """Every word a template shows must come through _() (so a translation exists for it)."""
    html = template.read_text()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    leftover = TAG.sub(" ", JINJA.sub(" ", html))
    words = [w for w in re.findall(r"[^\s]+", leftover) if re.search(r"[A-Za-z]", w) and w not in NOT_WORDS]
    assert not words, f"{template.name} shows untranslated text: {words}"


def test_attributes_shown_to_users_are_translated_too():
    for template in TEMPLATES:
        for attribute in re.findall(r'(?:placeholder|title|aria-label)="([^"]*)"', template.read_text()):
            assert attribute.startswith("{{"), f"{template.name}: {attribute}"
