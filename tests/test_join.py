"""Joining records to places: P-code, name, fuzzy, spatial, and honest misses."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geomap.join import attach_areas, link_records
from geomap.places import build_places, match_references, normalise_name
from geomap.validate.checks import validate_towns


@pytest.fixture
def towns() -> gpd.GeoDataFrame:
    """Two loose towns and one city that is also an admin area (T02)."""
    raw = pd.DataFrame({
        "town_id": ["alpha", "bravo", "tango-city"], "name": ["Alpha", "Bravo", "Tango"],
        "lon": ["29.1", "29.4", "29.3"], "lat": ["-1.5", "-1.5", "-1.4"],
        "pcode": ["", "", "T02"], "_row": [1, 2, 3]})
    return validate_towns(raw)[0]


@pytest.mark.parametrize(("reference", "place", "method"), [
    ("T01", "T01", "p-code"),
    ("t01", "T01", "p-code"),
    ("alpha", "alpha", "id"),
    ("tango-city", "T02", "id"),
    ("Territoire de Sierra", "T01", "name"),
    ("SIERRA", "T01", "name"),
    ("Sièrra territory", "T01", "name"),
    ("Bravoo", "bravo", "fuzzy"),
    ("Zulu", None, "unmatched"),
], ids=["pcode", "pcode-case", "town-id", "city-alias", "prefix", "case", "accents",
        "fuzzy", "unknown"])
def test_match_references(admin, towns, reference, place, method):
    """Each kind of reference finds its place by the right method."""
    matches = match_references(pd.Series([reference]), build_places(admin, towns))
    row = matches.loc[reference]
    assert row["method"] == method
    assert (row["place"] if isinstance(row["place"], str) else None) == place


def test_fuzzy_match_reports_a_score(admin, towns):
    """A fuzzy match says how sure it is."""
    matches = match_references(pd.Series(["Bravoo"]), build_places(admin, towns))
    assert 88 <= matches.loc["Bravoo", "score"] < 100


def test_unmatched_reference_lists_nearest_candidates(admin, towns):
    """A miss names the nearest places so the user can fix the file."""
    matches = match_references(pd.Series(["Siera-Tango"]), build_places(admin, towns))
    assert matches.loc["Siera-Tango", "method"] == "unmatched"
    assert "Sierra (T01)" in matches.loc["Siera-Tango", "candidates"]


def test_name_matching_two_places_is_ambiguous(admin, towns):
    """A name shared by a town and an area is reported, never guessed."""
    loose = towns.copy()
    loose.loc[loose["town_id"] == "alpha", "name"] = "Sierra"
    matches = match_references(pd.Series(["Sierra"]), build_places(admin, loose))
    assert matches.loc["Sierra", "method"] == "ambiguous"
    assert pd.isna(matches.loc["Sierra", "place"])


def test_normalise_name_variants():
    """French/English and hyphen variants fold to the same key."""
    assert normalise_name("Sud-Kivu") == normalise_name("South Kivu")
    assert normalise_name("Ville de Goma") == normalise_name("goma")
    assert normalise_name("Masisi-centre") != normalise_name("Masisi")


def test_points_on_a_shared_border_count_once(admin):
    """A point exactly on the T01/T02 border gets one area; outside gets none."""
    points = gpd.GeoSeries([Point(29.25, -1.5), Point(29.1, -1.5), Point(29.4, -1.9),
                            Point(27.0, -1.5)], crs="EPSG:4326")
    areas = attach_areas(points, admin)
    assert areas.iloc[0] in {"T01", "T02"}
    assert list(areas.iloc[1:3]) == ["T01", "T02"]
    assert pd.isna(areas.iloc[3])


def test_describe_join_counts_methods():
    """The printed paragraph adds up records per method and layer."""
    from geomap.join import describe_join

    table = pd.DataFrame({"layer": ["control", "control", "displacement"],
                          "method": ["id", "fuzzy", "spatial"], "records": [5, 1, 7]})
    text = describe_join(table)
    assert text == "Join: control 6 records: 5 by id, 1 fuzzy; displacement 7 records: 7 spatial."


def test_describe_join_adds_rows_of_one_method_and_leaves_out_unnamed_ones():
    """Rows of one layer and method add up (most records first, layers by name); a
    row with no layer or no method is not counted; a missing count adds nothing."""
    from geomap.join import describe_join

    table = pd.DataFrame({
        "layer": ["towns", "control", "control", "towns", None, "control"],
        "method": ["name", "id", "unmatched", "name", "id", None],
        "records": [2, 1, 4, 2, 100, np.nan]})
    assert describe_join(table) == ("Join: control 5 records: 4 unmatched, 1 by id; "
                                    "towns 4 records: 4 by name.")
    assert describe_join(table.iloc[:0]) == "Join: no references."


def test_missing_province_is_derived_from_its_territories(admin):
    """Territories of CD61 without a CD61 polygon get one: their union, said so."""
    from geomap.validate.extent import add_parent_areas

    territories = admin.assign(parent_pcode="CD61")
    result = add_parent_areas(territories)
    province = result.set_index("pcode").loc["CD61"]
    assert province["name"] == "Nord-Kivu"
    assert province["level"] == 1
    assert province.geometry.area == pytest.approx(territories.union_all().area)
    assert "union of the 2 level-2 areas" in province["source"]
    assert len(add_parent_areas(admin)) == len(admin)  # P1 is no province P-code


def test_prepare_areas_prepares_every_polygon_before_threads_share_them(admin):
    """GEOS prepares lazily and not thread-safely: geomap prepares up front."""
    import shapely

    from geomap.join import prepare_areas

    fresh = admin.copy()
    fresh["geometry"] = shapely.from_wkb(shapely.to_wkb(admin.geometry.to_numpy()))
    assert not shapely.is_prepared(fresh.geometry.to_numpy()).any()
    prepare_areas(fresh)
    assert shapely.is_prepared(fresh.geometry.to_numpy()).all()


def _brute_force(polygons, x, y):
    """Each point's area the slow way: every polygon in order, contains then touches."""
    import numpy as np
    import shapely

    found = np.full(len(x), -1)
    for test in (shapely.contains_xy, shapely.intersects_xy):
        for position, polygon in enumerate(polygons):
            hit = (found < 0) & test(polygon, x, y)
            found[hit] = position
    return found


def test_the_grid_gives_what_testing_every_area_gives(admin):
    """Random points, every vertex and edge midpoint, a hole and a nested area: the
    grid's shortcut never changes an answer."""
    import numpy as np
    import shapely
    from shapely.geometry import Polygon

    from geomap.join import AreaIndex

    ring = [(29.3, -1.9), (29.45, -1.9), (29.45, -1.4), (29.3, -1.4)]
    hole = [(29.35, -1.8), (29.4, -1.8), (29.4, -1.5), (29.35, -1.5)]
    inner = gpd.GeoDataFrame(
        {"pcode": ["T0101", "T0201"], "name": ["Inner", "Holed"], "level": [3, 3],
         "parent_pcode": ["T01", "T02"], "source": ["test", "test"]},
        geometry=[box(29.05, -1.6, 29.15, -1.4), Polygon(ring, [hole])],
        crs="EPSG:4326")
    areas = pd.concat([admin, inner], ignore_index=True)
    index = AreaIndex(areas).build_grid()
    rng = np.random.default_rng(3)
    coords = shapely.get_coordinates(index.polygons)
    x = np.concatenate([rng.uniform(28.9, 29.6, 20_000), coords[:, 0],
                        (coords[:-1, 0] + coords[1:, 0]) / 2, [np.nan]])
    y = np.concatenate([rng.uniform(-2.1, -1.2, 20_000), coords[:, 1],
                        (coords[:-1, 1] + coords[1:, 1]) / 2, [0.0]])
    expected = _brute_force(index.polygons, x, y)
    assert (index.locate(x, y) == expected).all()
    assert (index.locate(x[:-1], y[:-1]) == expected[:-1]).all()  # all finite: no gather
    assert (AreaIndex(areas).locate(x[:500], y[:500]) == expected[:500]).all()  # no grid
    assert list(index.pcodes[:2]) == ["T0101", "T0201"]  # deepest first
    assert (index.grid[3] >= 0).mean() > 0.5  # most points need no polygon test


def _grid_by_every_centre(index):
    """The grid's owners as the plain rule gives them: every cell that no boundary
    reaches takes the first area (in the index's order) holding its centre."""
    import shapely

    minx, miny, cell, owner = index.grid
    plain = np.where(owner == -2, -2, -1)
    rows, columns = np.indices(owner.shape)
    x, y = minx + (columns + 0.5) * cell, miny + (rows + 0.5) * cell
    for position, polygon in enumerate(index.polygons):
        free = plain == -1
        inside = shapely.contains_xy(polygon, x[free], y[free])
        plain[tuple(np.argwhere(free)[inside].T)] = position
    return plain


@pytest.mark.parametrize("areas", ["bundled", "holed"])
def test_the_grid_tests_a_run_of_cells_as_each_of_its_cells(admin, areas):
    """Runs of cells between boundaries, tested at their first cell: the same owner
    for every cell as testing every cell's centre, for the bundled territories (and
    the provinces made of them) and for a hole, a nested area and areas far apart."""
    from shapely.geometry import Polygon

    from geomap.join import AreaIndex
    from geomap.validate.extent import add_parent_areas
    from tests.conftest import REPO

    if areas == "bundled":
        path = REPO / "shapes" / "admin.geojson"
        if not path.exists():
            pytest.skip("the bundled shapes/ folder is not in this checkout")
        areas = add_parent_areas(gpd.read_file(path))
    else:
        ring = [(29.3, -1.9), (29.45, -1.9), (29.45, -1.4), (29.3, -1.4)]
        hole = [(29.35, -1.8), (29.4, -1.8), (29.4, -1.5), (29.35, -1.5)]
        areas = pd.concat([admin, gpd.GeoDataFrame(
            {"pcode": ["T0101", "T0201", "T9"], "level": [3, 3, 2]},
            geometry=[box(29.05, -1.6, 29.15, -1.4), Polygon(ring, [hole]),
                      box(31.0, 1.0, 31.01, 1.01)], crs="EPSG:4326")],
            ignore_index=True)
    index = AreaIndex(areas).build_grid()
    owner = index.grid[3]
    assert (owner == _grid_by_every_centre(index)).all()
    assert (owner >= 0).sum() > 1000  # cells the runs placed
    assert len(np.unique(owner[owner >= 0])) > len(areas) // 2


def test_an_area_index_travels_to_a_worker_prepared(admin):
    """Pickled (as dask sends it), the index arrives prepared and gives the same places."""
    import pickle

    import numpy as np
    import shapely

    from geomap.join import AreaIndex

    index = AreaIndex(admin).build_grid()
    copy = pickle.loads(pickle.dumps(index))
    assert shapely.is_prepared(copy.polygons).all()
    x, y = np.array([29.1, 29.25, 29.4, 27.0]), np.array([-1.5, -1.5, -1.9, -1.5])
    assert copy.locate(x, y).tolist() == index.locate(x, y).tolist() == [0, 0, 1, -1]


def test_nested_areas_give_the_deepest(admin):
    """A level-3 area inside T01 wins over T01."""
    nested = pd.concat([admin, gpd.GeoDataFrame(
        {"pcode": ["T0101"], "name": ["Inner"], "level": [3], "parent_pcode": ["T01"],
         "source": ["test"]}, geometry=[box(29.05, -1.6, 29.15, -1.4)], crs="EPSG:4326")],
        ignore_index=True)
    points = gpd.GeoSeries([Point(29.1, -1.5), Point(29.2, -1.5)], crs="EPSG:4326")
    assert list(attach_areas(points, nested)) == ["T0101", "T01"]


def test_only_the_rows_given_are_linked_and_reported(admin, towns):
    """Records left out by *rows* get no place and are not counted in the report."""
    places = build_places(admin, towns)
    records = pd.DataFrame({"lon": [29.1, 29.4, 29.1, np.nan, np.nan],
                            "lat": [-1.5, -1.5, -1.5, np.nan, np.nan],
                            "area": [None, None, None, "T01", "Zulu"],
                            "_row": [1, 2, 3, 4, 5]})
    rows = np.array([True, False, True, True, False])
    linked, report, _ = link_records(records, places, admin, layer="displacement",
                                     own_geometry=False, rows=rows)
    assert linked["place"].isna().tolist() == [False, True, False, False, True]
    assert linked["method"].dropna().tolist() == ["spatial", "spatial", "p-code"]
    assert report[["reference", "place", "method", "records"]].values.tolist() == [
        ["(coordinates)", "T01", "spatial", 2], ["T01", "T01", "p-code", 1]]
    everything, full, _ = link_records(records, places, admin, layer="displacement",
                                       own_geometry=False)
    assert full["records"].sum() == 5
    assert everything["place"].isna().tolist() == [False, False, False, False, True]
