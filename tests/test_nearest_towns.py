"""A mining site's nearest town, measured pair by pair, against geopandas' nearest
join as assign_mines made it: ties, the radius itself, sites without a point."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geomap.summarise.mines import nearest_towns

RADIUS = 10_000.0


def _joined(sites: gpd.GeoSeries, towns: gpd.GeoDataFrame) -> tuple[pd.Series, pd.Series]:
    """The town and distance of each site as the nearest join gave them: every
    nearest town within the radius, the first by distance then place."""
    nearest = gpd.sjoin_nearest(gpd.GeoDataFrame(geometry=sites), towns,
                                max_distance=RADIUS, distance_col="_distance",
                                how="left")
    nearest = nearest.sort_values(["_distance", "place"], kind="stable")
    nearest = nearest[~nearest.index.duplicated(keep="first")]
    return (nearest["place"].reindex(sites.index),
            (nearest["_distance"] / 1000).round(1).reindex(sites.index))


@pytest.mark.parametrize("seed", range(25))
def test_the_nearest_town_is_the_joins(seed):
    """Random sites and towns on a grid (so that ties happen), towns sharing a spot
    under other names, a town at the radius exactly, sites with no point."""
    rng = np.random.default_rng(seed)
    spots = rng.integers(0, 8, size=(int(rng.integers(1, 30)), 2)) * 2_500.0
    names = [f"t{number:02d}" for number in rng.permutation(len(spots))]
    towns = [*zip(names, spots.tolist(), strict=True),
             ("a-twin", spots[0].tolist()), ("zz-twin", spots[-1].tolist())]
    sites = [shapely.Point(x, y) for x, y in
             rng.integers(-2, 10, size=(12, 2)) * 2_500.0]
    sites += [None, shapely.Point(), shapely.Point(spots[0][0] + RADIUS, spots[0][1])]
    town_frame = gpd.GeoDataFrame(
        {"place": pd.Series([name for name, _ in towns], dtype="str")},
        geometry=[shapely.Point(*where) for _, where in towns], crs="EPSG:32735")
    site_series = gpd.GeoSeries(sites, crs="EPSG:32735")
    expected_town, expected_km = _joined(site_series, town_frame)
    town, metres = nearest_towns(site_series.to_numpy(), town_frame.geometry.to_numpy(),
                                 town_frame["place"], RADIUS)
    pd.testing.assert_series_equal(
        pd.Series(town, index=site_series.index, dtype=town_frame["place"].dtype),
        expected_town, check_names=False)
    pd.testing.assert_series_equal(pd.Series(metres / 1000, index=site_series.index)
                                   .round(1), expected_km, check_names=False)
