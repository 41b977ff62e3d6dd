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

from collections.abc import Hashable, Iterable, Sequence
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
        grid.add(box)
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

    def crossings(box: Box, own: Hashable, enough: int) -> int:
        """How many other lines cross ``box``, counted up to ``enough`` (no better than the best so far)."""
        near = {id(e): e for key in grid.keys(box) for e in lines.get(key, ())}
        count = 0
        for key, start, end in near.values():
            if key != own and segment_crosses(box, start, end):
                count += 1
                if count >= enough:
                    break
        return count

    placed: dict[Hashable, Box] = {}
    for request in sorted(requests, key=lambda r: -r.importance):
        best: tuple[int, Box] | None = None
        for box in candidates(request):
            if (bounds is None or box.inside(bounds)) and not grid.hits(box):
                crossed = crossings(box, request.key, best[0] if best else len(edges) + 1) if lines else 0
                if best is None or crossed < best[0]:
                    best = (crossed, box)
                if crossed == 0:
                    break
        if best is not None:
            grid.add(best[1])
            placed[request.key] = best[1]
    return placed
