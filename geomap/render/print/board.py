"""What the print map's labels must keep clear of, with a spatial index.

Everything placed (dots, labels, leader lines, the scale bar) is a rectangle or a
segment in display pixels, filed in square buckets of :data:`BUCKET_PX`: a new label
is checked against the few shapes in the buckets it covers, not against every shape
placed so far, and with plain arithmetic (rectangles are axis-aligned), so placing
thousands of names takes time in proportion to their number. Rectangles and segments
are closed: touching counts as meeting, as for shapely's predicates.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator

import numpy as np

DOT_PX = 4.5
"""Half the side of the square each dot keeps free of labels, in pixels (the town
dots are about 4 px across at the figure's 100 dpi)."""
PAD_PX = 1.0
"""Gap kept between a new label and anything already placed, in pixels."""
LEADER_CLEAR_PX = 10.0
"""A label at the end of a leader keeps this far from every other dot, in pixels."""
CLEAR_RATIO = 1.3
"""Another dot must be this many times farther from a label than its own dot."""
BUCKET_PX = 32.0
"""Side of the index's square buckets, in pixels (about two dots)."""

Rect = tuple[float, float, float, float]
"""``(x0, y0, x1, y1)`` in pixels, x0 <= x1 and y0 <= y1."""
Segment = tuple[float, float, float, float]
"""``(x0, y0, x1, y1)``: a straight line from one end to the other."""


def square(x: float, y: float, half: float) -> Rect:
    """The square of half-side *half* around (x, y)."""
    return (x - half, y - half, x + half, y + half)


def _bounds(shape: Rect | Segment) -> Rect:
    x0, y0, x1, y1 = shape
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _meet(a: Rect, b: Rect) -> bool:
    """True when rectangles *a* and *b* share a point."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _side(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> float:
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


def _cross(s: Segment, t: Segment) -> bool:
    """True when segments *s* and *t* share a point."""
    if not _meet(_bounds(s), _bounds(t)):
        return False
    d1 = _side(t[0], t[1], t[2], t[3], s[0], s[1])
    d2 = _side(t[0], t[1], t[2], t[3], s[2], s[3])
    d3 = _side(s[0], s[1], s[2], s[3], t[0], t[1])
    d4 = _side(s[0], s[1], s[2], s[3], t[2], t[3])
    if ((d1 > 0 and d2 < 0) or (d1 < 0 and d2 > 0)) and \
            ((d3 > 0 and d4 < 0) or (d3 < 0 and d4 > 0)):
        return True
    return (d1 == 0 and _meet(_bounds(t), _bounds((s[0], s[1], s[0], s[1])))) or \
        (d2 == 0 and _meet(_bounds(t), _bounds((s[2], s[3], s[2], s[3])))) or \
        (d3 == 0 and _meet(_bounds(s), _bounds((t[0], t[1], t[0], t[1])))) or \
        (d4 == 0 and _meet(_bounds(s), _bounds((t[2], t[3], t[2], t[3]))))


def _segment_meets(segment: Segment, rect: Rect) -> bool:
    """True when *segment* and the rectangle *rect* share a point."""
    if not _meet(_bounds(segment), rect):
        return False
    x0, y0, x1, y1 = rect
    for x, y in ((segment[0], segment[1]), (segment[2], segment[3])):
        if x0 <= x <= x1 and y0 <= y <= y1:
            return True
    return any(_cross(segment, edge) for edge in (
        (x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0)))


def _distance(rect: Rect, x: float, y: float) -> float:
    """Distance from the point (x, y) to the rectangle *rect* (0 inside it)."""
    dx = max(rect[0] - x, 0.0, x - rect[2])
    dy = max(rect[1] - y, 0.0, y - rect[3])
    return math.hypot(dx, dy)


class _Buckets:
    """Shapes filed under the square buckets their bounding boxes cover."""

    def __init__(self) -> None:
        self.shapes: list = []
        self.buckets: dict[tuple[int, int], list[int]] = defaultdict(list)

    @staticmethod
    def _keys(bounds: Rect) -> Iterator[tuple[int, int]]:
        x0, y0, x1, y1 = (math.floor(v / BUCKET_PX) for v in bounds)
        return ((i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1))

    def add(self, shape, bounds: Rect) -> None:
        self.shapes.append(shape)
        for key in self._keys(bounds):
            self.buckets[key].append(len(self.shapes) - 1)

    def near(self, bounds: Rect) -> list:
        """The shapes filed where *bounds* lies, each once, in the order filed."""
        found = {i for key in self._keys(bounds) for i in self.buckets.get(key, ())}
        return [self.shapes[i] for i in sorted(found)]

    def around(self, bounds: Rect) -> Iterator:
        """The shapes filed where *bounds* lies, lazily (one may come twice): for
        tests that stop at the first shape met."""
        shapes, buckets = self.shapes, self.buckets
        for key in self._keys(bounds):
            for i in buckets.get(key, ()):
                yield shapes[i]


class Board:
    """What is already on the map: dots, labels and leader lines, in pixels.

    Parameters
    ----------
    frame : Rect
        The map's frame: labels stay inside it.
    dots : list of (float, float)
        The dots labels belong to (each label's own dot is one of them).
    avoid : list of Rect
        Rectangles no label may cover (scale bar, north arrow, inset frame).
    """

    def __init__(self, frame: Rect, dots: list[tuple[float, float]],
                 avoid: Iterable[Rect]) -> None:
        self.frame = frame
        self.dots = dots
        self._taken = np.zeros((max(1, math.ceil(frame[3] - frame[1]) + 2),
                                max(1, math.ceil(frame[2] - frame[0]) + 2)), dtype=bool)
        self._dots = _Buckets()
        for x, y in dots:
            self._dots.add((x, y), (x, y, x, y))
        self._blocked = _Buckets()
        self._leaders = _Buckets()
        self.block_all([square(x, y, DOT_PX) for x, y in dots])
        self.block_all(avoid)

    def inside(self, rect: Rect) -> bool:
        """True when *rect* lies within the map's frame."""
        x0, y0, x1, y1 = self.frame
        return x0 <= rect[0] and rect[2] <= x1 and y0 <= rect[1] and rect[3] <= y1

    def block(self, rect: Rect) -> None:
        """Keep later labels and leaders off *rect* (a label placed, a dot, a ring)."""
        self._blocked.add(rect, rect)
        x0, y0 = self.frame[0], self.frame[1]  # the pixels wholly inside the rect
        i0, i1 = max(math.ceil(rect[0] - x0), 0), math.floor(rect[2] - x0)
        j0, j1 = max(math.ceil(rect[1] - y0), 0), math.floor(rect[3] - y0)
        if i1 > i0 and j1 > j0:
            self._taken[j0:j1, i0:i1] = True

    def _surely_taken(self, rect: Rect) -> bool:
        """True when *rect* meets a pixel wholly inside something blocked (a quick,
        exact no: such a pixel lies in a blocked rectangle)."""
        x0, y0 = self.frame[0], self.frame[1]
        i0, i1 = max(math.ceil(rect[0] - x0) - 1, 0), math.floor(rect[2] - x0) + 1
        j0, j1 = max(math.ceil(rect[1] - y0) - 1, 0), math.floor(rect[3] - y0) + 1
        return i1 > i0 and j1 > j0 and bool(self._taken[j0:j1, i0:i1].any())

    def block_all(self, rects: Iterable[Rect]) -> None:
        """:meth:`block` each of *rects*."""
        for rect in rects:
            self.block(rect)

    def lead(self, segment: Segment) -> None:
        """Keep later labels and leaders off the leader line *segment*."""
        self._leaders.add(segment, _bounds(segment))

    def fits(self, rect: Rect) -> bool:
        """True when *rect* is inside the map and keeps a gap to everything placed."""
        if not self.inside(rect):
            return False
        padded = (rect[0] - PAD_PX, rect[1] - PAD_PX, rect[2] + PAD_PX,
                  rect[3] + PAD_PX)
        if self._surely_taken(padded):
            return False
        return not (any(_meet(padded, other) for other in self._blocked.around(padded))
                    or any(_segment_meets(line, padded)
                           for line in self._leaders.around(padded)))

    def overlap(self, rect: Rect) -> float:
        """Area of *rect* covered by what is placed (inf when outside the map)."""
        if not self.inside(rect):
            return math.inf
        return sum(max(0.0, min(rect[2], o[2]) - max(rect[0], o[0]))
                   * max(0.0, min(rect[3], o[3]) - max(rect[1], o[1]))
                   for o in self._blocked.near(rect))

    def _other_dot_within(self, rect: Rect, own: tuple[float, float],
                          distance: float) -> bool:
        """True when a dot other than *own* lies nearer than *distance* to *rect*."""
        reach = (rect[0] - distance, rect[1] - distance, rect[2] + distance,
                 rect[3] + distance)
        own = tuple(own)
        return any(dot != own and _distance(rect, *dot) < distance
                   for dot in self._dots.around(reach))

    def nearest_is_own(self, rect: Rect, own: tuple[float, float]) -> bool:
        """True when every other dot lies clearly farther from *rect* than its own."""
        mine = _distance(rect, *own)
        return not self._other_dot_within(rect, own, CLEAR_RATIO * mine + 2)

    def clear_of_dots(self, rect: Rect, own: tuple[float, float]) -> bool:
        """True when no other dot lies within a few pixels of *rect*."""
        return not self._other_dot_within(rect, own, LEADER_CLEAR_PX)

    def leader_clear(self, segment: Segment) -> bool:
        """True when a leader line crosses no dot, no label and no other leader."""
        bounds = _bounds(segment)
        return not (any(_segment_meets(segment, other)
                        for other in self._blocked.around(bounds))
                    or any(_cross(segment, line) for line in self._leaders.around(bounds)))
