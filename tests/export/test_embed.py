"""The article embed snippet and the size budgets of map.html."""

from __future__ import annotations

from pathlib import Path

import pytest

from geomap.errors import GeomapWarning
from geomap.export.embed import MAP_BUDGET, check_budget, embed_snippet


def test_embed_snippet_is_escaped_and_resizes():
    """The snippet is an iframe with an escaped title and a resize script."""
    snippet = embed_snippet('Kivu "<now>"')
    assert '<iframe class="geomap-embed" src="map.html"' in snippet
    assert 'title="Kivu &quot;&lt;now&gt;&quot;"' in snippet
    assert "<now>" not in snippet
    assert "addEventListener(\"resize\"" in snippet
    assert snippet.count("<script>") == 1


def test_embed_snippet_is_the_same_for_the_same_title():
    """The snippet depends on its title and source only."""
    assert embed_snippet("Kivu") == embed_snippet("Kivu")
    assert 'src="maps/kivu.html"' in embed_snippet("Kivu", "maps/kivu.html")


def test_budget_warns_when_over(tmp_path: Path):
    """A page over its preset's budget is reported with a warning."""
    page = tmp_path / "map.html"
    page.write_bytes(b"x" * (MAP_BUDGET["article"] + 1))
    with pytest.warns(GeomapWarning, match="over budget"):
        check_budget(page, "article")
    assert "budget 10.0 MB" in check_budget(page, "analyst")
