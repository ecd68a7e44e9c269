"""Text from data and from the user is data: never run, never markup, always shown as is.

A corpus of payloads goes through every text field (town, mine and area names,
source, url, note, actor, event titles and places) and the title into map.html,
embed.html and report.html;
each comes out as literal text, in Python and in a real browser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import main
from geomap.config import BuildConfig
from geomap.pipeline import load_layers

from ..conftest import write_csv
from ..pages import (
    move_slider,
    open_page,
    render_embed,
    render_page,
    render_report,
    write_shapes,
)

PAYLOADS = {
    "jinja-expression": "Kivu {{ 7*7 }}",
    "jinja-statement": "Y{% if true %}",
    "jinja-comment": "Bisie {#12}",
    "template-literal": "${7*7}",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "script-breakout": "</script><script>alert(1)</script>",
    "quotes": "O'Brien \"quoted\" 'single'",
    "backticks": "`tick` ${`x`}",
    "rtl-override": "Goma \u202eevil\u202c text",
    "zero-width": "Zero\u200bwidth\u200djoin\ufeffbom",
    "jinja-globals": "{{ lipsum.__globals__.os.makedirs('PWNED') }}",
    "huge": "Long " + "<b>name</b> " * 8_000 + "end",
}
"""Each payload by a short name; 'PWNED' is replaced by a folder of the test."""
JS_URL = "javascript:alert(1)"
pytestmark = pytest.mark.filterwarnings("ignore:Control names actor")


def _payloads(folder: Path) -> dict[str, str]:
    """The corpus, the Jinja-globals payload aimed at a folder that must not appear."""
    return {name: text.replace("PWNED", str(folder / "pwned"))
            for name, text in PAYLOADS.items()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Layers with a payload in each text field of each record, and its outputs."""
    root = tmp_path_factory.mktemp("corpus")
    payloads = _payloads(root)
    texts = list(payloads.values())
    towns = [(f"t{i}", text, 29.05 + 0.03 * (i % 8), -1.4 - 0.05 * (i // 8), "", "P1",
              texts[-1 - i], JS_URL if i % 2 else f"https://example.org/?q={text}")
             for i, text in enumerate(texts)]
    mines = [(f"m{i}", text, f"gold;{text}", 29.3 + 0.02 * (i % 8),
              -1.5 - 0.05 * (i // 8), text, JS_URL)
             for i, text in enumerate(texts)]
    control = [(f"t{i}", text, "2025-01-01", "", "assessed", text,
                f"https://example.org/{text}", text) for i, text in enumerate(texts)]
    folder = write_shapes(root / "shapes", towns=towns, mines=mines, control=control,
                          admin_names=(texts[0], texts[4]), source=texts[5])
    write_csv(folder / "events.csv", ["date", "kind", "title", "place", "source", "url"],
              [(f"2025-01-{10 + i:02d}", "talks", text, text, text, JS_URL)
               for i, text in enumerate(texts)])
    layers = load_layers(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=folder))
    title = " | ".join(texts[:-1])
    return {"root": root, "payloads": payloads, "layers": layers, "title": title,
            "shapes": folder,
            "map": render_page(layers, "2025-02-01", title=title),
            "embed": render_embed(title),
            "report": render_report(layers, "2025-02-01", root / "report.html",
                                    compare="2024-12-01", title=title)}


def _outside_data(page: str) -> str:
    """The page without its JSON data block and without inlined third-party scripts."""
    page = re.sub(r'<script type="application/json" id="geomap-data">.*?</script>', "",
                  page, flags=re.DOTALL)
    return re.sub(r"<script>.*?</script>", "<script></script>", page, flags=re.DOTALL)


def _strings(value: object) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


@pytest.mark.parametrize("name", list(PAYLOADS))
@pytest.mark.parametrize("output", ["map", "embed", "report"])
def test_payload_is_never_run_nor_markup(corpus, name: str, output: str):
    """No template runs, no tag is made; Jinja syntax stays as written."""
    text = corpus["payloads"][name]
    html = corpus[output]
    assert "Kivu 49" not in html
    assert "<img src=x" not in html
    assert "<script>alert" not in html
    assert "<b>name</b>" not in html
    assert not (corpus["root"] / "pwned").exists()
    if output != "report":  # the title is in every output
        visible = _outside_data(html) if output == "map" else html
        assert visible.count("<script") == (3 if output == "map" else 1)
    if "<" not in text and "&" not in text and '"' not in text and "'" not in text:
        assert text in html  # not escaped, not run: as it was written
    if output == "map":
        data = json.loads(re.search(r'id="geomap-data">(.*?)</script>', html,
                                    re.DOTALL).group(1))
        assert any(text in found for found in _strings(data))  # intact, as data


def test_the_javascript_url_is_never_a_link(corpus):
    """Only http(s) URLs become links, in the page data and the report."""
    assert 'href="javascript' not in corpus["report"]
    assert "href='javascript" not in corpus["report"]
    data = json.loads(re.search(r'id="geomap-data">(.*?)</script>', corpus["map"],
                                re.DOTALL).group(1))
    assert JS_URL not in {popup["url"] for popup in data["popups"]}
    assert JS_URL in {popup["urlText"] for popup in data["popups"]}


def test_title_from_the_command_line_and_geomap_toml(corpus, tmp_path: Path):
    """--title and a geomap.toml title reach the page as text, through a whole build.

    The build reads the plain test layers: the payloads in data fields are checked on
    the page, embed and report above (a name holding U+FEFF stops matplotlib's PDF
    writer, which is the print map's to handle).
    """
    shapes = write_shapes(tmp_path / "shapes")
    title = corpus["payloads"]["jinja-statement"] + " " + corpus["payloads"][
        "jinja-comment"]
    (tmp_path / "geomap.toml").write_text(
        f"title = {json.dumps(title)}\ndate = \"2025-02-01\"\n", encoding="utf-8")
    result = CliRunner().invoke(main, [
        "build", "--config", str(tmp_path / "geomap.toml"), "--quiet",
        "--shapes-dir", str(shapes), "--out", str(tmp_path / "out"),
        "--outputs", "map,report"])
    assert result.exit_code == 0, result.output
    for output in ("map.html", "embed.html", "report.html"):
        assert title in (tmp_path / "out" / output).read_text(encoding="utf-8")
    result = CliRunner().invoke(main, [
        "build", "--title", corpus["payloads"]["jinja-expression"], "--quiet",
        "--date", "2025-02-01", "--shapes-dir", str(shapes),
        "--out", str(tmp_path / "cli"), "--outputs", "map"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "cli" / "map.html").read_text(encoding="utf-8")
    assert "<title>Kivu {{ 7*7 }}</title>" in page
    assert "Kivu 49" not in page


POPUP_TEXT = """([id, ref]) => { var found = null;
  window.geomap.layers[id].eachLayer(function(l) {
    if (l.feature.properties.ref === ref || (ref === null && found === null)) {
      var node = l.getPopup()._content(l);
      found = {title: node.querySelector('.geomap-popup-title').textContent,
               text: node.textContent, tip: l.getTooltip()._content(l).textContent}; }});
  return found; }"""


@pytest.mark.browser
def test_browser_shows_every_payload_as_literal_text(browser, corpus, tmp_path):
    """Titles, popups, tooltips, legend and sources show each payload exactly; no
    dialog opens and nothing from data becomes an element."""
    path = tmp_path / "map.html"
    path.write_text(corpus["map"], encoding="utf-8")
    page, problems = open_page(browser, path)
    layers = corpus["layers"]
    assert page.locator(".geomap-title .geomap-h").text_content() == corpus["title"]
    assert page.title() == corpus["title"]
    names = layers.towns.set_index("town_id")["name"]
    sources = layers.control.set_index("place")["source"]
    for town, name in names.items():
        shown = page.evaluate(POPUP_TEXT, ["towns", town])
        assert shown["title"] == name
        assert sources[town] in shown["text"]
        assert shown["tip"].startswith(name + " — ")
    admin = page.evaluate(POPUP_TEXT, ["admin", "T01"])
    assert admin["title"] == layers.admin.set_index("pcode").loc["T01", "name"]
    mine_titles = page.evaluate("""() => { var out = [];
      window.geomap.layers.mines.eachLayer(function(l) {
        out.push(l.getPopup()._content(l).querySelector('.geomap-popup-title')
                 .textContent); });
      return out; }""")
    assert sorted(mine_titles) == sorted(layers.mines["name"])
    page.evaluate("""() => { window.geomap.layers.towns.eachLayer(function(l) {
        if (l.feature.properties.ref === 't4') l.openPopup(); }); }""")
    assert page.locator(".leaflet-popup-content .geomap-popup-title").text_content() \
        == names["t4"]
    listed = page.locator(".geomap-sources li").all_text_contents()
    cited = {name for name, _url, _licence in layers.sources}
    assert listed
    for item in listed[:-1]:  # the last line may say how many more the GIS layers cite
        assert any(item.strip().startswith(name) for name in cited), item[:80]
    legend = page.locator(".geomap-legend").text_content()
    assert "7-7" in legend  # the actor '{{ 7*7 }}' became the id 'kivu-7-7'
    for title in layers.events["title"]:  # each event named under the slider, as text
        day = layers.events.loc[layers.events["title"] == title, "date"].iloc[0]
        move_slider(page, f"{day:%Y-%m-%d}")
        assert title in page.locator("#geomap-event").text_content()
    assert page.locator("img:not(.leaflet-tile)").count() == 0  # tiles only
    assert page.locator("script").count() == 4  # Leaflet, cluster, data, map.js
    assert problems == []
    page.close()
