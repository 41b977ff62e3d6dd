"""Training in the window: the Train menu, a toolbar, and the training, loss, data and decision-map docks.

``install_training(window, model, menu)`` adds all of it to any QMainWindow and returns the
``TrainingController``, the only part of the window that talks to the training process
(``core.training_worker``): it starts runs there, applies their snapshots to the session at the
frame rate they come at, and hands a clean state to the stepper whenever training pauses. The
window's thread never runs a training step. Stepping and training share one history: an Update
applied in the stepper is recorded as a training step, and stepping it back takes it out again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QToolBar,
)

from backprop_gui.core.blas_threads import limit_loaded_blas
from backprop_gui.core.compare import MAX_REFERENCES, RunSettings, describe_differences, keep_run
from backprop_gui.core.datasets import Dataset, check_fits
from backprop_gui.core.debugger_state import Event, Field
from backprop_gui.core.editing import (
    DATA_SETTINGS,
    Edit,
    ResetOptimizerState,
    SetData,
    SetTrainingSetting,
    SetUpdateRule,
)
from backprop_gui.core.formatting import counted, percent
from backprop_gui.core.optimizers import UpdateRule
from backprop_gui.core.run_edits import ClearReferences, KeepReference, Parameters, fits, parameters_of
from backprop_gui.core.training import MAX_EPOCHS, Divergence, Trainer, batches_per_epoch
from backprop_gui.core.training_worker import (
    FRAME_RATE,
    RunRequest,
    RunWatch,
    Snapshot,
    TrainingWorker,
    WorkerGone,
    append_history,
)
from backprop_gui.ui.common import plain_messages
from backprop_gui.ui.common.actions import ActionId, ActionSpec, make_action
from backprop_gui.ui.common.scrolling import scrolling
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.training.confusion_matrix import ConfusionDialog
from backprop_gui.ui.training.data_view import DataView
from backprop_gui.ui.training.decision_map import DecisionMap
from backprop_gui.ui.training.loss_plot import LossPlot
from backprop_gui.ui.training.panel import TrainingPanel

# Button labels of the actions (the menus show the full text).
A = ActionId
ACTIONS = (
    ActionSpec(A.TRAIN, "&Train / continue", ("F5",), "train", "Train with SGD; F5 again pauses", True, "Train"),
    ActionSpec(A.PAUSE, "&Pause training", ("Shift+F5",), "pause",
               "Pause after the step in progress; then step through the next sample", short="Pause"),
    ActionSpec(A.ONE_EPOCH, "Train &one epoch", ("Ctrl+F5",), "one-epoch", "Train to the end of the current epoch",
               short="1 epoch"),
    ActionSpec(A.N_EPOCHS, "Train &N epochs…", ("Ctrl+Shift+F5",), "n-epochs", "Train a chosen number of epochs",
               short="N epochs…"),
    ActionSpec(A.RESET_HISTORY, "&Reset training history…", (), "reset",
               "Forget the loss history and the epoch count (the weights stay)", short="Reset…"),
    ActionSpec(A.RESET_OPTIMIZER, "Reset &optimizer state", (), "reset",
               "Forget the optimizer's velocities, moments and update count t (undoable)", short="Reset optimizer"),
    ActionSpec(A.COMPARE, "&Compare", ("Ctrl+K",), None,
               "Keep this run's loss curves (dashed) and go back to its starting weights, to train again with a "
               "change", short="Compare"),
    ActionSpec(A.CLEAR_REFERENCES, "C&lear references", (), None, "Forget the compared runs' curves (undoable)",
               short="Clear references"),
    ActionSpec(A.CONFUSION_MATRIX, "Confusion &matrix…", (), None,
               "Counts of each true class against the class the network predicts, on the training or test set",
               short="Confusion…"),
)  # fmt: skip
# While training, the graph, the pass's views and the decision map redraw at most every PASS_INTERVAL
# seconds and, when that redraw is slow, PASS_LOAD times as long as it took, so that they use at most
# a tenth of the window's time; the loss plot follows every snapshot.
PASS_INTERVAL, PASS_LOAD = 0.2, 10.0
# While a run goes at full speed, drawing its snapshots takes at most DRAW_BUDGET of a processor: the
# worker sends the next snapshot only once the last is acknowledged, and the acknowledgement waits until
# the processor time the window spent drawing it is within the budget of the time since it came. A slow
# or busy machine gets fewer, larger snapshots, and training keeps the processor time they would take.
DRAW_BUDGET = 0.15
# What the controller's ``state`` can be.
IDLE, TRAINING, PAUSED, FINISHED, DIVERGED = "idle", "training", "paused", "finished", "diverged"


class TrainingController(QObject):
    """Starts, pauses and finishes training runs of ``model``'s session; owns the training docks."""

    state_changed = Signal(str)
    progressed = Signal()  # the session's history and weights moved on (throttled while training)
    # A run ended and the session holds its final weights: (the error that stopped it or None, a
    # Trainer over the session as the run left it).
    run_ended = Signal(object, object)

    def __init__(self, window: QMainWindow, model: SessionModel) -> None:
        super().__init__(window)
        limit_loaded_blas()  # the window's maps leave the second core to the training process (core.blas_threads)
        self.window = window
        self.model = model
        self.state = IDLE
        self.worker = TrainingWorker()  # its process starts with the first run and serves every run after
        self.last_message = ""
        self.steps_per_second = 0.0
        self._run: int | None = None  # the run going on in the worker
        self._watch = RunWatch()  # what that run watches
        self._target_epoch: int | None = None  # the end of a paused run, for Continue
        self._delay = 0.0
        self._applying = False
        self._stepped: list[int] = []  # history lengths right after each Update the stepper recorded
        # What each run watches (breakpoints, layer health); None: nothing.
        self.watch_source: Callable[[], RunWatch] | None = None
        self._rate_clock = (0.0, 0)
        self._pass_shown = (0.0, 0.0)  # when the pass was last redrawn during a run, and what it took (s)
        # During a run the pass is redrawn in an event-loop turn after the snapshot's (``_show_pass``).
        self._pass_later = QTimer(self, singleShot=True, interval=0)
        self._pass_later.timeout.connect(lambda: self._show_pass(self._pass_sample, final=False))
        self._pass_sample: int | None = None
        self._poll_timer = QTimer(self, interval=int(1000 / FRAME_RATE))
        self._poll_timer.timeout.connect(self._collect)
        self._arrived = (0.0, 0.0)  # when the last snapshot came: (wall, the window thread's processor time) s
        self._acknowledge_later = QTimer(self, singleShot=True)
        self._acknowledge_later.timeout.connect(self.worker.acknowledge)
        self.actions = self._make_actions()
        self.panel = TrainingPanel(self)
        self.loss_plot = LossPlot(model)
        self.data_view = DataView(model, self)
        self.decision_map = DecisionMap(model, self)
        self.docks: dict[str, QDockWidget] = {}
        self.toolbar: QToolBar | None = None
        self.accuracy = QLabel(window)  # the status bar's accuracy on the training and test sets (owned by the window)
        self.accuracy.setToolTip(
            "Accuracy on the training / test set: the share of samples classified right at the end of the last epoch"
        )
        self.accuracy.setContentsMargins(8, 0, 8, 0)
        self.confusion: ConfusionDialog | None = None
        # The w^l, b^l the session's run started from (None: not known, e.g. opened after training began).
        self.run_start: Parameters | None = None
        self._note_run_start()

        self.progressed.connect(self.loss_plot.request_refresh)
        self.progressed.connect(self._show_accuracy)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)
        window.installEventFilter(self)
        model.about_to_move.connect(self._before_step)
        model.changed.connect(self._model_changed)

    # --- running ---------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._run is not None

    def toggle(self) -> None:
        """F5: pause a running training, else continue (or start) it."""
        if self.running:
            self.pause()
        else:
            self.continue_training()

    def continue_training(self) -> None:
        """Resume a paused run up to its end, or start a run of the settings' epochs."""
        epoch = self.model.session.epoch
        if self._target_epoch is not None and self._target_epoch > epoch:
            self._start(self._target_epoch)
        else:
            self.train_epochs(self.model.session.training.epochs)

    def train_one_epoch(self) -> None:
        """Train to the end of the current epoch (a whole epoch when at its start)."""
        self.train_epochs(1)

    def train_epochs(self, epochs: int) -> None:
        """Train ``epochs`` more epochs (the first one counts from where the current epoch stands)."""
        self._start(self.model.session.epoch + max(1, int(epochs)))

    def ask_epochs(self) -> None:
        """Ask how many epochs to train, then train them."""
        epochs, ok = QInputDialog.getInt(
            self.window, "Train N epochs", "Epochs to train:", self.model.session.training.epochs, 1, MAX_EPOCHS
        )
        if ok:
            self.train_epochs(epochs)

    def pause(self) -> None:
        """Stop after the step in progress; the session then holds that step's weights and history."""
        if self._run is None:
            return
        try:
            snapshots = self.worker.stop()
        except WorkerGone as gone:
            self._finish([], gone)
            return
        self._finish(snapshots)

    def stop(self) -> None:
        """Stop for good (the window closes, a new session): keep what is done, forget the run's end."""
        self.pause()
        self._target_epoch = None

    def close(self) -> None:
        """The application quits: stop, and end the training process."""
        self.stop()
        self.worker.close()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """The window closes (its close was not refused): stop, and free the training process."""
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.stop()
            self.worker.release()
        return False

    def _start(self, target_epoch: int) -> None:
        if self.running:
            self.pause()
        session = self.model.session
        try:
            session.training.validate()
            check_fits(session.data, session.network)
        except ValueError as error:
            self._tell("Cannot train", str(error))
            return
        self._note_run_start()
        self._target_epoch = target_epoch
        self._watch = self.watch_source() if self.watch_source is not None else RunWatch()
        request = RunRequest(
            0,
            session.network,
            session.data,
            session.data.validation_fraction,
            session.training,
            session.history.tail(session.batch),  # the process sends back what it adds
            session.epoch,
            session.batch,
            target_epoch,
            self._delay,
            self._watch,
            session.optimizer_state,
            session.data.test_fraction,
            session.data.split_seed,
        )
        try:
            self._run = self.worker.start(request, session.data)  # sent (copied) at once
        except WorkerGone as gone:
            self._tell("Cannot train", str(gone), warning=True)
            return
        self._rate_clock = (time.perf_counter(), 0)
        self._poll_timer.start()
        self._set_state(TRAINING)
        self._status(f"Training to epoch {target_epoch:,} …")

    def _collect(self) -> None:
        """The frame timer: apply what the worker sent, and let it send more once this is drawn."""
        try:
            snapshots = self.worker.poll()
        except WorkerGone as gone:
            self._finish([], gone)
            return
        if snapshots and snapshots[-1].final:
            self._finish(snapshots)
        elif snapshots:
            self._arrived = (time.perf_counter(), time.thread_time())
            self._apply(snapshots, final=False)
            self._measure_rate(snapshots[-1].steps)
            QTimer.singleShot(0, self._acknowledge)  # queued behind the repaints the snapshot caused

    def _acknowledge(self) -> None:
        """The last snapshot is drawn: let the worker send the next, at full speed once drawing it is
        within ``DRAW_BUDGET``."""
        came, drawing_from = self._arrived
        spent, since = time.thread_time() - drawing_from, time.perf_counter() - came
        wait = 0.0 if self._delay > 0 else budget_wait(spent, since, DRAW_BUDGET)
        if wait > 0:
            self._acknowledge_later.start(max(1, round(1000 * wait)))
        else:
            self.worker.acknowledge()

    def _finish(self, snapshots: list[Snapshot], gone: WorkerGone | None = None) -> None:
        """The run is over (finished, stopped, diverged, hit a breakpoint, or its process died):
        apply its last snapshots and say how it ended."""
        self._poll_timer.stop()
        self._acknowledge_later.stop()
        self._run = None
        self._apply(snapshots, final=True)
        self.steps_per_second = 0.0
        session = self.model.session
        error = gone or (snapshots[-1].error if snapshots else None)
        if error is None and self._target_epoch is not None and session.epoch >= self._target_epoch:
            state = FINISHED
            self._target_epoch = None
            last = session.history.epoch_losses[-1] if session.history.epoch_losses else None
            mean = f"; mean loss of the last epoch {self.model.format(last)}" if last is not None else ""
            self._status(f"Training finished at epoch {session.epoch:,}{mean}")
        elif isinstance(error, Divergence):
            state = DIVERGED
            self._target_epoch = None
            self._tell("Training diverged", str(error), warning=True)
        elif error is not None:  # a breakpoint (its owner explains) or a lost process
            state = PAUSED
            self._status(f"Training stopped after step {session.history.steps:,}: {error}")
        else:
            state = PAUSED
            self._status(f"Training paused at epoch {session.epoch + 1:,}, step {session.history.steps:,}")
        self._set_state(state)
        trainer = Trainer(
            session.network, session.data, session.training, session.history, session.epoch, session.batch,
            session.optimizer_state,
        )  # fmt: skip
        self.run_ended.emit(error, trainer)

    def _apply(self, snapshots: list[Snapshot], final: bool) -> None:
        """Write the worker's snapshots into the session, oldest first, and let every view redraw."""
        session = self.model.session
        if not snapshots and not final:
            return
        sample = None
        for snapshot in snapshots:
            append_history(session.history, snapshot.history)
            if snapshot.state is not None:
                snapshot.state.load_into(session, session.optimizer_state)
            if snapshot.health is not None and self._watch.health is not None:
                self._watch.health.apply(snapshot.health)
            sample = snapshot.next_sample if snapshot.final else snapshot.last_sample
        if final:
            self._pass_later.stop()
            self._show_pass(sample, final=True)
        elif self._delay > 0 or time.perf_counter() - self._pass_shown[0] >= max(
            PASS_INTERVAL, PASS_LOAD * self._pass_shown[1]
        ):
            self._pass_sample = sample
            self._pass_later.start()  # after this snapshot's redraw of the loss plot has been painted
        self._stepped.clear()
        self.progressed.emit()  # the loss plot and the figures follow every snapshot

    def _show_pass(self, sample: int | None, final: bool) -> None:
        """Redraw the graph, the pass's views and the decision map from the session's weights, the pass
        on ``sample``. During a run this is an event-loop turn of its own (and the decision map another)."""
        if not final and self._run is None:
            return  # the run has ended meanwhile and shown its final weights
        start = time.perf_counter()
        self._applying = True
        try:
            if final:
                self.model.network_changed(sample)
            else:
                with self.decision_map.deferred():
                    self.model.network_changed(sample)
        finally:
            self._applying = False
        self._pass_shown = (time.perf_counter(), time.perf_counter() - start)

    def _measure_rate(self, steps: int) -> None:
        start, done = self._rate_clock
        now = time.perf_counter()
        if now - start >= 0.5:
            self.steps_per_second = (steps - done) / (now - start)
            self._rate_clock = (now, steps)

    # --- settings --------------------------------------------------------------------

    def set_learning_rate(self, learning_rate: float) -> bool:
        """η from the next step on (undoable); marked on the loss plot when steps were already taken.

        A running training pauses for the change and then goes on with the new η. True if it was set.
        """
        return self._edit_going_on(SetTrainingSetting("learning_rate", float(learning_rate)))

    def set_rule(self, rule: UpdateRule) -> bool:
        """The optimiser, its hyperparameters, the penalty, the schedule and clipping (undoable), from
        the next step on. A running training pauses for the change and goes on. True if it was set."""
        if rule == self.model.session.training.rule:
            return False
        return self._edit_going_on(SetUpdateRule(rule))

    def reset_optimizer_state(self) -> bool:
        """Train ▸ Reset Optimizer State: forget v, m and t (undoable); True if there was a state to forget."""
        state = self.model.session.optimizer_state
        if not state.t and not state.buffers:
            self._status("The optimizer state is already fresh")
            return False
        done = self._edit(ResetOptimizerState(), keep_run=True)
        if done:
            self._status("Optimizer state reset: the next update is update 1 of a fresh optimizer")
        return done

    def set_setting(self, name: str, value: float | int | bool) -> bool:
        """Change batch size, epochs, shuffle, seed, or the data's split (validation or test fraction,
        split seed) (undoable); True if it was set.

        A running training pauses first; after a change of the split it goes on with the new one. All
        but ``epochs`` change the order of an epoch, so an epoch in progress starts afresh.
        """
        if name in DATA_SETTINGS:
            return self._edit_going_on(SetTrainingSetting(name, value))
        return self._edit(SetTrainingSetting(name, value), keep_run=name == "epochs")

    def _edit_going_on(self, edit: Edit, before: Callable[[], None] | None = None) -> bool:
        """Make ``edit`` (as ``_edit``); a running training pauses for it and then goes on. True if made."""
        resume = self.running
        done = self._edit(edit, keep_run=True, before=before)
        if done and resume:
            self.continue_training()
        return done

    def _edit(
        self,
        edit: Edit,
        keep_run: bool = False,
        sample: int | None = None,
        before: Callable[[], None] | None = None,
    ) -> bool:
        """Make ``edit`` through the model (undoable when the window has an undo stack); say why not
        if it cannot be made. ``keep_run``: a paused run may still be continued to its end after it;
        ``sample``: the sample the pass restarts on; ``before``: called after each change (apply, undo,
        redo) before the views are told. True if it was made."""
        session = self.model.session
        if isinstance(edit, SetTrainingSetting) and edit.current(session) == edit.value:
            return False

        def changed() -> None:
            if before is not None:
                before()
            self._edited(keep_run, sample)

        try:
            edit.check(session)
            done = self.model.push_edit(edit, changed)
        except ValueError as error:
            done = False
            self._tell("Cannot make this change", str(error))
        if not done:
            self.panel.show_settings()  # the controls go back to the session's values
        return done

    def _edited(self, keep_run: bool, sample: int | None) -> None:
        """A setting or the data was changed, or the change undone or redone: show it everywhere."""
        if not keep_run:
            self._target_epoch = None
        self.model.network_changed(sample)  # the stepper's pass uses η and the data
        self.panel.show_settings()
        self.progressed.emit()

    def set_delay(self, seconds: float) -> None:
        """The speed: seconds to wait after each step (0: as fast as possible)."""
        self._delay = seconds
        self.worker.set_delay(seconds)

    def batches_per_epoch(self) -> int:
        session = self.model.session
        return batches_per_epoch(session.data, session.training.batch_size)

    # --- history and data --------------------------------------------------------------

    def reset_history(self, confirm: bool = True) -> None:
        """Clear the loss history and the epoch counter (asks first when ``confirm``); weights stay."""
        session = self.model.session
        if confirm and session.history.steps:
            answer = plain_messages.question(
                self.window,
                "Reset training history",
                f"Forget the loss of all {session.history.steps:,} steps and start counting epochs from 1 again?\n"
                "The weights stay as they are.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.stop()
        session.history.clear()
        session.epoch = session.batch = 0
        self.run_start = parameters_of(session.network)
        self.model.network_changed()
        self.progressed.emit()
        self._status("Training history cleared")

    def set_data(self, data: Dataset, fit: bool = False, label: str = "") -> bool:
        """Replace the session's data (undoable, named ``label`` if given); epochs start again at a
        fresh order. With ``fit`` the input/output layer is first resized to the data
        (``core.editing.SetData``); without it the data must fit the network. True if it was replaced."""
        edit = SetData(data, fit=fit, seed=self.model.session.training.seed, label=label)
        done = self._edit(edit, sample=0)
        if done:
            self._status(f"Data set replaced: {counted(len(data), 'sample')}")
        return done

    def edit_samples(self, data: Dataset, label: str) -> bool:
        """Samples added or removed by hand (the decision map's clicks) or drawn again (the Data dock's
        noise), one undoable edit named ``label``. A running training pauses for it and goes on with
        the new samples, from the start of an epoch (the epoch in progress starts afresh). True if the
        data was changed."""
        edit = SetData(data, seed=self.model.session.training.seed, label=label)
        done = self._edit_going_on(edit, before=self.decision_map.hold_plane)
        if done:
            self._status(f"{label[0].upper()}{label[1:]}: {counted(len(data), 'sample')}")
        return done

    # --- runs side by side -------------------------------------------------------------

    def compare(self) -> bool:
        """Train ▸ Compare: keep this run's loss curves as a reference (dashed on the loss plot) and put
        the weights back where the run started, with a fresh history, so that a change can be tried
        from the same starting weights; one undoable edit. True if the run was kept."""
        self.pause()
        session = self.model.session
        if not session.history.epoch_losses:
            self._tell(
                "Nothing to compare yet", "Compare keeps the loss curves of a run: train at least one epoch first."
            )
            return False
        if len(session.references) >= MAX_REFERENCES:
            self._tell(
                f"{MAX_REFERENCES} runs are kept already",
                f"At most {MAX_REFERENCES} runs can be compared. Train ▸ Clear References forgets them "
                "(undoable); then Compare again.",
            )
            return False
        baseline = session.references[0].settings if session.references else None
        label = describe_differences(baseline, RunSettings.of(session)) if baseline is not None else ""
        reference = keep_run(session, f"run {len(session.references) + 1}", label)
        start = self.run_start if self.run_start is not None and fits(self.run_start, session.network) else None
        done = self._edit(KeepReference(reference, start), sample=0)
        if done and start is not None:
            self._status(
                f"Kept {reference.name} for comparison; the weights are back where it started. "
                "Change something and train again (F5)"
            )
        elif done:
            self._status(
                f"Kept {reference.name} for comparison. The weights it started from are not known (it was "
                "opened after training began), so training goes on from the weights it has now"
            )
        return done

    def clear_references(self) -> bool:
        """Train ▸ Clear References: forget the compared runs (undoable). True if there were any."""
        if not self.model.session.references:
            self._status("There are no compared runs to clear")
            return False
        return self._edit(ClearReferences(), keep_run=True)

    # --- the stepper's side ----------------------------------------------------------------

    def _before_step(self) -> None:
        """A stepping key was pressed: pause training first so the stepper takes over its state."""
        if self.running:
            self.pause()
        self._note_run_start()

    def _note_run_start(self) -> None:
        """Before the first step of a run (the history is empty), the weights now are where it starts."""
        session = self.model.session
        if not session.history.steps:
            self.run_start = parameters_of(session.network)

    def _update_applied(self, applied: bool) -> None:
        """The stepper applied (or took back) an Update: count it as a training step (or uncount it)."""
        session = self.model.session
        trainer = Trainer(
            session.network, session.data, session.training, session.history, session.epoch, session.batch
        )
        if applied:
            trainer.record_step(self.model.stepper.record.loss)
            self._stepped.append(session.history.steps)
        elif self._stepped and self._stepped[-1] == session.history.steps:
            self._stepped.pop()
            trainer.unrecord_step()
        else:
            return
        session.epoch, session.batch = trainer.epoch, trainer.batch
        self.progressed.emit()

    def _model_changed(self, event: Event) -> None:
        if event.field == Field.WEIGHTS:
            self._update_applied(bool(event.value))
        elif event.field == Field.SESSION or (event.field == Field.NETWORK and not self._applying):
            # A new session or an edit of the network: the run's copy is out of date.
            if self._run is not None:
                self._poll_timer.stop()
                self._pass_later.stop()
                self._run = None
                try:
                    self.worker.stop()  # what it trained since is dropped
                except WorkerGone:
                    pass
                self._set_state(PAUSED if event.field == Field.NETWORK else IDLE)
            self._stepped.clear()
            if event.field == Field.SESSION:
                self._target_epoch = None
                self.run_start = None
                self._note_run_start()
                self.progressed.emit()

    def show_confusion_matrix(self) -> ConfusionDialog:
        """Train ▸ Confusion Matrix: open (or raise) the dialog, showing the test set when there is one."""
        if self.confusion is None:
            self.confusion = ConfusionDialog(self.model, self.progressed, self.window)
            if len(self.model.session.data.split()[1]):
                self.confusion.show_set("test")
        self.confusion.show()
        self.confusion.raise_()
        self.confusion.activateWindow()
        return self.confusion

    # --- feedback ----------------------------------------------------------------------

    def _show_accuracy(self) -> None:
        """The status bar's accuracy of the last epoch (classification with a test split), else nothing."""
        history = self.model.session.history
        if history.train_accuracies and history.test_accuracies:
            train, test = history.train_accuracies[-1], history.test_accuracies[-1]
            self.accuracy.setText(f"accuracy {percent(train)} / {percent(test)}")
        self.accuracy.setVisible(bool(history.train_accuracies and history.test_accuracies))

    def _set_state(self, state: str) -> None:
        self.state = state
        running = state == TRAINING
        self.actions[A.TRAIN].setChecked(running)
        self.actions[A.PAUSE].setEnabled(running)
        self.state_changed.emit(state)

    def _status(self, text: str) -> None:
        self.last_message = text
        self.window.statusBar().showMessage(text, 8000)

    def _tell(self, title: str, text: str, warning: bool = False) -> None:
        """A message box that does not block (the event loop and training timers keep running)."""
        self._status(f"{title}: {text}")
        icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
        box = plain_messages.message_box(icon, title, text, self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setObjectName("training_message")
        box.open()

    # --- actions -----------------------------------------------------------------------

    def _make_actions(self) -> dict[ActionId, QAction]:
        slots = {
            A.TRAIN: self.toggle, A.PAUSE: self.pause, A.ONE_EPOCH: self.train_one_epoch, A.N_EPOCHS: self.ask_epochs,
            A.RESET_HISTORY: self.reset_history, A.RESET_OPTIMIZER: self.reset_optimizer_state,
            A.COMPARE: self.compare, A.CLEAR_REFERENCES: self.clear_references,
            A.CONFUSION_MATRIX: self.show_confusion_matrix,
        }  # fmt: skip
        actions = {spec.id: make_action(self.window, spec, slots[spec.id]) for spec in ACTIONS}
        actions[A.PAUSE].setEnabled(False)
        return actions


def install_training(window: QMainWindow, model: SessionModel, menu: QMenu) -> TrainingController:
    """Fill the Train ``menu``, add a training toolbar and the training, loss, data and decision-map
    docks to ``window``; return the controller, whose ``actions`` the window is to hold."""
    controller = TrainingController(window, model)
    docks = {
        "training": _dock(window, "Training", scrolling(controller.panel), Qt.DockWidgetArea.RightDockWidgetArea),
        "loss": _dock(window, "Loss", controller.loss_plot, Qt.DockWidgetArea.BottomDockWidgetArea),
        "decision": _dock(window, "Decision map", controller.decision_map, Qt.DockWidgetArea.BottomDockWidgetArea),
        "data": _dock(window, "Data", controller.data_view, Qt.DockWidgetArea.BottomDockWidgetArea),
    }
    window.splitDockWidget(docks["loss"], docks["decision"], Qt.Orientation.Horizontal)
    window.tabifyDockWidget(docks["decision"], docks["data"])
    docks["decision"].raise_()
    window.resizeDocks([docks["loss"], docks["decision"]], [3, 2], Qt.Orientation.Horizontal)
    controller.docks = docks

    actions = controller.actions
    menu.addActions([actions[A.TRAIN], actions[A.PAUSE], actions[A.ONE_EPOCH], actions[A.N_EPOCHS]])
    menu.addSeparator()
    actions[A.GENERATE_DATA] = controller.data_view.generate_action
    actions[A.IMPORT_DATA] = controller.data_view.import_action
    menu.addActions([actions[A.GENERATE_DATA], actions[A.IMPORT_DATA]])
    menu.addSeparator()
    menu.addAction(actions[A.RESET_HISTORY])
    menu.addAction(actions[A.RESET_OPTIMIZER])
    menu.addSeparator()
    menu.addActions([actions[A.COMPARE], actions[A.CLEAR_REFERENCES], actions[A.CONFUSION_MATRIX]])
    menu.addSeparator()
    panels = menu.addMenu("Training &panels")
    for dock in docks.values():
        panels.addAction(dock.toggleViewAction())

    controller.loss_plot.setMinimumHeight(120)  # a short plot (a projector's) drops its epoch axis and names
    controller.decision_map.setMinimumSize(220, 150)
    window.statusBar().addPermanentWidget(controller.accuracy)
    controller._show_accuracy()
    toolbar = QToolBar("Training", window)
    toolbar.setObjectName("training_toolbar")
    toolbar.addActions([actions[A.TRAIN], actions[A.PAUSE], actions[A.ONE_EPOCH]])
    window.addToolBar(toolbar)
    controller.toolbar = toolbar
    return controller


def _dock(window: QMainWindow, title: str, widget, area: Qt.DockWidgetArea) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
    dock.setWidget(widget)
    window.addDockWidget(area, dock)
    return dock


def budget_wait(used: float, elapsed: float, budget: float) -> float:
    """Seconds to wait before the next snapshot so that ``used`` s of processor time over ``elapsed`` s
    plus the wait stays within ``budget`` of a processor (0: at once)."""
    return max(0.0, used / budget - elapsed)
