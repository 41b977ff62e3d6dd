"""Layouts as data: which docks each use shows, leaving out what a network cannot use; the presentation text size."""

import pytest

from backprop_gui.core.layouts import (
    LAYOUTS,
    MIN_PRESENT_PX,
    PRESENT_SIDE_BY_SIDE,
    LayoutName,
    Side,
    presentation_font_px,
)


def test_each_use_has_its_docks():
    assert {"formula", "values", "worked", "chain"} <= set(LAYOUTS[LayoutName.STEP].keys)
    assert {"loss", "decision", "training"} <= set(LAYOUTS[LayoutName.TRAIN].keys)
    assert "loss" not in LAYOUTS[LayoutName.STEP].keys
    assert LAYOUTS[LayoutName.PRESENT].keys == ("formula", "loss")


def test_decision_map_only_for_two_inputs():
    train = LAYOUTS[LayoutName.TRAIN]
    assert "decision" in train.for_network((2, 2, 1)).keys
    for sizes in ((1, 3, 1), (3, 4, 3), (784, 64, 10)):
        assert "decision" not in train.for_network(sizes).keys


def test_a_tab_of_a_left_out_dock_takes_its_place():
    train = LAYOUTS[LayoutName.TRAIN]
    decision = next(p for p in train.places if p.key == "decision")
    data = next(p for p in train.for_network((1, 3, 1)).places if p.key == "data")
    assert (data.tab_of, data.share, data.side, data.front) == (None, decision.share, decision.side, True)


def test_without_keeps_the_rest_in_order():
    step = LAYOUTS[LayoutName.STEP].without({"worked"})
    assert step.keys == ("sample", "values", "note", "quiz", "formula", "chain")
    assert next(p for p in step.places if p.key == "chain").tab_of is None


def test_a_narrow_projector_shows_the_loss_plot_in_a_tab_of_the_formula():
    present = LAYOUTS[LayoutName.PRESENT]
    wide = {p.key: p for p in present.for_width(PRESENT_SIDE_BY_SIDE).places}
    narrow = {p.key: p for p in present.for_width(PRESENT_SIDE_BY_SIDE - 1).places}
    assert wide["loss"].tab_of is None and wide == {p.key: p for p in present.places}
    assert narrow["loss"].tab_of == "formula" and not narrow["loss"].front
    assert narrow["formula"] == wide["formula"] and narrow["formula"].front
    assert LAYOUTS[LayoutName.STEP].for_width(400) == LAYOUTS[LayoutName.STEP]  # nothing there needs the width


def test_side_depths_are_fractions():
    for layout in LAYOUTS.values():
        for side in Side:
            assert 0 <= layout.side_depth(side) < 0.5


@pytest.mark.parametrize(("height", "px"), [(768, 20), (1080, 27), (1440, 36), (2160, 54)])
def test_presentation_text_grows_with_the_screen(height, px):
    assert presentation_font_px(height, 96) == px


def test_presentation_text_never_below_the_minimum_and_follows_dpi():
    assert presentation_font_px(480, 96) == MIN_PRESENT_PX
    assert presentation_font_px(1080, 144) == 40
    assert presentation_font_px(1080, 72) == 27  # a low logical DPI never shrinks the text
    with pytest.raises(ValueError, match="positive"):
        presentation_font_px(0, 96)
