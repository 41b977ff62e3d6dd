"""Placing labels along graph edges so that none overlaps another, a neuron or the legend.

Pure geometry in scene units (x to the right, y down). Each label asks for a box of a given
size on its edge; boxes are placed in order of importance. A box is first tried at the edge's
middle, then at points further along the edge in both directions, each also nudged a little
across the edge; the first spot free of every obstacle and every box placed before wins. A
label with no free spot is hidden, so the least important labels are the ones that give way
when space runs out, and no label is ever drawn on top of another.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from math import floor, hypot

from backprop_gui.core.geometry import Box

ALONG = (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8)  # where on the edge to try, as a share of its length
ACROSS = (0.0, 0.55, -0.55)  # nudges across the edge, in box heights


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

    def _keys(self, box: Box) -> Iterable[tuple[int, int]]:
        c = self.cell
        for gx in range(floor(box.x / c), floor(box.right / c) + 1):
            for gy in range(floor(box.y / c), floor(box.bottom / c) + 1):
                yield gx, gy

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(box)

    def hits(self, box: Box) -> bool:
        return any(other.intersects(box) for key in self._keys(box) for other in self.cells.get(key, ()))


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
    requests: Sequence[LabelRequest], obstacles: Iterable[Box] = (), bounds: Box | None = None
) -> dict[Hashable, Box]:
    """Where each label goes: ``key`` → its box, for the labels that found a free spot.

    No two returned boxes intersect, none intersects an obstacle (neurons, the legend), and all
    lie inside ``bounds`` if given. Labels are placed most important first (ties keep their order).
    """
    obstacles = list(obstacles)
    grid = _Grid(max((max(r.width, r.height) for r in requests), default=1.0))  # a cell holds about one label
    for box in obstacles:
        grid.add(box)
    placed: dict[Hashable, Box] = {}
    for request in sorted(requests, key=lambda r: -r.importance):
        for box in candidates(request):
            if (bounds is None or box.inside(bounds)) and not grid.hits(box):
                grid.add(box)
                placed[request.key] = box
                break
    return placed
