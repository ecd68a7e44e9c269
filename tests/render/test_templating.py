"""Templates are geomap's own files, shipped with it; data only ever fills them in."""

from __future__ import annotations

import ast
import fnmatch
import re
import tomllib
from pathlib import Path

import pytest
from markupsafe import Markup

from geomap.render.markup import safe_json
from geomap.render.templating import TEMPLATE_FOLDERS, environment, render_template
from geomap.render.web.assets import leaflet_files

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "geomap"
ASSET_SUFFIXES = (".j2", ".js", ".css", ".html")


def test_package_data_covers_every_template_and_asset():
    """An installed wheel has every template, script and style file of the package."""
    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = settings["tool"]["setuptools"]["package-data"]
    assets = sorted(p for p in PACKAGE.rglob("*") if p.suffix in ASSET_SUFFIXES)
    assert assets, "no template found"
    for path in assets:
        package = ".".join(path.parent.relative_to(REPO).parts)
        covered = False
        while package:  # a glob of the package or of one above it
            folder = REPO.joinpath(*package.split("."))
            inside = path.relative_to(folder).as_posix()
            covered |= any(fnmatch.fnmatch(inside, glob) for glob in globs.get(package, []))
            package = package.rpartition(".")[0]
        assert covered, f"{path.relative_to(REPO)} is not in [tool.setuptools.package-data]"
    for package, folder in TEMPLATE_FOLDERS:
        assert package in globs
        assert any(glob.startswith(f"{folder}/") for glob in globs[package])


def test_no_template_is_ever_made_from_a_string():
    """geomap compiles only its own template files: no Template(, from_string(, no
    folium or branca (whose elements compile any text given to them)."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(REPO)}: {call}" for call in
                  ("Template(", "from_string(", "import folium", "from folium",
                   "branca") if call in text]
        found += [f"{path.relative_to(REPO)}: {line.strip()}"
                  for line in text.splitlines()  # XML elements (ElementTree) are data
                  if re.search(r"(?<![\w.])Element\(", line)]
    assert found == []


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string constant of a module that is not a docstring, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef
                                | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    attribute_docs = {id(node.value) for node in ast.walk(tree)
                      if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings | attribute_docs]


HTML_TAGS = ("a", "b", "br", "body", "details", "div", "figure", "footer", "h1", "h2",
             "head", "header", "html", "iframe", "img", "input", "label", "li", "link",
             "meta", "p", "script", "section", "small", "span", "style", "summary",
             "svg", "table", "td", "th", "tr", "ul")
MARKUP = re.compile(r"</?(" + "|".join(HTML_TAGS) + r")[\s>/]", re.IGNORECASE)
SCRIPT = re.compile(r"\bfunction\s*\(|\bvar\s+\w+\s*=|=>|\bdocument\.\w+")


def test_no_javascript_or_html_in_python_strings():
    """Markup and script live in template and static files; Python holds data only."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        for line, text in _string_literals(path):
            if MARKUP.search(text) or SCRIPT.search(text) or (
                    "\n" in text.strip() and "{" in text and ";" in text):
                found.append(f"{path.relative_to(REPO)}:{line}: {text[:60]!r}")
    assert found == []


@pytest.mark.parametrize("value", ["<b>x</b>", "a & b", "O'Brien \"q\"", "{{ 7*7 }}",
                                   "{% if true %}", "{#12}"])
def test_values_are_escaped_and_never_compiled(value: str, tmp_path: Path):
    """Whatever the value, the embed template shows it as text."""
    page = render_template("embed.html.j2", src="map.html", title=value)
    assert value not in page or not set(value) & set("<&'\"")
    assert f'title="{value}"' in page or "&" in page
    assert "49" not in page


def test_only_geomap_marks_text_safe():
    """JSON for the data block is inert; an unmarked value is escaped."""
    block = safe_json({"k": "</script><!--&\u2028"})
    assert not set(block) & set("<>&\u2028")
    template = environment().get_template("embed.html.j2")
    assert "&lt;i&gt;" in template.render(src="map.html", title="<i>")
    assert "<i>" in template.render(src="map.html", title=Markup("<i>"))  # geomap's own


def test_missing_values_are_empty_not_none():
    """A missing value prints nothing (not 'None' or 'nan')."""
    assert 'title=""' in render_template("embed.html.j2", src="map.html", title=None)
    assert 'title=""' in render_template("embed.html.j2", src="map.html",
                                         title=float("nan"))


def test_inlined_leaflet_cannot_close_its_script():
    """The third-party files inlined into the page hold no closing script/style tag."""
    css, scripts = leaflet_files()
    assert "</style" not in css.lower()
    for script in scripts:
        assert "</script" not in script.lower()
