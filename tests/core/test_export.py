"""Exports of a pass: CSV rows equal the stepper's numbers, JSON equals the trace, the worked solution
holds every formula and number, and its LaTeX compiles where a TeX engine is installed."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from backprop_gui.cli import main
from backprop_gui.core import export
from backprop_gui.core.formatting import format_number
from backprop_gui.core.formulas import equations
from backprop_gui.core.network import Layer, Network
from backprop_gui.core.presets import example_names, load_example
from backprop_gui.core.session import Session, dumps
from backprop_gui.core.stepper import Quantity, Stepper
from backprop_gui.core.trace import trace_dict
from backprop_gui.core.training import LossHistory, Trainer

TEX = shutil.which("pdflatex") or shutil.which("lualatex")


def stepper_of(session: Session, sample: int = 0) -> Stepper:
    data = session.data
    return Stepper(session.network, data.inputs, data.targets, session.training.learning_rate, batch=sample)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def all_equations(stepper: Stepper):
    network = stepper.network
    for l in range(1, network.depth + 1):
        for j in range(network.sizes[l]):
            yield from equations(stepper, l, j)
            for k in range(network.sizes[l - 1]):
                yield from equations(stepper, l, j, k)


def test_full_pass_leaves_the_users_stepper_and_network_alone():
    session = load_example("xor")
    stepper = stepper_of(session, 2)
    stepper.step()
    weights = session.network.layer(1).weights.copy()
    full = export.full_pass(stepper)
    assert full.at_end and full.batch == 2 and full.network is not session.network
    assert stepper.position == 1 and np.array_equal(session.network.layer(1).weights, weights)
    assert np.array_equal(full.record.grad_w[1], stepper.record.grad_w[1])


def test_full_pass_after_update_uses_the_weights_before_it():
    session = load_example("course_simple")
    stepper = stepper_of(session)
    before = export.pass_csv(stepper)
    stepper.run_to_end()  # the network now holds the updated weights
    assert export.pass_csv(stepper) == before


def test_pass_csv_has_one_row_per_number_equal_to_the_stepper():
    session = load_example("xor")
    text = export.pass_csv(session, 3)
    table = rows(text)
    assert text.splitlines()[0] == ",".join(export.PASS_COLUMNS)
    sizes = (
        session.network.sizes
    )  # 2-2-1: x 2, t 1, η 1, w 4+2, b 2+1, z a 3+3, C 1, ∂C/∂a 1, δ 3, ∂C/∂b 3, ∂C/∂w 6, new w b 9
    assert len(table) == 2 + 1 + 1 + 6 + 3 + 6 + 1 + 1 + 3 + 3 + 6 + 9 and sizes == [2, 2, 1]
    full = stepper_of(session, 3)
    full.run_to_end()
    by_name = {(r["phase"], r["name"]): r for r in table}
    z = full.value(Quantity.WEIGHTED_INPUT, 1).values
    assert float(by_name[("Forward 1", "z_2^1")]["value"]) == z[1, 0]
    grad = full.value(Quantity.GRAD_WEIGHTS, 1).values
    row = by_name[("Backward 1", "∂C/∂w_21^1")]
    assert (row["quantity"], row["layer"], row["j"], row["k"]) == ("∂C/∂w", "1", "2", "1")
    assert float(row["value"]) == grad[1, 0]
    assert float(by_name[("Loss", "C")]["value"]) == full.value(Quantity.LOSS).values[0, 0]
    assert float(by_name[("Update", "b_1^2")]["value"]) == full.value(Quantity.NEW_BIASES, 2).values[0]
    assert by_name[("Given", "x_1")]["value"] == "1.0" and by_name[("Given", "η")]["layer"] == ""


def test_pass_csv_of_a_layer_without_bias_has_no_bias_rows():
    names = [r["name"] for r in rows(export.pass_csv(load_example("course_simple")))]
    assert "b_1^1" not in names and "∂C/∂b_1^1" not in names and "∂C/∂b_1^2" in names


def test_pass_json_is_the_trace():
    session = load_example("blobs_softmax")
    full = export.full_pass(session, 7)
    assert json.loads(export.pass_json(session, 7)) == trace_dict(session.network, full.record)


def test_bad_sample_and_non_finite_pass_are_refused_with_a_message():
    with pytest.raises(export.ExportError, match=r"sample 4 does not exist \(the data set has 4 samples, 0..3\)"):
        export.pass_csv(load_example("xor"), 4)
    session = load_example("course_simple")
    session.network.layer(2).weights[0, 0] = 1e308
    session.network.layer(1).weights[0, 0] = 1e308
    with pytest.raises(export.NonFinitePass, match="NaN or infinite"):
        export.worked_solution_markdown(session)


def test_history_csv_marks_epoch_ends_with_means_and_validation():
    session = load_example("moons")
    session.training.batch_size = 50
    trainer = Trainer(session.network, session.data, session.training, session.history)
    trainer.train_epoch()
    trainer.train_epoch()
    history = session.history
    table = rows(export.history_csv(history))
    assert len(table) == history.steps and list(table[0]) == list(export.HISTORY_COLUMNS)
    assert [float(r["loss"]) for r in table] == list(history.step_losses)
    ends = [r for r in table if r["epoch_mean_loss"]]
    assert [int(r["step"]) for r in ends] == history.epoch_ends
    assert [float(r["validation_loss"]) for r in ends] == history.validation_losses
    assert table[-1]["epoch"] == "2" and table[0]["epoch"] == "1"
    assert export.history_csv(LossHistory()).splitlines() == [",".join(export.HISTORY_COLUMNS)]


def test_markdown_has_a_heading_per_phase_and_every_formula():
    session = load_example("xor")
    text = export.worked_solution_markdown(session, 1, digits=5)
    assert text.startswith("# Worked solution: XOR")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert [h.split(" (")[0] for h in headings] == [
        "## Given", "## Forward 1", "## Forward 2", "## Loss", "## Backward 2", "## Backward 1", "## Update",
    ]  # fmt: skip
    full = stepper_of(session, 1)
    full.run_to_end()
    for eq in all_equations(full):
        if eq.quantity not in (Quantity.INPUT,):
            assert f"${export.tex_equation(eq, 5)}$" in text
    assert r"$\delta_{2}^{1} = w_{12}^{2} \delta_{1}^{2} \cdot f'(z_{2}^{1}) = " in text


def test_tex_rendering_of_names_and_numbers():
    assert export.tex_number(-0.000012345, 3) == r"-1.23 \times 10^{-5}"
    assert export.tex_number(float("inf")) == r"\infty"
    stepper = stepper_of(load_example("course_simple"))
    stepper.run_to_end()
    by_q = {eq.quantity: eq for eq in equations(stepper, 2, 0)}
    assert export.tex_equation(by_q[Quantity.ACTIVATION]) == r"a_{1}^{2} = \sigma(z_{1}^{2}) = \sigma(-1.15) = 0.2405"
    assert export.tex_equation(by_q[Quantity.NEW_BIASES]) == (
        r"b_{1}^{2} \leftarrow b_{1}^{2} - \eta \frac{\partial C}{\partial b_{1}^{2}}"
        r" = -1 - 0.5 \times (-0.1387) = -0.9306"
    )
    assert export.tex_text("50% of R&D_2 ~ {x} σ′ − café") == (
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
    text = export.worked_solution_latex(session, sample, digits=4)
    assert text.startswith(r"\documentclass") and text.rstrip().endswith(r"\end{document}")
    assert r"\usepackage{amsmath}" in text and balanced(text)
    assert text.count(r"\begin{align*}") == text.count(r"\end{align*}")
    trace = json.loads(export.pass_json(session, sample))
    numbers = [trace["loss"], *trace["output"]]
    for layer in trace["layers"]:
        numbers += layer["z"] + layer["a"] + layer["delta"] + sum(layer["grad_weights"], [])
    for value in numbers:
        assert export.tex_number(value, 4) in text, format_number(value)


@pytest.mark.skipif(TEX is None, reason="no TeX engine (pdflatex or lualatex) installed")
@pytest.mark.parametrize("name", ["course_simple", "blobs_softmax", "moons", "sine_regression", "mixed"])
def test_latex_compiles(tmp_path, name):
    session = mixed_session() if name == "mixed" else load_example(name)
    (tmp_path / "solution.tex").write_text(export.worked_solution_latex(session, 0), encoding="utf-8")
    done = subprocess.run(
        [TEX, "-interaction=nonstopmode", "-halt-on-error", "solution.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "solution.pdf").stat().st_size > 1000


def test_write_text_is_atomic_and_utf8(tmp_path):
    path = tmp_path / "out.md"
    path.write_text("old")
    export.write_text(path, "δ = 1\n")
    assert path.read_bytes() == "δ = 1\n".encode() and [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_cli_text_exports_write_files_and_load_no_qt(tmp_path):
    script = f"""
import sys
from backprop_gui.cli import main
out = {str(tmp_path)!r}
assert main(["export", "--example", "xor", "--sample", "2", "--markdown", out + "/s.md", "--latex", out + "/s.tex",
             "--csv", out + "/p.csv", "--json", out + "/p.json", "--history-csv", out + "/h.csv"]) == 0
print("QT:", sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph")))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "QT: []" in done.stdout and done.stdout.count("wrote ") == 5
    session = load_example("xor")
    assert (tmp_path / "p.json").read_text() == export.pass_json(session, 2)
    assert (tmp_path / "p.csv").read_text() == export.pass_csv(session, 2)
    assert (tmp_path / "s.md").read_text() == export.worked_solution_markdown(session, 2)
    assert balanced((tmp_path / "s.tex").read_text())
    assert (tmp_path / "h.csv").read_text().startswith("step,epoch,loss")


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ([], "name at least one output"),
        (["--csv", "{tmp}/no/p.csv"], "does not exist"),
        (["--csv", "{tmp}/p.csv", "--sample", "9"], "sample 9 does not exist"),
        (["--png", "{tmp}/g.png", "--scale", "20"], "--scale: must be in 0.25..8"),
        (["--markdown", "{tmp}/s.md", "--digits", "1"], "--digits: must be in 2..8"),
    ],
)
def test_cli_export_bad_input_exits_2_with_one_line(capsys, tmp_path, args, problem):
    status = main(["export", "--example", "xor", *(a.format(tmp=tmp_path) for a in args)])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and problem in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_cli_export_of_a_diverged_pass_exits_1(capsys, tmp_path):
    session = load_example("course_simple")
    session.network.layer(1).weights[0, 0] = 1e308
    session.network.layer(2).weights[0, 0] = 1e308
    path = tmp_path / "big.json"
    path.write_text(dumps(session))
    status = main(["export", str(path), "--csv", str(tmp_path / "p.csv")])
    assert status == 1 and "NaN or infinite" in capsys.readouterr().err
    assert not (tmp_path / "p.csv").exists()
