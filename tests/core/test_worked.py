"""The worked solution holds every formula and number of the pass, and its LaTeX compiles where a TeX
engine is installed."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from backprop_gui.core import export, worked
from backprop_gui.core.formatting import format_number
from backprop_gui.core.formulas import equations
from backprop_gui.core.network import Layer, Network
from backprop_gui.core.presets import example_names, load_example
from backprop_gui.core.session import Session
from backprop_gui.core.stepper import Quantity, Stepper

from helpers import stepper_of

TEX = shutil.which("pdflatex") or shutil.which("lualatex")


def all_equations(stepper: Stepper):
    network = stepper.network
    for l in range(1, network.depth + 1):
        for j in range(network.sizes[l]):
            yield from equations(stepper, l, j)
            for k in range(network.sizes[l - 1]):
                yield from equations(stepper, l, j, k)


def test_markdown_has_a_heading_per_phase_and_every_formula():
    session = load_example("xor")
    text = worked.worked_solution_markdown(session, 1, digits=5)
    assert text.startswith("# Worked solution: XOR")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert [h.split(" (")[0] for h in headings] == [
        "## Given", "## Forward 1", "## Forward 2", "## Loss", "## Backward 2", "## Backward 1", "## Update",
    ]  # fmt: skip
    full = stepper_of(session, 1)
    full.run_to_end()
    for eq in all_equations(full):
        if eq.quantity not in (Quantity.INPUT,):
            assert f"${worked.tex_equation(eq, 5)}$" in text
    assert r"$\delta_{2}^{1} = w_{12}^{2} \delta_{1}^{2} \cdot f'(z_{2}^{1}) = " in text


def test_tex_rendering_of_names_and_numbers():
    assert worked.tex_number(-0.000012345, 3) == r"-1.23 \times 10^{-5}"
    assert worked.tex_number(float("inf")) == r"\infty"
    stepper = stepper_of(load_example("course_simple"))
    stepper.run_to_end()
    by_q = {eq.quantity: eq for eq in equations(stepper, 2, 0)}
    assert worked.tex_equation(by_q[Quantity.ACTIVATION]) == r"a_{1}^{2} = \sigma(z_{1}^{2}) = \sigma(-1.15) = 0.2405"
    assert worked.tex_equation(by_q[Quantity.NEW_BIASES]) == (
        r"b_{1}^{2} \leftarrow b_{1}^{2} - \eta \frac{\partial C}{\partial b_{1}^{2}}"
        r" = -1 - 0.5 \times (-0.1387) = -0.9306"
    )
    assert worked.tex_text("50% of R&D_2 ~ {x} σ′ − café") == (
        r"50\% of R\&D\_2 \textasciitilde{} \{x\} \ensuremath{\sigma}\ensuremath{'} \ensuremath{-} café"
    )


def balanced(text: str) -> bool:
    depth, i = 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth < 0:
            return False
        i += 1
    return depth == 0


def mixed_session() -> Session:
    """Every activation but softmax, with and without bias, and the mean squared error."""
    rng = np.random.default_rng(3)
    layers = [
        Layer(rng.normal(size=(3, 2)), rng.normal(size=3), "leaky_relu"),
        Layer(rng.normal(size=(12, 3)), np.zeros(12), "softplus", False),
        Layer(rng.normal(size=(2, 12)), rng.normal(size=2), "tanh"),
    ]
    session = load_example("xor")
    session.network = Network(2, layers, "mean_squared_error")
    session.data.targets = np.tile([[0.5, -0.5]], (4, 1))
    session.name = "Mixed: 50% {odd} name_with $ & #"
    return session


@pytest.mark.parametrize("name", [*example_names(), "mixed"])
def test_latex_is_balanced_and_has_the_numbers_of_the_trace(name):
    session = mixed_session() if name == "mixed" else load_example(name)
    sample = min(1, len(session.data) - 1)
    text = worked.worked_solution_latex(session, sample, digits=4)
    assert text.startswith(r"\documentclass") and text.rstrip().endswith(r"\end{document}")
    assert r"\usepackage{amsmath}" in text and balanced(text)
    assert text.count(r"\begin{align*}") == text.count(r"\end{align*}")
    trace = json.loads(export.pass_json(session, sample))
    numbers = [trace["loss"], *trace["output"]]
    for layer in trace["layers"]:
        numbers += layer["z"] + layer["a"] + layer["delta"] + sum(layer["grad_weights"], [])
    for value in numbers:
        assert worked.tex_number(value, 4) in text, format_number(value)


@pytest.mark.skipif(TEX is None, reason="no TeX engine (pdflatex or lualatex) installed")
@pytest.mark.parametrize("name", ["course_simple", "blobs_softmax", "moons", "sine_regression", "mixed"])
def test_latex_compiles(tmp_path, name):
    session = mixed_session() if name == "mixed" else load_example(name)
    (tmp_path / "solution.tex").write_text(worked.worked_solution_latex(session, 0), encoding="utf-8")
    done = subprocess.run(
        [TEX, "-interaction=nonstopmode", "-halt-on-error", "solution.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "solution.pdf").stat().st_size > 1000


def _equation_lines(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("- ") and "$" in line]


def test_the_pass_so_far_grows_as_you_step_and_shrinks_as_you_step_back():
    stepper = stepper_of(load_example("xor"))
    texts = [worked.worked_solution_markdown(stepper, so_far=True)]
    while not stepper.at_end:
        stepper.step_into()
        texts.append(worked.worked_solution_markdown(stepper, so_far=True))
    counts = [len(_equation_lines(text)) for text in texts]
    assert counts[0] == 3 and all(b > a for a, b in zip(counts, counts[1:], strict=False))  # x, t, η given
    assert texts[-1] == worked.worked_solution_markdown(stepper, title="network")  # the end: the whole pass
    for text in reversed(texts[:-1]):
        stepper.step_back()
        assert worked.worked_solution_markdown(stepper, so_far=True) == text


def test_a_wide_layer_lists_the_selected_neuron_and_sums_up_the_rest():
    hidden = Layer(np.full((64, 784), 0.01), np.zeros(64), "relu")
    network = Network(784, [hidden, Layer(np.full((10, 64), 0.1), np.zeros(10), "softmax")], "cross_entropy")
    stepper = Stepper(network, np.linspace(0, 1, 784)[None, :], np.eye(10)[:1], 0.1)
    stepper.run_to(1)  # Forward 2
    text = worked.worked_solution_markdown(stepper, so_far=True, selection=(1, 4, None), widest=4)
    assert "z_{5}^{1} = " in text and "z_{6}^{1} = " not in text
    assert "… 63 more neurons of layer 1" in text and "… 9 more neurons of layer 2" in text
    assert "780 more values" in text and "783 more columns" in text
    stepper.run_to_end()
    text = worked.worked_solution_markdown(stepper, so_far=True, selection=(1, 4, 99), widest=4)
    assert r"\frac{\partial C}{\partial w_{5,100}^{1}} = x_{100} \delta_{5}^{1}" in text
    assert "… 783 more weights into neuron 5 of layer 1" in text
    with pytest.raises(TypeError, match="needs a stepper"):
        worked.worked_solution_markdown(load_example("xor"), so_far=True)


def _walk(stepper: Stepper, passes: int = 2):
    """Every position of ``passes`` passes, neuron by neuron, then back over the last few moves."""
    moves = 0
    for _ in range(passes):
        while not stepper.at_end:
            stepper.step_into()
            moves += 1
            yield
        stepper.step()
        yield
    for _ in range(min(moves, 6)):
        stepper.step_back()
        yield


@pytest.mark.parametrize("name", [*example_names(), "mixed", "wide"])
def test_a_phase_worked_out_once_per_pass_reads_as_if_worked_out_again(name):
    if name == "wide":
        rng = np.random.default_rng(5)
        layers = [
            Layer(rng.normal(size=(7, 6)), rng.normal(size=7), "relu"),
            Layer(rng.normal(size=(3, 7)), np.zeros(3), "softmax"),
        ]
        stepper = Stepper(Network(6, layers, "cross_entropy"), rng.normal(size=(3, 6)), np.eye(3), 0.1)
    else:
        stepper = stepper_of(mixed_session() if name == "mixed" else load_example(name))
    L = stepper.network.depth
    choices = [None, (L, 0, None), (1, 2 % stepper.network.sizes[1], 1)]
    for i, _ in enumerate(_walk(stepper)):
        selection = choices[i % len(choices)]
        kept = worked._solution(stepper, None, "n", True, selection, worked.WIDE).sections
        saved, worked._kept = worked._kept, worked._KeptSections()
        try:
            fresh = worked._solution(stepper, None, "n", True, selection, worked.WIDE).sections
        finally:
            worked._kept = saved
        assert kept == fresh, (i, selection)


def test_a_phase_is_worked_out_again_after_an_edit_restarts_the_pass():
    stepper = stepper_of(load_example("course_simple"))
    stepper.run_to_end()
    before = worked.solution_so_far(stepper).sections
    stepper.network.layer(1).weights[0, 0] += 1.0
    stepper.restart()
    stepper.run_to_end()
    after = worked.solution_so_far(stepper).sections
    assert before[0].lines[0] != after[0].lines[0]  # z_1^1 reads the new weight
