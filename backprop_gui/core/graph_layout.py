"""Where the graph's neurons, edges and texts go: pure geometry in scene units (pixels at zoom 1).

The view measures its texts in its own font and hands over plain numbers: the layer sizes
n_0 … n_L, the sizes of the texts, of the view and of the colour legend, and the line scale.
``layout_graph`` answers with a ``GraphLayout`` of points, segments and boxes that the view
only paints. Layer 0 (the inputs x_k) and layers 1..L are columns from left to right.

Invariants:
- A layer wider than ``MAX_SHOWN`` neurons shows its first and last ``ELIDED_SHOWN`` around an
  elision mark, which takes one neuron's slot; edges join shown neurons only. Where that is too
  tall for the view, such layers show fewer (down to ``LEAST_ELIDED_SHOWN`` at each end) before
  the graph is scaled down, so that its texts keep their size.
- Each circle's glow ring reaches ``halo`` beyond it, and neighbouring rings in a column keep a
  clear gap of ``GAP_SHARE`` of the radius (at least ``MIN_GAP``).
- The columns use the view's whole height except the legend's bottom-left corner: a column
  beside the legend stays above it.
- Numbers sit inside the circles, in a font shrunk down to ``MIN_INSIDE_FONT`` of the graph's if
  need be, else (crowded layouts) beside small circles; a graph too big even then is scaled down.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from backprop_gui.core.geometry import Box, Point, Segment, Size

MAX_SHOWN = 16  # a layer with more neurons than this is elided
ELIDED_SHOWN = 6  # neurons shown at each end of an elided layer …
LEAST_ELIDED_SHOWN = 2  # … or as few as this where more would only fit scaled down
HALO = 8.5  # how far the glow ring reaches beyond a circle at line scale 1; thicker lines widen it …
WIDE_HALO_SHARE = 0.2  # … only up to this share of the radius (never below HALO), and …
HALO_SHARE = 0.6  # … no ring reaches beyond this share of the radius (small circles get a thinner ring)
THIN_HALO = 4.0  # the glow ring's reach when circles large enough for their numbers are crowded
GAP_SHARE, MIN_GAP = 0.15, 3.0  # the clear space between neighbouring neurons' rings: a share of the radius, ≥ MIN_GAP
MIN_INSIDE_FONT = 0.6  # numbers inside circles may shrink to this share of the graph's font (not below least_points)
MIN_RADIUS = 7.0  # the smallest circle, with its number beside it
MARGIN = 12.0  # between the view's edges and the outermost texts
TITLE_TOP = 4.0  # the session's name, at the top left
LABEL_GAP = 8.0  # between a circle's glow ring (or the number beside it) and its input or output label
NUMBER_GAP = 4.0  # between a circle's glow ring and a number drawn beside it
LEGEND_MARGIN = 10.0  # between the view's bottom-left corner and the legend, in pixels


@dataclass(frozen=True)
class GraphTexts:
    """The sizes of the graph's texts, as the view measures them in its font (pixels).

    ``line`` is a line of text's height, ``number`` the width of a wide number at the current
    precision, ``font_points`` the font's size and ``least_points`` the smallest a number inside
    a circle may shrink to (presentation mode: the font's own size); the title is the session's name. Captions are
    one per column (layer 0..L); elision marks are keyed by layer (the widest their text can be);
    labels by j (0-based) of the inputs and outputs shown at most (``shown_neurons(n)``), the
    outputs' both on two lines (name over target) and on one line (for crowded outputs).
    """

    line: float
    number: float
    font_points: float
    title: Size
    captions: Sequence[Size]
    elisions: Mapping[int, Size]
    inputs: Mapping[int, Size]
    outputs: Mapping[int, Size]
    outputs_one_line: Mapping[int, Size]
    least_points: float = 10.0


@dataclass(frozen=True)
class GraphLayout:
    """Where everything goes, in scene units. Neurons are keyed (l, j), edges (l, j, k) for w_jk^l,
    labels (l, j) for l = 0 (inputs) and l = L (outputs), elision marks by layer."""

    scene: Box  # what the view shows at zoom 1
    scale: float  # pixels per scene unit at zoom 1 (below 1 when the graph had to be scaled down)
    shown: list[list[int]]  # per layer, the 0-based neurons drawn
    radius: float
    halo: float  # how far the glow ring reaches beyond a circle
    pitch: float  # the distance between neighbouring neurons' centres in a column
    numbers_beside: bool  # numbers on plates beside the circles, else inside
    beside_width: float  # the room a number beside a circle takes, from the circle's edge on
    inside_font_share: float  # of the graph's font, for numbers inside circles
    one_line_labels: bool  # outputs' labels on one line (their targets beside their names)
    neurons: dict[tuple[int, int], Point]  # the centres
    edges: dict[tuple[int, int, int], Segment]  # from circle edge to circle edge
    labels: dict[tuple[int, int], Box]
    title: Box
    captions: list[Box]  # one per column, layer 0..L
    elisions: dict[int, Box]
    legend: Box  # the colour legend's corner

    def neuron_box(self, layer: int, j: int) -> Box:
        """The square around neuron j of ``layer`` and its glow ring, widened by a number beside it."""
        reach = self.radius + self.halo
        box = Box.around(self.neurons[(layer, j)], reach, reach)
        if self.numbers_beside:
            return Box(box.x, box.y, reach + self.radius + self.beside_width, box.height)
        return box

    def obstacles(self) -> list[Box]:
        """Every box something is drawn in but edges: neurons with their rings and numbers, labels,
        the title, captions, elision marks and the legend (what a text placed on an edge must avoid)."""
        neurons = [self.neuron_box(l, j) for l, j in self.neurons]
        return [*neurons, *self.labels.values(), self.title, *self.captions, *self.elisions.values(), self.legend]


def shown_neurons(size: int, ends: int = ELIDED_SHOWN) -> list[int]:
    """0-based indices of the neurons drawn for a layer of ``size`` neurons: all of them, or the first
    and last ``ends`` of a layer wider than ``MAX_SHOWN``."""
    if size <= MAX_SHOWN:
        return list(range(size))
    return list(range(ends)) + list(range(size - ends, size))


def halo_reach(radius: float, line_scale: float, thin: bool = False) -> float:
    """How far a circle of ``radius``'s glow ring reaches beyond it, with lines ``line_scale`` times thicker
    (``thin``: as little as is still clearly visible)."""
    widest = THIN_HALO if thin else min(HALO * line_scale, max(HALO, WIDE_HALO_SHARE * radius))
    return min(widest, HALO_SHARE * radius)


def neuron_pitch(radius: float, halo: float) -> float:
    """The least distance between the centres of neighbouring neurons of ``radius`` whose glow rings
    reach ``halo``: the rings keep ``GAP_SHARE`` of the radius (at least ``MIN_GAP``) clear between them."""
    return 2 * (radius + halo) + max(GAP_SHARE * radius, MIN_GAP)


def column_height(slots: int, radius: float, halo: float) -> float:
    """The height of a column of ``slots`` neurons of ``radius`` whose rings reach ``halo``, packed."""
    return (slots - 1) * neuron_pitch(radius, halo) + 2 * (radius + halo)


def label_offset(radius: float, halo: float, beside_width: float = 0.0) -> float:
    """How far from its neuron's centre an input's or output's label starts: past the circle, its glow
    ring (``halo``) or the number beside it (``beside_width``, on the outputs' side), and LABEL_GAP."""
    return radius + (beside_width or halo) + LABEL_GAP


def largest_radius(fits: Callable[[float], bool], high: float) -> float:
    """The largest radius up to ``high`` that ``fits`` (which must hold for every smaller radius), or 0."""
    low = 0.0
    if fits(high):
        return high
    for _ in range(40):  # halves the interval down to far below a pixel
        middle = (low + high) / 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def caption_top(line: float) -> float:
    """The top of the columns' captions, below the title line."""
    return 8 + line * 1.5


def layout_graph(
    sizes: Sequence[int],
    texts: GraphTexts,
    view: Size,
    legend: Size,
    line_scale: float = 1.0,
    numbers_beside: bool = False,
) -> GraphLayout:
    """The layout of a network of layer ``sizes`` (n_0 … n_L) in a view of ``view`` pixels whose
    bottom-left corner holds a legend of ``legend`` pixels, with lines ``line_scale`` times thicker;
    with ``numbers_beside`` the numbers go beside circles of any size (the circles show maps).

    The outputs' labels go on two lines unless that leaves their neurons too close for them. Wide
    layers show fewer neurons (``LEAST_ELIDED_SHOWN`` at each end at the least) rather than scale the
    graph down.
    """
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"a graph needs inputs and at least one layer of neurons, got sizes {list(sizes)}")
    if len(texts.captions) != len(sizes):
        raise ValueError(f"expected {len(sizes)} captions (one per column), got {len(texts.captions)}")
    if line_scale <= 0:
        raise ValueError(f"line scale must be positive, got {line_scale}")
    elided = [n > MAX_SHOWN for n in sizes]
    for ends in range(ELIDED_SHOWN, LEAST_ELIDED_SHOWN - 1, -1) if any(elided) else [ELIDED_SHOWN]:
        shown = [shown_neurons(n, ends) for n in sizes]
        plan = _Plan.fit(shown, elided, texts, texts.outputs, view, legend, line_scale, numbers_beside)
        one_line = plan.pitch < 2.2 * texts.line + 8  # outputs too close for two-line labels
        if one_line:
            plan = _Plan.fit(shown, elided, texts, texts.outputs_one_line, view, legend, line_scale, numbers_beside)
        if plan.scale >= 1:
            break
    return plan.place(shown, elided, texts, texts.outputs_one_line if one_line else texts.outputs, legend, one_line)


@dataclass
class _Plan:
    """Sizes and places, in scene units: per column its slot count, x and centre height."""

    slots: list[int]
    xs: list[float]
    middles: list[float]
    radius: float
    halo: float
    pitch: float
    beside: bool
    beside_width: float
    font_share: float
    scale: float
    width: float
    height: float

    @classmethod
    def fit(
        cls,
        shown: list[list[int]],
        elided: list[bool],
        texts: GraphTexts,
        outputs: Mapping[int, Size],
        view: Size,
        legend: Size,
        line_scale: float,
        numbers_beside: bool = False,
    ) -> _Plan:
        """Columns of neurons use the whole height of the view, except a column in the legend's
        bottom-left corner, which stays above the legend. The numbers go inside the circles,
        shrinking down to ``MIN_INSIDE_FONT`` of the font if need be, else (crowded layouts)
        beside small circles; a graph too big even then is scaled down to fit. With
        ``numbers_beside`` they go beside the circles, which keep the size they would have."""
        line, value_w = texts.line, texts.number
        view_w, view_h = max(view.width, 200.0), max(view.height, 150.0)
        legend_top, legend_right = view_h - legend.height - 18, legend.width + 18  # the legend's corner, px
        font_pt = texts.font_points
        least_share = min(1.0, max(MIN_INSIDE_FONT, texts.least_points / font_pt)) if font_pt > 0 else 1.0
        r_full = max(16.0, value_w / 2 + 7)  # a circle that holds its number
        r_least = max(16.0, least_share * value_w / 2 + 7)  # … in the smallest font allowed inside
        r_max = max(r_full, 2.4 * line)
        slots = [len(s) + (1 if e else 0) for s, e in zip(shown, elided, strict=True)]
        columns = len(slots)
        top = caption_top(line) + max((c.height for c in texts.captions), default=line) + 4

        inputs = max((s.width for s in texts.inputs.values()), default=0.0)
        widest_output = max((s.width for s in outputs.values()), default=0.0)
        captions = max(c.width for c in texts.captions)
        half_caption = [texts.captions[i].width / 2 + 12 for i in (0, -1)]
        elision = max((s.width for s in texts.elisions.values()), default=0.0) / 2

        scale, under = 1.0, set[int]()  # the scene's scale in the view; the columns beside the legend
        for _ in range(2 * columns + 4):  # settles in a few rounds: ``under`` only grows, ``scale`` only shrinks
            width_s, height_s = view_w / scale, view_h / scale
            bottoms = [legend_top if l in under else view_h for l in range(columns)]  # px
            floors = [bottom / scale - 8 for bottom in bottoms]
            rooms = [floor - top for floor in floors]
            r_fit, thin = _fitting_radius(slots, rooms, r_max, line_scale), False
            if r_fit < r_least:  # a thinner glow ring leaves room for circles that hold their numbers?
                r_fit, thin = _fitting_radius(slots, rooms, r_max, line_scale, thin=True), True
            crowded = scale < 1 or r_fit < r_least
            beside = crowded or numbers_beside
            if crowded:
                least = max(line + 8, neuron_pitch(MIN_RADIUS, halo_reach(MIN_RADIUS, line_scale)))
                pitch = max(least, min(room / s for s, room in zip(slots, rooms, strict=True)))
                radius = max(MIN_RADIUS, _beside_radius(pitch, line, line_scale))
                halo = halo_reach(radius, line_scale)
                extents = [s / 2 * pitch for s in slots]
                needed = min(bottom / (top + 8 + s * pitch) for s, bottom in zip(slots, bottoms, strict=True))
            else:
                radius, halo = r_fit, halo_reach(r_fit, line_scale, thin)
                spare = [(room - 2 * (radius + halo)) / (s - 1) for s, room in zip(slots, rooms, strict=True) if s > 1]
                pitch = max(neuron_pitch(radius, halo), min([4.5 * r_max, *spare]))
                extents = [(s - 1) / 2 * pitch + radius + halo for s in slots]
                needed = 1.0
            beside_w = value_w + halo + 10 if beside else 0.0
            left = max(MARGIN + inputs + label_offset(radius, halo), half_caption[0], MARGIN + elision)
            right = max(MARGIN + widest_output + value_w / 2 + label_offset(radius, halo, beside_w), half_caption[1])
            min_gap = max(2 * radius + beside_w + 70, captions + 16, 2 * elision + 16)
            column_gap = max((width_s - left - right) / max(columns - 1, 1), min_gap)
            width = left + column_gap * (columns - 1) + right
            needed = min(needed, width_s * scale / width)
            x0 = (width_s - width) / 2 + left
            xs = [x0 + l * column_gap for l in range(columns)]
            reach = [max(radius + halo, elision) + (inputs + LABEL_GAP if l == 0 else 0) for l in range(columns)]
            now_under = {l for l, x in enumerate(xs) if x - reach[l] < legend_right / scale}
            if needed < scale * 0.999:
                scale = needed
            elif now_under <= under:
                break
            under |= now_under
        middles = _middles(extents, floors, top, (top + height_s - 6) / 2)
        font_share = min(1.0, 2 * (radius - 7) / value_w) if value_w else 1.0
        return cls(slots, xs, middles, radius, halo, pitch, beside, beside_w, font_share, scale, width_s, height_s)

    def place(
        self,
        shown: list[list[int]],
        elided: list[bool],
        texts: GraphTexts,
        outputs: Mapping[int, Size],
        legend: Size,
        one_line: bool,
    ) -> GraphLayout:
        """Every neuron, edge and text placed by this plan."""
        neurons: dict[tuple[int, int], Point] = {}
        elisions: dict[int, Box] = {}
        captions: list[Box] = []
        caption_y = caption_top(texts.line)
        for l, js in enumerate(shown):
            x = self.xs[l]
            first = self.middles[l] - (self.slots[l] - 1) / 2 * self.pitch
            ends = len(js) // 2
            for s, j in enumerate(js):
                slot = s + 1 if elided[l] and s >= ends else s  # the mark takes a slot
                neurons[(l, j)] = Point(x, first + slot * self.pitch)
            if elided[l]:
                mark = texts.elisions[l]
                elisions[l] = Box.around(Point(x, first + ends * self.pitch), mark.width / 2, mark.height / 2)
            caption = texts.captions[l]
            captions.append(Box(x - caption.width / 2, caption_y, caption.width, caption.height))

        r = self.radius
        last = len(shown) - 1
        labels: dict[tuple[int, int], Box] = {}
        for layer, sizes in ((0, texts.inputs), (last, outputs)):
            for j in shown[layer]:
                size, p = sizes[j], neurons[(layer, j)]
                if layer == 0:
                    x = p.x - label_offset(r, self.halo) - size.width
                else:
                    x = p.x + label_offset(r, self.halo, self.beside_width)
                labels[(layer, j)] = Box(x, p.y - size.height / 2, size.width, size.height)
        edges: dict[tuple[int, int, int], Segment] = {}
        for l in range(1, last + 1):
            for j in shown[l]:
                end = neurons[(l, j)]
                for k in shown[l - 1]:
                    start = neurons[(l - 1, k)]
                    edges[(l, j, k)] = Segment(Point(start.x + r, start.y), Point(end.x - r, end.y))
        scale = self.scale
        legend_box = Box(
            LEGEND_MARGIN / scale,
            self.height - (legend.height + LEGEND_MARGIN) / scale,
            legend.width / scale,
            legend.height / scale,
        )
        return GraphLayout(
            Box(0.0, 0.0, self.width, self.height),
            scale,
            shown,
            r,
            self.halo,
            self.pitch,
            self.beside,
            self.beside_width,
            self.font_share,
            one_line,
            neurons,
            edges,
            labels,
            Box(MARGIN, TITLE_TOP, texts.title.width, texts.title.height),
            captions,
            elisions,
            legend_box,
        )


def _beside_radius(pitch: float, line: float, line_scale: float) -> float:
    """The largest radius of circles with their numbers beside them, ``pitch`` apart (rings kept clear)."""

    def fits(r: float) -> bool:
        return neuron_pitch(r, halo_reach(r, line_scale)) <= pitch

    return largest_radius(fits, min(0.36 * pitch, 1.2 * line))


def _fitting_radius(slots: list[int], rooms: list[float], most: float, line_scale: float, thin: bool = False) -> float:
    """The largest radius, up to ``most``, of neurons whose columns of ``slots`` fit their ``rooms``
    high, glow rings (``thin`` or not) and the clear space between them included."""

    def fits(r: float) -> bool:
        halo = halo_reach(r, line_scale, thin)
        return all(column_height(s, r, halo) <= room for s, room in zip(slots, rooms, strict=True))

    return largest_radius(fits, most)


def _middles(extents: list[float], floors: list[float], top: float, ideal: float) -> list[float]:
    """The centre height of each column reaching ``extents`` up and down, between ``top`` and its floor:
    one shared centre, as near ``ideal`` as fits, else each column's own."""
    low = max(top + e for e in extents)
    high = min(floor - e for e, floor in zip(extents, floors, strict=True))
    if low <= high:
        return [min(max(ideal, low), high)] * len(extents)
    return [max(top + e, min(ideal, floor - e)) for e, floor in zip(extents, floors, strict=True)]
