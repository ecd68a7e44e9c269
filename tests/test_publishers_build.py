"""From 'geomap fetch' to 'geomap build --offline' with every publisher in its
current shape, played by a local server: HDX's 'cod-ab-cod' package and its
'.shp.zip', IPIS's open-data page and CSV, the DTM API's envelope, ACLED's OAuth
sign-in and paged read. One build covers them all; then no row-level ACLED data may
be found in any file it wrote.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from geomap.cli import main
from geomap.sources import apis
from geomap.sources.registry import SOURCES

from .conftest import REPO
from .publisher_files import (
    acled_events,
    cod_ab_2026_zip,
    cod_ab_cod_resources,
    dtm_api,
    hdx_package,
    ipis_csv,
)
from .test_conflict import KIVU_NAMES, _expected

IPIS_CSV = "cod_mines_curated_all_opendata_p_ipis.csv"


def _serve(httpserver, monkeypatch, tmp_path: Path, events: list[dict]) -> None:
    """Every publisher on the local server, and the registry pointed at it."""
    show = httpserver.url_for("/api/3/action/package_show")
    httpserver.expect_request("/api/3/action/package_show", query_string={
        "id": "cod-ab-cod"}).respond_with_json(hdx_package(
            "cod-ab-cod", cod_ab_cod_resources(httpserver.url_for("/dl"))))
    zipped = cod_ab_2026_zip(tmp_path / "cod_admin_boundaries.shp.zip")
    httpserver.expect_request("/dl/cod_admin_boundaries.shp.zip").respond_with_data(
        zipped.read_bytes())
    httpserver.expect_request("/open-data/").respond_with_data(
        f'<p><a href="/wp-content/uploads/2026/11/{IPIS_CSV}">CSV</a></p>',
        content_type="text/html")
    httpserver.expect_request(f"/wp-content/uploads/2026/11/{IPIS_CSV}").respond_with_data(
        ipis_csv(tmp_path / "ipis.csv").read_bytes())
    httpserver.expect_request("/dtm/v3/displacement/admin2", query_string={
        "Admin0Pcode": "COD"}, headers={"Ocp-Apim-Subscription-Key": "k"}
        ).respond_with_json(dtm_api())
    httpserver.expect_request("/oauth/token", method="POST").respond_with_json(
        {"token_type": "Bearer", "access_token": "tok", "expires_in": 86400,
         "refresh_token": "r"})
    pages = [events[i:i + apis.ACLED_PAGE] for i in range(0, len(events),
                                                          apis.ACLED_PAGE)] + [[]]
    for page, rows in enumerate(pages, start=1):
        httpserver.expect_request("/api/acled/read", query_string={
            "_format": "json", "country": apis.ACLED_COUNTRY,
            "limit": str(apis.ACLED_PAGE), "page": str(page)},
            headers={"Authorization": "Bearer tok"}).respond_with_json(
            {"status": 200, "success": True, "count": len(rows), "data": rows})
    for name, urls in (
            ("cod-ab", (show + "?id=cod-ab-cod",)),
            ("ipis", (httpserver.url_for("/open-data/"),)),
            ("dtm:api", (httpserver.url_for("/dtm/v3/displacement/admin2"),)),
            ("acled", (httpserver.url_for("/api/acled/read"),
                       httpserver.url_for("/oauth/token")))):
        monkeypatch.setitem(SOURCES, name, replace(SOURCES[name], urls=urls))
    for variable, value in (("GEOMAP_CACHE", str(tmp_path / "cache")),
                            ("DTM_API_KEY", "k"), ("ACLED_EMAIL", "a@example.org"),
                            ("ACLED_PASSWORD", "pw")):
        monkeypatch.setenv(variable, value)
    monkeypatch.delenv("GEOMAP_MIRROR", raising=False)


@pytest.fixture(scope="module")
def events() -> list[dict]:
    """Three hundred ACLED events, with notes and ids that must never come out."""
    return acled_events(300)


def _build(httpserver, monkeypatch, tmp_path, events) -> tuple[Path, int]:
    """Fetch the four sources, then build offline; the output folder and how many
    requests the build itself made."""
    monkeypatch.setattr(apis, "ACLED_PAGE", 120)
    _serve(httpserver, monkeypatch, tmp_path, events)
    runner = CliRunner()
    fetched = runner.invoke(main, ["fetch", "cod-ab", "ipis", "dtm:api", "acled",
                                   "--quiet"])
    assert fetched.exit_code == 0, fetched.output
    assert len(fetched.output.split()) == 4
    before = len(httpserver.log)
    out = tmp_path / "out"
    result = runner.invoke(main, [
        "build", "--offline", "--quiet", "--admin", "cod-ab", "--mines", "ipis",
        "--displacement", "dtm:api", "--conflict-events", "acled",
        "--shapes-dir", str(REPO / "shapes"), "--out", str(out),
        "--date", "2025-02-15"])
    assert result.exit_code == 0, result.output
    return out, len(httpserver.log) - before


def test_fetched_publishers_build_offline_and_no_acled_row_leaves(
        httpserver, monkeypatch, tmp_path, events):
    """Provinces and territories from COD-AB, mines from IPIS, figures from the DTM
    API, conflict counts from ACLED: all in the outputs, nothing asked of the net;
    and no ACLED row in any file written (one build for both, builds are slow)."""
    out, requests_during_build = _build(httpserver, monkeypatch, tmp_path, events)
    assert requests_during_build == 0
    areas = pd.read_csv(out / "summary_areas.csv", dtype={"pcode": str})
    admin = areas.loc[areas["kind"] == "area"].set_index("pcode")
    assert sorted(admin.index) == ["CD61", "CD6101", "CD6107", "CD6111", "CD62",
                                   "CD6201"]
    assert admin.loc["CD6111", "people"] == 1500  # round 2, never round 1 added
    mines = pyogrio.read_dataframe(out / "layers" / "mines.geojson")
    assert sorted(mines["site_id"]) == ["codmine00101", "codmine00777"]  # IPIS, Kivu
    conflict = pd.read_csv(out / "conflict_events.csv", dtype={"pcode": str})
    expected = _expected(events)
    got = conflict[["pcode", "month", "event_type", "events", "fatalities"]]
    assert got.equals(expected.astype(got.dtypes.to_dict()))
    assert set(conflict["pcode"]) <= set(KIVU_NAMES.values())
    gpkg = pyogrio.read_dataframe(out / "geomap.gpkg", layer="conflict_events")
    assert gpkg["events"].sum() == conflict["events"].sum()
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Armed Conflict Location &amp; Event Data (ACLED)" in report
    assert "CC BY 3.0 IGO" in report
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "conflict events (counts): Armed Conflict Location" in page
    _assert_no_event_rows(out, events)


def _assert_no_event_rows(out: Path, events: list[dict]) -> None:
    """No event id, note, actor or event coordinate pair in any file written."""
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "conflict_events.csv" for p in files)
    ids = {row["event_id_cnty"] for row in events}
    notes = {row["notes"] for row in events}
    pairs = [re.compile(re.escape(row["longitude"]) + r"\d*\W{1,3}"
                        + re.escape(row["latitude"])) for row in events]
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert not any(event_id in text for event_id in ids), path.name
        assert not any(note in text for note in notes), path.name
        assert "M23: March 23 Movement" not in text, path.name
        assert not any(pair.search(text) for pair in pairs), path.name
    for layer in pyogrio.list_layers(out / "geomap.gpkg")[:, 0]:
        columns = {c.lower() for c in pyogrio.read_info(out / "geomap.gpkg",
                                                         layer=layer)["fields"]}
        assert not {"event_id_cnty", "notes", "latitude", "longitude",
                    "actor1"} & columns, layer
    conflict = pd.read_csv(out / "conflict_events.csv")
    assert not {"lat", "lon", "date", "latitude", "longitude"} & set(conflict.columns)
