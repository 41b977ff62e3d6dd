"""Standalone Python scripts that redo one pass of one sample: in PyTorch with autograd, or in plain numpy.

A script holds the session's exact float64 weights, the sample's x and t, and every number
this tool computed for the pass. Run, it computes the pass itself and prints z, a, C, ∂C/∂a^L,
δ, ∂C/∂w and ∂C/∂b in the layout of ``trace --text``; with ``--check`` it also compares each of
its numbers with this tool's and exits 1 if any differs by more than ``CHECK_TOLERANCE``
relative to the largest number of its vector or matrix (z^l, δ^l, ∂C/∂w^l, …). The PyTorch
script builds the network as ``torch.nn.Sequential`` and gets δ^l from autograd (``retain_grad``
on z^l); the numpy script writes the δ recursion out line by line.

Nothing here computes backprop: the numbers come from ``export.full_pass``, and this module
only writes them (``repr`` of a float64 reads back bit for bit) into the text of a script.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from backprop_gui import __version__
from backprop_gui.core.activations import LEAKY_SLOPE
from backprop_gui.core.export import full_pass
from backprop_gui.core.features import formula
from backprop_gui.core.network import Layer, Network
from backprop_gui.core.session import Session
from backprop_gui.core.stepper import Stepper

CHECK_TOLERANCE = 1e-9
# Softmax with cross-entropy and sigmoid with binary cross-entropy: δ^L = a^L Σ_j t_j − t and
# δ^L = a^L − t, the exact simplified forms this tool uses (``backprop.output_delta``).
FUSED_OUTPUTS = {("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy")}
# PyTorch's Softplus returns z itself above ``threshold`` (default 20), where log(1 + e^z) still
# differs from z by e^−z ≈ 2e−9; above 40 the difference is below float64 resolution.
SOFTPLUS_THRESHOLD = 40

_SYMBOL = {
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
    "linear": "",
    "softplus": "softplus",
    "softmax": "softmax",
}
_TORCH_MODULE = {
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": f"nn.LeakyReLU({LEAKY_SLOPE})",
    "linear": "nn.Identity()",
    "softplus": f"nn.Softplus(threshold={SOFTPLUS_THRESHOLD})",
    "softmax": "nn.Softmax(dim=1)",
}
_FEATURE_EXPRESSION = {
    "x1": "x1",
    "x2": "x2",
    "x1^2": "x1 * x1",
    "x2^2": "x2 * x2",
    "x1*x2": "x1 * x2",
    "sin(x1)": "math.sin(x1)",
    "sin(x2)": "math.sin(x2)",
}
_LOSS_FORMULA = {
    "half_squared_error": "C = ½ Σ_j (a_j^L − t_j)²",
    "mean_squared_error": "C = (1/n_L) Σ_j (a_j^L − t_j)²",
    "cross_entropy": "C = −Σ_j t_j log a_j^L",
    "binary_cross_entropy": "C = −Σ_j [t_j log a_j^L + (1 − t_j) log(1 − a_j^L)]",
}


@dataclass(frozen=True)
class _Pass:
    """What a script is written from: the session's name and η, the sample index, the network with the
    weights the pass started from, and the pass itself (a stepper at the end of it)."""

    name: str
    learning_rate: float
    sample: int
    network: Network
    stepper: Stepper


def _pass(source: Stepper | Session, sample: int | None, name: str) -> _Pass:
    stepper = full_pass(source, sample)
    network = stepper.network.copy()
    for l, layer in enumerate(network.layers, start=1):
        layer.weights, layer.biases = stepper.weights_before(l)
    sample = int(stepper.sample_indices[0])
    if isinstance(source, Session):
        name = source.name
    return _Pass(name, stepper.learning_rate, sample, network, stepper)


def torch_script(source: Stepper | Session, sample: int | None = None, name: str = "untitled") -> str:
    """A PyTorch script that redoes the pass of ``sample`` (0-based; a stepper's own sample by default,
    a session's sample 0) with autograd and checks its numbers against this tool's.

    From a ``Stepper`` the pass uses its weights from before its Update, and ``name`` titles it.
    Raises ``export.ExportError`` for a sample that does not exist or a pass with NaN or ±inf.
    """
    p = _pass(source, sample, name)
    return _script(p, "PyTorch, with autograd", "import torch\nfrom torch import nn", _torch_pass(p.network))


def numpy_script(source: Stepper | Session, sample: int | None = None, name: str = "untitled") -> str:
    """A plain numpy script that redoes the pass of ``sample`` with the δ recursion written out layer by
    layer, and checks its numbers against this tool's. Arguments as for ``torch_script``."""
    p = _pass(source, sample, name)
    functions = _numpy_functions(p.network)
    return _script(p, "plain numpy", "import numpy as np", functions + _numpy_pass(p.network))


# --- the parts every script has ----------------------------------------------------------------


def _script(p: _Pass, how: str, imports: str, computation: str) -> str:
    return "\n".join(
        [
            "#!/usr/bin/env python3",
            f'"""One pass of sample {p.sample} of the backprop-gui session {_string(p.name)}, redone in {how}.',
            "",
            f"Written by backprop-gui {__version__}. The course's notation: a^0 = x; for l = 1..L,",
            "z^l = w^l a^{l-1} + b^l and a^l = f_l(z^l); the loss C(a^L); the error δ^l = ∂C/∂z^l;",
            "∂C/∂w_jk^l = a_k^{l-1} δ_j^l and ∂C/∂b_j^l = δ_j^l. Layers and neurons count from 1.",
            "",
            "    python THIS_SCRIPT.py          prints every number of the pass",
            "    python THIS_SCRIPT.py --check  also compares each with the number backprop-gui computed",
            f"                                   (below) and exits 1 if any differs by more than {_tolerance()}",
            "                                   relative to the largest number of its vector or matrix",
            '                                   (z^l, δ^l, ∂C/∂w^l, …)."""',
            "",
            *(["import math"] if p.network.features else []),
            "import sys",
            "",
            imports,
            "",
            _data_section(p),
            computation,
            _report_section(),
            _expected_section(p),
            'if __name__ == "__main__":',
            "    sys.exit(main())",
            "",
        ]
    )


def _data_section(p: _Pass) -> str:
    network = p.network
    x, t = p.stepper.record.x[:, 0], p.stepper.record.t[:, 0]
    lines = [
        "# --- the session ---------------------------------------------------------------------------",
        "",
        f"NAME = {_string(p.name)}",
        f"SAMPLE = {p.sample}",
        f"LEARNING_RATE = {_float(p.learning_rate)}  # η (not used by one pass; printed in the title)",
        f"LOSS = {_string(network.loss)}  # {_LOSS_FORMULA[network.loss]}",
        f"L = {network.depth}  # layers with weights",
        f"ACTIVATION = {{{', '.join(f'{l}: {_string(layer.activation)}' for l, layer in _layers(network))}}}  # f_l",
        "",
        *_input_lines(network, x, p.stepper.record.raw[:, 0]),
        f"T = {_vector(t)}  # the target t (n_L = {network.layers[-1].size})",
        "",
        "# w^l has n_l rows of n_{l-1} numbers: row j, column k is w_jk^l, the weight from neuron k",
        "# of layer l−1 to neuron j of layer l. b^l has n_l numbers; None: layer l has no bias.",
        "W = {",
    ]
    for l, layer in _layers(network):
        lines.append(f"    {l}: {_matrix(layer.weights, 8)},")
    lines += ["}", "B = {"]
    for l, layer in _layers(network):
        lines.append(f"    {l}: {_vector(layer.biases) if layer.has_bias else 'None'},")
    lines += ["}", "", ""]
    return "\n".join(lines)


def _input_lines(network: Network, x: np.ndarray, raw: np.ndarray) -> list[str]:
    """``X = [...]``, the input a^0; with features, computed in the script from the raw input."""
    if network.features is None:
        return [
            "FEATURES = []  # no input features: a^0 is the sample's input itself",
            f"X = {_vector(x)}  # the input x = a^0 (n_0 = {network.input_size})",
        ]
    expressions = ", ".join(_FEATURE_EXPRESSION[name] for name in network.features)
    formulas = [formula(name) for name in network.features]
    return [
        f"FEATURES = {json.dumps(formulas, ensure_ascii=False)}  # a_k^0 is the k-th feature of the raw input",
        f"x1, x2 = {_vector(raw)}  # the sample's raw input",
        f"X = [{expressions}]  # the input x = a^0 (n_0 = {network.input_size})",
    ]


def _expected_section(p: _Pass) -> str:
    result = p.stepper.record
    network = p.network
    L = network.depth
    lines = [
        "# --- what backprop-gui computed for this pass (compared by --check) ---------------------------",
        "",
        "EXPECTED = {",
    ]
    for l, _ in _layers(network):
        lines.append(f'    "z^{l}": {_vector(result.z[l][:, 0])},')
        lines.append(f'    "a^{l}": {_vector(result.a[l][:, 0])},')
    lines.append(f'    "C": {_float(result.loss)},')
    lines.append(f'    "∂C/∂a^{L}": {_vector(result.grad_a[:, 0])},')
    for l in range(L, 0, -1):
        lines.append(f'    "δ^{l}": {_vector(result.delta[l][:, 0])},')
        lines.append(f'    "∂C/∂w^{l}": {_matrix(result.grad_w[l], 8)},')
        if network.layer(l).has_bias:
            lines.append(f'    "∂C/∂b^{l}": {_vector(result.grad_b[l])},')
    lines += ["}", "", ""]
    return "\n".join(lines)


# The printer and the check: the same in every script. ``values`` maps the names of EXPECTED
# ("z^1", "δ^2", "∂C/∂w^1", …) to plain numbers and lists.
_REPORT = '''
# --- printing, in the layout of `backprop-gui trace --text` -----------------------------------

DIGITS = 4  # significant digits printed


def number(value):
    """value to DIGITS significant digits, with a true minus sign: −0.5, 1.2e−7."""
    text = f"{value + 0.0:.{DIGITS}g}"  # + 0.0 turns −0 into 0
    mantissa, _, exponent = text.partition("e")
    if exponent:
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", "−")


def index(*numbers):
    """1-based neuron indices as a subscript: (0, 1) → "12", (9, 0) → "10,1"."""
    shown = [str(n + 1) for n in numbers]
    return ("," if any(len(s) > 1 for s in shown) else "").join(shown)


def block(title, rows):
    """A titled block of rows, each cell padded to its column's width."""
    columns = max(len(row) for row in rows)
    widths = [max(len(row[c]) for row in rows if c < len(row)) for c in range(columns)]
    lines = ["  " + "    ".join(cell.ljust(widths[c]) for c, cell in enumerate(row)).rstrip() for row in rows]
    return [title, *lines, ""]


def report(values):
    """Every number of the pass as readable text."""
    out = [f'Sample {SAMPLE} of "{NAME}": loss {LOSS}, η = {number(LEARNING_RATE)}', ""]
    if FEATURES:
        out += block("Raw input", [[f"x1 = {number(x1)}", f"x2 = {number(x2)}"]])
        rows = [[f"x_{index(k)} = {f}", f"= {number(v)}"] for k, (f, v) in enumerate(zip(FEATURES, X))]
        out += block("Input (features)", rows)
    else:
        out += block("Input", [[f"x_{index(k)} = {number(v)}" for k, v in enumerate(X)]])
    out += block("Target", [[f"t_{index(j)} = {number(v)}" for j, v in enumerate(T)]])
    for l in range(1, L + 1):
        z, a = values[f"z^{l}"], values[f"a^{l}"]
        rows = [[f"z_{index(j)}^{l} = {number(z[j])}", f"a_{index(j)}^{l} = {number(a[j])}"] for j in range(len(z))]
        out += block(f"Forward {l} ({ACTIVATION[l]})", rows)
    rows = [[f"C = {number(values['C'])}"]]
    rows += [[f"∂C/∂a_{index(j)}^{L} = {number(v)}"] for j, v in enumerate(values[f"∂C/∂a^{L}"])]
    out += block(f"Loss ({LOSS})", rows)
    for l in range(L, 0, -1):
        delta, bias = values[f"δ^{l}"], B[l] is not None
        rows = []
        for j, d in enumerate(delta):
            row = [f"δ_{index(j)}^{l} = {number(d)}"]
            if bias:
                row.append(f"∂C/∂b_{index(j)}^{l} = {number(values[f'∂C/∂b^{l}'][j])}")
            rows.append(row)
        grads = values[f"∂C/∂w^{l}"]
        rows += [[f"∂C/∂w_{index(j, k)}^{l} = {number(g)}" for k, g in enumerate(row)] for j, row in enumerate(grads)]
        out += block(f"Backward {l}" + ("" if bias else " (no bias)"), rows)
    return "\\n".join(out).rstrip()


# --- the check ---------------------------------------------------------------------------------

# The largest relative difference allowed: relative to the largest number of the same vector or
# matrix (z^l, δ^l, ∂C/∂w^l, …), as arrays are compared normwise. An entry far smaller than the others
# of its vector, such as δ_j^l of a saturated neuron (1 − a² of a ≈ 1), carries the rounding of the
# larger terms it was computed from, and two correct programs may differ there in the last digits.
TOLERANCE = <TOLERANCE>


def flat(value):
    """A number, a list or a list of lists, as one flat list of numbers."""
    if isinstance(value, list):
        return [number for item in value for number in flat(item)]
    return [value]


def differences(values):
    """(name, ours, backprop-gui's) of every number that differs by more than TOLERANCE relative (to the
    largest number of its vector or matrix)."""
    found = []
    for name, expected in EXPECTED.items():
        got, want = flat(values[name]), flat(expected)
        if len(got) != len(want):
            found.append((name, f"{len(got)} numbers", f"{len(want)} numbers"))
            continue
        largest = max(abs(number) for number in got + want)
        for i, (g, e) in enumerate(zip(got, want)):
            if not abs(g - e) <= TOLERANCE * largest:
                found.append((name if len(want) == 1 else f"{name}[{i}]", g, e))
    return found


def main():
    values = run_pass()
    print(report(values))
    if "--check" not in sys.argv[1:]:
        return 0
    found = differences(values)
    count = len(flat(list(EXPECTED.values())))
    print()
    if not found:
        print(f"check: all {count} numbers agree with backprop-gui's to <TOLERANCE> relative")
        return 0
    print(f"check FAILED: {len(found)} of {count} numbers differ from backprop-gui's by more than <TOLERANCE> relative")
    for name, got, want in found:
        print(f"  {name}: here {got!r}, backprop-gui {want!r}")
    return 1

'''


def _report_section() -> str:
    return _REPORT.lstrip("\n").replace("<TOLERANCE>", _tolerance()) + "\n"


def _tolerance() -> str:
    """CHECK_TOLERANCE as people write it: 1e-9."""
    mantissa, _, exponent = f"{CHECK_TOLERANCE:g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


# --- PyTorch -----------------------------------------------------------------------------------


def _torch_pass(network: Network) -> str:
    L = network.depth
    output = network.layers[-1].activation
    modules = []
    for l, layer in _layers(network):
        n_in = network.sizes[l - 1]
        bias = "" if layer.has_bias else ", bias=False"
        linear = f"nn.Linear({n_in}, {layer.size}{bias}),"
        z = f"z^{l} = w^{l} a^{l - 1}" + (f" + b^{l}" if layer.has_bias else "  (no bias)")
        modules.append(f"        {linear:<36}# layer {l}: {z}")
        modules.append(f"        {_TORCH_MODULE[layer.activation] + ',':<36}# a^{l} = {_applied(layer.activation, l)}")
    lines = [
        "# --- the pass, in PyTorch ----------------------------------------------------------------------",
        "",
        "torch.set_default_dtype(torch.float64)  # every number in float64, as backprop-gui computes them",
        "TINY = 2.2250738585072014e-308  # log is taken of a^L clipped to the smallest positive float64",
        "",
        "",
        "def build_model():",
        '    """The network: per layer l a Linear (z^l = w^l a^{l-1} + b^l) and its activation (a^l = f_l(z^l))."""',
        "    model = nn.Sequential(",
        *modules,
        "    )",
        "    with torch.no_grad():  # PyTorch's Linear.weight is w^l itself: n_l rows of n_{l-1} numbers",
        "        for l in range(1, L + 1):",
        "            linear = model[2 * l - 2]",
        "            linear.weight.copy_(torch.tensor(W[l]))",
        "            if B[l] is not None:",
        "                linear.bias.copy_(torch.tensor(B[l]))",
        "    return model",
        "",
        "",
        "def run_pass():",
        '    """The forward pass module by module, the loss, and backward() with autograd."""',
        "    model = build_model()",
        "    a = {0: torch.tensor([X])}  # a^0 = x as one row: PyTorch puts each sample of a batch in a row",
        "    t = torch.tensor([T])",
        "    z = {}",
        "    for l in range(1, L + 1):",
        "        z[l] = model[2 * l - 2](a[l - 1])  # z^l = w^l a^{l-1} + b^l",
        "        z[l].retain_grad()  # keep ∂C/∂z^l = δ^l after backward()",
        "        a[l] = model[2 * l - 1](z[l])  # a^l = f_l(z^l)",
        f"    a[L].retain_grad()  # keep ∂C/∂a^{L}",
        f"    C = {_torch_loss(network.loss)}  # {_LOSS_FORMULA[network.loss]}",
    ]
    if (output, network.loss) in FUSED_OUTPUTS:
        fused, form = (
            ("nn.functional.cross_entropy", f"a^{L} Σ_j t_j − t")
            if output == "softmax"
            else ("nn.functional.binary_cross_entropy_with_logits", f"a^{L} − t")
        )
        lines += [
            f"    (dC_da,) = torch.autograd.grad(C, a[L], retain_graph=True)  # ∂C/∂a^{L}",
            f"    # δ^{L}: backward() from z^{L} through PyTorch's loss on the logits z^{L}, whose gradient is",
            f"    # exactly δ^{L} = {form}, the form backprop-gui uses. It stays finite where a_j^{L} rounds",
            "    # to 0 or 1, and does not lose the digits that backward() through a^L and log would.",
            f'    {fused}(z[L], t, reduction="sum").backward()',
        ]
    else:
        lines += [
            "    C.backward()  # δ^l = ∂C/∂z^l, ∂C/∂w^l and ∂C/∂b^l, by autograd",
            "    dC_da = a[L].grad",
        ]
    lines += [
        "    values = {",
        '        "C": C.item(),',
        f'        "∂C/∂a^{L}": dC_da[0].tolist(),',
        "    }",
        "    for l in range(1, L + 1):",
        "        linear = model[2 * l - 2]",
        '        values[f"z^{l}"] = z[l][0].tolist()',
        '        values[f"a^{l}"] = a[l][0].tolist()',
        '        values[f"δ^{l}"] = z[l].grad[0].tolist()',
        '        values[f"∂C/∂w^{l}"] = linear.weight.grad.tolist()  # ∂C/∂w_jk^l = a_k^{l-1} δ_j^l',
        "        if B[l] is not None:",
        '            values[f"∂C/∂b^{l}"] = linear.bias.grad.tolist()  # ∂C/∂b_j^l = δ_j^l',
        "    return values",
        "",
        "",
    ]
    return "\n".join(lines)


def _torch_loss(loss: str) -> str:
    """C as a PyTorch expression of ``a[L]`` and ``t``, computed as backprop-gui computes it."""
    return {
        "half_squared_error": "0.5 * ((a[L] - t) ** 2).sum()",
        "mean_squared_error": "((a[L] - t) ** 2).mean()",
        "cross_entropy": "-(t * torch.log(a[L].clamp_min(TINY))).sum()",
        "binary_cross_entropy": (
            "-(t * torch.log(a[L].clamp_min(TINY)) + (1 - t) * torch.log((1 - a[L]).clamp_min(TINY))).sum()"
        ),
    }[loss]


# --- plain numpy -------------------------------------------------------------------------------

# Each activation as numpy code: f(z) and its derivative f'(z), exactly as backprop-gui computes them.
_NUMPY_ACTIVATIONS = {
    "sigmoid": '''
def sigmoid(z):
    """σ(z) = 1 / (1 + e^−z), written so that e^(…) never overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """σ'(z) = σ(z) (1 − σ(z))."""
    a = sigmoid(z)
    return a * (1.0 - a)
''',
    "tanh": '''
def tanh(z):
    return np.tanh(z)


def tanh_prime(z):
    """tanh'(z) = 1 − tanh(z)²."""
    a = np.tanh(z)
    return 1.0 - a * a
''',
    "relu": '''
def relu(z):
    """max(0, z)."""
    return np.maximum(z, 0.0)


def relu_prime(z):
    """1 where z > 0, else 0 (0 at z = 0 too)."""
    return (z > 0).astype(float)
''',
    "leaky_relu": f'''
LEAKY_SLOPE = {LEAKY_SLOPE!r}


def leaky_relu(z):
    """z where z > 0, else LEAKY_SLOPE · z."""
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_prime(z):
    return np.where(z > 0, 1.0, LEAKY_SLOPE)
''',
    "linear": '''
def linear(z):
    """f(z) = z."""
    return z.astype(float, copy=True)


def linear_prime(z):
    return np.ones_like(z)
''',
    "softplus": '''
def softplus(z):
    """log(1 + e^z), without overflow."""
    return np.logaddexp(0.0, z)


def softplus_prime(z):
    """softplus'(z) = σ(z)."""
    return sigmoid(z)
''',
    "softmax": '''
def softmax(z):
    """a_j = e^{z_j} / Σ_k e^{z_k}; subtracting max z first keeps e^(…) from overflowing."""
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
''',
}

# C and ∂C/∂a^L as numpy code of a^L (``a[L]``) and t, exactly as backprop-gui computes them.
_NUMPY_LOSSES = {
    "half_squared_error": ("0.5 * np.sum((a[{L}] - t) ** 2)", "a[{L}] - t"),
    "mean_squared_error": ("np.mean((a[{L}] - t) ** 2)", "2.0 * (a[{L}] - t) / len(t)"),
    "cross_entropy": ("-np.sum(t * np.log(np.maximum(a[{L}], TINY)))", "-t / np.maximum(a[{L}], TINY)"),
    "binary_cross_entropy": (
        "-np.sum(t * np.log(np.maximum(a[{L}], TINY)) + (1 - t) * np.log(np.maximum(1 - a[{L}], TINY)))",
        "-t / np.maximum(a[{L}], TINY) + (1 - t) / np.maximum(1 - a[{L}], TINY)",
    ),
}


def _numpy_functions(network: Network) -> str:
    needed = {layer.activation for layer in network.layers}
    if "softplus" in needed:
        needed.add("sigmoid")  # softplus' = σ
    parts = [code.strip("\n") for name, code in _NUMPY_ACTIVATIONS.items() if name in needed]
    return "\n".join(
        [
            "# --- the activations f and their derivatives f' ----------------------------------------------",
            "",
            "TINY = np.finfo(float).tiny  # log is taken of a^L clipped to the smallest positive float64",
            "",
            "",
            "\n\n\n".join(parts),
            "",
            "",
            "",
        ]
    )


def _numpy_pass(network: Network) -> str:
    L = network.depth
    output = network.layers[-1].activation
    value, gradient = (code.format(L=L) for code in _NUMPY_LOSSES[network.loss])
    lines = [
        "# --- the pass, in numpy -------------------------------------------------------------------------",
        "",
        "",
        "def run_pass():",
        '    """Forward, loss and backward, one line per layer; vectors are columns (n_l × 1)."""',
        "    w = {l: np.array(W[l]) for l in W}",
        "    b = {l: np.array(B[l])[:, None] for l in B if B[l] is not None}",
        "    t = np.array(T)[:, None]",
        "    a = {0: np.array(X)[:, None]}  # a^0 = x",
        "    z, delta, dC_dw, dC_db = {}, {}, {}, {}",
        "",
        "    # forward: z^l = w^l a^{l-1} + b^l, a^l = f_l(z^l)",
    ]
    for l, layer in _layers(network):
        bias = f" + b[{l}]" if layer.has_bias else ""
        lines.append(f"    z[{l}] = w[{l}] @ a[{l - 1}]{bias}" + ("" if bias else f"  # layer {l} has no bias"))
        lines.append(f"    a[{l}] = {layer.activation}(z[{l}])")
    lines += [
        "",
        f"    # the loss, and its gradient ∂C/∂a^{L}",
        f"    C = {value}  # {_LOSS_FORMULA[network.loss].replace('^L', f'^{L}')}",
        f"    dC_da = {gradient}",
        "",
        "    # backward: the error δ^l = ∂C/∂z^l of each layer, from the output layer back to layer 1",
    ]
    if (output, network.loss) in FUSED_OUTPUTS:
        exact = f"a[{L}] * np.sum(t) - t" if output == "softmax" else f"a[{L}] - t"
        form = f"a^{L} Σ_j t_j − t" if output == "softmax" else f"a^{L} − t"
        lines.append(f"    delta[{L}] = {exact}  # {output} with {network.loss}: δ^{L} = {form} exactly")
    elif output == "softmax":
        lines.append(
            f"    delta[{L}] = a[{L}] * (dC_da - np.sum(a[{L}] * dC_da))"
            f"  # δ_i^{L} = a_i^{L} (∂C/∂a_i^{L} − Σ_j a_j^{L} ∂C/∂a_j^{L}): the softmax Jacobian"
        )
    else:
        f = _SYMBOL[output] or "f"
        lines.append(f"    delta[{L}] = dC_da * {output}_prime(z[{L}])  # δ^{L} = ∂C/∂a^{L} ⊙ {f}'(z^{L})")
    for l in range(L, 0, -1):
        layer = network.layer(l)
        if l < L:
            f = _SYMBOL[layer.activation] or "f"
            lines.append(
                f"    delta[{l}] = (w[{l + 1}].T @ delta[{l + 1}]) * {layer.activation}_prime(z[{l}])"
                f"  # δ^{l} = (w^{l + 1})ᵀ δ^{l + 1} ⊙ {f}'(z^{l})"
            )
        lines.append(f"    dC_dw[{l}] = delta[{l}] @ a[{l - 1}].T  # ∂C/∂w_jk^{l} = a_k^{l - 1} δ_j^{l}")
        if layer.has_bias:
            lines.append(f"    dC_db[{l}] = delta[{l}]  # ∂C/∂b_j^{l} = δ_j^{l}")
    lines += [
        "",
        f'    values = {{"C": float(C), "∂C/∂a^{L}": dC_da[:, 0].tolist()}}',
        "    for l in range(1, L + 1):",
        '        values[f"z^{l}"] = z[l][:, 0].tolist()',
        '        values[f"a^{l}"] = a[l][:, 0].tolist()',
        '        values[f"δ^{l}"] = delta[l][:, 0].tolist()',
        '        values[f"∂C/∂w^{l}"] = dC_dw[l].tolist()',
        "        if l in dC_db:",
        '            values[f"∂C/∂b^{l}"] = dC_db[l][:, 0].tolist()',
        "    return values",
        "",
        "",
    ]
    return "\n".join(lines)


# --- writing numbers and names as Python ---------------------------------------------------------


def _layers(network: Network) -> list[tuple[int, Layer]]:
    return list(enumerate(network.layers, start=1))


def _applied(activation: str, l: int) -> str:
    symbol = _SYMBOL[activation]
    return f"{symbol}(z^{l})" if symbol else f"z^{l}"


def _float(value: float) -> str:
    """``value`` as a Python literal that reads back bit for bit."""
    return repr(float(value))


def _vector(values: np.ndarray) -> str:
    return "[" + ", ".join(_float(v) for v in values) + "]"


def _matrix(values: np.ndarray, indent: int) -> str:
    """A list of rows, one row per line when there is more than one."""
    rows = [_vector(row) for row in values]
    if len(rows) == 1:
        return f"[{rows[0]}]"
    pad = " " * indent
    return "[\n" + "".join(f"{pad}{row},\n" for row in rows) + " " * (indent - 4) + "]"


def _string(text: str) -> str:
    """``text`` as a double-quoted Python string literal (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)
