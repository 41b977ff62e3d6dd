"""Built-in example sessions: JSON files in the package ``backprop_gui.resources/examples``.

An example's name is its file name without ``.json``; its one-line description is the
file's ``description`` field. ``EXAMPLE_ORDER`` is the order to teach them in.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable

from backprop_gui.core.session import Session
from backprop_gui.core.session_format import SessionError, loads

EXAMPLE_ORDER = (
    "course_simple",
    "xor",
    "xor_unsolvable",
    "sigmoid_saturation",
    "dead_relu",
    "blobs_softmax",
    "moons",
    "spirals_adam",
    "spirals_features",
    "sine_regression",
)
DEFAULT_EXAMPLE = "course_simple"


def _files() -> dict[str, Traversable]:
    folder = resources.files("backprop_gui.resources") / "examples"
    found = {f.name.removesuffix(".json"): f for f in folder.iterdir() if f.name.endswith(".json")}
    ordered = [name for name in EXAMPLE_ORDER if name in found] + sorted(set(found) - set(EXAMPLE_ORDER))
    return {name: found[name] for name in ordered}


def example_names() -> list[str]:
    """The names of the built-in examples, in teaching order."""
    return list(_files())


def list_examples() -> list[tuple[str, str]]:
    """(name, one-line description) of every built-in example, in teaching order."""
    return [(name, json.loads(f.read_text(encoding="utf-8")).get("description", "")) for name, f in _files().items()]


def load_example(name: str) -> Session:
    """The built-in example ``name``; SessionError naming the known examples if there is none."""
    files = _files()
    if name not in files:
        raise SessionError(f"unknown example {name!r} (known: {', '.join(files)})")
    try:
        return loads(files[name].read_text(encoding="utf-8"), default_name=name)
    except SessionError as error:
        raise SessionError(error.message, f"example {name}") from None


def default_session() -> Session:
    """The session the program starts with: the course's simple network."""
    return load_example(DEFAULT_EXAMPLE)
