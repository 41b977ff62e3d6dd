"""Weights alone as .npz: export --npz and import-npz, a round trip bit for bit, and clear errors."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import numpy as np
import pytest

from backprop_gui.cli import main
from backprop_gui.core.npz import WeightsError, parameters_from_arrays, read_npz, weight_arrays, write_npz
from backprop_gui.core.presets import example_names, load_example
from backprop_gui.core.session import SessionView, StepperPosition
from backprop_gui.core.session_format import load_session, save_session

from helpers import snapshot


@pytest.mark.parametrize("name", example_names())
def test_weights_survive_a_round_trip_bit_for_bit(tmp_path, name):
    session = load_example(name)
    path = tmp_path / "weights.npz"
    write_npz(session.network, path)
    arrays = read_npz(path)
    expected = [
        f"{kind}{l}"
        for l, layer in enumerate(session.network.layers, 1)
        for kind in "wb"
        if kind == "w" or layer.has_bias
    ]
    assert list(arrays) == expected
    target = load_example(name)
    for layer in target.network.layers:
        layer.weights, layer.biases = np.zeros_like(layer.weights), np.zeros_like(layer.biases)
    weights, biases = parameters_from_arrays(target.network, arrays, str(path))
    for l, layer in enumerate(session.network.layers, start=1):
        assert weights[l].tobytes() == layer.weights.tobytes()
        assert biases[l].tobytes() == layer.biases.tobytes()


def test_the_commands_round_trip_a_session_file_exactly(tmp_path, capsys):
    trained, weights, restored = tmp_path / "trained.json", tmp_path / "w.npz", tmp_path / "restored.json"
    assert main(["train", "--example", "xor", "--epochs", "3", "--out", str(trained)]) == 0
    assert main(["export", str(trained), "--npz", str(weights)]) == 0
    assert main(["import-npz", str(weights), "--example", "xor", "--out", str(restored)]) == 0
    assert f"wrote {restored}" in capsys.readouterr().out
    got, want = load_session(restored), load_session(trained)
    assert snapshot(got.network) == snapshot(want.network)
    assert snapshot(got.network) != snapshot(load_example("xor").network)


def test_a_bias_free_layer_has_no_b_array_and_takes_only_zeros(tmp_path):
    network = load_example("course_simple").network  # layer 1 has no bias
    assert sorted(weight_arrays(network)) == ["b2", "w1", "w2"]
    arrays = weight_arrays(network)
    parameters_from_arrays(network, {**arrays, "b1": np.zeros(1)}, "w.npz")
    with pytest.raises(WeightsError, match=r"w\.npz: b1: layer 1 has no bias, but b1 is not all zeros"):
        parameters_from_arrays(network, {**arrays, "b1": np.ones(1)}, "w.npz")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.pop("w2"), r"w\.npz: no array w2 \(the network needs 1×2, n_2 × n_1\)"),
        (lambda a: a.update(w1=np.zeros((3, 2))), r"w\.npz: w1: expected 2×2 \(n_1 × n_0\), got 3×2"),
        (lambda a: a.update(b2=np.float64(1.0)), r"w\.npz: b2: expected 1 \(n_2\), got a single number"),
        (lambda a: a.update(w3=np.zeros((1, 1))), r"w\.npz: unexpected array w3: the network has 2 layers"),
    ],
)
def test_arrays_that_do_not_fit_are_named(change, message):
    network = load_example("xor").network
    arrays = weight_arrays(network)
    change(arrays)
    with pytest.raises(WeightsError, match=message):
        parameters_from_arrays(network, arrays, "w.npz")


def test_files_that_are_not_weights_are_refused_without_running_anything(tmp_path):
    objects = tmp_path / "objects.npz"
    np.savez(objects, w1=np.array([{"a": 1}], dtype=object))
    with pytest.raises(WeightsError, match="holds Python objects, which are never loaded"):
        read_npz(objects)
    text = tmp_path / "text.npz"
    text.write_text("not an archive")
    with pytest.raises(WeightsError, match=r"text\.npz: not a numpy \.npz archive of weights"):
        read_npz(text)
    with pytest.raises(WeightsError, match="no such file"):
        read_npz(tmp_path / "missing.npz")
    strings = tmp_path / "strings.npz"
    np.savez(strings, w1=np.array(["a"]))
    with pytest.raises(WeightsError, match="w1: expected numbers"):
        read_npz(strings)
    nan = tmp_path / "nan.npz"
    np.savez(nan, w1=np.array([[np.nan]]))
    with pytest.raises(WeightsError, match="w1: contains a NaN or infinite value"):
        read_npz(nan)


def test_import_npz_with_weights_that_do_not_fit_exits_2_and_writes_nothing(tmp_path, capsys):
    weights, out = tmp_path / "w.npz", tmp_path / "out.json"
    write_npz(load_example("blobs_softmax").network, weights)
    assert main(["import-npz", str(weights), "--example", "xor", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"backprop-gui: {weights}: w1: expected 2×2 (n_1 × n_0), got 4×2\n"
    assert not out.exists()


def test_import_npz_into_a_session_saved_at_update_starts_the_pass_again(tmp_path):
    session = load_example("xor")
    old = weight_arrays(session.network)
    path, weights, out = tmp_path / "s.json", tmp_path / "w.npz", tmp_path / "out.json"
    write_npz(session.network, weights)
    session.view = SessionView(position=StepperPosition(sample=2, position=3))
    save_session(session, path)
    assert main(["import-npz", str(weights), str(path), "--out", str(out)]) == 0
    result = load_session(out)
    assert result.view.position.sample == 2 and result.view.position.position == 0
    assert all(np.array_equal(old[name], arr) for name, arr in weight_arrays(result.network).items())


def npy_member(archive: zipfile.ZipFile, name: str, shape: tuple[int, ...], numbers: int, extra: bytes = b"") -> None:
    """Write ``name``.npy whose header states ``shape`` but which holds ``numbers`` zeros (+ ``extra``),
    deflated in chunks (a few MB of zeros become a few kB)."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": shape})
    with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
        member.write(header.getvalue())
        chunk = bytes(8 * 2**17)
        for start in range(0, numbers, 2**17):
            member.write(chunk[: 8 * min(2**17, numbers - start)])
        member.write(extra)


def peak_bytes(read) -> int:
    tracemalloc.start()
    try:
        with pytest.raises(WeightsError) as error:
            read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        assert "Traceback" not in str(error.value)


def test_a_header_claiming_a_huge_array_is_refused_before_anything_is_allocated(tmp_path):
    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        npy_member(archive, "w1", (10**6, 10**6), 4)
    peak = peak_bytes(lambda: read_npz(bomb))
    assert peak < 2**20
    with pytest.raises(WeightsError, match=r"bomb\.npz: more than the 10,000,000 numbers allowed \(at w1\)"):
        read_npz(bomb)


def test_a_zip_bomb_is_refused_from_its_stated_sizes_before_decompressing(tmp_path):
    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for l in (1, 2, 3):
            npy_member(archive, f"w{l}", (4_000_000,), 4_000_000)  # 32 MB each, 96 MB in all
    assert bomb.stat().st_size < 2**20
    peak = peak_bytes(lambda: read_npz(bomb))
    assert peak < 2**20  # reading the arrays first took 32 MB at a time
    with pytest.raises(WeightsError, match=r"bomb\.npz: the archive unpacks to 92 MiB, more than 10,000,000 numbers"):
        read_npz(bomb)


def test_a_member_holding_more_or_less_than_its_header_states_is_refused(tmp_path):
    longer = tmp_path / "longer.npz"
    with zipfile.ZipFile(longer, "w", zipfile.ZIP_DEFLATED) as archive:
        npy_member(archive, "w1", (2, 2), 4, extra=bytes(80_000))
    with pytest.raises(WeightsError, match=r"w1: the archive's size for it does not match its shape \(2, 2\)"):
        read_npz(longer)
    shorter = tmp_path / "shorter.npz"
    with zipfile.ZipFile(shorter, "w", zipfile.ZIP_DEFLATED) as archive:
        npy_member(archive, "w1", (2, 2), 3)
    with pytest.raises(WeightsError, match=r"w1: the archive's size for it does not match"):
        read_npz(shorter)
    fortran = tmp_path / "fortran.npz"
    np.savez_compressed(fortran, w1=np.asfortranarray(np.arange(6.0).reshape(2, 3)))
    assert read_npz(fortran)["w1"].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
