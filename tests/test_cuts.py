"""What enters a build: the provinces' outline cut, constants for a whole file
(--set), recognised column names, and validate counting the rows build counts."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from geomap.cli import main
from geomap.config import BuildConfig, read_config
from geomap.errors import ConfigError
from geomap.load.files import read_layer
from geomap.pipeline import load_layers
from geomap.validate import extent
from geomap.validate.checks import VALIDATORS
from geomap.validate.extent import cut_to_provinces

from .conftest import spy, write_csv


@pytest.fixture
def kivu_admin() -> gpd.GeoDataFrame:
    """Nord-Kivu (CD61) as one territory; its province is derived from it."""
    return gpd.GeoDataFrame({"pcode": ["CD6101"], "name": ["Goma"], "level": [2],
                             "parent_pcode": ["CD61"], "source": ["test"]},
                            geometry=[box(29.0, -1.8, 29.4, -1.4)], crs="EPSG:4326")


def test_rows_outside_the_provinces_outline_are_left_out_and_listed(kivu_admin):
    """A mine inside the provinces' extent but outside their outline is left out,
    with its row and the reason; the admin layer gains its derived province."""
    admin, _ = cut_to_provinces(kivu_admin, pd.DataFrame(), None, ("CD61",), "admin")
    assert sorted(admin["pcode"]) == ["CD61", "CD6101"]
    raw = pd.DataFrame({"name": ["in", "out", "nowhere"], "lon": ["29.1", "29.9", ""],
                        "lat": ["-1.5", "-1.5", ""], "_row": [1, 2, 3]})
    mines, rejected = VALIDATORS["mines"](raw)
    kept, table = cut_to_provinces(mines, rejected, admin, ("CD61",), "mines")
    assert kept["name"].tolist() == ["in"]
    outside = table.loc[table["reason"].str.startswith("outside")]
    assert outside["row"].tolist() == [2]
    assert "Nord-Kivu (CD61)" in outside["reason"].iloc[0]
    assert "--provinces" in outside["reason"].iloc[0]


def test_one_outline_cuts_every_layer_of_an_admin_frame(
        kivu_admin, monkeypatch: pytest.MonkeyPatch):
    """The union of the provinces is worked out once per admin frame and provinces:
    mines and control cut by the admin layer's outline give what a fresh one gives."""
    calls = spy(monkeypatch, extent, "province_outline",
                lambda _admin, provinces: tuple(provinces))
    admin, _ = cut_to_provinces(kivu_admin, pd.DataFrame(), None, ("CD61",), "admin")
    raw = pd.DataFrame({"name": ["in", "out"], "lon": ["29.1", "29.9"],
                        "lat": ["-1.5", "-1.5"], "_row": [1, 2]})
    mines, rejected = VALIDATORS["mines"](raw)
    for _ in range(2):
        kept, _ = cut_to_provinces(mines, rejected, admin, ("CD61",), "mines")
        assert kept["name"].tolist() == ["in"]
    assert calls == [("CD61",)]
    cut_to_provinces(mines, rejected, admin, ("CD61", "CD62"), "mines")
    cut_to_provinces(mines, rejected, admin.copy(), ("CD61",), "mines")
    assert calls == [("CD61",), ("CD61", "CD62"), ("CD61",)]  # other provinces, frame


def test_admin_areas_of_other_provinces_are_cut_too(kivu_admin):
    """A territory of Ituri read through a mapping (no loader, no cut) is left out."""
    ituri = gpd.GeoDataFrame({"pcode": ["CD5401"], "name": ["Aru"], "level": [2],
                              "parent_pcode": ["CD54"], "source": ["test"]},
                             geometry=[box(30.0, 2.0, 30.5, 2.5)], crs="EPSG:4326")
    both = pd.concat([kivu_admin, ituri], ignore_index=True).assign(_row=[1, 2])
    admin, table = cut_to_provinces(both, pd.DataFrame(), None, ("CD61",), "admin")
    assert "CD5401" not in set(admin["pcode"])
    assert table["row"].tolist() == [2]


def test_an_admin_file_of_other_codes_is_not_cut(admin):
    """Areas with codes of no province (a test's, a publisher's own) are kept whole."""
    kept, table = cut_to_provinces(admin, pd.DataFrame(), None, ("CD61",), "admin")
    assert len(kept) == len(admin)
    assert table.empty


def test_set_gives_a_whole_file_its_start_date(shapes_dir: Path, tmp_path: Path):
    """An undated snapshot is rejected whole; --set control.start gives it a date and
    it holds from then on, in build and in validate alike."""
    zones = write_csv(tmp_path / "zones.csv", ["area", "Groupe armé"],
                      [("T01", "FDLR"), ("T02", "Nyatura")])
    runner = CliRunner()
    checked = runner.invoke(main, ["validate", str(zones), "--layer", "control"])
    assert checked.exit_code == 1
    assert "no start and no end date" in checked.output
    checked = runner.invoke(main, ["validate", str(zones), "--layer", "control", "--set",
                                   "control.start=2015-09-14", "--set",
                                   "control.confidence=claimed"])
    assert checked.exit_code == 0, checked.output
    config = BuildConfig(date=pd.Timestamp("2016-01-01"), shapes_dir=shapes_dir,
                         inputs={"control": zones},
                         constants={"control": {"start": "2015-09-14",
                                                "confidence": "claimed"}})
    with pytest.warns(UserWarning, match="nyatura"):
        control = load_layers(config).control
    assert control["start"].dt.strftime("%Y-%m-%d").unique().tolist() == ["2015-09-14"]
    assert set(control["confidence"]) == {"claimed"}


def test_set_in_geomap_toml(tmp_path: Path):
    """[set.control] in geomap.toml gives the same constants as --set."""
    path = tmp_path / "geomap.toml"
    path.write_text('[set.control]\nstart = "2015-09-14"\n', encoding="utf-8")
    assert read_config(path)["constants"] == {"control": {"start": "2015-09-14"}}
    path.write_text('[set.rivers]\nstart = "2015"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[set.rivers\] must name a layer"):
        read_config(path)


@pytest.mark.parametrize("option", ["control.start", "start=2015", "roads.x=1",
                                    "control.start="])
def test_a_malformed_set_is_bad_usage(shapes_dir: Path, tmp_path: Path, option: str):
    """--set without LAYER.COLUMN=VALUE exits 2 and says the expected form."""
    result = CliRunner().invoke(main, ["build", "--shapes-dir", str(shapes_dir),
                                       "--out", str(tmp_path / "o"), "--set", option])
    assert result.exit_code == 2
    assert "LAYER.COLUMN=VALUE" in result.output


@pytest.mark.parametrize(("column", "recognised"), [
    ("group", False), ("groupe", False), ("Groupe armé", True), ("armed_group", True),
    ("actor1", True), ("ACTOR", True),
])
def test_only_names_that_mean_the_actor_are_read_as_actor(tmp_path, column, recognised):
    """A permit class called 'group' is no armed actor; 'Groupe armé' is one."""
    path = write_csv(tmp_path / "c.csv", ["area", column, "start"], [("T01", "PE", "2015")])
    if recognised:
        assert read_layer(path, "control")["actor"].tolist() == ["PE"]
    else:
        with pytest.raises(ValueError, match=r"lacks required column\(s\) \['actor'\]"):
            read_layer(path, "control")


def test_validate_and_build_count_the_same_rows_of_a_dtm_file(shapes_dir, tmp_path):
    """An HXL hashtag row under a DTM header is no row for validate nor for build."""
    dtm = write_csv(tmp_path / "dtm.csv", ["admin2Pcode", "numPresentIdpInd",
                                           "reportingDate", "roundNumber"],
                    [("#adm2+code", "#affected+idps+ind", "#date+reported", "#round"),
                     ("T01", "1200", "2025-01-10", "22"), ("T02", "800", "2025-01-10",
                                                           "22")])
    checked = CliRunner().invoke(main, ["validate", str(dtm), "--layer", "displacement"])
    assert checked.exit_code == 0, checked.output
    assert "2 of 2 displacement rows valid, 0 rejected" in checked.output
    layers = load_layers(BuildConfig(date=pd.Timestamp("2025-02-01"),
                                     shapes_dir=shapes_dir, inputs={"displacement": dtm}))
    assert layers.people.rows_read == 2
    assert layers.people.rows_rejected == 0
