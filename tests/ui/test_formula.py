"""The formula panel: rich text of the core's equations, numbers only once known, names escaped."""

import numpy as np
import pytest
from PySide6.QtGui import QTextDocument

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.formatting import format_number
from backprop_gui.core.formulas import Num, Op, Sym, equations
from backprop_gui.core.network import Layer, Network
from backprop_gui.core.presets import example_names, load_example
from backprop_gui.core.session import Session
from backprop_gui.core.stepper import Quantity
from backprop_gui.ui.common.rich_text import sym_html, tokens_html
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.stepping.formula_view import FormulaView

from window_helpers import document_text_px


def shown(view: FormulaView) -> str:
    """The panel's text with table cells joined by single spaces."""
    return " ".join(view.toPlainText().split())


@pytest.fixture
def view(qtbot):
    model = SessionModel(load_example("course_simple"))
    widget = FormulaView(model)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_symbols_have_true_sub_and_superscripts_and_are_escaped():
    assert sym_html(Sym("w", "12", "2")) == "<i>w</i><sub>12</sub><sup>2</sup>"
    assert sym_html(Sym("<b>", "1")) == "&lt;<i>b</i>&gt;<sub>1</sub>"
    assert "<b>" not in sym_html(Sym("<b>", "<i>", "<u>"))


def test_an_italic_f_keeps_clear_of_its_superscript_by_a_hair_not_a_word_space(qtbot):  # (a QApplication)
    assert sym_html(Sym("w", "", "l")) == "<i>w</i><sup>l</sup>"

    def width(html: str) -> float:
        document = QTextDocument()
        document.setHtml(html)
        return document.idealWidth()

    tight, spaced_out = width("<i>f</i><sup>l</sup>"), width("<i>f</i> <sup>l</sup>")
    assert tight < width(sym_html(Sym("f", "", "l"))) < (tight + spaced_out) / 2
    document = QTextDocument()
    document.setHtml(sym_html(Sym("f", "", "l")))
    assert document.toPlainText() == "f\u200al"


def test_general_equation_headers_are_at_most_one_size_step_below_the_body(view):
    for _ in range(5):  # to Backward 1: the error, its weight gradient and the neuron's forward equations
        view.model.step()
    body = view.document().defaultFont().pointSizeF() * view.logicalDpiY() / 72
    pieces = document_text_px(view.document())
    assert any(text.startswith("Error") for text, _, _ in pieces)  # the header of δ's general equation
    # Headers are set apart by colour, not size: every text (scripts' base size too) is the body's.
    assert min(px for _, px, _ in pieces) >= body - 0.01


def test_numbers_are_coloured_and_negative_ones_bracketed():
    text = tokens_html((Op("("), Num(-0.3), Op(")"), Op("×"), Num(0.05)), 2, "#123456")
    assert text == '(<span style="color:#123456">−0.3</span>) × <span style="color:#123456">0.05</span>'


def test_nothing_computed_yet_says_how_to_start(view):
    assert view.model.selection is None
    assert "Step (F10)" in shown(view)


def test_shows_general_form_numbers_and_result_of_the_selection(view):
    model = view.model
    model.set_selection(Selection(2, 0))
    text = shown(view)
    assert "Neuron 1 of layer 2 (output, sigmoid)" in text
    assert "not yet known — computed in Forward 2" in text
    assert "0.2405" not in text
    model.step()
    model.step()
    text = shown(view)
    for eq in equations(model.stepper, 2, 0):
        if eq.known:
            assert f"= {format_number(eq.result, model.precision)}" in text
    assert "= −5 × 0.03 + (−1)" in text
    assert "= 0.2405" in text
    assert "not yet known — computed in Loss" in text


def test_without_a_selection_the_phase_is_not_repeated_and_a_line_says_how_to_choose(view):
    """The phase's equations are those of the neuron computed last: nothing selected, they are not
    written a second time under it; a click brings the neuron's own from input to update."""
    view.model.step()
    text = shown(view)
    assert text.count("z11 = w111 x1") == 1 and "Neuron 1 of layer 1" not in text
    assert "Click a neuron or an edge to follow its equations here" in text
    view.model.set_selection(Selection(1, 0))
    text = shown(view)
    assert "Neuron 1 of layer 1 (hidden, relu)" in text and "not yet known — computed in Backward 1" in text
    assert "Click a neuron or an edge" not in text


def test_edge_formula_and_update(view):
    model = view.model
    model.set_selection(Selection(2, 0, 0))
    model.run_to_end()
    text = shown(view)
    assert "Edge w112:" in text and "w<sub>11</sub><sup>2</sup>" in "".join(view._pieces(view.equations()))
    assert "= −5 − 0.5 × (−0.004162)" in text
    assert "= −4.998" in text


def test_precision_changes_the_digits(view):
    model = view.model
    model.set_selection(Selection(2, 0))
    model.run_to_end()
    model.set_precision(2)
    assert "= 0.24" in shown(view) and "0.2405" not in shown(view)


def test_current_phase_equation_is_marked(view):
    model = view.model
    model.set_selection(Selection(2, 0))
    model.step()
    model.step()
    assert '<a name="current"></a>' in "".join(view._pieces(view.equations()))


def test_html_in_activation_note_or_labels_cannot_inject_markup(qtbot):
    network = Network(1, [Layer(np.array([[1.0]]), np.zeros(1), "sigmoid")])
    data = Dataset(np.array([[1.0]]), np.array([[0.0]]), input_labels=["<b>in</b>"], target_labels=["<i>t</i>"])
    model = SessionModel(Session("<script>x</script>", network, data))
    widget = FormulaView(model)
    qtbot.addWidget(widget)
    widget.show()
    model.set_selection(Selection(1, 0))
    assert "<script>" not in "".join(widget._pieces(widget.equations()))


def test_activation_and_error_notes_read_in_real_notation_not_carets(qtbot):
    model = SessionModel(load_example("blobs_softmax"))
    widget = FormulaView(model)
    qtbot.addWidget(widget)
    widget.show()
    model.set_selection(Selection(model.session.network.depth, 0))
    model.run_to_end()
    page = "".join(widget._pieces(widget.equations()))
    assert "softmax: exp(zⱼ) / Σₖ exp(zₖ)" in page  # the activation's note
    assert "δ<sub>j</sub> = a<sub>j</sub>" in page or "Jacobian collapses" in page  # the output error's note
    notes = [line for line in shown(widget).split("(") if "softmax" in line]
    assert notes and not any("^" in note or "_" in note for note in notes), notes


def test_a_hidden_panel_catches_up_when_shown(view):
    view.hide()
    view.model.set_selection(Selection(2, 0))
    view.model.run_to_end()
    assert "= 0.2405" not in shown(view)
    view.show()
    assert "= 0.2405" in shown(view)


def test_a_selection_removed_by_an_edit_is_as_none(view):
    view.model.state.selection = Selection(1, 5)  # as an edit that removed neurons leaves it
    view.model.step()
    assert view.target() is None and "Neuron 6" not in shown(view)
    assert "z11 = w111 x1" in shown(view) and "Click a neuron or an edge" in shown(view)


def test_ask_first_holds_back_exactly_the_current_phase_until_the_pass_moves(view):
    model = view.model
    announced: list[bool] = []
    view.revealChanged.connect(announced.append)
    view.set_ask_first(True)
    assert not view.reveal_pending and announced == []  # nothing computed: nothing to hold back
    depth = model.stepper.network.depth
    model.run_to(depth)  # Loss
    model.step()  # Backward L
    assert view.reveal_pending and announced == [True]
    for quantity in (Quantity.DELTA, Quantity.GRAD_WEIGHTS, Quantity.GRAD_BIASES):
        assert view.holds_back(quantity, depth) and not view.holds_back(quantity, depth - 1)
    assert not view.holds_back(Quantity.ACTIVATION, depth) and not view.holds_back(Quantity.LOSS)
    view.reveal()
    assert not view.reveal_pending and announced == [True, False]
    assert not view.holds_back(Quantity.DELTA, depth)
    model.set_selection(Selection(depth, 0))  # another selection keeps the step revealed
    assert not view.hides_numbers()
    model.step_back()
    assert view.reveal_pending and view.holds_back(Quantity.LOSS) and announced == [True, False, True]
    model.run_to_end()
    assert view.holds_back(Quantity.NEW_WEIGHTS, 1) and view.holds_back(Quantity.NEW_BIASES, depth)
    view.set_ask_first(False)
    assert not view.reveal_pending and announced[-1] is False


def test_equations_in_a_row_under_the_same_caption_share_it(qtbot):
    """At Update of xor (2-2-1) the panel had captioned each of the nine updates with the same general
    form; now each run of them has one caption: w¹'s four, b¹'s two, w²'s two, b²'s one."""
    model = SessionModel(load_example("xor"))
    view = FormulaView(model)
    qtbot.addWidget(view)
    view.show()
    model.run_to_end()
    text = shown(view)
    assert text.count("Weight update") == 2 and text.count("Bias update") == 2
    for j, k in ((1, 1), (1, 2), (2, 1), (2, 2)):  # every update is still there, with its numbers
        assert f"w{j}{k}1 ← w{j}{k}1 − η ∂C/∂w{j}{k}1 =" in text.replace("\u200a", "")
    grouped = [piece for piece in view._written if " update" not in piece and "←" in piece]
    assert len(grouped) == 3 + 1 + 1 + 0  # the updates after the first of each run: w¹ 3, b¹ 1, w² 1, b² 0
    assert all("margin-top:6px" in piece for piece in grouped)  # set apart from the equation above


@pytest.mark.parametrize("name", example_names())
def test_the_page_written_piece_by_piece_is_the_page_written_whole(qtbot, name):
    model = SessionModel(load_example(name))
    view = FormulaView(model)
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    view.reveal_shortcut = "R"

    def whole() -> str:
        document = QTextDocument()
        document.setDefaultFont(view.document().defaultFont())
        document.setDocumentMargin(view.document().documentMargin())
        document.setHtml("".join(view._written))
        return document.toHtml()

    moves = [model.step_into] * 40 + [model.step_back] * 6 + [lambda: model.set_selection(Selection(1, 0))]
    moves += [model.step, model.step, lambda: view.set_ask_first(True), model.step, view.reveal, model.step_back]
    moves += [model.step_back, lambda: model.set_selection(Selection(1, 0, 0)), model.step, model.step]
    moves += [lambda: model.set_precision(6), model.step, lambda: model.set_selection(None), model.step]
    kept = 0
    for move in moves:
        before = list(view._written)
        move()
        assert view._written and view._starts  # written in pieces, not whole
        assert view.document().toHtml() == whole()  # the same text, in the same formats, paragraph by paragraph
        kept += sum(piece in before for piece in view._written)
    assert kept  # some pieces stayed from one move to the next


def test_a_short_panel_scrolls_on_to_show_the_first_equation_to_its_result(qtbot):
    """On a projector the panel is a few lines high: the phase's heading gives way to the result."""
    model = SessionModel(load_example("moons"))  # Forward 2: z₁² of 8 terms runs to five lines
    view = FormulaView(model)
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    model.step()
    model.set_selection(Selection(2, 0))  # the neuron's own equations follow below the phase's
    model.step()
    layout = view.document().documentLayout()

    def step_to_forward_2() -> tuple[bool, bool]:
        """Whether the heading and the result of the first equation are in view, after stepping to it."""
        model.step_back()
        model.step()  # (a step scrolls to the phase: the selection changed before it)
        assert model.stepper.current.label == "Forward 2"
        heading, *_ = view.piece_blocks(0)
        *_, result = view.piece_blocks(1)
        assert result.text().strip().startswith("=") and "0." in result.text()
        top, height = view.verticalScrollBar().value(), view.viewport().height()
        return tuple(
            layout.blockBoundingRect(block).top() >= top and layout.blockBoundingRect(block).bottom() <= top + height
            for block in (heading, result)
        )

    step_to_forward_2()
    heading, *_ = view.piece_blocks(0)
    *_, result = view.piece_blocks(1)
    needed = layout.blockBoundingRect(result).bottom() - layout.blockBoundingRect(heading).top()
    for height, shown in ((needed + 30, (True, True)), (needed - 10, (False, True))):
        frame = view.height() - view.viewport().height()
        view.resize(700, round(height) + frame)
        qtbot.waitUntil(lambda h=height: view.viewport().height() == round(h))
        assert step_to_forward_2() == shown  # both when they fit, else the result (the heading gives way)
    assert view.verticalScrollBar().value() > 0
