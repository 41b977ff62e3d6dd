"""The network graph shows exactly the stepper's known values, selects on click, elides wide layers."""

from __future__ import annotations

import html
import itertools

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QToolTip

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.network import Layer, Network, build_network
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import NeuronValue, Session
from backprop_gui.core.stepper import Quantity
from backprop_gui.ui.common.colors import unknown_color
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.stepping.formula_view import FormulaView
from backprop_gui.ui.stepping.network_view import EdgeItem, NetworkView, NeuronItem, neighbour

from window_helpers import open_window, window_on_screen


def small_session(name: str = "Course example", input_labels: list[str] | None = None) -> Session:
    """A 2-3-2 sigmoid network with two samples."""
    network = Network(
        2,
        [
            Layer(np.array([[0.15, 0.2], [0.25, 0.3], [-0.4, 0.1]]), np.array([0.35, 0.35, -0.1]), "sigmoid"),
            Layer(np.array([[0.4, 0.45, -0.2], [0.5, -0.55, 0.3]]), np.array([0.6, 0.6]), "sigmoid"),
        ],
    )
    data = Dataset(
        np.array([[0.05, 0.1], [0.3, -0.7]]),
        np.array([[0.01, 0.99], [1.0, 0.0]]),
        input_labels=input_labels or [],
    )
    return Session(name, network, data)


def wide_session() -> Session:
    network = build_network(784, [64, 10], ["relu", "softmax"], loss="cross_entropy", seed=1)
    inputs = np.random.default_rng(0).uniform(0, 1, (2, 784))
    return Session("wide", network, Dataset(inputs, np.eye(10)[[3, 7]]))


@pytest.fixture
def view(qtbot) -> NetworkView:
    view = NetworkView(SessionModel(small_session()))
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def plain(rich_text: str) -> str:
    doc = QTextDocument()
    doc.setHtml(rich_text)
    return doc.toPlainText()


def neurons(view: NetworkView) -> list[NeuronItem]:
    return [item for item in view.scene().items() if isinstance(item, NeuronItem)]


def edges(view: NetworkView) -> list[EdgeItem]:
    return [item for item in view.scene().items() if isinstance(item, EdgeItem)]


def assert_shows_stepper(view: NetworkView, quantity: Quantity) -> None:
    """Every neuron of layers 1..L shows ``quantity`` where known, at the model's precision, else nothing."""
    model = view.model
    for item in neurons(view):
        l, j = item.selection.layer, item.selection.j
        revealed = model.stepper.value(Quantity.INPUT if l == 0 else quantity, l)
        if revealed.known[j]:
            assert item.value_text() == model.format(revealed.values[j, 0])
            assert item.known
        else:
            assert item.value_text() == ""
            assert not item.known


@pytest.mark.parametrize(
    ("shown", "quantity"),
    [
        (NeuronValue.Z, Quantity.WEIGHTED_INPUT),
        (NeuronValue.A, Quantity.ACTIVATION),
        (NeuronValue.DELTA, Quantity.DELTA),
    ],
)
def test_every_step_of_the_pass_shows_exactly_the_known_values(view, shown, quantity):
    model = view.model
    model.set_neuron_value(shown)
    assert_shows_stepper(view, quantity)
    for _ in range(30):  # neuron by neuron through the whole pass and into the next sample's
        model.step_into()
        assert_shows_stepper(view, quantity)
    for _ in range(30):
        model.step_back()
        assert_shows_stepper(view, quantity)


def test_auto_shows_activations_going_forward_and_deltas_going_back(view):
    model = view.model
    model.run_to(2)  # Loss
    assert_shows_stepper(view, Quantity.ACTIVATION)
    assert "activation" in view.legend.plain_text()
    model.step_into()  # Backward 2, output neuron 1
    assert_shows_stepper(view, Quantity.DELTA)
    assert "error δ" in view.legend.plain_text()
    output = view.items_for(Selection(2, 0))[0]
    assert output.value_text() == model.format(model.stepper.record.delta[2][0, 0])
    assert view.items_for(Selection(2, 1))[0].value_text() == ""


def test_precision_changes_the_numbers_shown(view):
    model = view.model
    model.run_to(0)
    item = view.items_for(Selection(1, 0))[0]
    a = model.stepper.record.a[1][0, 0]
    assert item.value_text() == model.format(a) == "0.5933"
    model.set_precision(7)
    assert item.value_text() == model.format(a) == "0.59327"


def test_a_new_pass_shows_no_stale_numbers(view):
    model = view.model
    model.run_to_end()
    model.step()  # the next sample's pass starts: nothing of layers 1..L is known
    assert model.stepper.position == 0
    assert all(item.value_text() == "" for item in neurons(view) if item.selection.layer > 0)


def test_clicking_a_neuron_selects_it(view, qtbot):
    item = view.items_for(Selection(1, 1))[0]
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(item.scenePos()))
    assert view.model.selection == Selection(1, 1)
    assert item.selected


def test_clicking_an_edge_selects_it(view, qtbot):
    edge = view.items_for(Selection(2, 0, 2))[0]
    line = edge.line()
    for t in np.linspace(0.2, 0.8, 13):  # a point of this edge that no other edge crosses
        point = view.mapFromScene(edge.mapToScene(line.pointAt(t)))
        if [i for i in view.items(point) if isinstance(i, EdgeItem | NeuronItem)] == [edge]:
            break
    else:
        pytest.fail("every point of the edge is covered by another item")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert view.model.selection == Selection(2, 0, 2)
    assert edge.selected


def test_clicking_the_background_clears_the_selection(view, qtbot):
    view.model.set_selection(Selection(1, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(QPointF(5, 5)))
    assert view.model.selection is None


def test_selection_from_elsewhere_is_highlighted(view):
    view.model.set_selection(Selection(2, 1))
    assert [item.selection for item in neurons(view) if item.selected] == [Selection(2, 1)]
    view.model.set_selection(Selection(1, 2, 0))
    assert not any(item.selected for item in neurons(view))
    assert [item.selection for item in edges(view) if item.selected] == [Selection(1, 2, 0)]


def test_current_phase_neurons_glow(view):
    model = view.model
    model.run_to(0)  # Forward 1 complete
    assert {item.selection for item in neurons(view) if item.glow} == {Selection(1, j) for j in range(3)}
    model.step_into()  # Forward 2, neuron 1
    assert {item.selection for item in neurons(view) if item.glow} == {Selection(2, 0)}
    assert {item.selection for item in edges(view) if item.glow} == {Selection(2, 0, k) for k in range(3)}


def assert_rings_apart(view: NetworkView) -> int:
    """Vertically neighbouring neurons' circles with their glow and selection rings (in the scene) keep a
    clear gap of at least 12% of the radius, and each neuron's rings lie within its bounding rect.
    Returns how many pairs of neighbours it checked."""
    by_layer: dict[int, list[NeuronItem]] = {}
    for item in neurons(view):
        ring = item.ring_rect()
        assert item.boundingRect().contains(ring), item.selection
        assert item.halo() > 0 and ring.width() == pytest.approx(item.rect().width() + 2 * item.halo())
        by_layer.setdefault(item.selection.layer, []).append(item)
    pairs = 0
    for column in by_layer.values():
        column.sort(key=lambda item: item.scenePos().y())
        for upper, lower in itertools.pairwise(column):
            gap = lower.mapRectToScene(lower.ring_rect()).top() - upper.mapRectToScene(upper.ring_rect()).bottom()
            radius = upper.rect().width() / 2
            assert gap >= 0.12 * radius, f"{upper.selection} and {lower.selection}: gap {gap:.1f}, radius {radius:.1f}"
            pairs += 1
    return pairs


@pytest.mark.parametrize(
    ("shape", "size", "line_scale"),
    [("2-2-1", (1920, 585), 2.0), ("2-4-3", (420, 260), 2.0), ("784-64-10", (1366, 432), 1.0)],
)  # every shape, size and line scale is checked on the layout itself, in tests/core/test_graph_layout.py
def test_neighbouring_neurons_rings_never_touch(qtbot, shape, size, line_scale):
    session = wide_session() if shape == "784-64-10" else load_example("xor") if shape == "2-2-1" else None
    if session is None:
        network = build_network(2, [4, 3], ["sigmoid", "sigmoid"], seed=1)
        session = Session(shape, network, Dataset(np.zeros((1, 2)), np.zeros((1, 3))))
    view = NetworkView(SessionModel(session))
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    view.set_line_scale(line_scale)
    view.model.run_to(0)  # Forward 1 complete: all of layer 1 glows
    view.model.set_selection(Selection(1, 1))
    assert any(item.glow for item in neurons(view)) and any(item.selected for item in neurons(view))
    assert assert_rings_apart(view) >= 2  # inputs and layer 1, at least


def test_the_view_draws_what_the_layout_says(qtbot):
    view = NetworkView(SessionModel(wide_session()))
    qtbot.addWidget(view)
    view.resize(1000, 700)
    layout = view.graph_layout
    assert view.sceneRect().width() == pytest.approx(layout.scene.width)
    for item in neurons(view):
        key = (item.selection.layer, item.selection.j)
        assert (item.pos().x(), item.pos().y()) == pytest.approx((layout.neurons[key].x, layout.neurons[key].y))
        assert item.rect().width() == pytest.approx(2 * layout.radius) and item.halo() == pytest.approx(layout.halo)
    for item in edges(view):
        line = layout.edges[(item.selection.layer, item.selection.j, item.selection.k)]
        assert (item.line().x1(), item.line().y2()) == pytest.approx((line.start.x, line.end.y))
    for (l, j), box in layout.labels.items():
        assert view.label_text(l, j)
        assert view._labels[(l, j)].pos().x() == pytest.approx(box.x)


def assert_background_between(view: NetworkView, upper: Selection, lower: Selection) -> None:
    """On screen, a run of background pixels (at least 10% of the radius) separates neurons ``upper`` and
    ``lower`` of one layer, straight between their centres: their rings do not touch."""
    first, second = (view.items_for(selection)[0] for selection in (upper, lower))
    top, bottom = (view.mapFromScene(item.scenePos()) for item in (first, second))
    image = view.viewport().grab().toImage()
    background = view.backgroundBrush().color().rgb()
    run = longest = 0
    for y in range(top.y(), bottom.y()):
        run = run + 1 if image.pixel(top.x(), y) == background else 0
        longest = max(longest, run)
    radius = first.rect().width() / 2 * view.transform().m11()  # in pixels
    assert longest >= 0.1 * radius, f"{longest} background pixels between {upper} and {lower}, radius {radius:.0f}"


def test_glow_rings_of_neighbours_are_drawn_apart(view):
    view.model.run_to(0)  # Forward 1 complete: all of layer 1 glows
    view.model.set_selection(Selection(1, 1))
    view.resize(900, 350)  # crowded: three large circles in the middle column
    assert all(item.glow for item in view.items_for(Selection(1, 0)) + view.items_for(Selection(1, 1)))
    assert_background_between(view, Selection(1, 0), Selection(1, 1))
    assert_background_between(view, Selection(1, 1), Selection(1, 2))


def test_items_are_reused_between_steps(view):
    before = {id(item) for item in view.scene().items()}
    view.model.step()
    view.model.step_back()
    view.model.set_precision(6)
    assert {id(item) for item in view.scene().items()} == before


def test_wide_layers_are_elided(qtbot):
    view = NetworkView(SessionModel(wide_session()))
    qtbot.addWidget(view)
    view.resize(1000, 700)
    with qtbot.waitExposed(view):
        view.show()
    assert len(neurons(view)) == 12 + 12 + 10
    assert len(edges(view)) == 12 * 12 + 12 * 10
    assert view.items_for(Selection(0, 100)) == []
    assert view.items_for(Selection(0, 783)) != []
    assert view.items_for(Selection(1, 30, 0)) == []
    texts = [item.toPlainText() for item in view.scene().items() if hasattr(item, "toPlainText")]
    assert "⋮ (772 hidden)" in texts
    assert "⋮ (52 hidden)" in texts


def test_a_wide_layer_shows_fewer_neurons_in_a_low_view_and_keeps_its_text_size(qtbot):
    view = NetworkView(SessionModel(wide_session()))
    qtbot.addWidget(view)
    view.resize(987, 386)  # the graph's room in Step at 1366×768
    with qtbot.waitExposed(view):
        view.show()
    qtbot.waitUntil(lambda: len(neurons(view)) < 34)
    assert view.graph_layout.scale == 1 and view.transform().m11() == 1
    ends = len(view.graph_layout.shown[0]) // 2
    texts = [item.toPlainText() for item in view.scene().items() if hasattr(item, "toPlainText")]
    assert f"⋮ ({784 - 2 * ends} hidden)" in texts
    assert view.items_for(Selection(0, ends)) == [] and view.items_for(Selection(0, ends - 1)) != []
    view.resize(1000, 700)
    qtbot.waitUntil(lambda: len(neurons(view)) == 34)  # all twelve again where they fit
    assert "⋮ (772 hidden)" in [item.toPlainText() for item in view.scene().items() if hasattr(item, "toPlainText")]


def test_html_in_the_session_is_shown_literally(qtbot):
    view = NetworkView(SessionModel(small_session("<b>html</b>", ["<i>age</i>", "h"])))
    qtbot.addWidget(view)
    texts = [item.toPlainText() for item in view.scene().items() if hasattr(item, "toPlainText")]
    assert "<b>html</b>" in texts
    assert any("<i>age</i>" in text for text in texts)
    assert "<i>age</i>" in plain(view.tooltip_text(Selection(0, 0)))


def test_tooltips_give_full_precision_or_say_not_yet_known(view):
    model = view.model
    assert "not yet known" in plain(view.tooltip_text(Selection(1, 0)))
    model.run_to(0)
    z = float(model.stepper.record.z[1][0, 0])
    text = plain(view.tooltip_text(Selection(1, 0)))
    assert f"z11 = {z!r}" in text  # z_1^1
    assert "δ11 = not yet known" in text
    w = float(model.session.network.layer(2).weights[0, 1])
    assert f"w122 = {w!r}".replace("-", "−") in plain(view.tooltip_text(Selection(2, 0, 1)))


def test_gradient_edges_show_dC_dw_only_where_known(view):
    model = view.model
    view.model.set_edge_mode("gradients")
    assert view.model.edge_mode == "gradients"
    grey = unknown_color(view.palette())
    assert all(edge.pen().color() == grey for edge in edges(view))
    assert "∂C/∂w" in view.legend.plain_text()
    model.run_to(3)  # Backward 2: ∂C/∂w^2 known, ∂C/∂w^1 not
    grad = model.stepper.record.grad_w[2]
    for edge in edges(view):
        l, j, k = edge.selection.layer, edge.selection.j, edge.selection.k
        color = edge.pen().color()
        if l == 2:
            assert color.rgb() == (QColor(178, 24, 43) if grad[j, k] > 0 else QColor(33, 102, 172)).rgb()
        else:
            assert color == grey
    text = plain(view.tooltip_text(Selection(2, 1, 2)))
    assert f"∂C/∂w232 = {float(grad[1, 2])!r}".replace("-", "−") in text
    assert "not yet known" in plain(view.tooltip_text(Selection(1, 0, 0)))
    with pytest.raises(ValueError, match="edge mode"):
        view.model.set_edge_mode("deltas")


def test_edge_width_follows_the_weight(view):
    widths = {edge.selection: edge.pen().widthF() for edge in edges(view)}
    assert widths[Selection(2, 1, 1)] > widths[Selection(1, 0, 0)]  # |−0.55| > |0.15|


def test_zoom_in_out_and_reset(view):
    scale = view.transform().m11()
    view.zoom_in()
    assert view.transform().m11() > scale
    view.zoom_out()
    view.zoom_out()
    assert view.transform().m11() < scale
    view.reset_zoom()
    assert view.transform().m11() == pytest.approx(scale)
    assert view.zoom == 1.0


def test_follows_the_palette(view):
    palette = QPalette(view.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    view.setPalette(palette)
    assert view.backgroundBrush().color() == QColor("#1e1e1e")
    captions = [item for item in view.scene().items() if hasattr(item, "defaultTextColor")]
    assert any(item.defaultTextColor() == QColor("#eeeeee") for item in captions)


def test_a_new_architecture_rebuilds_the_graph(view):
    view.model.set_session(wide_session())
    assert len(neurons(view)) == 34
    view.model.set_session(small_session())
    assert len(neurons(view)) == 7


def test_selecting_a_neuron_that_is_not_drawn_marks_its_layers_elision(qtbot):
    view = NetworkView(SessionModel(wide_session()))
    qtbot.addWidget(view)
    view.resize(1000, 700)
    with qtbot.waitExposed(view):
        view.show()
    marks = {item.toPlainText(): item for item in view.scene().items() if hasattr(item, "toPlainText")}
    inputs, hidden = marks["⋮ (772 hidden)"], marks["⋮ (52 hidden)"]
    highlight = view.palette().color(QPalette.ColorRole.Highlight)
    view.model.set_selection(Selection(1, 30))
    assert hidden.defaultTextColor() == highlight
    assert inputs.defaultTextColor() != highlight
    view.model.set_selection(Selection(1, 0, 400))  # w_1,401^1: from a hidden input to a drawn neuron
    assert inputs.defaultTextColor() == highlight
    assert hidden.defaultTextColor() != highlight


def test_hovering_a_neuron_shows_its_tooltip(view):
    view.model.run_to(0)
    item = view.items_for(Selection(1, 2))[0]
    pos = view.mapFromScene(item.scenePos())
    QApplication.sendEvent(view.viewport(), QHelpEvent(QHelpEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos)))
    assert QToolTip.isVisible()
    assert plain(QToolTip.text()) == plain(view.tooltip_text(Selection(1, 2)))
    assert "Neuron 3 of layer 1" in plain(QToolTip.text())
    QToolTip.hideText()


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours."""

    def luminance(c: QColor) -> float:
        channels = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c.getRgbF()[:3]]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("labels", [[], ["x", "x"], ["x_1", "x_2"], ["x1", "x_{2}"]])
def test_input_labels_name_each_input_once_in_course_notation(qtbot, labels):
    view = NetworkView(SessionModel(small_session(input_labels=labels)))
    qtbot.addWidget(view)
    assert [view.label_text(0, k) for k in range(2)] == ["x1", "x2"]  # x₁ with a true subscript


def test_input_labels_that_say_more_than_the_course_name_are_kept(qtbot):
    view = NetworkView(SessionModel(small_session(input_labels=["age", "height"])))
    qtbot.addWidget(view)
    assert view.label_text(0, 1).split() == ["height", "x2"]


def test_a_long_input_label_is_cut_short_on_the_graph_and_whole_in_the_tooltip(qtbot):
    name = "the distance from the sepal's base to its tip in centimetres"
    wide = NetworkView(SessionModel(small_session(input_labels=["age", name])))
    narrow = NetworkView(SessionModel(small_session(input_labels=["age", "size"])))
    for view in (wide, narrow):
        qtbot.addWidget(view)
        view.resize(900, 500)
        view.show()
        qtbot.waitExposed(view)
    assert wide.label_text(0, 1).split() == ["the", "distance…centimetres", "x2"]
    assert html.escape(name) in wide.tooltip_text(Selection(0, 1))  # (rich text)
    drawn = [view.graph_layout.radius * view.graph_layout.scale for view in (wide, narrow)]
    assert drawn[0] >= 0.8 * drawn[1]  # the circles are not shrunk to make room for the name


def test_output_labels_show_a_j_L_and_the_targets_value(view):
    model = view.model
    assert view.label_text(2, 1).split() == ["a22", "t2", "=", model.format(0.99)]
    model.next_sample()
    assert view.label_text(2, 1).split() == ["a22", "t2", "=", "0"]


def test_captions_read_well_on_a_dark_palette_whatever_its_placeholder_colour(view):
    palette = QPalette(view.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#303030"))  # as some dark themes leave it
    view.setPalette(palette)
    for caption in view._captions:
        assert contrast(caption.defaultTextColor(), QColor("#1e1e1e")) > 4.5


def test_line_scale_thickens_edges(view):
    before = {edge.selection: edge.pen().widthF() for edge in edges(view)}
    view.set_line_scale(2.0)
    assert view.line_scale == 2.0
    for edge in edges(view):
        assert edge.pen().widthF() == pytest.approx(2 * before[edge.selection])
    view.set_line_scale(1.0)
    assert {edge.selection: edge.pen().widthF() for edge in edges(view)} == before


def test_a_step_only_repens_edges_whose_bucket_changed(view):
    view.model.run_to(0)
    pens = {edge.selection: edge.pen() for edge in edges(view)}
    view.model.set_precision(3)  # nothing an edge shows has changed
    assert all(edge.pen() == pens[edge.selection] for edge in edges(view))


# --- numbers on request, keyboard selection, double-click editing ------------------------------


@pytest.fixture
def asking(qtbot, view) -> FormulaView:
    """A formula panel holding numbers back (ask first) that the graph follows."""
    formula = FormulaView(view.model)
    qtbot.addWidget(formula)
    view.follow_reveal(formula)
    formula.set_ask_first(True)
    return formula


def test_the_graph_shows_held_back_values_as_question_marks_until_the_reveal(view, asking):
    model = view.model
    announced: list[bool] = []
    asking.revealChanged.connect(announced.append)
    model.step()  # Forward 1: a^1 is new
    layer1 = [view.items_for(Selection(1, j))[0] for j in range(3)]
    assert [item.value_text() for item in layer1] == ["?", "?", "?"]
    neutral = view.palette().color(QPalette.ColorRole.AlternateBase)
    assert all(item.brush().color() == neutral for item in layer1)  # no colour gives the value away
    a = model.format(float(model.stepper.record.a[1][0, 0]))
    assert a not in view.legend.plain_text()
    tip = plain(view.tooltip_text(Selection(1, 0)))
    assert "a11 = ? — not revealed yet" in tip and repr(float(model.stepper.record.a[1][0, 0])) not in tip
    assert view.items_for(Selection(0, 0))[0].value_text() == model.format(0.05)  # the input is no answer
    asking.reveal()
    assert announced == [True, False]
    assert_shows_stepper(view, Quantity.ACTIVATION)
    model.set_selection(Selection(1, 1))  # choosing another neuron keeps this step revealed
    assert layer1[1].value_text() == model.format(float(model.stepper.record.a[1][1, 0]))
    model.step()  # Forward 2 asks again, and Forward 1 stays shown
    assert announced == [True, False, True]
    assert [view.items_for(Selection(2, j))[0].value_text() for j in range(2)] == ["?", "?"]
    assert layer1[0].value_text() == a


def test_held_back_gradients_and_updates_stay_hidden_on_the_edges(view, asking):
    model = view.model
    view.model.set_edge_mode("gradients")
    model.run_to(3)  # Backward 2: ∂C/∂w^2 is new
    assert all(edge.pen_key == ("unknown",) for edge in edges(view))
    grad = float(model.stepper.record.grad_w[2][1, 2])
    assert "? — not revealed yet" in plain(view.tooltip_text(Selection(2, 1, 2)))
    asking.reveal()
    assert all(edge.pen_key != ("unknown",) for edge in edges(view) if edge.selection.layer == 2)
    assert f"{grad!r}".replace("-", "−") in plain(view.tooltip_text(Selection(2, 1, 2)))
    view.model.set_edge_mode("weights")
    model.run_to_end()  # Update: the new weights wait, the edges keep the old ones
    before = float(model.stepper.weights_before(2)[0][0, 1])
    new = model.session.network.layer(2).weights[0, 1]
    text = plain(view.tooltip_text(Selection(2, 0, 1)))
    assert "w122 = ? — not revealed yet" in text and f"was {before!r}".replace("-", "−") in text
    assert repr(float(new)).replace("-", "−") not in text
    widths = {edge.selection: edge.pen().widthF() for edge in edges(view)}
    asking.reveal()
    assert repr(float(new)).replace("-", "−") in plain(view.tooltip_text(Selection(2, 0, 1)))
    assert widths != {edge.selection: edge.pen().widthF() for edge in edges(view)}  # now drawn with new weights


@pytest.mark.parametrize(
    ("start", "move", "expected"),
    [
        (None, "down", Selection(1, 2)),  # nothing selected: the start
        (Selection(1, 0), "up", Selection(1, 0)),  # stops at the top
        (Selection(1, 0), "down", Selection(1, 1)),
        (Selection(1, 2), "down", Selection(1, 2)),  # stops at the bottom
        (Selection(1, 2), "right", Selection(2, 1)),  # the nearest row of a smaller layer
        (Selection(1, 1), "left", Selection(0, 1)),
        (Selection(0, 1), "left", Selection(0, 1)),  # stops at the inputs
        (Selection(2, 0), "right", Selection(2, 0)),  # stops at the outputs
        (Selection(2, 1, 0), "down", Selection(2, 1, 1)),  # edges into a neuron: the next one
        (Selection(2, 1, 2), "down", Selection(2, 1, 2)),
        (Selection(2, 1, 2), "left", Selection(1, 2)),  # the neuron the edge starts at
        (Selection(2, 1, 2), "right", Selection(2, 1)),  # the neuron the edge ends at
    ],
)
def test_neighbour_moves_within_and_between_layers(start, move, expected):
    assert neighbour(start, [2, 3, 2], move, Selection(1, 2)) == expected


def test_neighbour_refuses_an_unknown_move():
    with pytest.raises(ValueError, match="move must be one of"):
        neighbour(None, [2, 3, 2], "diagonal", Selection(0, 0))


def test_move_selection_starts_at_the_neuron_computed_last(view):
    view.move_selection("down")
    assert view.model.selection == Selection(0, 0)  # nothing computed: input x_1
    view.model.set_selection(None)
    view.model.run_to(0)
    view.move_selection("up")
    assert view.model.selection == Selection(1, 2)
    assert view.items_for(Selection(1, 2))[0].selected


def _edge_point(view: NetworkView, edge: EdgeItem):
    """A point of ``edge`` in viewport coordinates that no other neuron or edge covers."""
    line = edge.line()
    for t in np.linspace(0.2, 0.8, 13):
        point = view.mapFromScene(edge.mapToScene(line.pointAt(t)))
        if [i for i in view.items(point) if isinstance(i, EdgeItem | NeuronItem)] == [edge]:
            return point
    pytest.fail("every point of the edge is covered by another item")


def test_double_click_asks_to_edit_a_bias_or_a_weight_but_not_an_input(view, qtbot):
    requested: list[Selection] = []
    view.model.edit_requested.connect(requested.append)
    neuron = view.items_for(Selection(1, 1))[0]
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(neuron.scenePos()))
    assert requested == [Selection(1, 1)] and view.model.selection == Selection(1, 1)
    edge = view.items_for(Selection(2, 0, 2))[0]
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_edge_point(view, edge))
    assert requested == [Selection(1, 1), Selection(2, 0, 2)]
    source = view.items_for(Selection(0, 0))[0]
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(source.scenePos()))
    assert len(requested) == 2  # an input x_k comes from the data set
    assert "Double-click to edit w132" in plain(view.tooltip_text(Selection(2, 0, 2)))  # w_13^2


# --- every known number readable in every layout -------------------------------------------------


def assert_known_values_readable(view: NetworkView) -> None:
    """Each neuron whose value is known shows a non-empty number that contrasts with what is behind it,
    lies inside the visible part of the scene, and overlaps neither a label nor the legend."""
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    legend = view.mapToScene(view.legend.geometry()).boundingRect()
    labels = [label.sceneBoundingRect() for label in view._labels.values()]
    shown = 0
    for item in neurons(view):
        if not item.known:
            continue
        number = item.value_item
        where = f"neuron {item.selection.j + 1} of layer {item.selection.layer}"
        assert item.isVisible() and number.isVisible() and number.text(), where
        assert contrast(number.brush().color(), item.text_background()) > 3, where
        box = number.sceneBoundingRect()
        assert visible.contains(box), f"{where}: {box} outside {visible}"
        assert not any(box.intersects(label) for label in labels), where
        assert not box.intersects(legend), where
        shown += 1
    assert shown


def test_known_values_are_readable_in_the_normal_window(qtbot, private_places):
    for session in (load_example("xor"), wide_session()):
        window = open_window(qtbot, session)
        for _ in range(5):  # to Backward 1: inputs, the output's δ and the hidden layer's δ are known
            qtbot.keyClick(window, Qt.Key.Key_F10)
        assert_known_values_readable(window.network_view)


def test_a_number_beside_a_circle_turns_to_the_text_colour_when_the_view_shrinks(view):
    view.model.run_to(3)  # Backward 2: the output's δ, white on its dark fill
    output = view.items_for(Selection(2, 0))[0]
    assert not output.beside
    view.resize(420, 260)  # crowded: the numbers go beside the circles, on a plate
    assert output.beside
    assert output.value_item.brush().color() == view.palette().color(QPalette.ColorRole.Text)
    assert_known_values_readable(view)


def test_only_the_legends_corner_is_kept_free(view):
    legend = view.mapToScene(view.legend.geometry()).boundingRect()
    hidden = view.items_for(Selection(1, 2))[0].sceneBoundingRect()  # the lowest neuron of the middle column
    assert hidden.bottom() > legend.top()  # below the legend's top edge, beside it
    for item in neurons(view):
        assert not item.sceneBoundingRect().intersects(legend)


def test_the_graphs_texts_are_drawn_on_screen(qtbot):
    """The title, the captions and the input and output labels are painted, not only placed: each
    shows pixels in the text's colour where it stands, after the window was resized too."""
    window = window_on_screen(qtbot, load_example("xor"), "1366x768")
    window.resize(1200, 700)
    qtbot.waitUntil(lambda: window.network_view.viewport().width() < 1000)
    view = window.network_view
    image = view.viewport().grab().toImage()
    text = view.palette().color(QPalette.ColorRole.Text)
    placed = view.placed_texts()
    assert len(placed) >= 5
    for item, _ in placed:
        if not item.toPlainText().strip():
            continue
        area = view.mapFromScene(item.sceneBoundingRect()).boundingRect().intersected(image.rect())
        ink = sum(
            1
            for x in range(area.left(), area.right())
            for y in range(area.top(), area.bottom())
            if abs(image.pixelColor(x, y).lightness() - text.lightness()) < 100
        )
        assert ink >= 10, f"{item.toPlainText()!r} is not drawn"


def _drawn_marks(view: NetworkView) -> dict[Selection, tuple]:
    """Every neuron's and edge's pen bucket (edges) and marks, by what it draws."""
    items: list[NeuronItem | EdgeItem] = [*neurons(view), *edges(view)]
    return {item.selection: (getattr(item, "pen_key", None), item.glow, item.selected, item.lit) for item in items}


@pytest.mark.parametrize("make", [small_session, wide_session])
def test_steps_redraw_only_what_changed_and_draw_what_a_fresh_view_draws(qtbot, monkeypatch, make):
    """A step sets only the pens and marks that changed: after every step of a pass (and into the next
    sample) the graph shows what a view opened at that position shows; a refresh that changes nothing
    sets no pen at all."""

    def opened(steps: int) -> NetworkView:
        view = NetworkView(SessionModel(make()))
        qtbot.addWidget(view)
        view.resize(900, 600)
        view.model.set_selection(Selection(1, 0))
        for _ in range(steps):
            view.model.step()
        return view

    stepped = opened(0)
    pens: list[Selection] = []
    set_pen = EdgeItem.setPen
    monkeypatch.setattr(EdgeItem, "setPen", lambda self, pen: pens.append(self.selection) or set_pen(self, pen))
    for steps in range(1, len(stepped.model.stepper.phases) + 3):
        stepped.model.step()
        assert _drawn_marks(stepped) == _drawn_marks(opened(steps)), f"after {steps} steps"
    stepped.model.set_selection(Selection(2, 1, 0))
    assert _drawn_marks(stepped)[Selection(2, 1, 0)][2:] == (True, False)
    assert not _drawn_marks(stepped)[Selection(1, 0)][2]
    pens.clear()
    stepped._refresh()
    assert pens == []
