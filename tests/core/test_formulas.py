"""The formulas behind each number: their text, their numbers and that results are the stepper's own."""

import numpy as np
import pytest

from backprop_gui.core.formulas import Num, Op, equation_text, equations, focus, index, to_text
from backprop_gui.core.network import Layer, Network, build_network
from backprop_gui.core.stepper import Quantity, Stepper


def course_stepper() -> Stepper:
    """The course's simple network: x = 3, t = 1; ReLU w = 0.01 without bias; sigmoid w = −5, b = −1."""
    network = Network(
        1, [Layer(np.array([[0.01]]), np.zeros(1), "relu", False), Layer(np.array([[-5.0]]), np.array([-1.0]))]
    )
    return Stepper(network, np.array([[3.0]]), np.array([[1.0]]), 0.5)


def worked_stepper() -> Stepper:
    """A 2-2-2 network whose δ_2^1 is the worked example (0.40 × 0.12 + (−0.30) × 0.05) × 0.25."""
    network = Network(
        2,
        [
            Layer(np.zeros((2, 2)), np.zeros(2), "sigmoid"),
            Layer(np.array([[0.0, 0.4], [0.0, -0.3]]), np.zeros(2), "linear"),
        ],
    )
    return Stepper(network, np.array([[1.0, 2.0]]), np.array([[0.08, -0.2]]), 0.5)


def by_quantity(stepper: Stepper, layer: int, j: int, k: int | None = None) -> dict[Quantity, object]:
    return {eq.quantity: eq for eq in equations(stepper, layer, j, k)}


def test_hidden_delta_reads_like_the_worked_example():
    stepper = worked_stepper()
    stepper.run_to_end()
    delta = by_quantity(stepper, 1, 1)[Quantity.DELTA]
    assert equation_text(delta, 3) == (
        "δ_2^1 = (w_12^2 δ_1^2 + w_22^2 δ_2^2) · f′(z_2^1) = (0.4 × 0.12 + (−0.3) × 0.05) × 0.25 = 0.00825"
    )


def test_course_example_forward_and_update_text():
    stepper = course_stepper()
    stepper.run_to_end()
    eqs = by_quantity(stepper, 2, 0)
    assert equation_text(eqs[Quantity.WEIGHTED_INPUT]) == "z_1^2 = w_11^2 a_1^1 + b_1^2 = −5 × 0.03 + (−1) = −1.15"
    assert equation_text(eqs[Quantity.ACTIVATION]) == "a_1^2 = σ(z_1^2) = σ(−1.15) = 0.2405"
    assert equation_text(eqs[Quantity.LOSS]) == "C = ½ (a_1^2 − t_1)² = ½ × (0.2405 − 1)² = 0.2884"
    update = by_quantity(stepper, 2, 0, 0)[Quantity.NEW_WEIGHTS]
    assert equation_text(update) == "w_11^2 ← w_11^2 − η ∂C/∂w_11^2 = −5 − 0.5 × (−0.004162) = −4.998"


def test_layer_without_bias_has_no_bias_terms():
    stepper = course_stepper()
    eqs = by_quantity(stepper, 1, 0)
    assert Quantity.GRAD_BIASES not in eqs and Quantity.NEW_BIASES not in eqs
    assert to_text(eqs[Quantity.WEIGHTED_INPUT].general) == "w_11^1 x_1"


def test_unknown_equations_name_their_phase_and_show_no_numbers():
    stepper = course_stepper()
    for eq in equations(stepper, 2, 0):
        assert eq.result is None and eq.numbers is None
    eqs = by_quantity(stepper, 2, 0)
    assert eqs[Quantity.WEIGHTED_INPUT].pending == "computed in Forward 2"
    assert eqs[Quantity.LOSS].pending == "computed in Loss"
    assert eqs[Quantity.DELTA].pending == "computed in Backward 2"
    assert equation_text(eqs[Quantity.NEW_BIASES]).endswith("(computed in Update)")


CASES = [
    ("sigmoid", "half_squared_error"),
    ("tanh", "mean_squared_error"),
    ("relu", "half_squared_error"),
    ("leaky_relu", "mean_squared_error"),
    ("linear", "half_squared_error"),
    ("softplus", "half_squared_error"),
    ("softmax", "cross_entropy"),
    ("softmax", "half_squared_error"),
    ("sigmoid", "binary_cross_entropy"),
    ("sigmoid", "cross_entropy"),
]


@pytest.mark.parametrize(("activation", "loss"), CASES)
def test_every_result_is_the_steppers_value_at_every_phase(activation, loss):
    network = build_network(3, [4, 3], ["tanh", activation], loss=loss, seed=3)
    rng = np.random.default_rng(1)
    stepper = Stepper(network, rng.normal(size=(2, 3)), rng.uniform(0.1, 0.9, size=(2, 3)), 0.3)
    while True:
        for layer in range(network.depth + 1):
            for j in range(network.sizes[layer]):
                for eq in equations(stepper, layer, j):
                    check_against_stepper(stepper, eq, layer, j)
                if layer:
                    for k in range(network.sizes[layer - 1]):
                        for eq in equations(stepper, layer, j, k):
                            check_against_stepper(stepper, eq, layer, j, k)
        if stepper.at_end:
            break
        stepper.step_into()


def check_against_stepper(stepper: Stepper, eq, layer: int, j: int, k: int | None = None) -> None:
    quantity = eq.quantity
    if quantity is Quantity.LOSS:
        revealed, where = stepper.value(quantity), (0, 0)
    elif quantity is Quantity.OUTPUT_GRADIENT:
        revealed, where = stepper.value(quantity), (j, 0)
    elif quantity in (Quantity.GRAD_WEIGHTS, Quantity.NEW_WEIGHTS):
        revealed, where = stepper.value(quantity, layer), (j, k)
    elif quantity in (Quantity.GRAD_BIASES, Quantity.NEW_BIASES):
        revealed, where = stepper.value(quantity, layer), (j,)
    else:
        revealed, where = stepper.value(quantity, layer), (j, 0)
    if revealed.known[where[0]]:
        assert eq.result == revealed.values[where]
        assert eq.numbers is not None or not eq.general or quantity is Quantity.GRAD_BIASES or "linear" in eq.note
    else:
        assert eq.result is None and eq.numbers is None and eq.pending


def test_substituted_numbers_are_the_inputs_of_the_pass():
    stepper = worked_stepper()
    stepper.run_to_end()
    numbers = [t.value for t in by_quantity(stepper, 1, 1)[Quantity.DELTA].numbers if isinstance(t, Num)]
    delta2 = stepper.value(Quantity.DELTA, 2).values[:, 0]
    assert numbers == [0.4, delta2[0], -0.3, delta2[1], 0.25]


def test_wide_layers_elide_the_middle_terms():
    network = build_network(50, [2], ["sigmoid"], seed=0)
    stepper = Stepper(network, np.ones((1, 50)), np.zeros((1, 2)), 0.1)
    stepper.step()
    z = by_quantity(stepper, 1, 0)[Quantity.WEIGHTED_INPUT]
    assert Op("…") in z.general and Op("…") in z.numbers
    assert "w_{1,50}^1 x_50" in to_text(z.general)
    assert sum(isinstance(t, Num) for t in z.numbers) == 2 * 5 + 1


def test_softmax_with_cross_entropy_uses_a_minus_t():
    network = build_network(2, [3], ["softmax"], loss="cross_entropy", seed=0)
    stepper = Stepper(network, np.array([[1.0, -1.0]]), np.array([[0.0, 1.0, 0.0]]), 0.1)
    stepper.run_to_end()
    delta = by_quantity(stepper, 1, 1)[Quantity.DELTA]
    assert to_text(delta.general) == "a_2^1 − t_2"
    a = stepper.value(Quantity.ACTIVATION, 1).values[1, 0]
    assert [t.value for t in delta.numbers if isinstance(t, Num)] == [a, 1.0]
    assert delta.note.endswith("collapses to a\u00a0−\u00a0t")  # one formula: a line may not break inside it


@pytest.mark.parametrize(
    ("activation", "loss", "targets"),
    [("softmax", "cross_entropy", [0.5, 1.0, 0.0]), ("sigmoid", "binary_cross_entropy", [1.0, 0.0, 1.0])],
)
def test_the_notes_of_simplified_output_errors_keep_each_formula_on_one_line(activation, loss, targets):
    network = build_network(2, [3], [activation], loss=loss, seed=0)
    stepper = Stepper(network, np.array([[1.0, -1.0]]), np.array([targets]), 0.1)
    stepper.run_to_end()
    note = by_quantity(stepper, 1, 0)[Quantity.DELTA].note
    formula = note.rsplit(" ", 1)[-1]  # the last word: the formula, its spaces no-break ones
    assert formula.startswith("a\u00a0") and formula.endswith("\u00a0−\u00a0t")


def test_input_neuron_and_edge_equations():
    stepper = course_stepper()
    assert [equation_text(eq) for eq in equations(stepper, 0, 0)] == ["x_1 = 3"]
    assert [eq.quantity for eq in equations(stepper, 2, 0, 0)] == [Quantity.GRAD_WEIGHTS, Quantity.NEW_WEIGHTS]
    with pytest.raises(IndexError):
        equations(stepper, 3, 0)
    with pytest.raises(IndexError):
        equations(stepper, 1, 0, 1)


def test_focus_follows_the_neuron_computed_last():
    network = build_network(2, [3, 1], ["sigmoid", "sigmoid"], seed=0)
    stepper = Stepper(network, np.ones((1, 2)), np.ones((1, 1)), 0.1)
    assert focus(stepper) is None
    stepper.step_into()
    assert focus(stepper) == (1, 0)
    stepper.step_into()
    assert focus(stepper) == (1, 1)
    stepper.step_into()
    assert focus(stepper) == (1, 2)


def test_index_uses_commas_for_multi_digit_numbers():
    assert index(0, 1) == "12"
    assert index(9, 0) == "10,1"


@pytest.mark.parametrize("name", ["course_simple", "spirals_adam", "blobs_softmax"])
def test_only_some_quantities_works_out_just_those_equations(name):
    from backprop_gui.core.presets import load_example

    from helpers import stepper_of

    stepper = stepper_of(load_example(name))
    stepper.run_to(len(stepper.phases) - 2)  # Backward 1: the updates are not known yet
    Q = Quantity
    for _ in range(2):
        network = stepper.network
        for l in range(1, network.depth + 1):
            for j in range(network.sizes[l]):
                full = equations(stepper, l, j)
                for only in [(Q.WEIGHTED_INPUT, Q.ACTIVATION), (Q.LOSS, Q.OUTPUT_GRADIENT), (Q.DELTA, Q.GRAD_BIASES)]:
                    assert equations(stepper, l, j, only=only) == [eq for eq in full if eq.quantity in only]
                assert equations(stepper, l, j, only=(Q.NEW_BIASES,)) == [
                    eq for eq in full if eq.quantity is Q.NEW_BIASES
                ]
                for k in range(network.sizes[l - 1]):
                    edge = equations(stepper, l, j, k)
                    assert equations(stepper, l, j, k, only=(Q.GRAD_WEIGHTS,)) == edge[:1]
                    assert equations(stepper, l, j, k, only=(Q.NEW_WEIGHTS,)) == edge[1:]  # with the optimiser's steps
        stepper.run_to_end()
