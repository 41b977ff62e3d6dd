"""The ``backprop-gui`` command.

``backprop-gui [FILE] [--example NAME]`` opens the window. The subcommands ``trace``,
``train``, ``gradcheck`` and ``examples`` run headless and never import Qt. Bad input
ends with exit status 2 and one line on stderr naming the file and the problem.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from backprop_gui import __version__
from backprop_gui.core.backprop import PassResult, first_non_finite, run_pass
from backprop_gui.core.datasets import DatasetError
from backprop_gui.core.formatting import MAX_DIGITS, MIN_DIGITS, format_number
from backprop_gui.core.gradcheck import gradient_check
from backprop_gui.core.presets import list_examples, load_example
from backprop_gui.core.session import Session, SessionError, format_json, load_session, save_session
from backprop_gui.core.training import Divergence, Trainer

COMMANDS = ("trace", "train", "gradcheck", "examples")
GRADCHECK_TOLERANCE = 1e-6


class UsageError(ValueError):
    """Input the command cannot work with; the message names the file and the problem."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``) and return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            args = _command_parser().parse_args(argv)
            return args.run(args)
        args = _window_parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 0
    except (SessionError, DatasetError, UsageError, ValueError) as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"{error.filename}: {error.strerror}" if error.filename else str(error))
    except KeyboardInterrupt:
        print("backprop-gui: interrupted", file=sys.stderr)
        return 130
    if args.file is not None and args.example is not None:
        return _fail("give a session FILE or --example NAME, not both")
    from backprop_gui.ui.app import run  # the window needs Qt: import it only now

    return run(args.file, args.example)


def _fail(message: str) -> int:
    print(f"backprop-gui: {' '.join(message.split())}", file=sys.stderr)
    return 2


# --- parsers ------------------------------------------------------------------------------


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backprop-gui",
        description="A step-through debugger for backpropagation. Opens FILE (a session) or a built-in example.",
        epilog="headless commands: trace, train, gradcheck, examples (see backprop-gui COMMAND --help)",
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="a session file (.json) to open")
    parser.add_argument("--example", metavar="NAME", help="open the built-in example NAME")
    parser.add_argument("--version", action="version", version=f"backprop-gui {__version__}")
    return parser


def _command_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backprop-gui")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    trace = commands.add_parser("trace", help="print one full pass of a sample as JSON (or --text)")
    _add_source(trace)
    trace.add_argument("--sample", type=int, default=0, metavar="I", help="sample index, from 0 (default 0)")
    trace.add_argument("--text", action="store_true", help="a readable table in the course notation")
    trace.add_argument(
        "--digits", type=int, default=4, metavar="D", help=f"significant digits for --text ({MIN_DIGITS}..{MAX_DIGITS})"
    )
    trace.set_defaults(run=_trace)

    train = commands.add_parser("train", help="train with SGD and write the trained session")
    _add_source(train)
    train.add_argument("--epochs", type=int, metavar="N", help="epochs to run (default: the file's training.epochs)")
    train.add_argument("--learning-rate", type=float, metavar="η", help="learning rate η")
    train.add_argument("--batch-size", type=int, metavar="B", help="samples per SGD step")
    train.add_argument("--seed", type=int, metavar="S", help="seed of the shuffling")
    train.add_argument("--out", required=True, metavar="OUT", help="where to write the trained session")
    train.set_defaults(run=_train)

    check = commands.add_parser("gradcheck", help="compare backprop with finite differences")
    _add_source(check)
    check.add_argument("--sample", type=int, default=0, metavar="I", help="sample index, from 0 (default 0)")
    check.set_defaults(run=_gradcheck)

    examples = commands.add_parser("examples", help="list the built-in examples")
    examples.set_defaults(run=_examples)
    return parser


def _add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", metavar="FILE", help="a session file (.json)")
    parser.add_argument("--example", metavar="NAME", help="use the built-in example NAME instead of a file")


def _load(args: argparse.Namespace) -> tuple[Session, str]:
    """The session named on the command line and how to name it in messages."""
    if (args.file is None) == (args.example is None):
        raise UsageError("give a session FILE or --example NAME (one of them)")
    if args.example is not None:
        return load_example(args.example), f"example {args.example}"
    return load_session(args.file), args.file


def _sample(session: Session, label: str, index: int) -> tuple[np.ndarray, np.ndarray]:
    """(x (n_0, 1), t (n_L, 1)) of sample ``index``."""
    n = len(session.data)
    if not 0 <= index < n:
        raise UsageError(f"{label}: sample {index} does not exist (the data set has {n} samples, 0..{n - 1})")
    return session.data.inputs[index][:, None], session.data.targets[index][:, None]


# --- trace -----------------------------------------------------------------------------


def _trace(args: argparse.Namespace) -> int:
    session, label = _load(args)
    if not MIN_DIGITS <= args.digits <= MAX_DIGITS:
        raise UsageError(f"--digits: must be in {MIN_DIGITS}..{MAX_DIGITS}, got {args.digits}")
    x, t = _sample(session, label, args.sample)
    with np.errstate(over="ignore", invalid="ignore"):
        result = run_pass(session.network, x, t)
    bad = first_non_finite(result)
    if bad is not None:
        print(f"backprop-gui: {label}: {bad[0]} of layer {bad[1]} is NaN or infinite for this sample", file=sys.stderr)
        return 1
    if args.text:
        print(trace_text(session, args.sample, result, args.digits))
    else:
        print(format_json(trace_dict(session, result)))
    return 0


def trace_dict(session: Session, result: PassResult) -> dict:
    """One pass of a single sample as the ``trace`` command's JSON: layers numbered from 1.

    ``grad_biases`` is null for a layer without bias (it has no bias to learn)."""
    network = session.network
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
    return {
        "input": result.x[:, 0].tolist(),
        "target": result.t[:, 0].tolist(),
        "output": result.a[network.depth][:, 0].tolist(),
        "loss": result.loss,
        "layers": layers,
    }


def _index(*indices: int) -> str:
    """Subscripts counted from 1: ``12`` for (0, 1), ``10,2`` once a number has two digits."""
    numbers = [str(i + 1) for i in indices]
    return ("," if any(len(n) > 1 for n in numbers) else "").join(numbers)


def trace_text(session: Session, sample: int, result: PassResult, digits: int = 4) -> str:
    """One pass of a single sample as a readable table in the course notation."""
    network = session.network

    def num(value: float) -> str:
        return format_number(float(value), digits)

    def block(title: str, rows: list[list[str]]) -> list[str]:
        widths = [max(len(row[c]) for row in rows if c < len(row)) for c in range(max(map(len, rows)))]
        lines = ["  " + "    ".join(cell.ljust(widths[c]) for c, cell in enumerate(row)).rstrip() for row in rows]
        return [title, *lines, ""]

    L = network.depth
    out = [f'Sample {sample} of "{session.name}": loss {network.loss}, η = {num(session.training.learning_rate)}', ""]
    out += block("Input", [[f"x_{_index(k)} = {num(v)}" for k, v in enumerate(result.x[:, 0])]])
    out += block("Target", [[f"t_{_index(j)} = {num(v)}" for j, v in enumerate(result.t[:, 0])]])
    for l, layer in enumerate(network.layers, start=1):
        rows = [
            [f"z_{_index(j)}^{l} = {num(result.z[l][j, 0])}", f"a_{_index(j)}^{l} = {num(result.a[l][j, 0])}"]
            for j in range(layer.size)
        ]
        out += block(f"Forward {l} ({layer.activation})", rows)
    rows = [[f"C = {num(result.loss)}"]]
    rows += [[f"∂C/∂a_{_index(j)}^{L} = {num(v)}"] for j, v in enumerate(result.grad_a[:, 0])]
    out += block(f"Loss ({network.loss})", rows)
    for l in range(L, 0, -1):
        layer = network.layer(l)
        rows = []
        for j in range(layer.size):
            row = [f"δ_{_index(j)}^{l} = {num(result.delta[l][j, 0])}"]
            if layer.has_bias:
                row.append(f"∂C/∂b_{_index(j)}^{l} = {num(result.grad_b[l][j])}")
            rows.append(row)
        grads = result.grad_w[l]
        rows += [
            [f"∂C/∂w_{_index(j, k)}^{l} = {num(grads[j, k])}" for k in range(grads.shape[1])] for j in range(layer.size)
        ]
        out += block(f"Backward {l}" + ("" if layer.has_bias else " (no bias)"), rows)
    return "\n".join(out).rstrip()


# --- train -----------------------------------------------------------------------------


def _train(args: argparse.Namespace) -> int:
    session, label = _load(args)
    settings = session.training
    if args.batch_size is not None and args.batch_size != settings.batch_size and session.batch:
        raise UsageError(
            f"{label}: cannot change the batch size in the middle of an epoch "
            f"(progress.batch = {session.batch}); train to the end of the epoch first"
        )
    for name in ("epochs", "learning_rate", "batch_size", "seed"):
        if getattr(args, name) is not None:
            setattr(settings, name, getattr(args, name))
    try:
        settings.validate()
    except ValueError as error:
        raise UsageError(f"{label}: {error}") from None
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UsageError(f"{out}: the folder {out.parent} does not exist")
    trainer = Trainer(session.network, session.data, settings, session.history, session.epoch, session.batch)
    status, target = 0, trainer.epoch + settings.epochs
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # the divergence guard names the NaN/inf itself
            _train_epochs(trainer, target)
    except Divergence as error:
        print(f"backprop-gui: {label}: {error}", file=sys.stderr)
        status = 1
    session.epoch, session.batch = trainer.epoch, trainer.batch
    try:
        save_session(session, out)
    except OSError as error:
        raise UsageError(f"{out}: cannot write the file ({error.strerror or error})") from None
    print(f"wrote {out}" + (" (the weights of the last finite step)" if status else ""))
    return status


def _train_epochs(trainer: Trainer, target: int) -> None:
    """Train until ``target`` epochs are complete, printing each epoch's mean loss."""
    while trainer.epoch < target:
        trainer.train_epoch()
        history = trainer.history
        line = f"epoch {trainer.epoch}  mean loss {format_number(history.epoch_losses[-1], 6)}"
        if trainer.validation_indices.size:
            line += f"  validation loss {format_number(history.validation_losses[-1], 6)}"
        print(line, flush=True)


# --- gradcheck and examples --------------------------------------------------------------


def _gradcheck(args: argparse.Namespace) -> int:
    session, label = _load(args)
    x, t = _sample(session, label, args.sample)
    check = gradient_check(session.network, x, t)
    worst = max(check.checks, key=lambda c: c.relative_error)
    print(f"{label}, sample {args.sample}: {len(check.checks)} parameters checked against finite differences")
    print(f"max absolute error  {check.max_absolute_error:.3e}")
    print(f"max relative error  {check.max_relative_error:.3e}  (at {worst.name})")
    if check.max_relative_error > GRADCHECK_TOLERANCE:
        print(f"FAILED: the relative error is above {GRADCHECK_TOLERANCE:g}")
        return 1
    print(f"OK: within {GRADCHECK_TOLERANCE:g}")
    return 0


def _examples(args: argparse.Namespace) -> int:
    examples = list_examples()
    width = max(len(name) for name, _ in examples)
    for name, description in examples:
        print(f"{name.ljust(width)}  {description}")
    return 0
