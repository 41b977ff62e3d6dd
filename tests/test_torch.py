"""With PyTorch: the exported scripts agree with autograd, and models come in exactly and safely.

Skipped where PyTorch is not installed (``pip install "backprop-gui[torch]"``).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from backprop_gui.cli import main
from backprop_gui.core.backprop import forward
from backprop_gui.core.presets import example_names, load_example
from backprop_gui.core.scripts import torch_script
from backprop_gui.core.session_format import load_session
from backprop_gui.torch_import import ModelError, read_model

from helpers import activation_loss_sessions

torch = pytest.importorskip("torch")
nn = torch.nn

# Runs each script named on the command line as if started alone, in one process (PyTorch is slow
# to import), and prints one exit status per script.
RUNNER = """
import contextlib, io, runpy, sys
for path in sys.argv[1:]:
    sys.argv = [path, "--check"]
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(path, run_name="__main__")
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    print(path, status, out.getvalue().splitlines()[-1] if out.getvalue() else "", flush=True)
"""


def run_scripts(paths) -> dict[str, tuple[int, str]]:
    done = subprocess.run([sys.executable, "-c", RUNNER, *map(str, paths)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    statuses = {}
    for line in done.stdout.splitlines():
        path, status, last = line.split(" ", 2)
        statuses[path] = (int(status), last)
    return statuses


def test_the_torch_script_of_every_example_and_every_activation_and_loss_passes_its_check(tmp_path):
    sessions = [(name, load_example(name), len(load_example(name).data) - 1) for name in example_names()]
    sessions += [(name, session, 1) for name, session in activation_loss_sessions()]
    saturated = load_example("blobs_softmax")  # tanh neurons with a ≈ ±1, outputs near 0 and 1, as after training
    saturated.network.layers[0].weights = saturated.network.layers[0].weights * 10
    saturated.network.layers[1].weights = saturated.network.layers[1].weights * 5
    sessions.append(("saturated", saturated, 0))  # entry by entry, δ_1^1 would differ by 2e−9 relative
    paths = []
    for name, session, sample in sessions:
        path = tmp_path / f"{name}.py"
        path.write_text(torch_script(session, sample), encoding="utf-8")
        paths.append(path)
    statuses = run_scripts(paths)
    assert len(statuses) == len(sessions)
    for path in paths:
        status, last = statuses[str(path)]
        assert status == 0, f"{path.name}: {last}"
        assert "agree with backprop-gui's to 1e-9 relative" in last


def test_the_torch_script_fails_its_check_when_a_number_differs(tmp_path):
    text = torch_script(load_example("blobs_softmax"), 0)
    start = text.index('    "C": ', text.index("EXPECTED = {"))
    end = text.index(",", start)
    value = float(text[start + len('    "C": ') : end])
    path = tmp_path / "changed.py"
    path.write_text(text[:start] + f'    "C": {value * (1 + 1e-7)!r}' + text[end:], encoding="utf-8")
    status, last = run_scripts([path])[str(path)]
    assert status == 1
    assert last.startswith("  C: here")


def random_model(seed: int) -> torch.nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(3, 5),
        nn.Tanh(),
        nn.Linear(5, 4, bias=False),
        nn.LeakyReLU(0.01),
        nn.Linear(4, 4),
        nn.Softplus(),
        nn.Linear(4, 4),
        nn.ReLU(),
        nn.Linear(4, 2),
        nn.Identity(),
        nn.Linear(2, 3),
        nn.Softmax(dim=1),
    ).double()


def outputs(network, inputs: np.ndarray) -> np.ndarray:
    """a^L of ``network`` for ``inputs`` (N, n_0), as rows."""
    _, a = forward(network, inputs.T)
    return a[network.depth].T


def test_an_imported_sequential_gives_the_models_outputs_on_100_random_inputs(tmp_path):
    model = random_model(1)
    path = tmp_path / "model.pt"
    torch.save(model, path)
    network = read_model(path)
    assert [layer.activation for layer in network.layers] == [
        "tanh",
        "leaky_relu",
        "softplus",
        "relu",
        "linear",
        "softmax",
    ]
    assert [layer.has_bias for layer in network.layers] == [True, False, True, True, True, True]
    assert network.loss == "cross_entropy"
    inputs = np.random.default_rng(0).normal(size=(100, 3))
    with torch.no_grad():
        want = model(torch.from_numpy(inputs)).numpy()
    np.testing.assert_allclose(outputs(network, inputs), want, rtol=1e-12, atol=0)


def test_a_state_dict_with_layers_gives_the_same_network(tmp_path):
    model = random_model(2)
    whole, state = tmp_path / "model.pt", tmp_path / "state.pt"
    torch.save(model, whole)
    torch.save(model.state_dict(), state)
    network = read_model(state, ["tanh", "leaky_relu", "softplus", "relu", "linear", "softmax"])
    expected = read_model(whole)
    for got, want in zip(network.layers, expected.layers, strict=True):
        assert got.weights.tobytes() == want.weights.tobytes() and got.biases.tobytes() == want.biases.tobytes()
        assert (got.activation, got.has_bias) == (want.activation, want.has_bias)
    with pytest.raises(ModelError, match="name their activations with --layers"):
        read_model(state)
    with pytest.raises(ModelError, match="--layers names 2 activations for 6 Linear layers"):
        read_model(state, ["tanh", "softmax"])


def test_import_torch_command_writes_a_session_with_the_data(tmp_path, capsys):
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1), nn.Sigmoid()).double()
    path, data, out = tmp_path / "moons.pt", tmp_path / "data.csv", tmp_path / "moons.json"
    torch.save(model, path)
    data.write_text("x1,x2,t\n0.5,1.0,1\n-1.0,0.25,0\n", encoding="utf-8")
    assert main(["import-torch", str(path), "--data", str(data), "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    session = load_session(out)
    assert session.name == "moons" and session.network.loss == "binary_cross_entropy"
    assert session.data.inputs.tolist() == [[0.5, 1.0], [-1.0, 0.25]]
    assert session.data.targets.tolist() == [[1.0], [0.0]]
    assert session.network.layers[0].weights.tobytes() == model[0].weight.detach().numpy().tobytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\n3,4\n", encoding="utf-8")
    assert main(["import-torch", str(path), "--data", str(bad), "--out", str(out)]) == 2
    assert "expected 2 input columns and then 1 target columns" in capsys.readouterr().err


def test_a_conv2d_is_refused_and_named(tmp_path, capsys):
    path = tmp_path / "conv.pt"
    torch.save(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 1)), path)
    with pytest.raises(ModelError, match=r"contains the modules Conv2d \(torch\.nn\.modules\.conv\.Conv2d\), Flatten"):
        read_model(path)
    state = tmp_path / "conv_state.pt"
    torch.save(nn.Sequential(nn.Conv2d(1, 2, 3)).state_dict(), state)
    with pytest.raises(ModelError, match=r"0\.weight has shape 2×1×3×3, not that of a Linear layer"):
        read_model(state, ["relu"])
    assert main(["import-torch", str(path), "--out", str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Conv2d" in err
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (nn.Softmax(dim=0), r"model\[1\] is Softmax\(dim=0\)"),
        (nn.LeakyReLU(0.2), r"model\[1\] is LeakyReLU\(0\.2\); this tool's leaky ReLU has slope 0\.01"),
        (nn.Softplus(beta=2), r"model\[1\] is Softplus\(beta=2\)"),
    ],
)
def test_activations_configured_differently_from_this_tools_are_refused(tmp_path, module, message):
    path = tmp_path / "model.pt"
    torch.save(nn.Sequential(nn.Linear(2, 2), module), path)
    with pytest.raises(ModelError, match=message):
        read_model(path)


class Payload:
    """Unpickling this runs ``pathlib.Path(marker).touch()``."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        import pathlib

        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


class ShellPayload(Payload):
    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("payload", [Payload, ShellPayload])
def test_a_malicious_pickle_is_refused_without_running_it(tmp_path, payload, capsys):
    marker = tmp_path / "marker"
    path = tmp_path / "evil.pt"
    torch.save({"0.weight": torch.zeros(1, 1), "trap": payload(str(marker))}, path)
    with pytest.raises(ModelError, match="refused without running anything"):
        read_model(path, ["linear"])
    assert main(["import-torch", str(path), "--layers", "linear", "--out", str(tmp_path / "out.json")]) == 2
    assert "refused without running anything" in capsys.readouterr().err
    assert not marker.exists()
    torch.load(path, weights_only=False)  # the trap is real: a plain torch.load springs it
    assert marker.exists()
