"""Exports of a pass: CSV rows equal the stepper's numbers, JSON equals the trace; the CLI writes them all."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from backprop_gui.cli import main
from backprop_gui.core import export, worked
from backprop_gui.core.optimizers import OptimizerSettings, Regularization, UpdateRule
from backprop_gui.core.presets import load_example
from backprop_gui.core.session_format import dumps
from backprop_gui.core.stepper import Quantity
from backprop_gui.core.trace import trace_dict
from backprop_gui.core.training import LossHistory, Trainer

from helpers import stepper_of


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


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
        worked.worked_solution_markdown(session)


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
    assert (tmp_path / "s.md").read_text() == worked.worked_solution_markdown(session, 2)
    assert (tmp_path / "s.tex").read_text() == worked.worked_solution_latex(session, 2)
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


def test_pass_json_lists_the_optimizer_numbers():
    """Adam with an L2 penalty: the JSON export carries the penalty and the buffers the CSV has."""
    session = load_example("course_simple")
    rule = UpdateRule(OptimizerSettings(name="adam"), Regularization(kind="l2", strength=0.1))
    session.training = replace(session.training, rule=rule)
    document = json.loads(export.pass_json(session, 0))
    csv_rows = list(csv.DictReader(io.StringIO(export.pass_csv(session, 0))))
    wanted = [row for row in csv_rows if row["quantity"] in ("penalty", "C + penalty") or " of " in row["quantity"]]
    assert {(v["quantity"], v["name"]) for v in document["optimizer"]} == {(r["quantity"], r["name"]) for r in wanted}
    assert any(v["quantity"] == "m of w" for v in document["optimizer"])
