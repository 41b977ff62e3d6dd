"""The trace of one pass: JSON-ready dict and readable table, layers and neurons numbered from 1."""

from __future__ import annotations

import numpy as np

from backprop_gui.core.backprop import run_pass
from backprop_gui.core.presets import load_example
from backprop_gui.core.trace import trace_dict, trace_text


def test_trace_dict_holds_every_number_of_the_pass():
    session = load_example("blobs_softmax")
    x, t = session.data.inputs[5][:, None], session.data.targets[5][:, None]
    result = run_pass(session.network, x, t)
    trace = trace_dict(session.network, result)
    assert trace["input"] == x[:, 0].tolist() and trace["target"] == t[:, 0].tolist()
    assert trace["loss"] == result.loss and trace["output"] == result.a[2][:, 0].tolist()
    for l, layer in enumerate(trace["layers"], start=1):
        assert layer["layer"] == l
        assert np.array_equal(layer["grad_weights"], result.grad_w[l])
        assert layer["delta"] == result.delta[l][:, 0].tolist()


def test_trace_text_names_every_value_in_course_notation():
    session = load_example("xor")
    x, t = session.data.inputs[1][:, None], session.data.targets[1][:, None]
    text = trace_text(session, 1, run_pass(session.network, x, t), digits=3)
    assert text.startswith('Sample 1 of "')
    for name in ("x_2 = ", "t_1 = ", "z_2^1 = ", "a_1^2 = ", "C = ", "δ_2^1 = ", "∂C/∂w_21^1 = ", "∂C/∂b_1^2 = "):
        assert name in text
