"""One full pass of one sample as data: the ``trace`` command's JSON and its readable table.

Both read a ``PassResult`` of a single sample (every array has one column); layers are
numbered from 1 and neurons from 1, as in the course.
"""

from __future__ import annotations

from typing import Any

from backprop_gui.core.backprop import PassResult
from backprop_gui.core.features import formula
from backprop_gui.core.formatting import format_number
from backprop_gui.core.formulas import index
from backprop_gui.core.network import Network
from backprop_gui.core.session import Session


def trace_dict(network: Network, result: PassResult) -> dict[str, Any]:
    """The pass ``result`` of ``network`` as the ``trace`` command's JSON object.

    Keys: input, target, output, loss, layers (each: layer, z, a, delta, grad_weights
    (n_l × n_{l-1}, row j column k = ∂C/∂w_jk^l), grad_biases). ``grad_biases`` is None
    for a layer without bias (it has no bias to learn). With input features, ``input`` is the
    features' values (a^0) and ``raw_input`` the sample's raw (x1, x2).
    """
    layers = []
    for l, layer in enumerate(network.layers, start=1):
        layers.append(
            {
                "layer": l,
                "z": result.z[l][:, 0].tolist(),
                "a": result.a[l][:, 0].tolist(),
                "delta": result.delta[l][:, 0].tolist(),
                "grad_weights": result.grad_w[l].tolist(),
                "grad_biases": result.grad_b[l].tolist() if layer.has_bias else None,
            }
        )
    raw = {} if network.features is None else {"raw_input": result.raw[:, 0].tolist()}
    return {
        "input": result.x[:, 0].tolist(),
        **raw,
        "target": result.t[:, 0].tolist(),
        "output": result.a[network.depth][:, 0].tolist(),
        "loss": result.loss,
        "layers": layers,
    }


def trace_text(session: Session, sample: int, result: PassResult, digits: int = 4) -> str:
    """The pass ``result`` of sample ``sample`` (0-based) as a readable table in the course notation."""
    network = session.network

    def num(value: float) -> str:
        return format_number(float(value), digits)

    def block(title: str, rows: list[list[str]]) -> list[str]:
        widths = [max(len(row[c]) for row in rows if c < len(row)) for c in range(max(map(len, rows)))]
        lines = ["  " + "    ".join(cell.ljust(widths[c]) for c, cell in enumerate(row)).rstrip() for row in rows]
        return [title, *lines, ""]

    L = network.depth
    out = [f'Sample {sample} of "{session.name}": loss {network.loss}, η = {num(session.training.learning_rate)}', ""]
    if network.features is None:
        out += block("Input", [[f"x_{index(k)} = {num(v)}" for k, v in enumerate(result.x[:, 0])]])
    else:
        raw = [f"x{k + 1} = {num(v)}" for k, v in enumerate(result.raw[:, 0])]
        out += block("Raw input", [raw])
        features = zip(network.features, result.x[:, 0], strict=True)
        rows = [[f"x_{index(k)} = {formula(name)}", f"= {num(v)}"] for k, (name, v) in enumerate(features)]
        out += block("Input (features)", rows)
    out += block("Target", [[f"t_{index(j)} = {num(v)}" for j, v in enumerate(result.t[:, 0])]])
    for l, layer in enumerate(network.layers, start=1):
        rows = [
            [f"z_{index(j)}^{l} = {num(result.z[l][j, 0])}", f"a_{index(j)}^{l} = {num(result.a[l][j, 0])}"]
            for j in range(layer.size)
        ]
        out += block(f"Forward {l} ({layer.activation})", rows)
    rows = [[f"C = {num(result.loss)}"]]
    rows += [[f"∂C/∂a_{index(j)}^{L} = {num(v)}"] for j, v in enumerate(result.grad_a[:, 0])]
    out += block(f"Loss ({network.loss})", rows)
    for l in range(L, 0, -1):
        layer = network.layer(l)
        rows = []
        for j in range(layer.size):
            row = [f"δ_{index(j)}^{l} = {num(result.delta[l][j, 0])}"]
            if layer.has_bias:
                row.append(f"∂C/∂b_{index(j)}^{l} = {num(result.grad_b[l][j])}")
            rows.append(row)
        grads = result.grad_w[l]
        rows += [
            [f"∂C/∂w_{index(j, k)}^{l} = {num(grads[j, k])}" for k in range(grads.shape[1])] for j in range(layer.size)
        ]
        out += block(f"Backward {l}" + ("" if layer.has_bias else " (no bias)"), rows)
    return "\n".join(out).rstrip()
