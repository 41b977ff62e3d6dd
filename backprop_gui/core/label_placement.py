"""Placing labels along graph edges so that none overlaps another, a neuron or the legend, and
each reads as its own edge's.

Pure geometry in scene units (x to the right, y down). Each label asks for a box of a given
size on its edge; boxes are placed in order of importance. A box is tried at the edge's middle,
then at points further along the edge in both directions, each also nudged a little across the
edge (never off it: the edge always passes through the box). A spot is usable only if it is free
of every obstacle and unambiguous: the label's centre is nearer its own edge than any other edge,
by ``CLEAR_MARGIN`` of its height. Of the usable spots not taken by a label placed before, the
first that no other edge crosses wins, else the one fewest cross. A label with no such spot is
hidden, so the least important labels are the ones that give way when space runs out (or, in
dense graphs, beyond the ``MAX_TRIED`` most important), and no label is ever drawn on top of
another or where it could be read as another edge's.

A step changes the numbers, hardly the room they need: ``place_edge_labels`` reserves each label
a width rounded up to a step (``reserved_width``; the view draws the label's plate that wide, its
text centred, so every rule above holds for what is drawn), and a ``Spots`` kept for the graph
remembers each label's usable spots (weighed with numpy, all new labels at once) and the latest
placements, so a step with the boxes of an earlier one costs a look-up.

``place_edge_labels`` takes everything from a ``core.graph_layout.GraphLayout``: the edges'
segments, and as obstacles the layout's neurons (rings and numbers), texts and legend.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from math import ceil, floor

import numpy as np

from backprop_gui.core.geometry import Box
from backprop_gui.core.graph_layout import GraphLayout

Line = tuple[Hashable, tuple[float, float], tuple[float, float]]  # (key, start, end) of an edge
Array = np.ndarray
Values = Array | float  # numbers, or arrays of them to broadcast together

ALONG = (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8)  # where on the edge to try, as a share of its length
ACROSS = (0.0, 0.45, -0.45)  # nudges across the edge, in box heights (under half: the edge stays inside)
CLEAR_MARGIN = 0.25  # another edge is at least this many label heights farther from a label's centre than its own
CLEARANCE = 1.0  # kept between a label and an obstacle: the antialiased rim drawn around a shape
WIDTH_STEP = 0.5  # reserved label widths are whole multiples of this many label heights
MAX_TRIED = 160  # labels weighed per placement, most important first: the rest are hidden (dense graphs)
MAX_PLACEMENTS = 32  # placements a ``Spots`` remembers, the latest used
MAX_WEIGHED = 20_000  # labels' spots a ``Spots`` remembers: beyond, they are weighed afresh
AHEAD = (-2, -1, 1, 2)  # with a label of a new width, its spots at these many width steps wider are weighed …
MAX_AHEAD = 8  # … when a placement brings at most this many new labels


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


def reserved_width(width: float, height: float) -> float:
    """The width kept for a label ``width`` wide and ``height`` high: rounded up to a whole number of
    ``WIDTH_STEP`` heights, so that a number keeps its box (and its place) while its digits change."""
    step = WIDTH_STEP * height
    return ceil(width / step - 1e-9) * step if step > 0 else width


def _crossing(
    left: Values, top: Values, right: Values, bottom: Values, x0: Values, y0: Values, x1: Values, y1: Values
) -> Array:
    """Whether each segment from (x0, y0) to (x1, y1) passes through each box (Liang–Barsky clipping);
    the arguments broadcast against each other."""
    dx, dy = np.subtract(x1, x0), np.subtract(y1, y0)
    low, high, clear = np.asarray(0.0), np.asarray(1.0), np.asarray(True)
    for p, q in (
        (-dx, np.subtract(x0, left)),
        (dx, np.subtract(right, x0)),
        (-dy, np.subtract(y0, top)),
        (dy, np.subtract(bottom, y0)),
    ):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # ±inf compares as it should
            t = q / p
        low = np.where(p < 0, np.maximum(low, t), low)
        high = np.where(p > 0, np.minimum(high, t), high)
        clear = clear & ~((p == 0) & (q < 0))
    return clear & (low <= high)


def _distance(px: Values, py: Values, x0: Values, y0: Values, x1: Values, y1: Values) -> Array:
    """The distance from each point (px, py) to the nearest point of each segment; arguments broadcast."""
    dx, dy = np.subtract(x1, x0), np.subtract(y1, y0)
    length2 = dx * dx + dy * dy
    t = np.clip(
        ((np.subtract(px, x0)) * dx + np.subtract(py, y0) * dy) / np.where(length2 == 0, 1.0, length2), 0.0, 1.0
    )
    return np.asarray(np.hypot(np.subtract(px, x0) - t * dx, np.subtract(py, y0) - t * dy))


def segment_crosses(box: Box, start: tuple[float, float], end: tuple[float, float]) -> bool:
    """Whether the segment from ``start`` to ``end`` passes through ``box``."""
    return bool(_crossing(box.x, box.y, box.right, box.bottom, *start, *end))


def distance_to_segment(point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]) -> float:
    """The distance from ``point`` to the nearest point of the segment from ``start`` to ``end``."""
    return float(_distance(*point, *start, *end))


_ALONG = np.repeat(ALONG, len(ACROSS))[None, :]  # each candidate's share of the edge, in the order tried
_ACROSS = np.tile(ACROSS, len(ALONG))[None, :]  # and its nudge


@dataclass(frozen=True)
class _Candidates:
    """The candidate boxes of n requests, shape (n, len(ALONG) × len(ACROSS)) each, best first per row."""

    left: Array
    top: Array
    right: Array
    bottom: Array
    centre_x: Array
    centre_y: Array


def _candidates(requests: Sequence[LabelRequest]) -> _Candidates:
    """The boxes to try for each request: along the edge from its middle outwards, each straight on the
    edge and then nudged to either side of it (by a share of the box's height along the unit normal)."""
    x0, y0, x1, y1, w, h = np.array([(*r.start, *r.end, r.width, r.height) for r in requests]).T[..., None]
    dx, dy = x1 - x0, y1 - y0
    length = np.hypot(dx, dy)
    length[length == 0] = 1.0
    nx, ny = -dy / length, dx / length
    left = x0 + _ALONG * dx + _ACROSS * h * nx - w / 2
    top = y0 + _ALONG * dy + _ACROSS * h * ny - h / 2
    return _Candidates(left, top, left + w, top + h, left + w / 2, top + h / 2)


def candidates(request: LabelRequest) -> list[Box]:
    """The boxes to try for ``request``, best first: along the edge from its middle outwards, each
    straight on the edge and then nudged to either side of it."""
    found = _candidates([request])
    return [
        Box(float(x), float(y), request.width, request.height) for x, y in zip(found.left[0], found.top[0], strict=True)
    ]


def _corners(boxes: Sequence[Box]) -> Array:
    """(left, top, right, bottom) of each box, shape (n, 4)."""
    return np.array([(b.x, b.y, b.right, b.bottom) for b in boxes], dtype=float).reshape(-1, 4)


Corners = tuple[float, float, float, float]  # left, top, right, bottom
Cell = tuple[int, int]  # of a grid of squares ``Spots.cell`` wide
RequestKey = tuple[Hashable, tuple[float, float], tuple[float, float], float, float]  # a request but its importance


@dataclass(frozen=True)
class _Usable:
    """A label's usable spots, best first (fewest other edges crossing, then the order of ``candidates``)."""

    boxes: list[Box]
    corners: list[Corners]
    cells: list[list[Cell]]  # the grid cells each spot covers (``Spots.cell``)


class _Taken:
    """The boxes of the labels placed so far, bucketed by the grid cells they cover, so that a spot is
    tested against its neighbours only."""

    def __init__(self) -> None:
        self.cells: dict[Cell, list[Corners]] = {}

    def free(self, corners: Corners, cells: list[Cell]) -> bool:
        """Whether no box placed so far shares any area with ``corners``, which cover ``cells``."""
        left, top, right, bottom = corners
        for cell in cells:
            for other_left, other_top, other_right, other_bottom in self.cells.get(cell, ()):
                if left < other_right and other_left < right and top < other_bottom and other_top < bottom:
                    return False
        return True

    def add(self, corners: Corners, cells: list[Cell]) -> None:
        for cell in cells:
            self.cells.setdefault(cell, []).append(corners)


def _key(request: LabelRequest) -> RequestKey:
    return request.key, request.start, request.end, request.width, request.height


class Spots:
    """Where labels may go in one graph, kept by the caller while the graph stays: its ``edges`` (key,
    start, end), the lines labels keep clear of, and its fixed ``obstacles``. For the obstacles and
    bounds of the latest placement it remembers each label's usable spots (by key, edge and size) and
    the latest placements, so a step whose labels have an earlier step's boxes, in the same order of
    importance, gets that placement back, and one whose labels changed weighs only the new ones."""

    def __init__(self, edges: Sequence[Line], obstacles: Iterable[Box] = ()) -> None:
        self.edges = edges
        self.obstacles = tuple(obstacles)
        self._index = {key: i for i, (key, _, _) in enumerate(edges)}
        lines = np.array([(*start, *end) for _, start, end in edges], dtype=float).reshape(-1, 4)
        self._lines = lines
        self._low = np.minimum(lines[:, :2], lines[:, 2:])  # each line's bounding box
        self._high = np.maximum(lines[:, :2], lines[:, 2:])
        self._scene: tuple[tuple[Box, ...], Box | None] | None = None  # (obstacles, bounds) of what is kept
        self._blocking = _corners(self.obstacles)
        self._usable: dict[RequestKey, _Usable] = {}
        self.cell = 0.0  # the side of the grid's squares: the largest label's of the first placement
        self._placements: dict[tuple[RequestKey, ...], dict[Hashable, Box]] = {}

    def place(
        self, requests: Sequence[LabelRequest], obstacles: Iterable[Box] = (), bounds: Box | None = None
    ) -> dict[Hashable, Box]:
        """``place_labels`` of ``requests`` among these edges, clear of this graph's obstacles and ``obstacles``."""
        scene = (tuple(obstacles), bounds)
        if scene != self._scene:
            self._scene = scene
            self._blocking = _corners([*self.obstacles, *scene[0]])
            self._usable.clear()
            self._placements.clear()
        ordered = sorted(requests, key=lambda r: -r.importance)[:MAX_TRIED]
        keys = [_key(r) for r in ordered]
        key = tuple(keys)
        placed = self._placements.get(key)
        if placed is None:
            placed = self._place(ordered, keys)
            if len(self._placements) >= MAX_PLACEMENTS:
                del self._placements[next(iter(self._placements))]  # the oldest
            self._placements[key] = placed
        return dict(placed)

    def _place(self, ordered: Sequence[LabelRequest], keys: list[RequestKey]) -> dict[Hashable, Box]:
        """Each request in turn (``keys``: theirs in ``_usable``) takes its best usable spot that no label
        placed before it overlaps."""
        new = {key: r for key, r in zip(keys, ordered, strict=True) if key not in self._usable}
        if len(self._usable) + len(new) * (1 + len(AHEAD)) > MAX_WEIGHED:
            self._usable.clear()
            new = dict(zip(keys, ordered, strict=True))
        if len(new) <= MAX_AHEAD:  # a few new sizes: the next steps' are likely near them, weighed at once
            ahead = (replace(r, width=r.width + d * WIDTH_STEP * r.height) for r in list(new.values()) for d in AHEAD)
            new.update((_key(r), r) for r in ahead if r.width > 0 and _key(r) not in self._usable)
        self._usable.update(zip(new, self._weigh(list(new.values())), strict=True))
        placed: dict[Hashable, Box] = {}
        taken = _Taken()
        for request, key in zip(ordered, keys, strict=True):
            usable = self._usable[key]
            for box, corners, cells in zip(usable.boxes, usable.corners, usable.cells, strict=True):
                if taken.free(corners, cells):
                    taken.add(corners, cells)
                    placed[request.key] = box
                    break
        return placed

    def _cells(self, corners: Corners) -> list[Cell]:
        """The squares of the grid that a box with ``corners`` covers."""
        c = self.cell
        left, top, right, bottom = corners
        columns, rows = range(floor(left / c), floor(right / c) + 1), range(floor(top / c), floor(bottom / c) + 1)
        return [(column, row) for column in columns for row in rows]

    def _weigh(self, requests: Sequence[LabelRequest]) -> list[_Usable]:
        """Each request's usable spots: those of its candidates inside the bounds, clear of every obstacle,
        on its own edge and nearer it than any other line by ``CLEAR_MARGIN`` of the height; sorted by how
        many other lines cross them. All requests at once, each against only the lines that come near it."""
        if not requests:
            return []
        if not self.cell:
            self.cell = max(max(max(r.width, r.height) for r in requests), 1e-6)
        c = _candidates(requests)
        left, top, right, bottom = c.left, c.top, c.right, c.bottom  # (n, tries)
        x0, y0, x1, y1, h = np.array([(*r.start, *r.end, r.height) for r in requests]).T[..., None]
        ok = _crossing(left, top, right, bottom, x0, y0, x1, y1)  # its own edge passes through it
        bounds = self._scene[1] if self._scene is not None else None
        if bounds is not None:
            ok &= (left >= bounds.x) & (top >= bounds.y) & (right <= bounds.right) & (bottom <= bounds.bottom)
        o = self._blocking[:, None, None, :]
        ok &= ~((left < o[..., 2]) & (o[..., 0] < right) & (top < o[..., 3]) & (o[..., 1] < bottom)).any(axis=0)
        limit = _distance(c.centre_x, c.centre_y, x0, y0, x1, y1) + CLEAR_MARGIN * h
        # The other lines weighed for a spot still usable: those whose bounding box reaches its box, or
        # comes within the limit of its centre; weighed in pairs (spot, line).
        spot = np.flatnonzero(ok)  # flat indices into (n, tries)
        cx, cy, lim = c.centre_x.ravel()[spot, None], c.centre_y.ravel()[spot, None], limit.ravel()[spot, None]
        low, high = self._low.T, self._high.T  # (2, lines)
        near = (high[0] >= np.minimum(left.ravel()[spot, None], cx - lim)) & (
            low[0] <= np.maximum(right.ravel()[spot, None], cx + lim)
        )
        near &= (high[1] >= np.minimum(top.ravel()[spot, None], cy - lim)) & (
            low[1] <= np.maximum(bottom.ravel()[spot, None], cy + lim)
        )
        owners = np.array([self._index.get(r.key, -1) for r in requests])[spot // left.shape[1]]
        near &= np.arange(len(self._lines)) != owners[:, None]  # not its own edge
        pair, line = np.nonzero(near)
        lx0, ly0, lx1, ly1 = self._lines[line].T
        flat = spot[pair]
        unclear = _distance(cx[pair, 0], cy[pair, 0], lx0, ly0, lx1, ly1) < lim[pair, 0]
        size = left.size
        ok &= np.bincount(flat[unclear], minlength=size).reshape(left.shape) == 0
        corners = (left.ravel()[flat], top.ravel()[flat], right.ravel()[flat], bottom.ravel()[flat])
        crossing = _crossing(*corners, lx0, ly0, lx1, ly1)
        crossed = np.bincount(flat[crossing], minlength=size).reshape(left.shape)
        out = []
        tries = np.arange(left.shape[1])
        for i, r in enumerate(requests):
            order = tries[ok[i]]
            order = order[np.argsort(crossed[i, order], kind="stable")]
            boxes = [
                Box(float(x), float(y), r.width, r.height) for x, y in zip(left[i, order], top[i, order], strict=True)
            ]
            sides = zip(left[i, order], top[i, order], right[i, order], bottom[i, order], strict=True)
            spots = [(float(a), float(b), float(c), float(d)) for a, b, c, d in sides]
            out.append(_Usable(boxes, spots, [self._cells(spot) for spot in spots]))
        return out


def place_labels(
    requests: Sequence[LabelRequest],
    obstacles: Iterable[Box] = (),
    bounds: Box | None = None,
    edges: Sequence[Line] = (),
    spots: Spots | None = None,
) -> dict[Hashable, Box]:
    """Where each label goes: ``key`` → its box, for the labels that found a free, unambiguous spot.

    No two returned boxes intersect, none intersects an obstacle (``obstacles`` and those of
    ``spots``), and all lie inside ``bounds`` if given. Labels are placed most important first (ties
    keep their order). ``edges`` (key, start, end) are the graph's lines: a label's own edge (same
    key) passes through its box, its centre is nearer that edge than any other by ``CLEAR_MARGIN`` of
    its height, and of such spots the one fewest other lines cross is taken. ``spots``, kept by the
    caller for these ``edges``, remembers what was weighed (the result is the same with or without).
    """
    if not requests:
        return {}
    return (spots or Spots(edges)).place(requests, obstacles, bounds)


def edge_lines(layout: GraphLayout) -> list[Line]:
    """Every edge of ``layout`` as a line (key, start, end): what ``place_edge_labels`` keeps labels clear of."""
    return [(key, (e.start.x, e.start.y), (e.end.x, e.end.y)) for key, e in layout.edges.items()]


def edge_spots(layout: GraphLayout) -> Spots:
    """The ``Spots`` of ``layout``: its edges, and as obstacles its own (``GraphLayout.obstacles``: neurons
    with their rings and numbers, the input and output labels, captions, title, elision marks and the
    legend), each widened by ``CLEARANCE``."""
    c = CLEARANCE
    obstacles = [Box(b.x - c, b.y - c, b.width + 2 * c, b.height + 2 * c) for b in layout.obstacles()]
    return Spots(edge_lines(layout), obstacles)


def place_edge_labels(
    layout: GraphLayout,
    labels: Mapping[tuple[int, int, int], tuple[float, float, float]],
    bounds: Box | None = None,
    also_avoid: Iterable[Box] = (),
    spots: Spots | None = None,
) -> dict[Hashable, Box]:
    """Labels on the edges of ``layout``: edge key (l, j, k) → (width, height, importance) of its
    label, for the edges to label. Each label gets a box ``reserved_width`` wide, to be drawn centred
    in. The obstacles are the layout's own and ``also_avoid``; every edge of the layout is a line to
    keep clear of. ``spots``: ``edge_spots(layout)``, kept by the caller while the layout stays."""
    requests = []
    for key, (width, height, importance) in labels.items():
        segment = layout.edges[key]
        start, end = (segment.start.x, segment.start.y), (segment.end.x, segment.end.y)
        requests.append(LabelRequest(key, start, end, reserved_width(width, height), height, importance))
    return place_labels(requests, also_avoid, bounds, spots=spots or edge_spots(layout))
