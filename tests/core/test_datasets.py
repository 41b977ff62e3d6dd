"""Built-in data sets (reproducible from a seed), CSV import and its errors, check_fits."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_gui.core.datasets import (
    GENERATORS,
    MAX_DATA_NUMBERS,
    MAX_ONE_HOT_CLASSES,
    MAX_SAMPLES,
    DatasetError,
    check_fits,
    check_size,
    generate,
    looks_like_header,
    read_csv,
    text_columns,
)
from backprop_gui.core.network import build_network


@pytest.mark.parametrize("name", list(GENERATORS))
def test_every_generator_is_reproducible_from_its_recipe(name):
    first = generate(name)
    again = generate(**first.generator)
    assert first.generator["name"] == name
    assert first.inputs.tobytes() == again.inputs.tobytes()
    assert first.targets.tobytes() == again.targets.tobytes()
    assert first.inputs.dtype == first.targets.dtype == np.float64
    assert first.inputs.shape == (len(first), GENERATORS[name].input_size)
    assert first.targets.shape == (len(first), GENERATORS[name].target_size(first.generator))
    assert len(first.input_labels) == first.input_size and len(first.target_labels) == first.target_size


@pytest.mark.parametrize("name", ["moons", "circles", "spirals", "blobs", "sine"])
def test_a_different_seed_gives_different_data(name):
    assert not np.array_equal(generate(name, seed=1).inputs, generate(name, seed=2).inputs)


def test_logic_tables():
    assert generate("xor").inputs.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert generate("xor").targets.ravel().tolist() == [0, 1, 1, 0]
    assert generate("and").targets.ravel().tolist() == [0, 0, 0, 1]
    assert generate("or").targets.ravel().tolist() == [0, 1, 1, 1]


@pytest.mark.parametrize("name", ["moons", "circles", "spirals"])
def test_two_classes_are_one_balanced_zero_one_column(name):
    data = generate(name, samples=101, noise=0.0, seed=3)
    assert data.targets.shape == (101, 1)
    assert set(data.targets.ravel()) == {0.0, 1.0}
    assert abs(data.targets.sum() - 50.5) <= 0.5


def test_more_classes_are_one_hot():
    data = generate("blobs", samples=90, classes=5, seed=1)
    assert data.targets.shape == (90, 5)
    assert np.array_equal(data.targets.sum(axis=1), np.ones(90))
    assert np.array_equal(data.targets.sum(axis=0), np.full(5, 18.0))
    assert generate("spirals", classes=3).targets.shape[1] == 3


def test_noise_free_shapes_are_exact():
    circles = generate("circles", samples=40, noise=0.0)
    radius = np.hypot(*circles.inputs.T)
    assert np.allclose(radius[circles.targets[:, 0] == 0], 1.0)
    assert np.allclose(radius[circles.targets[:, 0] == 1], 0.5)
    sine = generate("sine", samples=30, noise=0.0)
    assert np.allclose(sine.targets[:, 0], np.sin(sine.inputs[:, 0]))
    assert np.all(np.abs(sine.inputs) <= np.pi)


@pytest.mark.parametrize(
    ("name", "settings", "message"),
    [
        ("mnist", {}, "unknown data set 'mnist' (known: xor, and, or, moons"),
        ("moons", {"noise": 2.0}, "moons noise: must be in 0.0..1.0, got 2.0"),
        ("moons", {"samples": 1}, "moons samples: must be in 2..1000000, got 1"),
        ("moons", {"samples": 10.5}, "moons samples: expected a whole number, got 10.5"),
        ("moons", {"samples": True}, "moons samples: expected a number, got bool"),
        ("moons", {"seed": "1"}, "moons seed: expected a number, got str"),
        ("moons", {"classes": 3}, "moons: unknown setting 'classes' (known: samples, noise, seed)"),
        ("xor", {"seed": 1}, "xor: unknown setting 'seed' (known: none)"),
        ("blobs", {"samples": 3, "classes": 4}, "blobs samples: must be at least classes (4)"),
        ("spirals", {"classes": 11}, "spirals classes: must be in 2..10, got 11"),
    ],
)
def test_generator_settings_are_checked(name, settings, message):
    with pytest.raises(DatasetError) as caught:
        generate(name, **settings)
    assert message in str(caught.value)


def test_every_generator_describes_itself_and_its_settings():
    for generator in GENERATORS.values():
        assert generator.description and "\n" not in generator.description
        for param in generator.params:
            assert param.low <= param.default <= param.high and param.help


# --- CSV ------------------------------------------------------------------------------

CSV = "x1,x2,label,y\n1,2,cat,0.5\n3,4,dog,1.5\n5,6,cat,2.5\n"


def test_csv_with_a_header_by_name_and_index():
    data = read_csv(CSV, ["x1", 1], ["y"])
    assert data.inputs.tolist() == [[1, 2], [3, 4], [5, 6]]
    assert data.targets.tolist() == [[0.5], [1.5], [2.5]]
    assert data.input_labels == ["x1", "x2"] and data.target_labels == ["y"]
    assert data.generator is None


def test_csv_without_a_header(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("1, 2, 3\n\n4, 5, 6\n")
    data = read_csv(path, [0, 1], [2])
    assert data.inputs.tolist() == [[1, 2], [4, 5]] and data.targets.tolist() == [[3], [6]]
    forced = read_csv(str(path), [0], [2], header=True)
    assert forced.inputs.tolist() == [[4]] and forced.input_labels == ["1"]


def test_csv_one_hot_class_column_and_standardise():
    data = read_csv(CSV, ["x1", "x2"], one_hot_column="label", standardise=True)
    assert data.targets.tolist() == [[1, 0], [0, 1], [1, 0]]
    assert data.target_labels == ["cat", "dog"]
    assert np.allclose(data.inputs.mean(axis=0), 0) and np.allclose(data.inputs.std(axis=0), 1)


def test_numeric_classes_sort_by_value():
    data = read_csv("a,c\n1,10\n2,9\n3,10\n", ["a"], one_hot_column="c")
    assert data.target_labels == ["9", "10"]
    assert data.targets.tolist() == [[0, 1], [1, 0], [0, 1]]


def test_standardise_leaves_a_constant_column_centred():
    data = read_csv("a,b,t\n1,5,0\n2,5,1\n", ["a", "b"], ["t"], standardise=True)
    assert data.inputs[:, 1].tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("text", "inputs", "targets", "message"),
    [
        ("\n\n", [0], [1], "the file is empty (no rows of data)"),
        ("a,b\n", ["a"], ["b"], "the file has a header but no rows of data"),
        ("a,b\n1,2\n3\n", ["a"], ["b"], "line 3: expected 2 cells like the first line, found 1"),
        ("a,b\n1,2\n3,x\n", ["a"], ["b"], "line 3, column 2 (b): 'x' is not a number"),
        ("a,b\n1,2\nnan,1\n", ["a"], ["b"], "line 3, column 1 (a): 'nan' is not finite"),
        ("a,b\n1,2\n", ["c"], ["b"], "unknown column 'c' (columns: a, b)"),
        ("a,b\n1,2\n", [5], ["b"], "column index 5 does not exist (the file has columns 0..1)"),
        ("a,b\n1,2\n", [], ["b"], "choose at least one input column"),
        ("a,b\n1,2\n", ["a"], [], "choose at least one target column or a class column"),
        ("a,b\n1,2\n", ["a", 0], ["b"], "column 'a' is chosen more than once"),
        ("a,b\n1,2\n", [1.5], ["b"], "a column is named by its header or its index, got 1.5"),
    ],
)
def test_csv_errors_name_line_and_column(text, inputs, targets, message):
    with pytest.raises(DatasetError) as caught:
        read_csv(text, inputs, targets)
    assert str(caught.value) == message


def test_csv_other_delimiters():
    data = read_csv("a;b\n1;2\n", ["a"], ["b"], delimiter=";")
    assert data.inputs.tolist() == [[1]] and data.targets.tolist() == [[2]]
    assert read_csv("1\t2\n", [0], [1], delimiter="\t").targets.tolist() == [[2]]
    with pytest.raises(DatasetError, match="the delimiter must be one character, got ''"):
        read_csv("a,b\n1,2\n", ["a"], ["b"], delimiter="")


def test_csv_file_errors_name_the_file(tmp_path):
    missing = tmp_path / "none.csv"
    with pytest.raises(DatasetError, match=f"{missing}: no such file"):
        read_csv(missing, [0], [1])
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DatasetError, match=f"{empty}: the file is empty"):
        read_csv(empty, [0], [1])
    binary = tmp_path / "junk.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(DatasetError, match="not a text file"):
        read_csv(binary, [0], [1])


# --- check_fits -------------------------------------------------------------------------


def test_check_fits_names_the_mismatch():
    network = build_network(2, [3, 1], ["tanh", "sigmoid"])
    check_fits(generate("xor"), network)
    with pytest.raises(DatasetError) as caught:
        check_fits(generate("sine"), network)
    assert str(caught.value) == (
        "the data has 1 input per sample but the network's input layer has 2 neurons (n_0 = 2)"
    )
    with pytest.raises(DatasetError) as caught:
        check_fits(generate("blobs"), network)
    assert str(caught.value) == (
        "the data has 3 targets per sample but the network's output layer has 1 neuron (n_L = 1)"
    )


@pytest.mark.parametrize(
    ("text", "header"),
    [
        ("1.0,2.0,cat\n3.0,4.0,dog\n", False),  # headerless, the class column is text: row 1 is a sample
        ("x,y,label\n1.0,2.0,cat\n", True),
        ("x,y\n1,2\n", True),
        ("1,2\n3,4\n", False),
        ("x,y\n", True),
        ("cat,1\n", True),
    ],
)
def test_auto_header_keeps_a_first_sample_whose_class_is_text(text, header):
    assert looks_like_header([line.split(",") for line in text.splitlines()][:2]) is header


def test_text_columns_are_those_with_a_cell_that_is_not_a_number():
    rows = [["1", "cat", "", "ann"], ["nan", "dog", "", "bob"], ["4", "", " ", "5x"], ["2", "emu", "", "cy"]]
    assert text_columns(rows) == {1, 3}  # blanks aside; NaN is a number
    assert text_columns([["1", "2"], ["five", "3"]]) == set()  # numbers with a typo: still numbers


def test_headerless_file_with_a_text_class_column_loses_no_sample():
    data = read_csv("1.0,2.0,cat\n3.0,4.0,dog\n5.0,6.0,cat\n", [0, 1], one_hot_column=2)
    assert len(data) == 3 and data.target_labels == ["cat", "dog"]
    np.testing.assert_array_equal(data.inputs[0], [1.0, 2.0])


def test_one_hot_classes_are_capped_with_a_clear_message():
    rows = "".join(f"{i},label{i}\n" for i in range(MAX_ONE_HOT_CLASSES + 1))
    with pytest.raises(DatasetError, match=f"1,001 different labels; at most {MAX_ONE_HOT_CLASSES:,} classes"):
        read_csv("x,class\n" + rows, ["x"], one_hot_column="class")
    rows = "".join(f"{i},label{i}\n" for i in range(MAX_ONE_HOT_CLASSES))
    assert read_csv("x,class\n" + rows, ["x"], one_hot_column="class").target_size == MAX_ONE_HOT_CLASSES


def test_data_larger_than_the_limit_is_refused_before_allocating():
    check_size(MAX_SAMPLES, MAX_DATA_NUMBERS // MAX_SAMPLES)
    with pytest.raises(DatasetError, match="more than the 50,000,000 numbers"):
        check_size(MAX_SAMPLES, MAX_DATA_NUMBERS // MAX_SAMPLES + 1)
    with pytest.raises(DatasetError, match="more than the 1,000,000 allowed"):
        check_size(MAX_SAMPLES + 1, 1)
