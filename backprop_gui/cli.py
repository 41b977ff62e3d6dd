"""The ``backprop-gui`` command.

``backprop-gui [FILE] [--example NAME]`` opens the window. The subcommands ``trace``,
``train``, ``gradcheck``, ``examples``, ``export``, ``import-npz`` and ``import-torch`` run
headless and never import Qt (except ``export --png/--svg``, which draws the graph with Qt off
screen); only ``import-torch`` imports PyTorch. Bad input, or PyTorch missing for
``import-torch``, ends with exit status 2 and one line on stderr naming the file and the problem.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import os
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import NoReturn

import numpy as np

from backprop_gui import __version__
from backprop_gui.core import export, files, npz, scripts, worked
from backprop_gui.core.backprop import first_non_finite, run_pass
from backprop_gui.core.datasets import DatasetError, check_split
from backprop_gui.core.export import NonFinitePass
from backprop_gui.core.features import FEATURES, RAW_INPUT_SIZE, check_features
from backprop_gui.core.formatting import MAX_DIGITS, MIN_DIGITS, counted, format_number
from backprop_gui.core.gradcheck import gradient_check
from backprop_gui.core.losses import LOSSES
from backprop_gui.core.network import initial_weights
from backprop_gui.core.optimizers import (
    HYPERPARAMETERS,
    OPTIMIZERS,
    SCHEDULES,
    OptimizerState,
    Regularization,
    UpdateRule,
)
from backprop_gui.core.presets import list_examples, load_example
from backprop_gui.core.session import Session, StepperPosition
from backprop_gui.core.session_format import SessionError, format_json, load_session, save_session
from backprop_gui.core.trace import trace_dict, trace_text
from backprop_gui.core.training import Divergence, Trainer
from backprop_gui.torch_import import (  # PyTorch itself only once a model is read
    TorchMissing,
    model_session,
    read_model,
)

COMMANDS = ("trace", "train", "gradcheck", "examples", "export", "import-npz", "import-torch")
GRADCHECK_TOLERANCE = 1e-6
MIN_SCALE, MAX_SCALE = 0.25, 8.0


class UsageError(ValueError):
    """Input the command cannot work with; the message names the file and the problem."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line as one UsageError line instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("backprop-gui").strip()
        hint = f"see backprop-gui {command + ' ' if command else ''}--help"
        raise UsageError(f"{command + ': ' if command else ''}{message} ({hint})")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``) and return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    with contextlib.suppress(AttributeError, ValueError):  # a name with a lone surrogate prints escaped
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    try:
        if argv and argv[0] in COMMANDS:
            args = _command_parser().parse_args(argv)
            status: int = args.run(args)
            return status
        args = _window_parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 0
    except (SessionError, DatasetError, UsageError, TorchMissing, ValueError) as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"{error.filename}: {error.strerror}" if error.filename else str(error))
    except KeyboardInterrupt:
        print("backprop-gui: interrupted", file=sys.stderr)
        return 130
    if args.file is not None and args.example is not None:
        return _fail("give a session FILE or --example NAME, not both")
    from backprop_gui.ui.window.app import run  # the window needs Qt: import it only now

    return run(args.file, args.example, args.theme)


def _fail(message: str) -> int:
    print(f"backprop-gui: {' '.join(message.split())}", file=sys.stderr)
    return 2


# --- parsers ------------------------------------------------------------------------------


def _window_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="backprop-gui",
        description="A step-through debugger for backpropagation. Opens FILE (a session) or a built-in example.",
        epilog="headless commands: trace, train, gradcheck, examples, export, import-npz, import-torch "
        "(see backprop-gui COMMAND --help)",
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="a session file (.json) to open")
    parser.add_argument("--example", metavar="NAME", help="open the built-in example NAME")
    parser.add_argument(
        "--theme", choices=("system", "light", "dark"), help="colours for this run (default: View ▸ Theme's choice)"
    )
    parser.add_argument("--version", action="version", version=f"backprop-gui {__version__}")
    return parser


def _command_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="backprop-gui")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    trace = commands.add_parser("trace", help="print one full pass of a sample as JSON (or --text)")
    _add_source(trace, sample=True)
    trace.add_argument("--text", action="store_true", help="a readable table in the course notation")
    _add_digits(trace, "for --text")
    trace.set_defaults(run=_trace)

    train = commands.add_parser("train", help="train (SGD, momentum, RMSprop or Adam) and write the trained session")
    _add_source(train)
    train.add_argument("--epochs", type=int, metavar="N", help="epochs to run (default: the file's training.epochs)")
    train.add_argument("--learning-rate", type=float, metavar="η", help="learning rate η")
    train.add_argument("--batch-size", type=int, metavar="B", help="samples per SGD step")
    train.add_argument("--seed", type=int, metavar="S", help="seed of the shuffling")
    _add_data_options(train)
    _add_rule_options(train)
    train.add_argument("--out", required=True, metavar="OUT", help="where to write the trained session")
    train.set_defaults(run=_train)

    check = commands.add_parser("gradcheck", help="compare backprop with finite differences")
    _add_source(check, sample=True)
    check.set_defaults(run=_gradcheck)

    examples = commands.add_parser("examples", help="list the built-in examples")
    examples.set_defaults(run=_examples)

    out = commands.add_parser(
        "export",
        help="write the pass of a sample as figures, data, a worked solution or a script; the weights as .npz",
        description="Write one full pass of sample I: the graph at the end of the pass (PNG, SVG), the pass "
        "as CSV or as the trace JSON, the loss history as CSV, a worked solution in Markdown or LaTeX, or a "
        "standalone PyTorch or numpy script that redoes the pass and checks its numbers against this tool's "
        "(run it with --check). --npz writes the weights alone. Text formats never load Qt; --png and --svg "
        "draw the graph with Qt, off screen when there is no display.",
    )
    _add_source(out, sample=True)
    out.add_argument("--png", metavar="OUT.png", help="the graph as a PNG image (needs Qt)")
    out.add_argument("--svg", metavar="OUT.svg", help="the graph as an SVG drawing (needs Qt)")
    out.add_argument(
        "--scale",
        type=float,
        default=1.0,
        metavar="S",
        help=f"PNG size factor ({MIN_SCALE:g}..{MAX_SCALE:g}, default 1)",
    )
    out.add_argument("--markdown", metavar="OUT.md", help="the worked solution in Markdown")
    out.add_argument("--latex", metavar="OUT.tex", help="the worked solution as a LaTeX document")
    out.add_argument("--csv", metavar="OUT.csv", help="every number of the pass, one per row")
    out.add_argument("--json", metavar="OUT.json", help="the pass as the trace command's JSON")
    out.add_argument("--history-csv", metavar="OUT.csv", help="the loss history, one training step per row")
    out.add_argument("--torch", metavar="OUT.py", help="a PyTorch script of the pass (running it needs PyTorch)")
    out.add_argument("--numpy", metavar="OUT.py", help="a plain numpy script of the pass")
    out.add_argument("--npz", metavar="OUT.npz", help="the weights as a numpy archive: w1, b1, w2, b2, …")
    _add_digits(out, "of the worked solution")
    out.set_defaults(run=_export)

    weights = commands.add_parser(
        "import-npz",
        help="put the weights of a .npz archive into a session",
        description="Replace the weights of a session (FILE or --example NAME) by those of WEIGHTS.npz "
        "(arrays w1, b1, w2, b2, …, as export --npz writes them) and write the session to OUT.",
    )
    weights.add_argument("weights", metavar="WEIGHTS.npz", help="the weights")
    _add_source(weights)
    weights.add_argument("--out", required=True, metavar="OUT", help="where to write the session")
    weights.set_defaults(run=_import_npz)

    model = commands.add_parser(
        "import-torch",
        help="make a session of a PyTorch model (needs PyTorch)",
        description="Make a session of MODEL.pt, saved with torch.save: a whole torch.nn.Sequential of Linear "
        "layers and activations, or its state_dict with --layers naming the activations. The file is read "
        "with torch.load(weights_only=True) and never runs code. Needs PyTorch: "
        'pip install "backprop-gui[torch]".',
    )
    model.add_argument("model", metavar="MODEL.pt", help="the model or state_dict, saved with torch.save")
    model.add_argument("--out", required=True, metavar="SESSION.json", help="where to write the session")
    model.add_argument(
        "--data",
        metavar="DATA.csv",
        help="samples: n_0 input columns, then n_L target columns (or one column of class labels); "
        "without it the session has one sample x = 0, t = 0",
    )
    model.add_argument(
        "--layers",
        metavar="F1,F2,…",
        help="for a state_dict: each Linear layer's activation, in order (e.g. relu,relu,softmax)",
    )
    model.add_argument("--loss", choices=list(LOSSES), help="the loss (default: from the output activation)")
    model.set_defaults(run=_import_torch)
    return parser


def _add_source(parser: argparse.ArgumentParser, sample: bool = False) -> None:
    """FILE or --example NAME, and with ``sample`` the --sample index."""
    parser.add_argument("file", nargs="?", metavar="FILE", help="a session file (.json)")
    parser.add_argument("--example", metavar="NAME", help="use the built-in example NAME instead of a file")
    if sample:
        parser.add_argument("--sample", type=int, default=0, metavar="I", help="sample index, from 0 (default 0)")


def _add_digits(parser: argparse.ArgumentParser, purpose: str) -> None:
    help_ = f"significant digits {purpose} ({MIN_DIGITS}..{MAX_DIGITS})"
    parser.add_argument("--digits", type=int, default=4, metavar="D", help=help_)


def _check_digits(digits: int) -> None:
    if not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise UsageError(f"--digits: must be in {MIN_DIGITS}..{MAX_DIGITS}, got {digits}")


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
        raise UsageError(
            f"{label}: sample {index} does not exist (the data set has {counted(n, 'sample')}, 0..{n - 1})"
        )
    return session.data.inputs[index][:, None], session.data.targets[index][:, None]


# --- trace -----------------------------------------------------------------------------


def _trace(args: argparse.Namespace) -> int:
    session, label = _load(args)
    _check_digits(args.digits)
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
        print(format_json(trace_dict(session.network, result)))
    return 0


# --- export ----------------------------------------------------------------------------

_TEXT_EXPORTS = {
    "csv": export.pass_csv,
    "json": export.pass_json,
    "markdown": worked.worked_solution_markdown,
    "latex": worked.worked_solution_latex,
    "torch": scripts.torch_script,
    "numpy": scripts.numpy_script,
}


def _export(args: argparse.Namespace) -> int:
    session, label = _load(args)
    outputs = {name: getattr(args, name) for name in ("png", "svg", *_TEXT_EXPORTS, "history_csv", "npz")}
    outputs = {name: _output(f"--{name.replace('_', '-')}", path) for name, path in outputs.items() if path is not None}
    if not outputs:
        raise UsageError(
            "export: name at least one output "
            "(--png, --svg, --markdown, --latex, --csv, --json, --history-csv, --torch, --numpy, --npz)"
        )
    _check_digits(args.digits)
    if not MIN_SCALE <= args.scale <= MAX_SCALE:
        raise UsageError(f"--scale: must be in {MIN_SCALE:g}..{MAX_SCALE:g}, got {args.scale:g}")
    _sample(session, label, args.sample)
    texts: dict[str, str] = {}
    try:
        for name, make in _TEXT_EXPORTS.items():
            if name in outputs:
                extra = {"digits": args.digits} if name in ("markdown", "latex") else {}
                texts[name] = make(session, args.sample, **extra)
    except NonFinitePass as error:
        print(f"backprop-gui: {label}: {error}", file=sys.stderr)
        return 1
    if "history_csv" in outputs:
        texts["history_csv"] = export.history_csv(session.history)
    for name, text in texts.items():
        _write(outputs[name], partial(files.write_text, text=text))
    if "npz" in outputs:
        _write(outputs["npz"], partial(npz.write_npz, session.network))
    if "png" in outputs or "svg" in outputs:
        _export_graph(session, args.sample, outputs.get("png"), outputs.get("svg"), args.scale)
    return 0


def _output(option: str, path: str) -> Path:
    """``path`` as given for ``option``, checked before any work: a file name in an existing
    folder, and not a folder, device or pipe (``files.writable_target``)."""
    try:
        files.writable_target(path)
    except OSError as error:
        raise UsageError(f"{option} {path!r}: {error.strerror}") from None
    return Path(path)


def _write(path: Path, write: Callable[[Path], object], note: str = "") -> None:
    """``write(path)``, then say so (followed by ``note``); a failure names the file."""
    try:
        write(path)
    except OSError as error:
        raise UsageError(f"{path}: cannot write the file ({error.strerror or error})") from None
    print(f"wrote {path}{note}")


def _export_graph(session: Session, sample: int, png: Path | None, svg: Path | None, scale: float) -> None:
    """Draw the graph at the end of the pass with Qt, off screen when there is no display."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from backprop_gui.ui.common.saving import save_bytes
    from backprop_gui.ui.window import export as export_ui

    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 (kept alive while drawing)
    view = export_ui.session_graph(session, sample)
    if png is not None:
        _write(png, lambda path: save_bytes(str(path), export_ui.png_bytes(export_ui.graph_image(view, scale))))
    if svg is not None:
        _write(svg, lambda path: save_bytes(str(path), export_ui.graph_svg(view, session.name)))
    view.close()


# --- import ----------------------------------------------------------------------------


def _import_npz(args: argparse.Namespace) -> int:
    session, _ = _load(args)
    out = _output("--out", args.out)
    weights, biases = npz.parameters_from_arrays(session.network, npz.read_npz(args.weights), args.weights)
    for l, layer in enumerate(session.network.layers, start=1):
        layer.weights, layer.biases = weights[l], biases[l]
    if session.view is not None and session.view.position is not None:  # the pass starts again, on the new weights
        session.view.position = StepperPosition(session.view.position.sample)
    _write(out, lambda path: save_session(session, path))
    return 0


def _import_torch(args: argparse.Namespace) -> int:
    out = _output("--out", args.out)
    layers = None if args.layers is None else [name.strip() for name in args.layers.split(",")]
    session = model_session(args.model, read_model(args.model, layers, args.loss), args.data)
    _write(out, lambda path: save_session(session, path), "" if args.data else " (one sample x = 0, t = 0)")
    return 0


# --- train -----------------------------------------------------------------------------


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    """The inputs and the train/test split options of ``train`` (each overrides the file's setting)."""
    group = parser.add_argument_group("inputs and test data (default: the file's network and data)")
    group.add_argument(
        "--features",
        metavar="F1,F2,…",
        help=f"input features of the raw (x1, x2), from {', '.join(FEATURES)}; 'none' for the raw inputs. "
        "When they change, layer 1 gets new xavier weights drawn from the seed and the optimiser starts afresh",
    )
    group.add_argument("--test-fraction", type=float, metavar="F", help="share of the samples held out as test data")
    group.add_argument("--split-seed", type=int, metavar="S", help="seed of the train/test split")


def _data_from_args(session: Session, args: argparse.Namespace) -> None:
    """Set the features, test fraction and split seed given on the command line in ``session``."""
    data = session.data
    fraction = data.test_fraction if args.test_fraction is None else args.test_fraction
    seed = data.split_seed if args.split_seed is None else args.split_seed
    check_split(fraction, seed)
    if (fraction, seed) != (data.test_fraction, data.split_seed) and session.batch:
        raise ValueError(
            "cannot change the train/test split in the middle of an epoch "
            f"(progress.batch = {session.batch}); train to the end of the epoch first"
        )
    data.test_fraction, data.split_seed = fraction, seed
    if args.features is None:
        return
    names = [] if args.features.strip() == "none" else [name.strip() for name in args.features.split(",")]
    features = check_features(names, "--features") if names else None
    network = session.network
    if features == network.features:
        return
    if features is not None and data.input_size != RAW_INPUT_SIZE:
        raise UsageError(f"--features: features need 2 raw inputs (x1, x2), the data has {data.input_size}")
    network.features, network.input_size = features, len(features) if features else data.input_size
    first = network.layers[0]
    first.weights = initial_weights(
        first.size, network.input_size, "xavier", np.random.default_rng(session.training.seed)
    )
    session.optimizer_state.assign(OptimizerState())
    if session.view is not None and session.view.position is not None:  # the pass starts again, on the new weights
        session.view.position = StepperPosition(session.view.position.sample)


def _add_rule_options(parser: argparse.ArgumentParser) -> None:
    """The update rule's options of ``train`` (each one overrides the file's setting)."""
    rule = parser.add_argument_group("update rule (default: the file's training section)")
    rule.add_argument("--optimizer", choices=list(OPTIMIZERS), metavar="NAME", help="sgd, momentum, rmsprop or adam")
    for name, (label, *_) in HYPERPARAMETERS.items():
        rule.add_argument(f"--{name}", type=float, metavar=label.split()[-1], help=f"the optimizer's {label}")
    rule.add_argument("--nesterov", action=argparse.BooleanOptionalAction, help="Nesterov momentum (momentum only)")
    rule.add_argument("--l2", type=float, metavar="λ", help="L2 regularisation: add (λ/2)‖w‖² to C")
    rule.add_argument("--l1", type=float, metavar="λ", help="L1 regularisation: add λ‖w‖₁ to C")
    rule.add_argument(
        "--regularize-biases", action=argparse.BooleanOptionalAction, help="let the penalty include the biases"
    )
    rule.add_argument("--clip", type=float, metavar="NORM", help="clip the gradient to a global norm of at most NORM")
    kinds = ", ".join(SCHEDULES)
    rule.add_argument("--schedule", choices=list(SCHEDULES), metavar="KIND", help=f"how η changes: {kinds}")
    rule.add_argument("--step-size", type=int, metavar="N", help="step schedule: multiply η by γ every N updates")
    rule.add_argument("--gamma", type=float, metavar="γ", help="the schedule's factor γ")


def _rule_from_args(rule: UpdateRule, args: argparse.Namespace) -> UpdateRule:
    """``rule`` with the options given on the command line; UsageError for options that do not fit."""
    optimizer = rule.optimizer
    if args.optimizer is not None:
        optimizer = dataclasses.replace(optimizer, name=args.optimizer)
    for name in (*HYPERPARAMETERS, "nesterov"):
        value = getattr(args, name)
        if value is None:
            continue
        if name not in optimizer.rule.hyperparameters:
            raise UsageError(f"--{name}: {optimizer.name} has no such setting (give --optimizer too?)")
        optimizer = dataclasses.replace(optimizer, **{name: value})
    regularization = rule.regularization
    if args.l1 is not None and args.l2 is not None:
        raise UsageError("--l1 and --l2: give one of them")
    for kind in ("l1", "l2"):
        if getattr(args, kind) is not None:
            regularization = Regularization(kind, getattr(args, kind), regularization.biases)
    if args.regularize_biases is not None:
        regularization = dataclasses.replace(regularization, biases=args.regularize_biases)
    schedule = rule.schedule
    for option, name in (("schedule", "kind"), ("step_size", "step_size"), ("gamma", "gamma")):
        if getattr(args, option) is not None:
            schedule = dataclasses.replace(schedule, **{name: getattr(args, option)})
    clip_norm = args.clip if args.clip is not None else rule.clip_norm
    return UpdateRule(optimizer, regularization, schedule, clip_norm)


def _train(args: argparse.Namespace) -> int:
    session, label = _load(args)
    settings = session.training
    settings.rule = _rule_from_args(settings.rule, args)
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
        _data_from_args(session, args)
    except ValueError as error:
        raise UsageError(f"{label}: {error}") from None
    out = _output("--out", args.out)
    trainer = Trainer(
        session.network, session.data, settings, session.history, session.epoch, session.batch, session.optimizer_state
    )
    status, target = 0, trainer.epoch + settings.epochs
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # the divergence guard names the NaN/inf itself
            _train_epochs(trainer, target)
    except Divergence as error:
        print(f"backprop-gui: {label}: {error}", file=sys.stderr)
        status = 1
    session.epoch, session.batch = trainer.epoch, trainer.batch
    _write(out, lambda path: save_session(session, path), " (the weights of the last finite step)" if status else "")
    return status


def _train_epochs(trainer: Trainer, target: int) -> None:
    """Train until ``target`` epochs are complete, printing each epoch's mean loss (and with a test
    split its test loss, and for classification the accuracy on the training and the test samples)."""
    while trainer.epoch < target:
        trainer.train_epoch()
        history = trainer.history
        line = f"epoch {trainer.epoch}  mean loss {format_number(history.epoch_losses[-1], 6)}"
        if trainer.validation_indices.size:
            line += f"  validation loss {format_number(history.validation_losses[-1], 6)}"
        if trainer.test_indices.size:
            line += f"  test_loss {format_number(history.test_losses[-1], 6)}"
            if history.test_accuracies:
                line += f"  train_acc {history.train_accuracies[-1]:.4f}  test_acc {history.test_accuracies[-1]:.4f}"
        print(line, flush=True)


# --- gradcheck and examples --------------------------------------------------------------


def _gradcheck(args: argparse.Namespace) -> int:
    session, label = _load(args)
    x, t = _sample(session, label, args.sample)
    check = gradient_check(session.network, x, t)
    checked = counted(len(check.checks), "parameter")
    print(f"{label}, sample {args.sample}: {checked} checked against finite differences")
    bad = check.first_non_finite
    if bad is not None:
        which = "backprop's gradient" if not math.isfinite(bad.backprop) else "the finite difference"
        print(
            f"FAILED: {which} of {bad.name} is NaN or infinite (the pass overflows for this sample), "
            "so no error can be measured"
        )
        return 1
    worst = max(check.checks, key=lambda c: c.relative_error)
    print(f"max absolute error  {check.max_absolute_error:.3e}")
    print(f"max relative error  {check.max_relative_error:.3e}  (at {worst.name})")
    if not check.passes(GRADCHECK_TOLERANCE):
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
