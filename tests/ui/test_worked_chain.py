"""The Worked Solution and Chain Rule docks: the pass so far as the export writes it, lines that
select, numbers on request, and the chain rule's paths with the path under the mouse named."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor

from backprop_gui.core import worked
from backprop_gui.core.debugger_state import Selection
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import Session
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.stepping.chain_view import ChainRuleView
from backprop_gui.ui.stepping.formula_view import FormulaView
from backprop_gui.ui.stepping.worked_view import WorkedSolutionView

_TEX = [
    (r"\frac{\partial C}{\partial ", "∂C/∂"),
    (r"\tfrac{1}{2}", "½"),
    (")^{2}", ")²"),
    (r"\times", "×"),
    (r"\cdot", "·"),
    (r"\sigma", "σ"),
    (r"\delta", "δ"),
    (r"\eta", "η"),
    (r"\sum", "Σ"),
    (r"\dots", "…"),
    (r"\leftarrow", "←"),
    (r"\log", "log"),
    (r"\exp", "exp"),
    (r"\tanh", "tanh"),
    (r"\max", "max"),
    ("f'", "f′"),
    ("-", "−"),
]


def _plain_markdown(line: str) -> str:
    """A line of the Markdown export with its markup taken off: its TeX in the window's symbols."""
    parts = line.removeprefix("- ").split("$")
    for i in range(1, len(parts), 2):  # the maths between "$" signs
        maths = re.sub(r"(\d) \\times 10\^\{(-?\d+)\}", r"\1e\2", parts[i])
        maths = re.sub(r"\\operatorname\{(\w+)\}", r"\1", maths)
        for tex, plain in _TEX:
            maths = maths.replace(tex, plain)
        parts[i] = maths
    return _plain("".join(parts).replace("*", "").replace("\\", "").replace("{", "").replace("}", ""))


def _plain(text: str) -> str:
    return re.sub(r"[_^\s]", "", text)


def markdown_pass(text: str) -> list[str]:
    """The phases of a Markdown export from the first phase heading on, without the general forms."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("## ") and line != "## Given")
    return [
        _plain_markdown(line.removeprefix("## "))
        for line in lines[start:]
        if line.strip() and not line.startswith("General form:")
    ]


def dock_pass(view: WorkedSolutionView) -> list[str]:
    """The dock's text in the same form: from the first phase heading on, without the general forms."""
    lines = [line for line in view.toPlainText().splitlines() if line.strip()]
    titles = {section.title for section in view.solution().sections}
    start = next(i for i, line in enumerate(lines) if line in titles)
    return [_plain(line) for line in lines[start:] if not line.startswith("General form:")]


@pytest.fixture
def docks(qtbot):
    def make(session: Session) -> tuple[SessionModel, WorkedSolutionView, ChainRuleView, FormulaView]:
        model = SessionModel(session)
        formula = FormulaView(model)
        view, chain = WorkedSolutionView(model, formula), ChainRuleView(model, formula)
        for widget in (formula, view, chain):
            qtbot.addWidget(widget)
            widget.resize(900, 500)
            widget.show()
        return model, view, chain, formula

    return make


@pytest.mark.parametrize("name", ["course_simple", "xor", "blobs_softmax"])
def test_after_every_step_forward_and_back_the_dock_says_what_the_export_says(docks, name):
    model, view, _, _ = docks(load_example(name))
    assert "Nothing computed yet" in view.toPlainText()
    positions = []
    while not model.stepper.at_end:
        model.step_into()
        export = worked.worked_solution_markdown(model.stepper, so_far=True, widest=worked.WIDE)
        assert dock_pass(view) == markdown_pass(export)
        positions.append(dock_pass(view))
    assert len(set(map(len, positions))) == len(positions)  # it grew at every step
    for expected in reversed(positions[:-1]):
        model.step_back()
        assert dock_pass(view) == expected


def test_the_worked_solution_written_section_by_section_is_the_page_written_whole(docks):
    from PySide6.QtGui import QTextDocument

    model, view, _, formula = docks(load_example("xor"))

    def whole() -> str:
        document = QTextDocument()
        document.setDefaultFont(view.document().defaultFont())
        document.setDefaultStyleSheet(view.document().defaultStyleSheet())
        document.setDocumentMargin(view.document().documentMargin())
        document.setHtml(view.page_html())
        return document.toHtml()

    moves = [model.step_into] * 6 + [model.step] * 4 + [model.step_back] * 5 + [model.step] * 3
    moves += [lambda: model.set_selection(Selection(1, 1)), lambda: model.set_precision(6), formula.reveal]
    moves += [lambda: model.set_selection(Selection(2, 0, 1)), lambda: formula.set_ask_first(True)]
    moves += [model.next_sample, model.step, model.step, model.step_back, lambda: model.set_selection(None)]
    for move in moves:
        move()
        assert view.document().toHtml() == whole()


def test_the_no_bias_note_is_in_course_notation_in_the_dock_and_the_exports(docks):
    model, view, _, _ = docks(load_example("course_simple"))  # layer 1 has no bias
    while not model.stepper.at_end:
        model.step()
    text = view.toPlainText()
    assert "Layer 1 has no bias: b1 = 0 is not learned" in text  # b with a real superscript 1
    assert "^" not in text
    block = view.document().find("has no bias").block()
    fragments = []
    it = block.begin()
    while not it.atEnd():
        fragments.append((it.fragment().text(), it.fragment().charFormat().verticalAlignment()))
        it += 1
    assert ("1", QTextCharFormat.VerticalAlignment.AlignSuperScript) in fragments  # the 1 of b¹
    markdown = worked.worked_solution_markdown(model.stepper)
    assert "*Layer 1 has no bias: $b^{1} = 0$ is not learned, so it has no ∂C/∂b.*" in markdown
    latex = worked.worked_solution_latex(model.stepper)
    assert r"\emph{Layer 1 has no bias: $b^{1} = 0$ is not learned" in latex


def highlighted(view: WorkedSolutionView) -> list[str]:
    """The paragraphs of the page under the newest lines' background, as ``_plain`` text."""
    span, layout = view.newest_span(), view.document().documentLayout()
    found, block = [], view.document().begin()
    while block.isValid() and span is not None:
        if span.contains(layout.blockBoundingRect(block).center()):
            found.append(_plain(block.text().replace("\u00a0", " ")))
        block = block.next()
    return found


def test_stepping_moves_the_highlight_to_the_newest_lines_and_back(docks):
    model, view, _, formula = docks(load_example("xor"))
    moves = [model.step] * 7 + [model.step_back] * 3 + [model.step_into, model.step_back, model.step] * 2
    shown = []
    for move in moves:
        move()
        newest = [line for section in view.solution().sections for line in section.lines
                  if section.step == model.stepper.current]  # fmt: skip
        assert highlighted(view) == [_plain(line.text(model.precision)) for line in newest]
        shown.append(len(newest))
    assert shown[6] == 0 and all(shown[:6]) and all(shown[7:])  # none at the start of the next pass
    model.step_back()
    formula.set_ask_first(True)
    model.step()
    assert highlighted(view) and all(line.endswith("?") for line in highlighted(view))
    formula.reveal()
    assert highlighted(view) and not any(line.endswith("?") for line in highlighted(view))


def test_a_narrower_dock_keeps_the_newest_lines_in_view(docks, qtbot):
    """The page rewraps to a narrower dock and grows: the newest lines had slid down out of view."""
    model, view, _, _ = docks(load_example("blobs_softmax"))
    view.resize(900, 160)
    for _ in range(model.stepper.network.depth + 2):  # through Backward L
        model.step()
    view.resize(380, 160)  # the Chain Rule dock shown beside it, or the window made smaller
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: round(view.newest_span().top()) == bar.value())
    assert bar.value() > 0


def test_the_newest_lines_are_highlighted_and_in_view_and_a_click_selects(docks, qtbot):
    model, view, _, _ = docks(load_example("blobs_softmax"))
    view.resize(700, 160)
    for _ in range(model.stepper.network.depth + 2):  # through Backward L
        model.step()
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() > 0  # scrolled down to the newest lines
    newest = [line for title, line in view.lines() if title == "Backward 2"]
    assert newest and highlighted(view) == [_plain(line.text(model.precision)) for line in newest]
    span = view.newest_span()
    assert span is not None and round(span.top()) == bar.value()  # the first newest line at the top
    image = view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    right = round((span.right() - view.horizontalScrollBar().value() - 3) * ratio)
    colour = QColor(view._style[2])
    assert image.pixelColor(right, round(2 * ratio)) == colour  # painted behind the newest lines
    bar.setValue(0)
    image = view.viewport().grab().toImage()
    assert image.pixelColor(right, round(2 * ratio)) != colour  # and only there: not behind "Given"
    bar.setValue(round(span.top()))
    shown = view.cursorForPosition(view.viewport().rect().center()).block().text()
    assert any(" ".join(shown.split()).startswith(t) for t in ("Output error", "Bias gradient", "Weight gradient"))
    line = newest[0]
    view.anchorClicked.emit(QUrl(f"select:{line.layer}:{line.j}:"))
    assert model.selection == Selection(line.layer, line.j)
    weight = next(line for line in newest if line.k is not None)
    view.anchorClicked.emit(QUrl(f"select:{weight.layer}:{weight.j}:{weight.k}"))
    assert model.selection == Selection(weight.layer, weight.j, weight.k)


def test_a_wide_layer_lists_the_selected_neuron_and_summarises_the_rest(docks):
    import numpy as np

    from backprop_gui.core.datasets import Dataset
    from backprop_gui.core.network import build_network
    from backprop_gui.core.training import TrainingSettings

    network = build_network(784, [64, 10], ["relu", "softmax"], loss="cross_entropy")
    data = Dataset(np.linspace(0, 1, 784)[None, :], np.eye(10)[:1])
    model, view, _, _ = docks(Session("mnist-like", network, data, TrainingSettings(learning_rate=0.1)))
    model.set_selection(Selection(1, 4))
    model.step()
    text = " ".join(view.toPlainText().split())
    assert "z51 = " in text and "… 63 more neurons of layer 1" in text and "z61 =" not in text


def test_numbers_on_request_hide_the_new_lines_numbers_until_revealed(docks):
    model, view, chain, formula = docks(load_example("course_simple"))
    formula.reveal_shortcut = "R"
    formula.set_ask_first(True)
    for _ in range(5):  # Backward 1
        model.step()
    text = view.toPlainText()
    assert "? (press R)" in text and "2.081" not in text
    assert "0.6936" not in chain.toPlainText() and "not revealed yet" in chain.toPlainText()
    formula.reveal()
    assert "2.081" in view.toPlainText() and "? (press R)" not in view.toPlainText()
    assert "0.6936" in chain.toPlainText()


def test_the_chain_rule_rows_factors_total_and_the_hovered_path(docks):
    model, _, chain, _ = docks(load_example("blobs_softmax"))
    model.set_selection(Selection(1, 0, 1))
    assert "Not known yet: it is computed in Backward 1" in chain.toPlainText()
    model.run_to_end()
    rule = chain.rule
    assert rule is not None and rule.path_count == 9 and len(rule.paths) == 8
    text = " ".join(chain.toPlainText().split())
    assert "the other path" in text and "9 paths" in text
    total = f"Sum over the paths = {model.format(rule.total)} backprop: ∂C/∂w121 = {model.format(rule.backprop)}"
    assert total in text and "they agree to the digits shown" in text and "Backprop never lists" in text
    hovered = []
    chain.pathHovered.connect(hovered.append)
    chain.highlighted.emit(QUrl("path:2"))
    chain.highlighted.emit(QUrl(""))
    assert hovered == [rule.paths[2], None] and rule.paths[2].edges()
    model.set_selection(Selection(0, 0))
    assert "Select an edge" in chain.toPlainText()


def test_the_line_on_how_backprop_factors_the_sum_writes_its_symbols_with_real_scripts(qtbot):
    """It read "starting from δ^2 = ∂C/∂a^2 ⊙ f′(z^2)", carets and all."""
    model = SessionModel(load_example("course_simple"))
    view = ChainRuleView(model)
    qtbot.addWidget(view)
    view.show()
    model.run_to_end()
    model.set_selection(Selection(1, 0, 0))
    text = view.toPlainText()
    assert "One path only" in text and "^" not in text
    at = text.index("δ2 = ∂C/∂a2 ⊙ f′(z2)")
    cursor = QTextCursor(view.document())
    for offset in (2, 11, 19):  # just after each 2: the 2 itself is raised
        cursor.setPosition(at + offset)
        assert cursor.charFormat().verticalAlignment() == QTextCharFormat.VerticalAlignment.AlignSuperScript
