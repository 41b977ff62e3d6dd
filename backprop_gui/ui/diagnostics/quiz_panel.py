"""The quiz panel: predict the selected value of the next phase, press Enter, then see it revealed.

The step key (F10) asks before it reveals: the first press says "Enter answers, F10 again
skips", the second skips the question, counted in the score (``core.quiz.QuizFlow``). The
right-or-wrong box stays under the revealed phase and is cleared when the stepper moves on.

The panel asks ``core.quiz.questions_for`` what to ask, grades with ``core.quiz.grade`` against
``core.quiz.expected`` (the stepper's record, read only once an answer is in), and then calls
the model's ``step`` so the stepper reveals the phase — with the formula and its numbers in
the formula panel. Right and wrong are said in words and marked ✓ / ✗ as well as coloured.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from backprop_gui.core.debugger_state import Event, Field, Selection
from backprop_gui.core.formatting import format_number
from backprop_gui.core.quiz import (
    QUANTITY_NAMES,
    QUIZ_QUANTITIES,
    Grade,
    Question,
    QuizFlow,
    QuizSettings,
    Score,
    StepRequest,
    expected,
    grade,
    hint_equation,
    parse_number,
    questions_for,
)
from backprop_gui.ui.common.rich_text import tokens_html
from backprop_gui.ui.common.session_model import SessionModel

RIGHT_STYLE = "QLabel { background: #dff3df; color: #14541b; border-left: 6px solid #2e8b3a; padding: 6px; }"
WRONG_STYLE = "QLabel { background: #fbe3e1; color: #7a1810; border-left: 6px solid #c0392b; padding: 6px; }"
ERROR_STYLE = "QLabel { color: #9a5b00; padding: 6px; }"
ASK_STYLE = "QLabel { border-left: 6px solid palette(highlight); padding: 6px; }"
# What the questions depend on: the pass, the selection, quiz mode and its settings.
ASKED_ABOUT = (Field.PASS, Field.NETWORK, Field.SESSION, Field.SELECTION, Field.QUIZ_MODE, Field.QUIZ_SETTINGS)


class QuizPanel(QWidget):
    """Asks for predictions while ``active``; ``graded`` is emitted with each judged answer."""

    graded = Signal(object)  # core.quiz.Grade
    revealed = Signal()  # an answer or a skip completed the phase: its values are to be shown in full

    def __init__(self, model: SessionModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.score = Score()
        self.questions: list[Question] = []
        self.asked = 0  # questions of this phase already answered
        self.flow = QuizFlow()
        self._feedback_at: int | None = None  # the stepper position the feedback box speaks about
        self._revealing = False

        self.question = QLabel()
        self.question.setTextFormat(Qt.TextFormat.RichText)
        self.question.setWordWrap(True)
        font = self.question.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.question.setFont(font)
        self.answer = QLineEdit()
        self.answer.setPlaceholderText("your prediction, e.g. −0.25 or 1e-3")
        self.answer.setClearButtonEnabled(True)
        self.answer.returnPressed.connect(self.submit)
        self.check_button = QPushButton("Check")
        self.check_button.setDefault(True)
        self.check_button.clicked.connect(self.submit)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.TextFormat.RichText)
        self.feedback.hide()
        self.hint_button = QPushButton("Hint")
        self.hint_button.setToolTip("Show the general formula of this value (no numbers)")
        self.hint_button.clicked.connect(self.show_hint)
        self.reveal_button = QPushButton("Skip")
        self.reveal_button.setToolTip("Skip this question (counted as not right) and step on")
        self.reveal_button.clicked.connect(self._skip_or_step)
        self.settings_button = QPushButton("Settings…")
        self.settings_button.setToolTip("Which values the quiz asks about, and how close an answer must be")
        self.settings_button.clicked.connect(self.edit_settings)
        self.hint = QLabel()
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("QLabel { border: 1px solid palette(mid); padding: 6px; }")
        self.hint.hide()
        self.score_label = QLabel(self.score.text)
        self.rule = QLabel()
        self.rule.setWordWrap(True)
        self.rule.setStyleSheet("QLabel { color: palette(placeholder-text); }")

        entry = QHBoxLayout()
        entry.addWidget(self.answer, 1)
        entry.addWidget(self.check_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint_button)
        buttons.addWidget(self.reveal_button)
        buttons.addStretch(1)
        buttons.addWidget(self.settings_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addLayout(entry)
        layout.addWidget(self.rule)
        layout.addWidget(self.feedback)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        layout.addWidget(self.score_label)
        layout.addStretch(1)
        model.changed.connect(self._model_changed)
        self.refresh()

    # --- the questions -----------------------------------------------------------

    @property
    def current(self) -> Question | None:
        return self.questions[self.asked] if self.asked < len(self.questions) else None

    @property
    def active(self) -> bool:
        """Whether quiz mode is on (the model's): the panel asks questions, else it stands still."""
        return self.model.state.quiz_mode

    def set_active(self, active: bool) -> None:
        self.model.state.set_quiz_mode(active)

    @property
    def settings(self) -> QuizSettings:
        """What the quiz asks about, and how close an answer must be (the model's)."""
        return self.model.state.quiz_settings

    def set_settings(self, settings: QuizSettings) -> None:
        self.model.state.set_quiz_settings(settings)

    def refresh(self) -> None:
        """Ask about the next phase (keeping progress when the questions are the same)."""
        stepper = self.model.stepper
        selection = self.model.selection
        target = (selection.layer, selection.j, selection.k) if selection else None
        questions = questions_for(stepper, self.settings, target) if self.active else []
        if questions != self.questions:
            self.questions, self.asked = questions, 0
            self.hint.hide()
            self.flow.settled()
        if self._feedback_at != stepper.position:
            self.feedback.hide()
        self.rule.setText(f"An answer counts as right {self.settings.describe()}.")
        question = self.current
        self.answer.setEnabled(question is not None)
        self.check_button.setEnabled(question is not None)
        self.hint_button.setEnabled(question is not None)
        if question is None:
            self.question.setText(html.escape(self._nothing_to_ask()))
            self.reveal_button.setText("Next pass" if stepper.at_end else "Step")
            return
        self.reveal_button.setText("Skip")
        step = stepper.phases[question.phase_index]
        eq = hint_equation(stepper, question)
        after = " after the update" if eq.relation == "←" else ""
        self.question.setText(f"{html.escape(step.label)}: predict {tokens_html(eq.lhs, 4)}{after} =")
        if not self._revealing and self._feedback_at != stepper.position:
            self._select(question)  # kept on the answered value while its numbers are shown
        if self.isVisible():
            self.answer.setFocus()

    def _nothing_to_ask(self) -> str:
        stepper = self.model.stepper
        if not self.active:
            return "Quiz mode is off."
        if stepper.at_end:
            return "This pass is complete. Step on to start the next sample's pass."
        names = ", ".join(QUANTITY_NAMES[q] for q in self.settings.quantities) or "nothing"
        upcoming = stepper.next_phase.label if stepper.next_phase is not None else "this phase"
        return f"Nothing to predict in {upcoming} (the quiz asks about: {names}). Step on."

    def _select(self, question: Question) -> None:
        layer, j, k = question.target
        selection = Selection(layer, j, k)
        if self.model.selection != selection:
            self.model.set_selection(selection)

    # --- answering ---------------------------------------------------------------

    def submit(self) -> Grade | None:
        """Grade the typed answer; after the phase's last question, reveal the phase."""
        question = self.current
        if question is None:
            return None
        try:
            answer = parse_number(self.answer.text())
        except ValueError as error:
            self._say(html.escape(f"⚠ {error}"), ERROR_STYLE)
            return None
        stepper = self.model.stepper
        result = grade(answer, expected(stepper, question), self.settings, self.model.precision)
        self.score.add(result)
        self.score_label.setText(self.score.text)
        eq = hint_equation(stepper, question)
        name = tokens_html(eq.lhs, 4) + (" after the update" if eq.relation == "←" else "")
        text = html.escape(("✓ " if result.correct else "✗ ") + result.message("\0")).replace("\0", name)
        self.answer.clear()
        self._next_question()
        self._say(text, RIGHT_STYLE if result.correct else WRONG_STYLE)
        self.graded.emit(result)
        return result

    def step_pressed(self) -> None:
        """The step key: steps when nothing is asked; else asks first, and skips on a second press."""
        request = self.flow.step_pressed(asking=self.current is not None)
        if request is StepRequest.STEP:
            self.model.step()
        elif request is StepRequest.CONFIRM:
            if self.current is not None:
                self._select(self.current)
            self._say(
                "Press <b>Enter</b> to check your answer, or <b>F10</b> again to skip this question "
                "(a skip counts as not right).",
                ASK_STYLE,
            )
            if self.isVisible():
                self.answer.setFocus()
        else:
            self.skip()

    def skip(self) -> None:
        """Skip the current question: counted in the score as not right; the value is then revealed."""
        if self.current is None:
            return
        self.score.skip()
        self.score_label.setText(self.score.text)
        self.answer.clear()
        self._next_question()
        self._say("Skipped: the value is now in the formula panel.", ASK_STYLE)

    def _skip_or_step(self) -> None:
        if self.current is None:
            self.model.step()
        else:
            self.skip()

    def _next_question(self) -> None:
        """On to the phase's next question; after its last, reveal the phase (formula with numbers)."""
        self.asked += 1
        self.flow.settled()
        if self.current is None:
            self._revealing = True
            try:
                self.model.step()
            finally:
                self._revealing = False
            self.revealed.emit()
        else:
            self.refresh()

    def _say(self, text: str, style: str) -> None:
        """Show ``text`` in the feedback box until the stepper moves on from where it is now."""
        self.feedback.setText(text)
        self.feedback.setStyleSheet(style)
        self.feedback.show()
        self._feedback_at = self.model.stepper.position

    def show_hint(self) -> None:
        """The general formula of the current question, in letters (no numbers of this pass)."""
        question = self.current
        if question is None:
            return
        eq = hint_equation(self.model.stepper, question)
        lines = [
            f"<b>Hint</b> — {html.escape(eq.title.lower())}:",
            tokens_html(eq.definition, 4),
            f"here: {tokens_html(eq.lhs, 4)} {html.escape(eq.relation)} {tokens_html(eq.general, 4)}",
        ]
        if eq.relation == "←":
            lines.append(f"with η = {html.escape(format_number(self.model.stepper.learning_rate, 6))}")
        elif eq.note:
            lines.append(html.escape(eq.note))
        self.hint.setText("<br>".join(lines))
        self.hint.show()

    # --- settings ----------------------------------------------------------------

    def edit_settings(self) -> None:
        dialog = QuizSettingsDialog(self.settings, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_settings(dialog.result_settings())

    def _model_changed(self, event: Event) -> None:
        if event.field == Field.SESSION:
            self.score = Score()
            self.score_label.setText(self.score.text)
            self.feedback.hide()
        if event.field == Field.QUIZ_SETTINGS:
            self.questions = []
        if event.field in ASKED_ABOUT:
            self.refresh()


class QuizSettingsDialog(QDialog):
    """Choose the quantities asked about and the tolerance; OK stays off while a value is invalid."""

    def __init__(self, settings: QuizSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Quiz settings")
        self.original = settings
        self.checks: dict[str, QCheckBox] = {}
        quantities = QGroupBox("Ask about")
        grid = QVBoxLayout(quantities)
        for q in QUIZ_QUANTITIES:
            box = QCheckBox(QUANTITY_NAMES[q])
            box.setChecked(q in settings.quantities)
            box.toggled.connect(self._validate)
            grid.addWidget(box)
            self.checks[str(q)] = box

        tolerance = QGroupBox("An answer is right when it is")
        form = QFormLayout(tolerance)
        self.modes = QButtonGroup(self)
        texts = {
            "precision": "within one unit of the last digit shown",
            "absolute": "within an absolute distance of",
            "relative": "within a relative distance (fraction of the value) of",
        }
        self.mode_buttons: dict[str, QRadioButton] = {}
        for mode, text in texts.items():
            button = QRadioButton(text)
            button.setChecked(settings.tolerance_mode == mode)
            button.toggled.connect(self._validate)
            self.modes.addButton(button)
            self.mode_buttons[mode] = button
            form.addRow(button)
        self.tolerance = QLineEdit(format_number(settings.tolerance, 6).replace("−", "-"))
        self.tolerance.textChanged.connect(self._validate)
        form.addRow("Distance:", self.tolerance)

        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        columns = QHBoxLayout()
        columns.addWidget(quantities)
        columns.addWidget(tolerance, 1)
        layout.addLayout(columns)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._validate()

    def _mode(self) -> str:
        return next(mode for mode, button in self.mode_buttons.items() if button.isChecked())

    def _validate(self) -> None:
        problem = ""
        self.tolerance.setEnabled(self._mode() != "precision")
        if not any(box.isChecked() for box in self.checks.values()):
            problem = "Choose at least one value to ask about."
        elif self._mode() != "precision":
            try:
                if parse_number(self.tolerance.text()) <= 0:
                    problem = "Distance: must be a positive number."
            except ValueError as error:
                problem = f"Distance: {error}"
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def result_settings(self) -> QuizSettings:
        """The settings as chosen (call after the dialog was accepted)."""
        mode = self._mode()
        try:
            tolerance = parse_number(self.tolerance.text())
        except ValueError:
            tolerance = self.original.tolerance  # unused in "precision" mode, kept for a later switch
        if tolerance <= 0:
            tolerance = self.original.tolerance
        quantities = [q for q in QUIZ_QUANTITIES if self.checks[str(q)].isChecked()]
        return QuizSettings(quantities, mode, tolerance)
