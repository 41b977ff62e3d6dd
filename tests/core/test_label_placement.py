"""Edge labels placed on the graph's own layout, without Qt: the obstacles are the layout's neurons,
texts and legend; no label overlaps another or an obstacle; each sits on its own edge, nearer it
than any other edge, or is hidden."""

from __future__ import annotations

import itertools

import pytest

from backprop_gui.core.geometry import Box, Size
from backprop_gui.core.graph_layout import GraphLayout, layout_graph
from backprop_gui.core.label_placement import (
    AHEAD,
    CLEAR_MARGIN,
    WIDTH_STEP,
    LabelRequest,
    Spots,
    distance_to_segment,
    edge_spots,
    place_edge_labels,
    place_labels,
    reserved_width,
    segment_crosses,
)
from backprop_gui.core.presets import example_names, load_example

from helpers import LEGEND, graph_texts

LABEL = (44.0, 17.0)  # a four-digit number at 9 pt on its plate


def ends(layout: GraphLayout, key) -> tuple[tuple[float, float], tuple[float, float]]:
    segment = layout.edges[key]
    return (segment.start.x, segment.start.y), (segment.end.x, segment.end.y)


def check_unambiguous(layout: GraphLayout, placed: dict, bounds: Box | None = None) -> None:
    """Every rule of a placed label, checked by brute force over every edge and obstacle."""
    obstacles = layout.obstacles()
    for (key, box), (other_key, other) in itertools.combinations(placed.items(), 2):
        assert not box.intersects(other), (key, other_key)
    for key, box in placed.items():
        assert not any(box.intersects(o) for o in obstacles), key
        assert bounds is None or box.inside(bounds), key
        start, end = ends(layout, key)
        assert segment_crosses(box, start, end), f"{key} is off its edge"
        centre = (box.x + box.width / 2, box.y + box.height / 2)
        own = distance_to_segment(centre, start, end)
        for other_key in layout.edges:
            if other_key != key:
                other = distance_to_segment(centre, *ends(layout, other_key))
                assert other >= own + CLEAR_MARGIN * box.height - 1e-9, f"{key} is as near {other_key}"


SHAPES = {
    **{name: list(load_example(name).network.sizes) for name in example_names()},
    "784-64-10": [784, 64, 10],
    "16-16-16": [16, 16, 16],  # dense: 512 edges, every one labelled
    "3-12-12-2": [3, 12, 12, 2],
}


@pytest.mark.parametrize("view", [(900, 600), (1366, 432), (700, 300)])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_label_is_clear_and_on_its_own_edge_or_hidden(shape, view):
    sizes = SHAPES[shape]
    layout = layout_graph(sizes, graph_texts(sizes), Size(*view), LEGEND)
    wanted = {key: (*LABEL, float(i % 7)) for i, key in enumerate(layout.edges)}
    bounds = layout.scene
    placed = place_edge_labels(layout, wanted, bounds)
    assert placed or shape == "784-64-10"
    assert set(placed) <= set(wanted)
    check_unambiguous(layout, placed, bounds)


@pytest.mark.parametrize("shape", ["3-12-12-2", "16-16-16"])
def test_spots_kept_from_earlier_placements_place_labels_as_a_fresh_placement_does(shape):
    """A step places labels of other sizes and importance on the same layout: what ``Spots`` kept of
    earlier steps changes nothing, not even which labels the budget hides in a dense graph."""
    sizes = SHAPES[shape]
    layout = layout_graph(sizes, graph_texts(sizes), Size(900, 600), LEGEND)
    kept = edge_spots(layout)
    for step in range(4):
        width = LABEL[0] + 8 * (step % 2)
        wanted = {key: (width, LABEL[1], float((i * (step + 3)) % 7)) for i, key in enumerate(layout.edges)}
        placed = place_edge_labels(layout, wanted, layout.scene, spots=kept)
        assert placed == place_edge_labels(layout, wanted, layout.scene)
        check_unambiguous(layout, placed, layout.scene)


def test_the_layouts_obstacles_are_kept_clear_and_others_too():
    sizes = [2, 2, 1]
    layout = layout_graph(sizes, graph_texts(sizes), Size(900, 600), LEGEND)
    key = (1, 0, 0)
    start, end = ends(layout, key)
    middle = Box((start[0] + end[0]) / 2 - 30, (start[1] + end[1]) / 2 - 30, 60, 60)
    free = place_edge_labels(layout, {key: (*LABEL, 1.0)})
    blocked = place_edge_labels(layout, {key: (*LABEL, 1.0)}, also_avoid=[middle])
    assert free[key].intersects(middle)  # the middle is the first choice …
    assert key not in blocked or not blocked[key].intersects(middle)  # … unless something else is there


def test_a_label_at_the_crossing_of_two_edges_moves_off_it():
    # An X: both edges cross at their middles, where a label would be as near one edge as the other.
    edges = [("a", (0.0, 0.0), (200.0, 100.0)), ("b", (0.0, 100.0), (200.0, 0.0))]
    requests = [LabelRequest(key, start, end, *LABEL) for key, start, end in edges]
    placed = place_labels(requests, edges=edges)
    assert set(placed) == {"a", "b"}
    for key, start, end in edges:
        box = placed[key]
        centre = (box.x + box.width / 2, box.y + box.height / 2)
        other = next(e for e in edges if e[0] != key)
        assert distance_to_segment(centre, other[1], other[2]) >= (
            distance_to_segment(centre, start, end) + CLEAR_MARGIN * LABEL[1]
        )


def test_a_label_with_no_unambiguous_spot_is_hidden():
    # Two edges 3 units apart along their whole length: any spot on one is as near the other.
    edges = [("a", (0.0, 0.0), (300.0, 0.0)), ("b", (0.0, 3.0), (300.0, 3.0))]
    requests = [LabelRequest(key, start, end, *LABEL) for key, start, end in edges]
    assert place_labels(requests, edges=edges) == {}
    alone = place_labels(requests[:1], edges=edges[:1])
    assert set(alone) == {"a"}  # without its twin, the same label has room


def test_distance_to_a_segment():
    assert distance_to_segment((5, 3), (0, 0), (10, 0)) == 3
    assert distance_to_segment((-3, 4), (0, 0), (10, 0)) == 5  # beyond the start: to the end point
    assert distance_to_segment((2, 2), (1, 1), (1, 1)) == pytest.approx(2**0.5)  # a point


def test_a_placement_made_before_is_given_back_without_weighing_again(monkeypatch):
    """Stepping back and forth asks for the same labels again: the kept placement is returned, the
    same as a fresh one, and no spot is weighed again; labels of a new size are weighed alone."""
    sizes = [2, 8, 8, 1]
    layout = layout_graph(sizes, graph_texts(sizes), Size(900, 600), LEGEND)
    kept = edge_spots(layout)
    weighed: list[int] = []
    weigh = Spots._weigh
    monkeypatch.setattr(Spots, "_weigh", lambda self, requests: weighed.append(len(requests)) or weigh(self, requests))
    wanted = {key: (*LABEL, float(i % 5)) for i, key in enumerate(layout.edges)}
    first = place_edge_labels(layout, wanted, layout.scene, spots=kept)
    assert weighed == [len(wanted)]
    assert place_edge_labels(layout, wanted, layout.scene, spots=kept) == first
    assert weighed == [len(wanted)]  # given back: nothing weighed
    wider = dict(wanted)
    wider[(2, 0, 0)] = (LABEL[0] + 20, LABEL[1], 9.0)  # one label grows and becomes the most important
    again = place_edge_labels(layout, wider, layout.scene, spots=kept)
    assert len(weighed) == 2 and 1 < weighed[1] <= 1 + len(AHEAD)  # the new box, and widths near it
    assert again == place_edge_labels(layout, wider, layout.scene) and again != first
    check_unambiguous(layout, again, layout.scene)
    step = WIDTH_STEP * LABEL[1]
    wider[(2, 0, 0)] = (reserved_width(LABEL[0] + 20, LABEL[1]) + step, LABEL[1], 9.0)  # a digit more
    weighed.clear()
    place_edge_labels(layout, wider, layout.scene, spots=kept)
    assert not any(weighed)  # weighed ahead


def test_reserved_widths_keep_a_box_while_the_digits_change():
    """A label is given a box a whole number of half heights wide, at least its own width: numbers of
    nearly the same width get the same box, and so the same place."""
    height = LABEL[1]
    assert reserved_width(36.0, height) == reserved_width(42.0, height) == 42.5  # 5 half heights
    assert reserved_width(42.5, height) == 42.5 and reserved_width(42.6, height) == 51.0
    assert all(reserved_width(w, height) >= w for w in (1.0, 17.3, 40.0, 99.9))
    sizes = [2, 3, 3, 1]
    layout = layout_graph(sizes, graph_texts(sizes), Size(900, 600), LEGEND)
    narrow = place_edge_labels(layout, dict.fromkeys(layout.edges, (36.0, height, 0.0)), layout.scene)
    wide = place_edge_labels(layout, dict.fromkeys(layout.edges, (42.0, height, 0.0)), layout.scene)
    assert narrow == wide and all(box.width == 42.5 for box in wide.values())


def test_kept_spots_follow_a_moved_legend_and_new_bounds():
    """The view's legend can be moved off its corner by zooming, and the part of the scene in view
    changes: what the kept spots knew of the old obstacles and bounds is not used."""
    sizes = [2, 3, 3, 1]
    layout = layout_graph(sizes, graph_texts(sizes), Size(900, 600), LEGEND)
    kept = edge_spots(layout)
    wanted = {key: (*LABEL, 1.0) for key in layout.edges}
    first = place_edge_labels(layout, wanted, layout.scene, spots=kept)
    key, box = next(iter(first.items()))
    legend = Box(box.x - 5, box.y - 5, box.width + 10, box.height + 10)  # over a placed label
    moved = place_edge_labels(layout, wanted, layout.scene, [legend], spots=kept)
    assert moved == place_edge_labels(layout, wanted, layout.scene, [legend]) and moved != first
    assert not any(b.intersects(legend) for b in moved.values())
    half = Box(layout.scene.x, layout.scene.y, layout.scene.width / 2, layout.scene.height)
    zoomed = place_edge_labels(layout, wanted, half, spots=kept)
    assert zoomed == place_edge_labels(layout, wanted, half) and all(b.inside(half) for b in zoomed.values())
    assert place_edge_labels(layout, wanted, layout.scene, spots=kept) == first


def test_segment_crossing_and_distance_take_arrays_or_numbers():
    assert segment_crosses(Box(0, 0, 10, 10), (5, -5), (5, 20))  # vertical, through
    assert not segment_crosses(Box(0, 0, 10, 10), (12, -5), (12, 20))  # vertical, beside
    assert not segment_crosses(Box(0, 0, 10, 10), (-5, 3), (-1, 3))  # stops short
    assert segment_crosses(Box(0, 0, 10, 10), (3, 3), (3, 3))  # a point inside
