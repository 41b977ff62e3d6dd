"""JSON written in pieces: the same text as ``json.dumps``, base64 encoded a piece at a time, and
the deferred session document that an autosave writes from a detached copy of the session."""

from __future__ import annotations

import base64
import json
from array import array

import numpy as np
import pytest

from backprop_gui.core.compare import Reference
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.json_pieces import Base64Text, json_pieces
from backprop_gui.core.network import build_network
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import SessionError, dumps, format_json, loads, session_to_dict
from backprop_gui.core.training import LossHistory


def plain(value):
    """``value`` with each Base64Text as the string ``json.dumps`` would need."""
    if isinstance(value, Base64Text):
        return base64.b64encode(value.raw).decode("ascii")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 6, 7, 29, 30, 31, 1000])
@pytest.mark.parametrize("chunk", [3, 6, 12])
def test_pieces_join_into_what_json_dumps_writes(size: int, chunk: int) -> None:
    raw = bytes(range(256)) * 4
    document = {
        "name": 'a "quoted" név\n',
        "a": Base64Text(raw[:size]),
        "list": [1, 2.5, None, True, {"b": Base64Text(raw[size : 2 * size])}],
    }
    pieces = list(json_pieces(document, chunk))
    assert b"".join(pieces) == json.dumps(plain(document)).encode("ascii")
    encoded = [piece for piece in pieces if piece not in (b'"',) and b":" not in piece and b"," not in piece]
    assert all(len(piece) <= 4 * chunk // 3 for piece in encoded)  # the base64 runs, a chunk at a time


def test_each_base64_piece_is_at_most_a_chunk() -> None:
    raw = np.arange(100_000, dtype="<f8").tobytes()
    pieces = list(json_pieces({"x": Base64Text(raw)}, chunk=3 * 1024))
    assert len(pieces) > 200 and max(map(len, pieces)) == 4 * 1024
    assert base64.b64decode(json.loads(b"".join(pieces))["x"]) == raw


def test_text_that_looks_like_a_placeholder_is_left_alone() -> None:
    document = {"note": '"0123:0"', "a": Base64Text(b"xyz")}
    assert json.loads(b"".join(json_pieces(document))) == {"note": '"0123:0"', "a": "eHl6"}


def test_bad_values_are_refused_before_the_first_piece() -> None:
    with pytest.raises(ValueError, match="Out of range float values"):
        json_pieces({"x": float("nan")})
    with pytest.raises(TypeError, match="a set cannot be written as JSON"):
        json_pieces({"x": {1}})
    with pytest.raises(ValueError, match="multiple of 3"):
        json_pieces({}, chunk=4)


def long_session() -> Session:
    """A session whose history and data are stored in the compact (base64) form."""
    rng = np.random.default_rng(0)
    network = build_network(2, [3, 1], ["sigmoid", "sigmoid"], seed=1)
    data = Dataset(rng.uniform(-1, 1, (20_000, 2)), rng.uniform(0, 1, (20_000, 1)))
    steps = 50_000
    history = LossHistory(
        array("d", rng.uniform(0, 1, steps).tobytes()),
        list(rng.uniform(0, 1, steps // 4)),
        epoch_ends=list(range(4, steps + 1, 4)),
    )
    reference = Reference("run 1", "η 0.5 → 2", list(rng.uniform(0, 1, 12_000)))
    return Session("long", network, data, history=history, references=[reference])


def test_a_deferred_document_writes_the_same_file() -> None:
    session = long_session()
    document = session_to_dict(session)
    pieces = list(json_pieces(session_to_dict(session, deferred=True), chunk=3 * 4096))
    text = b"".join(pieces)
    assert text == json.dumps(document).encode("ascii")
    assert len(pieces) > 100
    again = loads(text)
    assert np.array_equal(np.frombuffer(again.history.step_losses), np.frombuffer(session.history.step_losses))
    assert again.history.epoch_ends == session.history.epoch_ends


def test_the_readable_file_is_the_same_from_a_deferred_document() -> None:
    session = long_session()
    text = format_json(session_to_dict(session, deferred=True))
    assert text == format_json(session_to_dict(session))
    assert dumps(session) == text + "\n"
    assert '"float64_base64": "' in text and "Base64Text" not in text


def test_a_deferred_document_refuses_nan_as_the_plain_one_does() -> None:
    session = long_session()
    session.history.epoch_losses[7] = float("nan")
    with pytest.raises(SessionError, match="history.epoch_losses: contains NaN"):
        session_to_dict(session, deferred=True)


def test_a_detached_session_keeps_its_state_while_the_original_goes_on() -> None:
    session = long_session()
    before = json.dumps(session_to_dict(session))
    copy = session.detached()
    session.history.step_losses.append(0.5)
    session.history.epoch_losses.append(0.5)
    session.history.epoch_ends.append(50_004)
    session.history.rate_changes.append((50_001, 0.1))
    session.network.layer(1).weights[0, 0] = 9.0
    session.references[0].train_losses.append(0.5)
    assert json.dumps(session_to_dict(copy)) == before
    assert copy.data is session.data  # a data edit replaces the data set, never changes it
