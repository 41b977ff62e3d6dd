"""A session around an imported network: data from a CSV (targets or class labels), or one zero sample."""

from __future__ import annotations

import pytest

from backprop_gui.core.datasets import DatasetError
from backprop_gui.core.network import build_network
from backprop_gui.torch_import import model_session


def test_class_labels_become_one_hot_targets_and_the_session_is_named_after_the_model(tmp_path):
    network = build_network(2, [4, 3], ["relu", "softmax"], "cross_entropy")
    data = tmp_path / "points.csv"
    data.write_text("x1,x2,class\n0.5,1,cat\n-1,2,dog\n3,0,bird\n", encoding="utf-8")
    session = model_session(tmp_path / "zoo.pt", network, str(data))
    assert session.name == "zoo" and session.description == "imported from zoo.pt"
    assert session.data.inputs.tolist() == [[0.5, 1.0], [-1.0, 2.0], [3.0, 0.0]]
    assert session.data.targets.sum(axis=1).tolist() == [1.0, 1.0, 1.0]
    assert session.data.targets.shape == (3, 3)


def test_without_data_one_sample_of_zeros(tmp_path):
    network = build_network(3, [2], ["sigmoid"])
    session = model_session("m.pt", network)
    assert session.data.inputs.tolist() == [[0.0, 0.0, 0.0]] and session.data.targets.tolist() == [[0.0, 0.0]]


def test_data_of_the_wrong_width_or_missing_is_named(tmp_path):
    network = build_network(2, [1], ["sigmoid"])
    data = tmp_path / "wide.csv"
    data.write_text("1,2,3,4\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"wide\.csv: expected 2 input columns and then 1 target columns"):
        model_session("m.pt", network, str(data))
    with pytest.raises(DatasetError, match=r"missing\.csv: cannot read the file \(No such file or directory\)"):
        model_session("m.pt", network, str(tmp_path / "missing.csv"))
