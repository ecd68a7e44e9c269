"""The source registry: complete records, forgiving lookup, provinces, config names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geomap.config import read_config
from geomap.errors import ConfigError, SourceError
from geomap.load.publishers import LOADERS
from geomap.provinces import EAST, KIVU, PROVINCES, select_provinces
from geomap.sources.registry import (
    SOURCES,
    get_source,
    is_source_name,
    landing_page,
    required_sources,
)
from geomap.text import squash

SUFFIX = {"zip-shapefile": ".zip", "geojson": ".geojson", "csv": ".csv", "xlsx": ".xlsx",
          "json": ".json"}


@pytest.mark.parametrize("source", SOURCES.values(), ids=list(SOURCES))
def test_minimal_source_metadata(source):
    """Every record names its layer, a matching file, a loader, licence and credit."""
    assert re.fullmatch(r"[a-z0-9-]+(:[a-z0-9-]+)?", source.name)
    assert source.layer in {"admin", "mines", "displacement", "conflict_events"}
    assert source.filename.endswith(SUFFIX[source.format])
    assert "/" not in source.filename
    assert " " not in source.filename
    assert source.sha256 is None or re.fullmatch(r"[0-9a-f]{64}", source.sha256)
    assert LOADERS[source.loader][0] == source.layer
    assert source.license
    assert source.attribution
    assert source.publisher
    assert all(url.startswith("https://") for url in source.urls)
    assert all(re.fullmatch(r"[A-Z_|]+", spec) for spec in source.env)
    assert required_sources(source)[-1] is source
    if source.resolver == "hdx":
        assert source.pattern
        assert "package_show?id=" in source.urls[0]


def test_names_are_unique_even_when_folded():
    """No two names collide once case and punctuation are ignored."""
    folded = [squash(name) for name in SOURCES]
    assert len(set(folded)) == len(folded)


def test_a_file_is_shared_only_by_levels_of_one_download():
    """Two sources share a cache file only when it is the same download."""
    by_file: dict[str, list] = {}
    for source in SOURCES.values():
        by_file.setdefault(source.filename, []).append(source)
    for sources in by_file.values():
        assert len({s.urls for s in sources}) == 1
        assert len({s.level for s in sources}) == len(sources)


def test_sources_without_a_checksum_are_the_unversioned_ones():
    """Only the pinned 2017 COD-AB file is versioned; the rest change at the publisher.

    This list is deliberate: a file that gets a stable, versioned URL must get its
    sha256 too, and then leaves this list.
    """
    unversioned = {name for name, source in SOURCES.items() if source.sha256 is None}
    assert unversioned == set(SOURCES) - {"cod-ab:adm2-2017"}
    pinned = SOURCES["cod-ab:adm2-2017"]
    assert re.search(r"/raw/[0-9a-f]{40}/", pinned.urls[0])


def test_credentials_only_for_the_key_sources():
    """Only the DTM API and ACLED need environment credentials; ACLED by OAuth only."""
    assert {name for name, s in SOURCES.items() if s.env} == {"dtm:api", "acled"}
    assert SOURCES["dtm:api"].env == ("DTM_API_KEY",)
    assert SOURCES["acled"].env == ("ACLED_EMAIL", "ACLED_PASSWORD")
    assert not any("api.acleddata.com" in url for url in SOURCES["acled"].urls)


def test_current_publisher_names_and_hosts():
    """COD-AB by its 2026 dataset and file names, DTM on its documented host."""
    cod_ab = SOURCES["cod-ab:adm2"]
    assert cod_ab.urls[0].endswith("package_show?id=cod-ab-cod")
    assert cod_ab.filename == "cod_admin_boundaries.shp.zip"
    pattern = re.compile(cod_ab.pattern)
    assert pattern.search("cod_admin_boundaries.shp.zip")
    assert pattern.search("cod_admbnda_rgc_itos_20190911_SHP.zip".lower())
    assert not pattern.search("cod_admin_boundaries.gdb.zip")
    assert not pattern.search("cod_admin_boundaries.geojson.zip")
    assert SOURCES["dtm:api"].urls == (
        "https://dtmapi.iom.int/v3/displacement/admin2",
        "https://dtm-apim.iom.int/v3/displacement/admin2")
    assert SOURCES["ipis"].format == "csv"
    assert landing_page(SOURCES["cod-ab"]) == "https://data.humdata.org/dataset/cod-ab-cod"


@pytest.mark.parametrize(("name", "level", "licence", "credit"), [
    ("geoboundaries:adm1", 1, "ODbL 1.0", "OpenStreetMap contributors"),
    ("geoboundaries:adm2", 2, "CC BY 3.0 IGO", "Référentiel Géographique Commun"),
    ("geoboundaries:adm3", 2, "ODbL 1.0", "2010"),
    ("cod-ab:adm2", 2, "CC BY 3.0 IGO", "OCHA"),
    ("dtm:api", None, "non-commercial", "Displacement Tracking Matrix (DTM)"),
])
def test_licence_and_credit_per_level_as_the_publisher_states(name, level, licence,
                                                              credit):
    """geoBoundaries' levels come from different publishers under different terms."""
    source = SOURCES[name]
    assert source.level == level
    assert licence in source.license
    assert credit in source.attribution


def test_cli_sources_shows_the_licence_of_each_level():
    """'geomap sources' prints each level's licence in full, with its level."""
    from click.testing import CliRunner

    from geomap.cli import main

    table = CliRunner().invoke(main, ["sources"]).output.splitlines()
    rows = {line.split()[0]: line for line in table[1:] if line.strip()}
    assert "ODbL 1.0" in rows["geoboundaries:adm1"]
    assert "CC BY 3.0 IGO" in rows["geoboundaries:adm2"]
    assert "ODbL 1.0" in rows["geoboundaries:adm3"]
    assert "CC BY 3.0 IGO" in rows["cod-ab:adm2"]
    assert "non-commercial" in rows["dtm:hdx"]
    assert table[0].split()[:4] == ["NAME", "LAYER", "LEVEL", "LICENCE"]
    assert rows["geoboundaries:adm3"].split()[2] == "2"


@pytest.mark.parametrize(("query", "name"), [
    ("cod-ab:adm2", "cod-ab:adm2"), ("COD-AB ADM2", "cod-ab:adm2"),
    ("cod_ab.adm1", "cod-ab:adm1"), ("IPIS", "ipis"), ("ipis-wfs", "ipis:wfs"),
    ("COD AB", "cod-ab"), ("DTM HDX", "dtm:hdx"),
    ("GeoBoundaries:ADM3", "geoboundaries:adm3"), ("dtm:NK-M23", "dtm:nk-m23"),
])
def test_lookup_ignores_case_and_punctuation(query, name):
    """Names match whatever the case and separators."""
    assert get_source(query).name == name


def test_a_miss_suggests_the_nearest_names():
    """A near miss lists close names; a far miss lists the registry."""
    with pytest.raises(SourceError, match=re.escape("Did you mean 'cod-ab:adm2'")):
        get_source("cod-ab:adm9")
    with pytest.raises(SourceError, match="Registered sources: acled, cod-ab, cod-ab:adm1"):
        get_source("worldpop")


def test_is_source_name_prefers_existing_files(tmp_path, monkeypatch):
    """Existing files are files; names and name-like words are sources."""
    monkeypatch.chdir(tmp_path)
    Path("ipis").write_text("a local file called ipis")
    assert not is_source_name("ipis")
    assert is_source_name("cod-ab:adm2")
    assert is_source_name("cod-ab:adm9")  # unknown, so get_source will suggest
    assert is_source_name("natural-earth")
    assert not is_source_name("mines.csv")
    assert not is_source_name("data/mines")


def test_landing_pages_are_for_people():
    """HDX sources link to the dataset page, API sources to their documentation."""
    assert landing_page(SOURCES["dtm:nk-m23"]).startswith(
        "https://data.humdata.org/dataset/drc-displacement-idps-returnees-m23")
    assert landing_page(SOURCES["geoboundaries:adm2"]) == "https://www.geoboundaries.org/"
    assert "?" not in landing_page(SOURCES["ipis"])


def test_province_codes_are_the_cod_ab_ones():
    """Kivu is CD61 and CD62; the neighbours are Ituri, Maniema and Tanganyika."""
    assert KIVU == ("CD61", "CD62")
    assert {PROVINCES[p].name for p in EAST} == {
        "Nord-Kivu", "Sud-Kivu", "Ituri", "Maniema", "Tanganyika"}
    assert PROVINCES["CD54"].name == "Ituri"
    assert PROVINCES["CD74"].name == "Tanganyika"


@pytest.mark.parametrize(("spec", "expected"), [
    (None, ("CD61", "CD62")), ("kivu", ("CD61", "CD62")), ("east", EAST),
    ("Sud-Kivu, ituri", ("CD62", "CD54")), ("CD-NK,North Kivu", ("CD61",)),
    (["maniema", "CD74"], ("CD63", "CD74")),
])
def test_select_provinces(spec, expected):
    """Groups, names, ISO codes and P-codes all select provinces."""
    assert select_provinces(spec) == expected


def test_select_provinces_rejects_unknown_names():
    """An unknown province names what is accepted."""
    with pytest.raises(ConfigError, match="Unknown province 'Katanga'.*'kivu', 'east'"):
        select_provinces("Katanga")


def test_config_keeps_source_names_and_provinces(tmp_path):
    """In geomap.toml a source name stays a name; files are relative to the file."""
    config = tmp_path / "geomap.toml"
    config.write_text('provinces = "east"\n[inputs]\nadmin = "cod-ab:adm2"\n'
                      'mines = "mines.csv"\n', encoding="utf-8")
    settings = read_config(config)
    assert settings["inputs"]["admin"] == "cod-ab:adm2"
    assert settings["inputs"]["mines"] == tmp_path / "mines.csv"
    assert settings["provinces"] == EAST


def test_a_source_of_another_layer_is_refused_before_any_download(tmp_path, monkeypatch):
    """'--mines cod-ab:adm2' says which option the source belongs to."""
    import pandas as pd

    from geomap.config import BuildConfig
    from geomap.load.inputs import read_input

    monkeypatch.setenv("GEOMAP_CACHE", str(tmp_path / "cache"))
    config = BuildConfig(date=pd.Timestamp("2025-01-01"), inputs={"mines": "cod-ab:adm2"})
    with pytest.raises(SourceError, match="holds admin data, not mines; give it as --admin"):
        read_input(config, "mines")
    config = BuildConfig(date=pd.Timestamp("2025-01-01"), inputs={"control": "acled"})
    with pytest.raises(SourceError, match="only for aggregates.*--conflict-events"):
        read_input(config, "control")
    assert not (tmp_path / "cache").exists()
