"""The words table: every phrase in both languages, French dates and numbers, --lang."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from geomap.config import DEFAULT_TITLE, BuildConfig, merge, read_config
from geomap.errors import ConfigError
from geomap.words import (
    LANGS,
    MONTHS,
    NBSP,
    WORDS,
    actor_name,
    fields,
    format_date,
    format_number,
    require_lang,
    value_word,
    word,
    words_for,
)


@pytest.mark.parametrize("key", sorted(WORDS))
def test_every_key_has_both_languages_with_the_same_fields(key: str) -> None:
    """No phrase is missing or empty in a language, and both fill the same values."""
    phrases = WORDS[key]
    assert set(phrases) == set(LANGS)
    assert all(phrases[lang].strip() for lang in LANGS)
    assert fields(phrases["en"]) == fields(phrases["fr"]), key


def test_french_is_french() -> None:
    """Most phrases differ between the languages: the table is not English twice."""
    same = [key for key, phrases in WORDS.items() if phrases["en"] == phrases["fr"]]
    assert len(same) < 0.15 * len(WORDS), same


def test_french_punctuation_takes_a_no_break_space() -> None:
    """'Sources : …' never breaks before the colon; English has no such space."""
    assert word("sources_line", "fr", names="OCHA") == f"Sources{NBSP}: OCHA."
    assert word("sources_line", "en", names="OCHA") == "Sources: OCHA."
    for key, phrases in WORDS.items():
        assert not re.search(r" [:;?!]", phrases["fr"]), key


@pytest.mark.parametrize(("day", "lang", "expected"), [
    ("2025-02-20", "fr", "20 février 2025"),
    ("2025-02-20", "en", "20 February 2025"),
    ("2025-03-01", "fr", "1er mars 2025"),
    ("2025-03-01", "en", "1 March 2025"),
    ("2024-08-31", "fr", "31 août 2024"),
    ("2024-12-02", "fr", "2 décembre 2024"),
    ("1962-06-30", "fr", "30 juin 1962"),
], ids=lambda v: str(v))
def test_dates_are_written_as_each_language_writes_them(day, lang, expected) -> None:
    assert format_date(pd.Timestamp(day), lang) == expected


def test_partial_and_missing_dates() -> None:
    """A record dated to a month is not given a day; a missing date is empty."""
    assert format_date("2025-02-01", "fr", precision="month") == "février 2025"
    assert format_date("2025-02-01", "en", precision="year") == "2025"
    assert format_date(pd.NaT, "fr") == ""
    assert format_date(None, "en") == ""
    assert len(MONTHS["fr"]) == len(MONTHS["en"]) == 12


def test_numbers_are_grouped_per_language() -> None:
    assert format_number(1_700_000, "en") == "1,700,000"
    assert format_number(1_700_000, "fr") == f"1{NBSP}700{NBSP}000"
    assert format_number(950, "fr") == "950"
    assert format_number(float("nan"), "fr") == ""  # no figure is not 0


def test_values_fill_as_plain_text() -> None:
    """A value that looks like a field stays as it is: data is never a template."""
    assert word("data_credit", "en", names="{title} <b>") == "Data: {title} <b>"


def test_unknown_language_and_key() -> None:
    with pytest.raises(ConfigError, match=re.escape("['en', 'fr'] but got 'de'")):
        word("legend", "de")
    with pytest.raises(KeyError):
        word("no_such_phrase", "en")
    assert require_lang("fr") == "fr"


def test_words_for_gives_a_template_every_phrase() -> None:
    french = words_for("fr")
    assert set(french) == set(WORDS)
    assert french["legend"] == "Légende"
    assert french["no_figure"] == "aucun chiffre"
    assert french["layer_mines"] == "Sites miniers"


def test_actor_and_value_names() -> None:
    """Names that are names stay; English descriptions and closed values translate."""
    assert actor_name("m23", "fr") == "M23/AFC"
    assert actor_name("burundi", "fr") == "Armée burundaise (FDNB)"
    assert actor_name("contested", "fr") == "Contesté"
    assert actor_name("some-militia", "fr") == "some-militia"
    assert actor_name(None, "fr") is None
    assert value_word("confidence", "claimed", "fr") == "revendiqué"
    assert value_word("mineral", "gold", "fr") == "or"
    assert value_word("mineral", "tourmaline", "fr") == "tourmaline"
    assert value_word("confidence", float("nan"), "fr") == ""


def test_lang_in_the_config_file(tmp_path: Path) -> None:
    """lang = "fr" in geomap.toml reads; another language is a one-line error."""
    good = tmp_path / "geomap.toml"
    good.write_text('lang = "fr"\n', encoding="utf-8")
    assert read_config(good) == {"lang": "fr"}
    bad = tmp_path / "bad.toml"
    bad.write_text('lang = "de"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="'lang' in 'bad.toml'"):
        read_config(bad)


def test_default_title_follows_the_language() -> None:
    """No title given: the default title in the build's language; a given title stays."""
    day = pd.Timestamp("2025-02-20")
    assert BuildConfig(date=day).title == DEFAULT_TITLE
    french = BuildConfig(date=day, lang="fr")
    assert french.title == word("title_default", "fr")
    assert merge(BuildConfig(date=day), lang="fr").title == word("title_default", "fr")
    assert merge(french, lang="en").title == DEFAULT_TITLE
    assert merge(BuildConfig(date=day, title="Mine"), lang="fr").title == "Mine"
    with pytest.raises(ConfigError):
        BuildConfig(date=day, lang="sw")


def test_article_default_title_names_no_mining() -> None:
    """The article preset shows no mines: its default title leaves them out, in each
    language, whichever way the preset and language are set; a given title stays."""
    day = pd.Timestamp("2025-02-20")
    article = BuildConfig(date=day, preset="article")
    assert article.title == "Kivu: territorial control and displacement"
    assert merge(BuildConfig(date=day), preset="article").title == article.title
    assert merge(article, lang="fr").title == word("title_article", "fr")
    assert "minier" not in word("title_article", "fr")
    assert merge(article, preset="analyst").title == DEFAULT_TITLE
    assert BuildConfig(date=day, preset="article", title="Goma").title == "Goma"
    assert merge(article, title="Goma", lang="fr").title == "Goma"
