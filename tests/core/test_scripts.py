"""The standalone scripts: the numpy script runs, prints the pass as ``trace --text`` does and passes
``--check``; a changed number fails it; the PyTorch script's text builds the right network. None of
these tests needs PyTorch (``tests/test_torch.py`` runs the PyTorch scripts)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from backprop_gui.cli import main
from backprop_gui.core.backprop import run_pass
from backprop_gui.core.export import ExportError, NonFinitePass
from backprop_gui.core.presets import example_names, load_example
from backprop_gui.core.scripts import numpy_script, torch_script
from backprop_gui.core.session import Session
from backprop_gui.core.stepper import Stepper
from backprop_gui.core.trace import trace_text

from helpers import activation_loss_sessions


def run_script(path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True, timeout=120)


def trace_of(session: Session, sample: int) -> str:
    x, t = session.data.inputs[sample][:, None], session.data.targets[sample][:, None]
    return trace_text(session, sample, run_pass(session.network, x, t))


@pytest.mark.parametrize("name", example_names())
def test_numpy_script_of_every_example_prints_the_trace_and_passes_its_check(tmp_path, name):
    session = load_example(name)
    sample = len(session.data) - 1
    path = tmp_path / "pass.py"
    path.write_text(numpy_script(session, sample), encoding="utf-8")
    done = run_script(path, "--check")
    assert done.returncode == 0, done.stdout + done.stderr
    printed, _, verdict = done.stdout.rpartition("\n\ncheck: ")
    assert printed == trace_of(session, sample)
    assert verdict.startswith("all ") and "agree with backprop-gui's to 1e-9 relative" in verdict
    assert run_script(path).stdout.rstrip() == printed  # without --check: the pass alone


def test_numpy_script_of_every_activation_and_loss_passes_its_check(tmp_path):
    for name, session in activation_loss_sessions():
        path = tmp_path / f"{name}.py"
        path.write_text(numpy_script(session, 1), encoding="utf-8")
        done = run_script(path, "--check")
        assert done.returncode == 0, f"{name}: {done.stdout}{done.stderr}"
        assert done.stdout.rpartition("\n\ncheck: ")[0] == trace_of(session, 1), name


def test_check_fails_with_exit_1_naming_a_number_that_differs(tmp_path):
    text = numpy_script(load_example("xor"), 0)
    expected = text[text.index("EXPECTED = {") :]
    changed = re.sub(r'"δ\^1": \[([-0-9.e]+)', lambda m: f'"δ^1": [{float(m.group(1)) * (1 + 1e-8)!r}', expected)
    assert changed != expected
    path = tmp_path / "changed.py"
    path.write_text(text.replace(expected, changed), encoding="utf-8")
    done = run_script(path, "--check")
    assert done.returncode == 1
    assert "check FAILED: 1 of 20 numbers differ" in done.stdout
    assert "δ^1[0]: here" in done.stdout
    assert run_script(path).returncode == 0  # without --check nothing is compared


def test_numpy_script_writes_the_delta_recursion_out_layer_by_layer():
    text = numpy_script(load_example("sigmoid_saturation"), 0)
    assert "delta[3] = dC_da * sigmoid_prime(z[3])  # δ^3 = ∂C/∂a^3 ⊙ σ'(z^3)" in text
    assert "delta[2] = (w[3].T @ delta[3]) * sigmoid_prime(z[2])  # δ^2 = (w^3)ᵀ δ^3 ⊙ σ'(z^2)" in text
    assert "delta[1] = (w[2].T @ delta[2]) * sigmoid_prime(z[1])" in text
    assert "dC_dw[1] = delta[1] @ a[0].T  # ∂C/∂w_jk^1 = a_k^0 δ_j^1" in text
    assert "def tanh(" not in text  # only the activations the network uses
    softmax = numpy_script(load_example("blobs_softmax"), 0)
    assert "delta[2] = a[2] * np.sum(t) - t  # softmax with cross_entropy: δ^2 = a^2 Σ_j t_j − t exactly" in softmax


def test_torch_script_builds_the_network_as_a_sequential_with_bias_false_where_there_is_none():
    text = torch_script(load_example("course_simple"), 0)
    words = " ".join(text.split())
    assert "nn.Linear(1, 1, bias=False), # layer 1: z^1 = w^1 a^0 (no bias)" in words
    assert "nn.ReLU(), # a^1 = relu(z^1)" in words
    assert "nn.Linear(1, 1), # layer 2: z^2 = w^2 a^1 + b^2" in words
    assert "nn.Sigmoid(), # a^2 = σ(z^2)" in words
    assert "B = {\n    1: None,\n    2: [-1.0],\n}" in text
    assert "z[l].retain_grad()" in text and "C.backward()" in text
    compile(text, "course_simple.py", "exec")
    moons = torch_script(load_example("moons"), 0)
    assert 'nn.functional.binary_cross_entropy_with_logits(z[L], t, reduction="sum").backward()' in moons
    blobs = torch_script(load_example("blobs_softmax"), 0)
    assert 'nn.functional.cross_entropy(z[L], t, reduction="sum").backward()' in blobs
    assert "nn.Softmax(dim=1)," in blobs


def test_scripts_hold_the_weights_bit_for_bit(tmp_path):
    session = load_example("moons")
    namespace: dict = {}
    exec(compile(numpy_script(session, 0).replace('if __name__ == "__main__":', "if False:"), "s", "exec"), namespace)
    for l, layer in enumerate(session.network.layers, start=1):
        assert namespace["W"][l] == layer.weights.tolist()
        assert namespace["B"][l] == layer.biases.tolist()
    assert namespace["X"] == session.data.inputs[0].tolist()


def test_a_script_from_a_stepper_at_update_uses_the_weights_the_pass_started_with():
    session = load_example("xor")
    stepper = Stepper(session.network, session.data.inputs, session.data.targets, 2.0, batch=2)
    stepper.run_to_end()  # at Update: the network now holds the new weights
    text = numpy_script(stepper, name="xor")
    assert "SAMPLE = 2" in text and 'NAME = "xor"' in text
    assert f"W = {{\n    1: [\n        {[0.91, -0.52]!r}" in text


def test_a_sample_that_does_not_exist_or_a_non_finite_pass_is_refused():
    session = load_example("xor")
    with pytest.raises(ExportError, match="sample 4 does not exist"):
        numpy_script(session, 4)
    session.network.layers[0].weights[0, 0] = 1e308
    session.network.layers[0].weights[0, 1] = 1e308
    with pytest.raises(NonFinitePass):
        torch_script(session, 3)


def test_export_command_writes_both_scripts(tmp_path, capsys):
    torch_path, numpy_path = tmp_path / "t.py", tmp_path / "n.py"
    status = main(
        ["export", "--example", "xor", "--sample", "1", "--torch", str(torch_path), "--numpy", str(numpy_path)]
    )
    assert status == 0
    assert capsys.readouterr().out == f"wrote {torch_path}\nwrote {numpy_path}\n"
    session = load_example("xor")
    assert torch_path.read_text(encoding="utf-8") == torch_script(session, 1)
    assert numpy_path.read_text(encoding="utf-8") == numpy_script(session, 1)
