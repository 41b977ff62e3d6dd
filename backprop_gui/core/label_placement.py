"""Placing labels along graph edges so that none overlaps another, a neuron or the legend, and
each reads as its own edge's.

Pure geometry in scene units (x to the right, y down). Each label asks for a box of a given
size on its edge; boxes are placed in order of importance. A box is first tried at the edge's
middle, then at points further along the edge in both directions, each also nudged a little
across the edge (never off it: the edge always passes through the box). A spot is taken only if
it is free of every obstacle and every box placed before, and unambiguous: the label's centre is
nearer its own edge than any other edge, by ``CLEAR_MARGIN`` of its height. Of those, the first
that no other edge crosses wins, else the one fewest cross. A label with no such spot is hidden,
so the least important labels are the ones that give way when space runs out (or, in dense
layers, the ``CHECKS`` budget of lines weighed per placement), and no label is ever drawn on
top of another or where it could be read as another edge's.

``place_edge_labels`` takes everything from a ``core.graph_layout.GraphLayout``: the edges'
segments, and as obstacles the layout's neurons (rings and numbers), texts and legend.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import ceil, floor, hypot

from backprop_gui.core.geometry import Box
from backprop_gui.core.graph_layout import GraphLayout

Line = tuple[Hashable, tuple[float, float], tuple[float, float]]  # (key, start, end) of an edge

ALONG = (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8)  # where on the edge to try, as a share of its length
ACROSS = (0.0, 0.45, -0.45)  # nudges across the edge, in box heights (under half: the edge stays inside)
CLEAR_MARGIN = 0.25  # another edge is at least this many label heights farther from a label's centre than its own
CLEARANCE = 1.0  # kept between a label and an obstacle: the antialiased rim drawn around a shape
CHECKS = 20_000  # lines weighed per placement, at most: the labels left then are hidden (dense layers, every step)


@dataclass(frozen=True)
class LabelRequest:
    """A label of ``width`` × ``height`` for the edge from ``start`` to ``end`` ((x, y) each);
    a larger ``importance`` is placed first. ``key`` names it in the result."""

    key: Hashable
    start: tuple[float, float]
    end: tuple[float, float]
    width: float
    height: float
    importance: float = 0.0


class _Grid:
    """Boxes bucketed by cells of a fixed size, to test a new box against only its neighbours."""

    def __init__(self, cell: float) -> None:
        self.cell = max(cell, 1e-6)
        self.cells: dict[tuple[int, int], list[Box]] = {}

    def keys(self, box: Box) -> Iterable[tuple[int, int]]:
        """The cells ``box`` covers."""
        c = self.cell
        for gx in range(floor(box.x / c), floor(box.right / c) + 1):
            for gy in range(floor(box.y / c), floor(box.bottom / c) + 1):
                yield gx, gy

    def add(self, box: Box) -> None:
        for key in self.keys(box):
            self.cells.setdefault(key, []).append(box)

    def hits(self, box: Box) -> bool:
        return any(other.intersects(box) for key in self.keys(box) for other in self.cells.get(key, ()))


def segment_crosses(box: Box, start: tuple[float, float], end: tuple[float, float]) -> bool:
    """Whether the segment from ``start`` to ``end`` passes through ``box`` (Liang–Barsky clipping)."""
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - box.x), (dx, box.right - x0), (-dy, y0 - box.y), (dy, box.bottom - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def distance_to_segment(point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]) -> float:
    """The distance from ``point`` to the nearest point of the segment from ``start`` to ``end``."""
    (px, py), (x0, y0), (x1, y1) = point, start, end
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else min(1.0, max(0.0, ((px - x0) * dx + (py - y0) * dy) / length2))
    return hypot(px - x0 - t * dx, py - y0 - t * dy)


def candidates(request: LabelRequest) -> Iterable[Box]:
    """The boxes to try for ``request``, best first: along the edge from its middle outwards, each
    straight on the edge and then nudged to either side of it."""
    (x0, y0), (x1, y1) = request.start, request.end
    length = hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length  # unit normal
    w, h = request.width, request.height
    for t in ALONG:
        cx, cy = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        for shift in ACROSS:
            px, py = cx + shift * h * nx, cy + shift * h * ny
            yield Box(px - w / 2, py - h / 2, w, h)


class Spots:
    """What is known of the spots a label may take among the graph's ``edges`` whatever else is placed:
    whether a spot is on its own edge without doubt, how many other lines cross it, and how many lines
    were weighed to find out. Kept while the lines stay (one graph layout): a step weighs again only
    the spots of labels whose size changed. What is kept is kept per grid ``cell`` (the largest label's
    size), so the lines weighed, and the labels the ``CHECKS`` budget hides, are those of a fresh start."""

    def __init__(self, edges: Sequence[Line]) -> None:
        self.edges = edges
        self._lines: dict[float, _LineGrid] = {}
        self._weighed: dict[tuple[float, Hashable, float, float, int], tuple[bool, int, int]] = {}

    def weigh(self, request: LabelRequest, index: int, box: Box, cell: float) -> tuple[bool, int, int]:
        """(usable, lines crossing, lines weighed) of ``box``, the ``index``-th of ``candidates(request)``,
        on a grid of ``cell``: usable when its own edge passes through it and it is nearer that edge than
        any other."""
        key = (cell, request.key, request.width, request.height, index)
        found = self._weighed.get(key)
        if found is None:
            lines = self._lines.get(cell)
            if lines is None:
                lines = self._lines[cell] = _LineGrid(cell, self.edges)
            before = lines.checks
            usable = segment_crosses(box, request.start, request.end) and lines.nearest_is(box, request)
            crossed = lines.crossings(box, request.key, len(self.edges) + 1) if usable else 0
            found = self._weighed[key] = (usable, crossed, lines.checks - before)
            if len(self._weighed) > MAX_WEIGHED:
                self._weighed.clear()
                self._lines.clear()
        return found


MAX_WEIGHED = 200_000  # spots remembered by one ``Spots``: beyond, they are weighed afresh


def place_labels(
    requests: Sequence[LabelRequest],
    obstacles: Iterable[Box] = (),
    bounds: Box | None = None,
    edges: Sequence[Line] = (),
    spots: Spots | None = None,
) -> dict[Hashable, Box]:
    """Where each label goes: ``key`` → its box, for the labels that found a free, unambiguous spot.

    No two returned boxes intersect, none intersects an obstacle (neurons, the legend), and all
    lie inside ``bounds`` if given. Labels are placed most important first (ties keep their order).
    ``edges`` (key, start, end) are the graph's lines: a label's own edge (same key) passes through
    its box, its centre is nearer that edge than any other by ``CLEAR_MARGIN`` of its height, and
    of such spots the one fewest other lines cross is taken. ``spots``, kept by the caller for these
    ``edges``, remembers what was weighed of each spot (the result is the same with or without).
    """
    if not requests:
        return {}
    cell = max(max(r.width, r.height) for r in requests)  # a cell holds about one label
    grid = _Grid(cell)
    for box in obstacles:
        grid.add(box)
    spots = spots or Spots(edges)
    checks = 0  # lines weighed for the spots considered (counted alike whether weighed now or before)
    placed: dict[Hashable, Box] = {}
    for request in sorted(requests, key=lambda r: -r.importance):
        if checks > CHECKS:
            break  # the rest would take too long to place without doubt: the least important are hidden
        best: tuple[int, Box] | None = None
        for index, box in enumerate(candidates(request)):
            if (bounds is not None and not box.inside(bounds)) or grid.hits(box):
                continue
            usable, crossed, weighed = spots.weigh(request, index, box, cell)
            checks += weighed
            if not usable:
                continue  # off its edge, or as near another edge: it could be read as that one's
            if best is None or crossed < best[0]:
                best = (crossed, box)
            if crossed == 0:
                break
        if best is not None:
            grid.add(best[1])
            placed[request.key] = best[1]
    return placed


def edge_lines(layout: GraphLayout) -> list[Line]:
    """Every edge of ``layout`` as a line (key, start, end): what ``place_edge_labels`` keeps labels clear of."""
    return [(key, (e.start.x, e.start.y), (e.end.x, e.end.y)) for key, e in layout.edges.items()]


def place_edge_labels(
    layout: GraphLayout,
    labels: Mapping[tuple[int, int, int], tuple[float, float, float]],
    bounds: Box | None = None,
    also_avoid: Iterable[Box] = (),
    spots: Spots | None = None,
) -> dict[Hashable, Box]:
    """Labels on the edges of ``layout``: edge key (l, j, k) → (width, height, importance) of its
    label, for the edges to label. The obstacles are the layout's own (``GraphLayout.obstacles``:
    neurons with their rings and numbers, the input and output labels, captions, title, elision
    marks and the legend) and ``also_avoid``; every edge of the layout is a line to keep clear of.
    ``spots``: ``Spots(edge_lines(layout))``, kept by the caller while the layout stays."""
    requests = []
    for key, (width, height, importance) in labels.items():
        segment = layout.edges[key]
        start, end = (segment.start.x, segment.start.y), (segment.end.x, segment.end.y)
        requests.append(LabelRequest(key, start, end, width, height, importance))
    spots = spots or Spots(edge_lines(layout))
    c = CLEARANCE
    obstacles = [Box(b.x - c, b.y - c, b.width + 2 * c, b.height + 2 * c) for b in layout.obstacles()]
    return place_labels(requests, [*obstacles, *also_avoid], bounds, spots.edges, spots)


class _LineGrid:
    """The graph's lines bucketed by the cells they pass through, walked in steps of a quarter cell:
    a line passing within d of a point has a step within d + 1/8 cell of it."""

    def __init__(self, cell: float, edges: Sequence[Line]) -> None:
        self.cell = max(cell, 1e-6)
        self.cells: dict[tuple[int, int], list[Line]] = {}
        self.checks = 0  # lines weighed so far
        for edge in edges:
            (x0, y0), (x1, y1) = edge[1], edge[2]
            steps = int(hypot(x1 - x0, y1 - y0) / (self.cell / 4)) + 1
            keys = {self._key(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(steps + 1)}
            for key in keys:
                self.cells.setdefault(key, []).append(edge)

    def _key(self, x: float, y: float) -> tuple[int, int]:
        return floor(x / self.cell), floor(y / self.cell)

    def _near(self, left: int, top: int, right: int, bottom: int, reach: int = 1) -> Iterable[Line]:
        """The lines through the cells from (left, top) to (right, bottom) and ``reach`` cells around,
        those of the first cell first, once each; every line handed out counts against ``CHECKS``."""
        seen: set[Hashable] = set()
        cells = [(left, top)] + [
            (gx, gy) for gx in range(left - reach, right + reach + 1) for gy in range(top - reach, bottom + reach + 1)
        ]
        for cell in cells:
            for line in self.cells.get(cell, ()):
                if line[0] not in seen:
                    seen.add(line[0])
                    self.checks += 1
                    yield line

    def nearest_is(self, box: Box, request: LabelRequest) -> bool:
        """Whether ``box``'s centre is nearer ``request``'s own edge than any other line, by
        ``CLEAR_MARGIN`` of the box's height."""
        centre = (box.x + box.width / 2, box.y + box.height / 2)
        limit = distance_to_segment(centre, request.start, request.end) + CLEAR_MARGIN * box.height
        gx, gy = self._key(*centre)
        reach = ceil((limit + self.cell / 8) / self.cell)  # cells around the centre's that a line this near passes
        for key, start, end in self._near(gx, gy, gx, gy, reach):
            if key != request.key and distance_to_segment(centre, start, end) < limit:
                return False
        return True

    def crossings(self, box: Box, own: Hashable, enough: int) -> int:
        """How many other lines cross ``box``, counted up to ``enough`` (no better than the best so far)."""
        (left, top), (right, bottom) = self._key(box.x, box.y), self._key(box.right, box.bottom)
        count = 0
        for key, start, end in self._near(left, top, right, bottom):
            if key != own and segment_crosses(box, start, end):
                count += 1
                if count >= enough:
                    break
        return count
