"""The map page rendered in-process from small layers: data block, states by day, boxes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from geomap.actors import controller_color, resolve_control
from geomap.config import BuildConfig
from geomap.export.embed import MAP_BUDGET
from geomap.render.web.states import holder_text
from geomap.render.web.styles import HIDDEN, area_style, town_style

from ...pages import render_page, summarise

REPO_SHAPES = Path(__file__).resolve().parents[3] / "shapes"
DATA_BLOCK = re.compile(
    r'<script type="application/json" id="geomap-data">(.*?)</script>', re.DOTALL)


def page_data(page: str) -> dict:
    """The JSON of the page's data block."""
    return json.loads(DATA_BLOCK.search(page).group(1))


def features(data: dict, layer: str) -> dict[str, dict]:
    """Features of one layer of the data block, by place."""
    spec = next(spec for spec in data["layers"] if spec["id"] == layer)
    return {f["properties"]["ref"]: f for f in spec["features"]["features"]}


def state(data: dict, feature: dict, day: str) -> tuple[dict, dict, str]:
    """Style, popup and tooltip of *feature* on *day*, looked up as the page does."""
    states = feature["properties"]["s"]
    index = states[0] if len(states) == 1 else states[data["days"].index(day)]
    style, popup, tip = data["states"][index]
    return data["styles"][style], data["popups"][popup], data["tips"][tip]


def rows(popup: dict) -> dict[str, str]:
    """A popup's rows by label."""
    return {label: value for label, value, _bold in popup["rows"]}


@pytest.mark.parametrize("as_of", ["2024-12-01", "2025-02-01", "2025-02-20"])
def test_every_place_on_every_day_follows_the_holder_rule(small_layers, as_of):
    """Each day's style and popup is the one of resolve_control on that day."""
    data = page_data(render_page(small_layers, as_of))
    assert as_of in data["days"]
    assert data["days"][data["start"]] == as_of
    towns, areas = features(data, "towns"), features(data, "areas")
    assert set(towns) == {"alpha", "bravo", "charlie"}
    assert set(areas) == {"T02"}  # held on some day, whatever the build date
    for day in data["days"]:
        held = resolve_control(small_layers.control, pd.Timestamp(day))
        for place, feature in [*towns.items(), *areas.items()]:
            actor = held["actor"].get(place)
            confidence = held["confidence"].get(place)
            style, popup, tip = state(data, feature, day)
            draw = town_style if place in towns else area_style
            assert style == draw(actor, confidence), (day, place)
            assert rows(popup)["Control:"] == holder_text(
                actor, held["actors"].get(place), "en"), (day, place)
            assert tip.endswith(holder_text(actor, held["actors"].get(place), "en")
                                + (f" ({confidence})" if actor else ""))


def test_an_area_without_holder_on_the_build_date_is_drawn_on_later_days(small_layers):
    """T02 (M23 from 2025-01-01) is hidden on 2024-12-01 and drawn in M23's colour after."""
    data = page_data(render_page(small_layers, "2024-12-01"))
    tango = features(data, "areas")["T02"]
    assert state(data, tango, "2024-12-01")[0] == HIDDEN
    assert state(data, tango, "2025-02-01")[0]["fillColor"] == controller_color("m23")


def test_popups_follow_the_day(small_layers):
    """Alpha: FARDC until 2025-01-27, then M23/AFC since that day."""
    data = page_data(render_page(small_layers, "2025-02-20"))
    alpha = features(data, "towns")["alpha"]
    before = rows(state(data, alpha, "2025-01-01")[1])
    after = rows(state(data, alpha, "2025-02-20")[1])
    assert before["Control:"] == "FARDC"
    assert "Since:" not in before  # the FARDC record has no start
    assert after["Control:"] == "M23/AFC"
    assert after["Since:"] == "2025-01-27"


def test_figures_carry_their_date_and_none_is_no_figure(small_layers):
    """A place with a figure shows it with its date; one without says 'no figure'."""
    data = page_data(render_page(small_layers, "2025-02-01"))
    towns = features(data, "towns")
    assert rows(state(data, towns["alpha"], "2025-02-01")[1])["Displaced:"] == \
        "300 (as of 2025-01-20)"
    assert rows(state(data, towns["alpha"], "2025-01-01")[1])["Displaced:"] == \
        "no figure"
    assert rows(state(data, towns["bravo"], "2025-02-01")[1])["Displaced:"] == \
        "no figure"


def test_displacement_follows_the_day(small_layers):
    """Sierra (T01) shows round 1 before round 2 is dated, round 2 after; never summed."""
    data = page_data(render_page(small_layers, "2025-02-01"))
    sierra = features(data, "displacement")["T01"]
    assert rows(state(data, sierra, "2025-01-01")[1])["Displaced:"] == \
        "1,000 (as of 2024-10-01)"
    assert rows(state(data, sierra, "2025-02-01")[1])["Displaced:"] == \
        "1,500 (as of 2025-01-15)"
    alpha = features(data, "displacement")["alpha"]
    assert state(data, alpha, "2025-01-01")[0]["stroke"] is False  # no figure yet
    assert state(data, alpha, "2025-02-01")[0]["radius"] > 0


def test_the_build_date_state_is_the_summary(small_layers):
    """On the build date the page says what summary_areas says, place by place."""
    summary, _text, _timeline = summarise(small_layers, "2025-02-01")
    data = page_data(render_page(small_layers, "2025-02-01"))
    towns = features(data, "towns")
    for row in summary.areas.itertuples():
        if row.place not in towns:
            continue
        popup = rows(state(data, towns[row.place], "2025-02-01")[1])
        assert popup["Control:"] == (row.actor_name if isinstance(row.actor_name, str)
                                     else "no record")
        if row.people_as_of is not pd.NaT and pd.notna(row.people_as_of):
            assert popup["Displaced:"].endswith(f"(as of {row.people_as_of:%Y-%m-%d})")


def test_legend_lists_every_actor_the_slider_shows(small_layers):
    """FARDC holds alpha only before the build date: it is in the legend all the same."""
    page = render_page(small_layers, "2025-02-20")
    legend = page.split('class="geomap-box geomap-legend"', 1)[1].split("</details>")[0]
    assert "FARDC" in legend
    assert "M23/AFC" in legend
    assert controller_color("fardc") in legend


def test_same_inputs_same_page(small_layers):
    """Two renders of the same layers are the same text."""
    assert render_page(small_layers, "2025-02-01", cached=False) == render_page(
        small_layers, "2025-02-01", cached=False)


def test_article_preset_and_cdn(small_layers):
    """The article page has no mines, no layer control and a fullscreen button; --cdn
    links Leaflet."""
    analyst = render_page(small_layers, "2025-02-01")
    article = render_page(small_layers, "2025-02-01", preset="article")
    assert [s["id"] for s in page_data(analyst)["layers"]] == [
        "admin", "areas", "towns", "displacement", "mines", "labels"]
    assert [s["id"] for s in page_data(article)["layers"]] == [
        "admin", "areas", "towns", "displacement", "labels"]
    assert page_data(analyst)["layerControl"] is True
    assert page_data(article)["layerControl"] is False
    assert 'id="geomap-fullscreen"' in article
    assert 'id="geomap-fullscreen"' not in analyst
    assert "L.markerClusterGroup" in analyst  # inlined, no script from outside
    # the cluster plugin only where there are mining sites to cluster
    assert ".marker-cluster-small" in analyst
    assert ".marker-cluster-small" not in article
    assert len(article) < len(analyst) - 20_000
    cdn_article = render_page(small_layers, "2025-02-01", preset="article",
                              self_contained=False)
    assert "markercluster" not in cdn_article
    assert not re.search(r"<script[^>]+src=", analyst)
    assert not re.search(r"<link[^>]+stylesheet", analyst)
    cdn = render_page(small_layers, "2025-02-01", self_contained=False)
    assert '<script src="https://unpkg.com/leaflet@1.9.4/dist/leaflet.js">' in cdn
    assert len(cdn) < len(analyst) - 100_000


def test_article_page_inlines_only_what_it_uses(small_layers):
    """The article page shows no mining sites and has no layer control: no cluster
    plugin, no mining legend, none of Leaflet's images; its default title names no
    mining, in English or French."""
    from geomap.render.web.map import build_map

    summary, text, timeline = summarise(small_layers, "2025-02-01")
    text.title = BuildConfig(date=pd.Timestamp("2025-02-01"), preset="article").title
    article = build_map(small_layers.places, summary.areas, summary.mines, text,
                        timeline=timeline, preset="article")
    analyst = render_page(small_layers, "2025-02-01")
    for unused in ("markercluster", "L.MarkerClusterGroup = ", "marker-cluster",
                   "data:image/png"):
        assert unused not in article, unused
    assert "data:image/png" in analyst  # the layer control's icon

    def legend(page: str) -> str:
        return page.split('class="geomap-box geomap-legend"')[1].split("</details>")[0]

    assert "Mining sites" not in legend(article)
    assert "Mining sites" in legend(analyst)
    assert "<title>Kivu: territorial control and displacement</title>" in article
    assert '"geomap-h">Kivu: territorial control and displacement</div>' in article
    french = BuildConfig(date=pd.Timestamp("2025-02-01"), preset="article", lang="fr")
    assert "min" not in french.title
    assert french.title.startswith("Kivu\u00a0: contrôle territorial")


def test_changes_and_density_layers(small_layers):
    """--compare adds the changed-hands rings; point records add one image overlay."""
    page = render_page(small_layers, "2025-02-20", compare="2025-01-01",
                       density=(b"\x89PNG fake", [[-2.0, 29.0], [-1.3, 29.5]]))
    data = page_data(page)
    changes = next(s for s in data["layers"] if s["id"] == "changes")
    assert changes["name"] == "Changed hands since 2025-01-01"
    moved = {f["properties"]["ref"]: f for f in changes["features"]["features"]}
    assert set(moved) == {"alpha", "charlie"}  # bravo was FARDC on both dates
    popup = state(data, moved["alpha"], "2025-02-20")[1]
    assert [value for _label, value, _bold in popup["rows"]] == [
        "Changed hands: FARDC → M23/AFC", "On: 2025-01-27"]
    overlays = [s for s in data["layers"] if "image" in s]
    assert len(overlays) == 1
    assert overlays[0]["image"].startswith("data:image/png;base64,")


def test_title_box_dates_and_stale_record(small_layers):
    """The title box says the as-of date, the comparison date and the latest record."""
    from geomap.render.web.map import build_map

    summary, text, timeline = summarise(small_layers, "2025-06-01", compare="2025-01-01")
    text.latest_record = pd.Timestamp("2025-02-01")
    page = build_map(small_layers.places, summary.areas, summary.mines, text,
                     timeline=timeline)
    box = page.split('class="geomap-box geomap-title"', 1)[1].split('class="geomap-note"')[0]
    assert '<b id="geomap-date">2025-06-01</b>' in box
    assert "latest record: 2025-02-01" in box
    assert "Changes since 2025-01-01" in box
    assert "latest record" not in render_page(small_layers, "2025-02-01")


def test_attribution_credits_each_layer(small_layers):
    """The attribution names the publishers of every layer."""
    credits = page_data(render_page(small_layers, "2025-02-01"))["credits"]
    assert credits.startswith("Data: admin areas: test, towns: test, mining sites: test")


@pytest.mark.parametrize("preset", ["analyst", "article"])
def test_bundled_map_is_within_its_budget(bundled, preset: str):
    """The map of the bundled data, every slider day included, stays within budget.

    The same page shows that the bundled data builds whole: no rejected row, and each
    of the 24 territories and villes drawn with its popup.
    """
    page = render_page(bundled, "2025-03-01", preset=preset)
    assert len(page.encode("utf-8")) <= MAP_BUDGET[preset]
    data = page_data(page)
    assert len(data["days"]) > 50
    assert bundled.rejects.empty
    admin = json.loads((REPO_SHAPES / "admin.geojson").read_text(encoding="utf-8"))
    territories = [feature["properties"]["pcode"] for feature in admin["features"]
                   if feature["properties"]["level"] == 2]
    assert len(territories) == 24
    drawn = features(data, "admin")
    for pcode in territories:
        assert state(data, drawn[pcode], "2025-03-01")[1]["sub"] == pcode


def test_the_map_counts_sources_not_its_more_line(small_layers) -> None:
    """'Sources (N)' counts the sources (listed and not), never the 'and N more' line,
    which is said in the map's language (it counted that line as a source)."""
    from dataclasses import replace

    from geomap.render.web.map import build_map

    listed = len(small_layers.sources)
    page = render_page(small_layers, "2025-02-01")
    assert f"<summary>Sources ({listed})</summary>" in page
    assert "more sources" not in page
    summary, text, timeline = summarise(small_layers, "2025-02-01")
    for lang, said in (("en", ("and 1,234 more sources (the report and the GIS layers "
                               "list every one)")), ("fr", "et 1 234 autres sources")):
        page = build_map(small_layers.places, summary.areas, summary.mines,
                         replace(text, sources_more=1234, lang=lang), timeline=timeline)
        flat = page.replace("\u202f", " ").replace("\xa0", " ")
        assert f"<summary>Sources ({listed + 1234:,})</summary>".replace(
            ",", " " if lang == "fr" else ",") in flat
        assert said in flat


def test_lang_fr_on_the_command_line_makes_a_french_page(small_layers, monkeypatch,
                                                         tmp_path):
    """`geomap build --lang fr` hands the build a French config, whose page says its
    legend, layers, title and popups in French (tests/render/web/test_browser.py
    shows the same words in Chromium)."""
    from types import SimpleNamespace

    from click.testing import CliRunner

    from geomap.cli import main
    from geomap.render.markup import MapText
    from geomap.render.web.map import build_map

    built = []

    def run(config, report):
        built.append(config)
        return SimpleNamespace(paths=[])

    monkeypatch.setattr("geomap.pipeline.run", run)
    result = CliRunner().invoke(main, ["build", "--lang", "fr", "--date", "2025-02-01",
                                       "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    config, = built
    assert config.lang == "fr"
    summary, _text, timeline = summarise(small_layers, "2025-02-01")
    page = build_map(small_layers.places, summary.areas, summary.mines,
                     MapText.from_build(config, small_layers), timeline=timeline)
    assert '<html lang="fr">' in page
    assert "Kivu\u00a0: contrôle territorial" in page.split("<title>")[1]
    assert '<summary class="geomap-h2">Légende</summary>' in page
    data = page_data(page)
    assert [layer["name"] for layer in data["layers"]][:2] == [
        "Limites administratives", "Contrôle : zones".replace(" :", "\u00a0:")]
    rows = [row[0] for popup in data["popups"] if popup for row in popup["rows"]]
    assert "Contrôle\u00a0:" in rows
    assert "Control:" not in rows
