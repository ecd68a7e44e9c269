"""--tiles: provider names and URLs resolved through xyzservices, offline by default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from geomap.cli import main
from geomap.config import BuildConfig, read_config
from geomap.errors import ConfigError, GeomapWarning
from geomap.sources.tiles import TileSource, resolve_tiles


def test_default_is_no_tiles() -> None:
    """The default map needs no network: no tiles unless asked for."""
    assert BuildConfig(date=None).tiles is None
    assert resolve_tiles(None) is None
    assert resolve_tiles(" None ") is None


def test_a_provider_name_comes_with_its_attribution() -> None:
    """Names are matched ignoring case and punctuation, as xyzservices does."""
    tiles = resolve_tiles("openstreetmap.mapnik")
    assert isinstance(tiles, TileSource)
    assert tiles.name == "OpenStreetMap.Mapnik"
    assert "{z}/{x}/{y}" in tiles.url
    assert "OpenStreetMap" in tiles.attribution
    assert tiles.max_zoom == 19
    imagery = resolve_tiles("Esri WorldImagery")
    assert imagery.name == "Esri.WorldImagery"
    assert "Esri" in imagery.attribution


def test_a_known_url_is_credited_as_its_provider() -> None:
    osm = resolve_tiles("OpenStreetMap.Mapnik")
    assert resolve_tiles(osm.url) == osm


def test_an_unknown_url_is_credited_by_host_with_a_warning() -> None:
    with pytest.warns(GeomapWarning, match="tiles.example.org"):
        tiles = resolve_tiles("https://tiles.example.org/{z}/{x}/{y}.png")
    assert tiles.attribution == "Tiles: tiles.example.org"
    assert tiles.subdomains == ""


@pytest.mark.parametrize(("spec", "fragment"), [
    ("OpenStreetMapp.Mapnikk", "Did you mean OpenStreetMap.Mapnik"),
    ("no-such-tiles-at-all-zz", "No tile provider named 'no-such-tiles-at-all-zz'"),
    ("https://tiles.example.org/tile.png", "(no {z}, {x}, {y})"),
    ("ftp://tiles.example.org/{z}/{x}/{y}.png", "must start with http"),
    ("Thunderforest.OpenCycleMap", "needs an API key"),
    ("https://t.example.org/{z}/{x}/{y}.png?key={apikey}", "also holds {apikey}"),
    ("https://t.example.org/{ variant }/{z}/{x}/{y}{foo}", "also holds {foo}, {variant}"),
], ids=["misspelt", "unknown", "no-placeholders", "scheme", "needs-key", "other-key",
        "others"])
def test_bad_tiles_say_what_to_give(spec: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        resolve_tiles(spec)


def test_every_leaflet_placeholder_is_taken() -> None:
    """{s}, {r} and {-y} are Leaflet's own; braces Leaflet leaves alone are kept."""
    with pytest.warns(GeomapWarning):
        tiles = resolve_tiles("https://{s}.t.example.org/{z}/{x}/{-y}{r}.png?a={1,2}")
    assert tiles.url.endswith("{-y}{r}.png?a={1,2}")
    assert tiles.subdomains == "abc"


def test_tiles_in_the_config_file(tmp_path: Path) -> None:
    good = tmp_path / "geomap.toml"
    good.write_text('tiles = "OpenStreetMap.Mapnik"\n', encoding="utf-8")
    assert read_config(good)["tiles"].name == "OpenStreetMap.Mapnik"
    bad = tmp_path / "bad.toml"
    bad.write_text('tiles = "Nowhere.Tiles"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="'tiles' in 'bad.toml'"):
        read_config(bad)


def test_bad_tiles_on_the_command_line_is_a_usage_error(tmp_path: Path) -> None:
    """Exit 2 with the reason, before any data is read; no traceback."""
    result = CliRunner().invoke(main, ["build", "--tiles", "Nowhere.Tiles", "--out",
                                       str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 2
    assert "No tile provider named 'Nowhere.Tiles'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
