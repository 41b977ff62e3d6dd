"""Self-study quiz: predict a value of the next phase before the stepper reveals it.

``questions_for`` picks, for the stepper's next phase, the quantities of the selected neuron
or edge that the settings ask about and that are not known yet (z, a before Forward l; C
before Loss; δ, ∂C/∂b or ∂C/∂w before Backward l; the updated w or b before Update).
``expected`` reads the answer from the stepper's record — used only to grade, never shown
before the student has answered. ``grade`` judges a typed answer: right when it shows the
same at the displayed precision, or is within the tolerance.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from backprop_gui.core import formulas
from backprop_gui.core.formatting import format_number
from backprop_gui.core.stepper import Phase, Quantity, Stepper

QUIZ_QUANTITIES: tuple[Quantity, ...] = (
    Quantity.WEIGHTED_INPUT,
    Quantity.ACTIVATION,
    Quantity.LOSS,
    Quantity.DELTA,
    Quantity.GRAD_WEIGHTS,
    Quantity.GRAD_BIASES,
    Quantity.NEW_WEIGHTS,
    Quantity.NEW_BIASES,
)
QUANTITY_NAMES = {
    Quantity.WEIGHTED_INPUT: "weighted input z",
    Quantity.ACTIVATION: "activation a",
    Quantity.LOSS: "loss C",
    Quantity.DELTA: "error δ",
    Quantity.GRAD_WEIGHTS: "weight gradient ∂C/∂w",
    Quantity.GRAD_BIASES: "bias gradient ∂C/∂b",
    Quantity.NEW_WEIGHTS: "updated weight w",
    Quantity.NEW_BIASES: "updated bias b",
}
TOLERANCE_MODES = ("precision", "absolute", "relative")

Target = tuple[int, int, int | None]  # (layer, j, k): a neuron (k None) or the edge w_jk^layer, 0-based j, k
_Asked = tuple[Quantity, int, int, int | None]  # (quantity, layer, j, k) of a question to ask


@dataclass
class QuizSettings:
    """Which quantities to ask about, and how close an answer must be.

    ``tolerance_mode`` "precision": within one unit of the last digit shown at the display
    precision; "absolute": |answer − value| ≤ ``tolerance``; "relative": ≤ ``tolerance`` · |value|.
    An answer that shows the same as the value at the display precision is always right.
    """

    quantities: list[Quantity] = field(default_factory=lambda: list(QUIZ_QUANTITIES))
    tolerance_mode: str = "precision"
    tolerance: float = 0.01

    def to_dict(self) -> dict[str, Any]:
        return {
            "quantities": [str(q) for q in self.quantities],
            "tolerance_mode": self.tolerance_mode,
            "tolerance": self.tolerance,
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "quiz") -> QuizSettings:
        """Settings from ``to_dict``'s form; missing entries take defaults. ValueError names the bad entry."""
        if not isinstance(data, dict):
            raise ValueError(f"{where}: must be an object, got {type(data).__name__}")
        known = {"quantities", "tolerance_mode", "tolerance"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"{where}.{unknown[0]}: unknown entry (known: {', '.join(sorted(known))})")
        settings = cls()
        names = data.get("quantities", settings.to_dict()["quantities"])
        valid = [str(q) for q in QUIZ_QUANTITIES]
        if not isinstance(names, list):
            raise ValueError(f"{where}.quantities: must be a list of names ({', '.join(valid)})")
        for name in names:
            if name not in valid:
                raise ValueError(f"{where}.quantities: unknown quantity {name!r} (known: {', '.join(valid)})")
        settings.quantities = [q for q in QUIZ_QUANTITIES if str(q) in names]
        mode = data.get("tolerance_mode", settings.tolerance_mode)
        if mode not in TOLERANCE_MODES:
            raise ValueError(f"{where}.tolerance_mode: must be one of {', '.join(TOLERANCE_MODES)}, got {mode!r}")
        settings.tolerance_mode = mode
        tolerance = data.get("tolerance", settings.tolerance)
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not 0 < tolerance < math.inf:
            raise ValueError(f"{where}.tolerance: must be a positive number, got {tolerance!r}")
        settings.tolerance = float(tolerance)
        return settings

    def describe(self) -> str:
        """The tolerance in words, for the quiz panel."""
        if self.tolerance_mode == "absolute":
            return f"within ±{format_number(self.tolerance, 3)}"
        if self.tolerance_mode == "relative":
            return f"within {format_number(self.tolerance * 100, 3)} % of the value"
        return "within one unit of the last digit shown"


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", re.IGNORECASE)


def parse_number(text: str) -> float:
    """A number as people type it: "−0.5", "-0.5", "0,5", "1e-3", "1.5×10^−3". ValueError says what is wrong."""
    s = re.sub(r"\s", "", text).replace("−", "-").replace("–", "-")
    s = re.sub(r"[×x*·]10\^", "e", s)
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    if not s:
        raise ValueError("type a number first, e.g. 0.25, −1.5 or 1e-3")
    if not _NUMBER.fullmatch(s):
        raise ValueError(f"“{text.strip()}” is not a number: type e.g. 0.25, −1.5, 0,5 or 1e-3")
    value = float(s)
    if not math.isfinite(value):
        raise ValueError(f"“{text.strip()}” is too large: type a finite number")
    return value


@dataclass(frozen=True)
class Question:
    """One value to predict: ``quantity`` of neuron ``j`` (or edge w_jk) of ``layer``, computed by
    ``stepper.phases[phase_index]``. ``layer`` is L for the loss C; j, k are 0-based."""

    quantity: Quantity
    layer: int
    j: int
    k: int | None
    phase_index: int

    @property
    def label(self) -> str:
        """The value's name in the course notation: z_1^2, ∂C/∂w_12^2, C, w_12^2 (updated)."""
        q, l = self.quantity, self.layer
        if q is Quantity.LOSS:
            return "C"
        if q in (Quantity.GRAD_WEIGHTS, Quantity.NEW_WEIGHTS):
            name = f"w_{formulas.index(self.j, self.k or 0)}^{l}"
        else:
            letter = {Quantity.WEIGHTED_INPUT: "z", Quantity.ACTIVATION: "a", Quantity.DELTA: "δ"}.get(q, "b")
            name = f"{letter}_{formulas.index(self.j)}^{l}"
        if q in (Quantity.GRAD_WEIGHTS, Quantity.GRAD_BIASES):
            return f"∂C/∂{name}"
        if q in (Quantity.NEW_WEIGHTS, Quantity.NEW_BIASES):
            return f"{name} after the update"
        return name

    @property
    def target(self) -> Target:
        """The neuron or edge the question is about, as (layer, j, k)."""
        if self.quantity is Quantity.LOSS:
            return (self.layer, self.j, None)
        return (self.layer, self.j, self.k)


def questions_for(stepper: Stepper, settings: QuizSettings, target: Target | None) -> list[Question]:
    """The questions about ``target`` (the selection) for the stepper's next phase, in order.

    When ``target`` is not in the phase's layer, neuron 1 of that layer is asked about (for
    Update, w_11^L). The selected kind of value comes first (an edge's ∂C/∂w, a neuron's δ
    and ∂C/∂b); when the settings exclude it, the other kind is asked instead. Values already
    known (stepped into) are left out; at the end of a pass there is nothing to ask.
    """
    step = stepper.next_phase
    if step is None:
        return []
    network = stepper.network
    index = stepper.position
    layer, j, k = target if target is not None else (-1, 0, None)
    groups: list[list[_Asked]]  # in the order to ask
    if step.phase is Phase.LOSS:
        groups = [[(Quantity.LOSS, network.depth, 0, None)]]
    elif step.phase is Phase.UPDATE:
        if layer < 1:
            layer, j, k = network.depth, 0, 0
        weight: list[_Asked] = [(Quantity.NEW_WEIGHTS, layer, j, k or 0)]
        bias: list[_Asked] = [(Quantity.NEW_BIASES, layer, j, None)]
        groups = [weight, bias] if k is not None else [bias, weight]
    else:
        if layer != step.layer:
            j, k = 0, None
        l = step.layer
        if step.phase is Phase.FORWARD:
            groups = [[(Quantity.WEIGHTED_INPUT, l, j, None), (Quantity.ACTIVATION, l, j, None)]]
        else:
            edge: list[_Asked] = [(Quantity.GRAD_WEIGHTS, l, j, k or 0)]
            neuron: list[_Asked] = [(Quantity.DELTA, l, j, None), (Quantity.GRAD_BIASES, l, j, None)]
            groups = [edge, neuron] if k is not None else [neuron, edge]
    for group in groups:
        asked = [Question(q, l, jj, kk, index) for q, l, jj, kk in group if _askable(stepper, settings, q, l, jj)]
        if asked:
            return asked
    return []


def _askable(stepper: Stepper, settings: QuizSettings, q: Quantity, layer: int, j: int) -> bool:
    if q not in settings.quantities:
        return False
    if q in (Quantity.GRAD_BIASES, Quantity.NEW_BIASES) and not stepper.network.layer(layer).has_bias:
        return False
    known = stepper.known(q, layer)
    return not known[0 if q is Quantity.LOSS else j]


def expected(stepper: Stepper, question: Question) -> float:
    """The true value of ``question`` (sample 1 of the pass), from the stepper's record — for grading only."""
    record, q, l, j = stepper.record, question.quantity, question.layer, question.j
    if q is Quantity.LOSS:
        return float(record.losses[0])
    if q in (Quantity.NEW_WEIGHTS, Quantity.NEW_BIASES):
        weights, biases = stepper.update.weights, stepper.update.biases
        return float(weights[l][j, question.k or 0] if q is Quantity.NEW_WEIGHTS else biases[l][j])
    if q is Quantity.GRAD_WEIGHTS:
        return float(record.grad_w[l][j, question.k or 0])
    if q is Quantity.GRAD_BIASES:
        return float(record.grad_b[l][j])
    arrays = {Quantity.WEIGHTED_INPUT: record.z, Quantity.ACTIVATION: record.a, Quantity.DELTA: record.delta}
    return float(arrays[q][l][j, 0])


@dataclass(frozen=True)
class Grade:
    """A judged answer: ``correct``, the ``answer`` typed, the ``value`` it should be, shown at ``digits``."""

    correct: bool
    answer: float
    value: float
    digits: int
    rule: str

    def message(self, label: str) -> str:
        """Right or wrong in words, with the value: "Right: z_1^2 = 0.3775" or "Wrong: you said 0.5, but …"."""
        shown = format_number(self.value, self.digits)
        if self.correct:
            return f"Right: {label} = {shown}"
        off = format_number(abs(self.answer - self.value), 3)
        said = format_number(self.answer, self.digits + 2)
        return f"Wrong: you said {said}, but {label} = {shown} (off by {off}; an answer counts {self.rule})"


def last_digit_unit(value: float, digits: int) -> float:
    """One unit of the last of ``digits`` significant digits of ``value`` (10^−digits for 0)."""
    if value == 0 or not math.isfinite(value):
        return 10.0**-digits
    return 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1)


def grade(answer: float, value: float, settings: QuizSettings, digits: int) -> Grade:
    """Judge ``answer`` against the true ``value`` at the display precision ``digits``."""
    error = abs(answer - value)
    if settings.tolerance_mode == "absolute":
        allowed = settings.tolerance
    elif settings.tolerance_mode == "relative":
        allowed = settings.tolerance * abs(value)
    else:
        allowed = last_digit_unit(value, digits)
    same = format_number(answer, digits) == format_number(value, digits)
    return Grade(same or error <= allowed * (1 + 1e-9), answer, value, digits, settings.describe())


def hint_equation(stepper: Stepper, question: Question) -> formulas.Equation:
    """The equation that computes ``question``; show only its ``definition``, ``lhs`` and ``general``
    (letters), never its ``numbers`` or ``result``."""
    layer, j, k = question.target
    return next(eq for eq in formulas.equations(stepper, layer, j, k) if eq.quantity is question.quantity)


def hint(stepper: Stepper, question: Question) -> str:
    """The general formula of ``question`` as plain text — letters only, never a number of this pass."""
    eq = hint_equation(stepper, question)
    lines = [
        formulas.to_text(eq.definition),
        f"here: {formulas.to_text(eq.lhs)} {eq.relation} {formulas.to_text(eq.general)}",
    ]
    if question.quantity in (Quantity.NEW_WEIGHTS, Quantity.NEW_BIASES):
        lines.append(f"with the learning rate η = {format_number(stepper.learning_rate, 6)}")
    elif eq.note:
        lines.append(eq.note)
    return "\n".join(lines)


@dataclass
class Score:
    """Answers graded, and questions skipped, so far in this session; a skip counts as not right."""

    right: int = 0
    asked: int = 0  # answered, right or wrong
    skipped: int = 0

    def add(self, result: Grade) -> None:
        self.asked += 1
        self.right += result.correct

    def skip(self) -> None:
        self.skipped += 1

    @property
    def text(self) -> str:
        total = self.asked + self.skipped
        if not total:
            return "Score: no answers yet"
        text = f"Score: {self.right} of {total} right ({round(100 * self.right / total)} %)"
        return text + (f", {self.skipped} skipped" if self.skipped else "")


class StepRequest(StrEnum):
    """What a step key (F10) does while the quiz may be asking."""

    STEP = "step"  # nothing asked: step as usual
    CONFIRM = "confirm"  # a question is open: ask whether to answer (Enter) or skip (F10 again)
    SKIP = "skip"  # the second F10: skip the question, counted in the score, and step


@dataclass
class QuizFlow:
    """The quiz's answer-or-skip dialogue: F10 asks before it reveals, Enter answers, a second
    F10 skips. ``confirming`` is True between the first F10 and the answer or the skip."""

    confirming: bool = False

    def step_pressed(self, asking: bool) -> StepRequest:
        """The step key was pressed; ``asking``: a question is open and unanswered."""
        if not asking:
            self.confirming = False
            return StepRequest.STEP
        if self.confirming:
            self.confirming = False
            return StepRequest.SKIP
        self.confirming = True
        return StepRequest.CONFIRM

    def settled(self) -> None:
        """The question was answered, or another one asked: the next F10 asks again."""
        self.confirming = False
