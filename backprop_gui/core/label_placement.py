"""Placing labels along graph edges so that none overlaps another, a neuron or the legend.

Pure geometry in scene units (x to the right, y down). Each label asks for a box of a given
size on its edge; boxes are placed in order of importance. A box is first tried at the edge's
middle, then at points further along the edge in both directions, each also nudged a little
across the edge; of the spots free of every obstacle and every box placed before, the first
that no other edge crosses wins (else the one fewest cross, so a label reads as its own edge's).
A label with no free spot is hidden, so the least important labels are the ones that give way
when space runs out, and no label is ever drawn on top of another.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from math import floor, hypot

from backprop_gui.core.geometry import Box

ALONG = (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8)  # where on the edge to try, as a share of its length
ACROSS = (0.0, 0.55, -0.55)  # nudges across the edge, in box heights
CROSSING_CHECKS = 2_000  # labels × lines above which lines are not avoided (it would slow every step)


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


Rect = tuple[float, float, float, float]  # (left, top, right, bottom): a Box as the placement loops use it


def _rect(box: Box) -> Rect:
    return box.x, box.y, box.right, box.bottom


class _Grid:
    """Rectangles bucketed by cells of a fixed size, to test a new one against only its neighbours."""

    def __init__(self, cell: float) -> None:
        self.cell = max(cell, 1e-6)
        self.cells: dict[tuple[int, int], list[Rect]] = {}

    def keys(self, rect: Rect) -> list[tuple[int, int]]:
        """The cells ``rect`` covers."""
        c = self.cell
        xs = range(floor(rect[0] / c), floor(rect[2] / c) + 1)
        ys = range(floor(rect[1] / c), floor(rect[3] / c) + 1)
        return [(gx, gy) for gx in xs for gy in ys]

    def add(self, rect: Rect) -> None:
        for key in self.keys(rect):
            self.cells.setdefault(key, []).append(rect)

    def hits(self, rect: Rect) -> bool:
        """Whether ``rect`` shares area with a rectangle added (touching edges do not count)."""
        x, y, right, bottom = rect
        c, cells = self.cell, self.cells
        rows = range(floor(y / c), floor(bottom / c) + 1)
        for gx in range(floor(x / c), floor(right / c) + 1):  # ``keys`` written out: it runs ~20 times a label
            for gy in rows:
                for ox, oy, oright, obottom in cells.get((gx, gy), ()):
                    if x < oright and ox < right and y < obottom and oy < bottom:
                        return True
        return False


def segment_crosses(box: Box, start: tuple[float, float], end: tuple[float, float]) -> bool:
    """Whether the segment from ``start`` to ``end`` passes through ``box`` (Liang–Barsky clipping)."""
    return _crosses(_rect(box), start, end)


def _crosses(rect: Rect, start: tuple[float, float], end: tuple[float, float]) -> bool:
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - rect[0]), (dx, rect[2] - x0), (-dy, y0 - rect[1]), (dy, rect[3] - y0)):
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


def candidates(request: LabelRequest) -> Iterable[Box]:
    """The boxes to try for ``request``, best first: along the edge from its middle outwards, each
    straight on the edge and then nudged to either side of it."""
    w, h = request.width, request.height
    return (Box(x, y, w, h) for x, y, _, _ in _candidate_rects(request))


def _candidate_rects(request: LabelRequest) -> list[Rect]:
    """``candidates`` as rectangles (the same numbers: right is left + width, bottom is top + height)."""
    (x0, y0), (x1, y1) = request.start, request.end
    length = hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length  # unit normal
    w, h = request.width, request.height
    rects = []
    for t in ALONG:
        cx, cy = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        for shift in ACROSS:
            px, py = cx + shift * h * nx, cy + shift * h * ny
            x, y = px - w / 2, py - h / 2
            rects.append((x, y, x + w, y + h))
    return rects


def place_labels(
    requests: Sequence[LabelRequest],
    obstacles: Iterable[Box] = (),
    bounds: Box | None = None,
    edges: Sequence[tuple[Hashable, tuple[float, float], tuple[float, float]]] = (),
) -> dict[Hashable, Box]:
    """Where each label goes: ``key`` → its box, for the labels that found a free spot.

    No two returned boxes intersect, none intersects an obstacle (neurons, the legend), and all
    lie inside ``bounds`` if given. Labels are placed most important first (ties keep their order).
    ``edges`` (key, start, end) are the lines a label should rather not sit on, other than its own
    (weighed only for up to ``CROSSING_CHECKS`` labels × lines).
    """
    if not requests:
        return {}
    obstacles = list(obstacles)
    cell = max(max(r.width, r.height) for r in requests)  # a cell holds about one label
    grid = _Grid(cell)
    for box in obstacles:
        grid.add(_rect(box))
    lines: dict[tuple[int, int], list[tuple[Hashable, tuple[float, float], tuple[float, float]]]] = {}
    if len(edges) * len(requests) > CROSSING_CHECKS:
        edges = ()  # too many to weigh at every step: the first free spot wins
    for edge in edges:  # each line in the cells it passes through (and their neighbours), walked in half cells
        (x0, y0), (x1, y1) = edge[1], edge[2]
        steps = int(hypot(x1 - x0, y1 - y0) / (cell / 2)) + 1
        near: set[tuple[int, int]] = set()
        for i in range(steps + 1):
            gx, gy = floor((x0 + (x1 - x0) * i / steps) / cell), floor((y0 + (y1 - y0) * i / steps) / cell)
            near.update((gx + dx, gy + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
        for key in near:
            lines.setdefault(key, []).append(edge)

    def crossings(rect: Rect, own: Hashable, enough: int) -> int:
        """How many other lines cross ``rect``, counted up to ``enough`` (no better than the best so far)."""
        near = {id(e): e for key in grid.keys(rect) for e in lines.get(key, ())}
        count = 0
        for key, start, end in near.values():
            if key != own and _crosses(rect, start, end):
                count += 1
                if count >= enough:
                    break
        return count

    placed: dict[Hashable, Box] = {}
    inside = (lambda r: True) if bounds is None else _within(_rect(bounds))
    for request in sorted(requests, key=lambda r: -r.importance):
        best: tuple[int, Rect] | None = None
        for rect in _candidate_rects(request):
            if inside(rect) and not grid.hits(rect):
                crossed = crossings(rect, request.key, best[0] if best else len(edges) + 1) if lines else 0
                if best is None or crossed < best[0]:
                    best = (crossed, rect)
                if crossed == 0:
                    break
        if best is not None:
            grid.add(best[1])
            x, y, _, _ = best[1]
            placed[request.key] = Box(x, y, request.width, request.height)
    return placed


def _within(bounds: Rect) -> Callable[[Rect], bool]:
    left, top, right, bottom = bounds
    return lambda r: r[0] >= left and r[1] >= top and r[2] <= right and r[3] <= bottom
