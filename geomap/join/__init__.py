"""Link records to places: by P-code or id, by name, fuzzily, or by where they are.

:mod:`geomap.join.links` links records and reports how; points find their admin
area in :mod:`geomap.join.areas`, on coordinate arrays.
"""

from geomap.join.areas import AreaIndex, attach_areas, point_coordinates, prepare_areas
from geomap.join.links import (
    REPORT_COLUMNS,
    describe_join,
    link_records,
    references_of,
    unmatched_reasons,
)

__all__ = [
    "REPORT_COLUMNS", "AreaIndex", "attach_areas", "describe_join", "link_records",
    "point_coordinates", "prepare_areas", "references_of", "unmatched_reasons",
]
