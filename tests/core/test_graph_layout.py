"""The graph's layout without Qt: glow rings kept apart, pitches, elision of wide layers, numbers
inside or beside circles, labels, the legend's corner and scaling down."""

from __future__ import annotations

import itertools

import pytest

from backprop_gui.core.geometry import Box, Point, Size
from backprop_gui.core.graph_layout import (
    ELIDED_SHOWN,
    HALO,
    LEAST_ELIDED_SHOWN,
    MAX_SHOWN,
    MIN_GAP,
    THIN_HALO,
    GraphLayout,
    column_height,
    halo_reach,
    layout_graph,
    neuron_pitch,
    shown_neurons,
)

from helpers import LEGEND
from helpers import graph_texts as texts


def layout(sizes: list[int], view: tuple[int, int] = (900, 600), line_scale: float = 1.0, **kw) -> GraphLayout:
    return layout_graph(sizes, texts(sizes, **kw), Size(*view), LEGEND, line_scale)


def columns(result: GraphLayout) -> dict[int, list[Point]]:
    """Per layer, the drawn neurons' centres from top to bottom."""
    by_layer: dict[int, list[Point]] = {}
    for (l, _), centre in result.neurons.items():
        by_layer.setdefault(l, []).append(centre)
    return {l: sorted(points, key=lambda p: p.y) for l, points in by_layer.items()}


SHAPES = {"2-2-1": [2, 2, 1], "2-4-3": [2, 4, 3], "784-64-10": [784, 64, 10], "2-3-2": [2, 3, 2]}
VIEWS = [(900, 600), (420, 260), (1920, 585), (1366, 432), (900, 350), (1024, 300)]


@pytest.mark.parametrize("line_scale", [1.0, 2.0])
@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("shape", SHAPES)
def test_neighbouring_rings_keep_a_clear_gap_and_everything_stays_in_view(shape, view, line_scale):
    result = layout(SHAPES[shape], view, line_scale)
    reach = result.radius + result.halo
    assert result.halo > 0 and result.radius > 0
    pairs = 0
    for column in columns(result).values():
        for upper, lower in itertools.pairwise(column):
            gap = (lower.y - reach) - (upper.y + reach)
            assert gap >= max(0.12 * result.radius, MIN_GAP - 1e-9), (
                f"{shape}: gap {gap:.1f}, radius {result.radius:.1f}"
            )
            slots = (lower.y - upper.y) / result.pitch  # one, or two around an elision mark
            assert slots == pytest.approx(1) or slots == pytest.approx(2)
            pairs += 1
    assert pairs >= 2
    boxes = [result.neuron_box(l, j) for l, j in result.neurons]
    for box in [*boxes, *result.labels.values(), *result.captions]:
        assert box.inside(result.scene), (box, result.scene)
    for box in boxes:
        assert not box.intersects(result.legend)
    for l, j in result.neurons:  # labels keep clear of circles and of numbers beside them
        circle = Box.around(result.neurons[(l, j)], result.radius, result.radius)
        number = Box(
            circle.x, circle.y, circle.width + (result.beside_width if result.numbers_beside else 0), circle.height
        )
        assert not any(number.intersects(label) for label in result.labels.values()), (l, j)


def test_glow_rings_reach_less_on_small_circles_and_thin_when_crowded():
    assert halo_reach(30, 1.0) == HALO
    assert halo_reach(30, 2.0) == HALO  # thicker lines widen the ring only up to a share of the radius …
    assert halo_reach(60, 2.0) == pytest.approx(12)  # … 20% of it, …
    assert halo_reach(100, 2.0) == 2 * HALO  # … at most HALO times the line scale
    assert halo_reach(10, 1.0) == pytest.approx(6)  # never beyond 60% of the radius
    assert halo_reach(30, 2.0, thin=True) == THIN_HALO
    assert neuron_pitch(10, 6) == 2 * 16 + MIN_GAP
    assert neuron_pitch(40, 8.5) == pytest.approx(2 * 48.5 + 6)
    assert column_height(3, 10, 6) == pytest.approx(2 * neuron_pitch(10, 6) + 32)


def test_shown_neurons_keep_both_ends_of_a_wide_layer():
    assert shown_neurons(MAX_SHOWN) == list(range(MAX_SHOWN))
    assert shown_neurons(MAX_SHOWN + 1) == [*range(ELIDED_SHOWN), *range(MAX_SHOWN + 1 - ELIDED_SHOWN, MAX_SHOWN + 1)]


def test_wide_layers_are_elided_with_a_mark_in_the_middle_slot():
    result = layout([784, 64, 10], (1000, 700))
    assert len(result.neurons) == 12 + 12 + 10
    assert len(result.edges) == 12 * 12 + 12 * 10
    assert (0, 100) not in result.neurons and (0, 783) in result.neurons
    assert (1, 30, 0) not in result.edges and (1, 63, 783) in result.edges
    assert sorted(result.elisions) == [0, 1]
    for l, last_before in ((0, 5), (1, 5)):
        mark, above = result.elisions[l], result.neurons[(l, last_before)]
        below = result.neurons[(l, result.shown[l][ELIDED_SHOWN])]
        centre = Point(mark.x + mark.width / 2, mark.y + mark.height / 2)
        assert centre.x == pytest.approx(above.x)
        assert centre.y == pytest.approx(above.y + result.pitch) and below.y == pytest.approx(
            above.y + 2 * result.pitch
        )


@pytest.mark.parametrize("view", [(987, 386), (700, 330)])
def test_wide_layers_show_fewer_neurons_rather_than_scale_the_texts_down(view):
    result = layout([784, 64, 10], view)
    assert result.scale == 1
    ends = len(result.shown[0]) // 2
    assert LEAST_ELIDED_SHOWN <= ends < ELIDED_SHOWN
    assert result.shown[0] == [*range(ends), *range(784 - ends, 784)] and len(result.shown[2]) == 10
    mark, above = result.elisions[0], result.neurons[(0, ends - 1)]
    assert mark.y + mark.height / 2 == pytest.approx(above.y + result.pitch)  # the mark between both ends
    for l, j in result.neurons:
        assert result.neuron_box(l, j).inside(result.scene)
    roomy = layout([784, 64, 10], (1000, 700))
    assert roomy.scale == 1 and len(roomy.shown[0]) == 2 * ELIDED_SHOWN  # all twelve where they fit


def test_edges_run_from_circle_edge_to_circle_edge():
    result = layout([2, 3, 2])
    edge = result.edges[(2, 1, 0)]
    start, end = result.neurons[(1, 0)], result.neurons[(2, 1)]
    assert edge.start == Point(start.x + result.radius, start.y)
    assert edge.end == Point(end.x - result.radius, end.y)


def test_numbers_go_inside_large_circles_and_beside_small_ones():
    roomy = layout([2, 4, 3], (900, 600))
    assert not roomy.numbers_beside and roomy.beside_width == 0
    assert roomy.radius >= 64.6 / 2 + 7 or roomy.inside_font_share < 1  # holds its number, maybe in a smaller font
    crowded = layout([2, 4, 3], (420, 260))
    assert crowded.numbers_beside and crowded.beside_width > 64.6
    box = crowded.neuron_box(1, 0)
    assert box.right == pytest.approx(crowded.neurons[(1, 0)].x + crowded.radius + crowded.beside_width)


def test_numbers_can_go_beside_circles_that_keep_their_size_for_maps():
    inside = layout([2, 2, 1], (900, 600))
    maps = layout_graph([2, 2, 1], texts([2, 2, 1]), Size(900, 600), LEGEND, numbers_beside=True)
    assert not inside.numbers_beside and maps.numbers_beside and maps.beside_width > 64.6
    assert maps.radius == pytest.approx(inside.radius) and maps.scale == 1
    box = maps.neuron_box(1, 0)
    assert box.right == pytest.approx(maps.neurons[(1, 0)].x + maps.radius + maps.beside_width)
    assert all(maps.neuron_box(l, j).inside(maps.scene) for l, j in maps.neurons)


def test_inside_numbers_shrink_no_further_than_the_least_font():
    result = layout([2, 4, 3], (900, 330))
    if not result.numbers_beside:
        assert result.inside_font_share >= 0.6 - 1e-9


def test_only_the_legends_corner_is_kept_free():
    result = layout([2, 3, 2], (900, 600))
    lowest = result.neuron_box(1, 2)  # the lowest neuron of the middle column
    assert lowest.bottom > result.legend.y  # below the legend's top edge, beside it
    assert result.legend == Box(10, 600 - 90, 284, 80)
    first_column = columns(result)[0]
    assert first_column[-1].y + result.radius + result.halo <= result.legend.y  # the inputs stay above it


def test_labels_sit_beside_their_neurons_clear_of_the_glow_ring():
    """LABEL_GAP beyond the reach of the glow ring: presenting, the ring reached past the gap, and an
    output's "t₁ = 0" touched the ring of its glowing neuron."""
    for line_scale in (1.0, 2.0):
        result = layout([2, 3, 2], line_scale=line_scale)
        assert result.halo > 8  # (a ring wider than the gap alone)
        for j in (0, 1):
            x_label, x = result.labels[(0, j)], result.neurons[(0, j)]
            assert x_label.right == pytest.approx(x.x - result.radius - result.halo - 8)
            assert x_label.y + x_label.height / 2 == pytest.approx(x.y)
            out_label, out = result.labels[(2, j)], result.neurons[(2, j)]
            assert out_label.x == pytest.approx(out.x + result.radius + result.halo + 8)
            assert out_label.right <= result.scene.right and x_label.x >= result.scene.x
        assert not result.one_line_labels and result.labels[(2, 0)].height == 40


def test_crowded_outputs_get_one_line_labels():
    result = layout([4, 12, 10], (900, 420))
    assert result.pitch < 2.2 * 15.125 + 8
    assert result.one_line_labels and result.labels[(2, 0)].height == 24 and result.labels[(2, 0)].width == 110


def test_a_graph_too_big_for_the_view_is_scaled_down_to_fit():
    result = layout([16, 16, 16, 16, 16, 16], (320, 240))
    assert result.scale < 1 and result.numbers_beside
    assert result.scene.width == pytest.approx(320 / result.scale)
    for l, j in result.neurons:
        assert result.neuron_box(l, j).inside(result.scene)


def test_obstacles_hold_every_drawn_box_but_edges():
    result = layout([784, 64, 10], (1000, 700))
    obstacles = result.obstacles()
    assert len(obstacles) == 34 + 12 + 10 + 1 + 3 + 2 + 1  # neurons, labels, title, captions, elisions, legend
    assert result.title in obstacles and result.legend in obstacles


def test_bad_input_is_refused_with_a_message():
    with pytest.raises(ValueError, match="at least one layer"):
        layout_graph([3], texts([3, 1]), Size(900, 600), LEGEND)
    with pytest.raises(ValueError, match="expected 3 captions"):
        layout_graph([2, 2, 1], texts([2, 1]), Size(900, 600), LEGEND)
    with pytest.raises(ValueError, match="line scale must be positive"):
        layout_graph([2, 1], texts([2, 1]), Size(900, 600), LEGEND, 0)
