"""The optimiser's equations with their numbers: formula tokens, worked solution and exports."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_gui.core import export, worked
from backprop_gui.core.formulas import Equation, Num, equation_text, equations
from backprop_gui.core.optimizers import OptimizerSettings, Regularization, Schedule, UpdateRule, penalty
from backprop_gui.core.presets import load_example
from backprop_gui.core.stepper import Quantity, Stepper


def stepped(rule: UpdateRule, passes: int = 2) -> Stepper:
    """xor's stepper at the Update of its third pass, by ``rule``."""
    session = load_example("xor")
    stepper = Stepper(session.network, session.data.inputs, session.data.targets, 0.5, rule=rule)
    for _ in range(passes):
        stepper.run_to_end()
        stepper.step()
    stepper.run_to_end()
    return stepper


def numbers(eq: Equation) -> list[float]:
    return [tok.value for tok in eq.numbers if isinstance(tok, Num)]


def by_title(eqs: list[Equation]) -> dict[str, Equation]:
    return {eq.title: eq for eq in eqs}


def test_adam_shows_every_equation_with_numbers_that_give_its_result() -> None:
    rule = UpdateRule(OptimizerSettings("adam"), Regularization("l2", 0.01), Schedule("step", 2, 0.5), 1.0)
    s = stepped(rule)
    eqs = by_title(equations(s, 2, 0, 1))
    assert list(eqs) == [
        "Weight gradient", "Regularised gradient", "Clipped gradient", "First moment", "Second moment",
        "Corrected first moment", "Corrected second moment", "Weight update (Adam)",
    ]  # fmt: skip
    g0, lam, w = numbers(eqs["Regularised gradient"])
    assert eqs["Regularised gradient"].result == g0 + lam * w and lam == 0.01
    assert w == s.weights_before(2)[0][0, 1]
    g, scale = numbers(eqs["Clipped gradient"])
    assert eqs["Clipped gradient"].result == g * scale
    g = eqs["Clipped gradient"].result
    b1, m_old, c1, g_shown = numbers(eqs["First moment"])
    assert (b1, c1, g_shown) == (0.9, 1 - 0.9, g)
    assert m_old == s.state_before.buffers["m"][s.update.layout.index(2, 0, 1)]
    assert eqs["First moment"].result == pytest.approx(b1 * m_old + c1 * g, rel=1e-15)
    m, correction = numbers(eqs["Corrected first moment"])
    assert correction == 1 - 0.9**3 and eqs["Corrected first moment"].result == m / correction
    update = eqs["Weight update (Adam)"]
    old, eta, m_hat, v_hat, eps = numbers(update)
    assert eta == 0.25 and "step schedule" in update.note  # η = 0.5 · 0.5^⌊2/2⌋
    assert update.result == s.network.layer(2).weights[0, 1]
    assert update.result == pytest.approx(old - eta * m_hat / (np.sqrt(v_hat) + eps), rel=1e-14)
    text = equation_text(eqs["First moment"])
    assert text.startswith("m_12^2 ← β_1 m_12^2 + (1 − β_1) ∂C/∂w_12^2 = 0.9 × ")


@pytest.mark.parametrize(
    ("optimizer", "titles"),
    [
        (OptimizerSettings("momentum"), ["Velocity", "Bias update (SGD with momentum)"]),
        (OptimizerSettings("rmsprop"), ["Mean square", "Bias update (RMSprop)"]),
        (OptimizerSettings("sgd"), ["Regularised gradient", "Bias update (SGD)"]),
    ],
)
def test_each_optimiser_lists_its_equations_for_a_bias(optimizer: OptimizerSettings, titles: list[str]) -> None:
    reg = Regularization("l1", 0.01, biases=optimizer.name == "sgd")
    s = stepped(UpdateRule(optimizer, reg))
    eqs = [eq for eq in equations(s, 2, 0) if eq.quantity is Quantity.NEW_BIASES]
    assert [eq.title for eq in eqs] == titles
    assert eqs[-1].result == s.network.layer(2).biases[0]
    s.reset_pass()  # before Update nothing of it is known
    assert all(eq.result is None and eq.pending == "computed in Update" for eq in equations(s, 2, 0)[-len(titles) :])


def test_plain_sgd_keeps_its_one_update_equation() -> None:
    s = stepped(UpdateRule())
    assert [eq.title for eq in equations(s, 2, 0, 1)] == ["Weight gradient", "Weight update"]


def test_the_loss_lists_c0_and_the_penalty() -> None:
    rule = UpdateRule(regularization=Regularization("l2", 0.1))
    s = stepped(rule)
    s.run_to(s.network.depth)  # at Loss
    before = s.network.copy()
    loss = [eq for eq in equations(s, 2, 0) if eq.quantity is Quantity.LOSS]
    assert [eq.title for eq in loss] == ["Loss (half squared error)", "Loss with L2 penalty"]
    c0, pen = numbers(loss[1])
    assert c0 == loss[0].result and pen == pytest.approx(penalty(before, rule.regularization), rel=1e-15)
    assert loss[1].result == c0 + pen
    assert equation_text(loss[1]).startswith("C = C₀ + (λ / 2) ‖w‖^2 = ")


def test_worked_solution_and_csv_carry_the_optimiser() -> None:
    s = stepped(UpdateRule(OptimizerSettings("adam"), Regularization("l2", 0.01)))
    markdown = worked.worked_solution_markdown(s)
    for text in ("First moment", "Corrected second moment", "Weight update (Adam)", "Loss with L2 penalty"):
        assert text in markdown
    assert "\\hat" in worked.worked_solution_latex(s) or "m̂" in worked.worked_solution_latex(s)
    rows = export.pass_values(export.full_pass(s))
    quantities = {row.quantity for row in rows}
    assert {"m of w", "v̂ of b", "g of w", "penalty", "C + penalty"} <= quantities
    new = [row.value for row in rows if row.quantity == "w" and row.phase == "Update"]
    assert new == [float(x) for l in (1, 2) for x in s.network.layer(l).weights.ravel()]


def test_the_quiz_asks_for_the_optimizers_moments_then_the_new_weight() -> None:
    from backprop_gui.core.quiz import QuizSettings, expected, hint, hint_equation, questions_for

    s = stepped(UpdateRule(OptimizerSettings("adam")))
    s.run_to(len(s.phases) - 2)  # before Update
    questions = questions_for(s, QuizSettings(), (2, 0, 1))
    assert [q.quantity for q in questions] == [Quantity.OPTIMIZER_M, Quantity.OPTIMIZER_V, Quantity.NEW_WEIGHTS]
    assert questions[0].label == "m_12^2 after the update"
    values = [expected(s, q) for q in questions]
    assert hint_equation(s, questions[0]).title == "First moment"
    assert hint_equation(s, questions[2]).title == "Weight update (Adam)"
    assert "0." not in hint(s, questions[1]).split("\n")[0]  # letters only
    s.step()
    at = s.update.layout.index(2, 0, 1)
    assert values == [s.optimizer_state.buffers["m"][at], s.optimizer_state.buffers["v"][at],
                      s.network.layer(2).weights[0, 1]]  # fmt: skip
    momentum = stepped(UpdateRule(OptimizerSettings("momentum")))
    momentum.run_to(len(momentum.phases) - 2)
    assert [q.quantity for q in questions_for(momentum, QuizSettings(), (2, 0, 1))] == [
        Quantity.OPTIMIZER_V, Quantity.NEW_WEIGHTS,
    ]  # fmt: skip
    sgd = stepped(UpdateRule())
    sgd.run_to(len(sgd.phases) - 2)
    assert [q.quantity for q in questions_for(sgd, QuizSettings(), (2, 0, 1))] == [Quantity.NEW_WEIGHTS]
    assert QuizSettings.from_dict({"quantities": ["m", "v"]}).quantities == [Quantity.OPTIMIZER_M, Quantity.OPTIMIZER_V]
