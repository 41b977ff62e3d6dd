"""The window's layouts (Step, Train, Present) in the View menu, on Ctrl+1/2/3 and as a segmented
control in the toolbar.

A layout is data (``core.layouts``): the docks it shows and their default arrangement. Each
layout keeps the user's own arrangement (``QMainWindow.saveState``) in QSettings under
``layouts/<name>``; View ▸ Reset Layout puts the default back. Present is presentation mode.
F5 in Step switches to Train; landing on a breakpoint switches back to Step. A dock with nothing
to show for the network (the decision map without two inputs) stays out of every layout.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar, QToolButton

from backprop_gui.core.debugger_state import Event, Field
from backprop_gui.core.layouts import LAYOUTS, Layout, LayoutName, Side
from backprop_gui.ui.common.actions import ActionId, ActionSpec, make_action
from backprop_gui.ui.common.docks import dock_tab_bars
from backprop_gui.ui.common.session_model import SessionModel
from backprop_gui.ui.window.presentation import PresentationMode

SHORTCUTS = {LayoutName.STEP: "Ctrl+1", LayoutName.TRAIN: "Ctrl+2", LayoutName.PRESENT: "Ctrl+3"}
TIPS = {
    LayoutName.STEP: "Step layout: the graph, the formula, the worked solution and the values",
    LayoutName.TRAIN: "Train layout: the graph, the loss plot, a large decision map and the training controls",
    LayoutName.PRESENT: "Present layout: presentation mode for a projector (Esc leaves it)",
}
STATE_VERSION = 1  # of the saved dock arrangements
SETTINGS_KEY = "layouts"
AREAS = {Side.RIGHT: Qt.DockWidgetArea.RightDockWidgetArea, Side.BOTTOM: Qt.DockWidgetArea.BottomDockWidgetArea}


class LayoutController(QObject):
    """Switches ``window`` between the layouts; the model's state says which one is on (``current``).

    ``docks``: the window's docks by key; ``presentation``: the Present layout's mode;
    ``shown_when``: docks a feature shows only when it has something to show (the note, the
    quiz), whatever the layout says, by key.
    """

    def __init__(
        self,
        window: QMainWindow,
        model: SessionModel,
        docks: dict[str, QDockWidget],
        presentation: PresentationMode,
        shown_when: dict[str, Callable[[], bool]],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.model = model
        self.docks = docks
        self.presentation = presentation
        self.shown_when = shown_when
        self.toolbar: QToolBar | None = None
        self._before_present = LayoutName.STEP
        self._switching = False
        self.ready = False  # True once the window has shown and its first layout is arranged
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.actions: dict[LayoutName, QAction] = {}
        for name, layout in LAYOUTS.items():
            spec = ActionSpec(ActionId.LAYOUT, f"&{layout.title}", (SHORTCUTS[name],), tip=TIPS[name], checkable=True)
            action = make_action(window, spec, partial(self.set_layout, name))
            self.group.addAction(action)
            self.actions[name] = action
        reset = ActionSpec(
            ActionId.RESET_LAYOUT, "&Reset Layout", tip="Put the docks of this layout back where they start"
        )
        self.reset_action = make_action(window, reset, self.reset)
        self.actions[LayoutName.STEP].setChecked(True)
        self._as_arranged: set[QDockWidget] = set()  # the default arrangement's docks, while it is kept
        self._placing = False  # arranged, and Qt has not placed the docks yet (``_remember_arrangement``)
        window.installEventFilter(self)
        for dock in docks.values():  # a dock dragged elsewhere or floated: the user arranges
            dock.topLevelChanged.connect(self._arranged_by_user)
            dock.dockLocationChanged.connect(self._arranged_by_user)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.window and (self._as_arranged or self._placing):
            if event.type() == QEvent.Type.MouseButtonPress:  # on the window itself: a separator between docks
                self._arranged_by_user()
            elif event.type() == QEvent.Type.Resize:
                self._follow_window()
        return False

    def _arranged_by_user(self) -> None:
        self._as_arranged = set()
        self._placing = False

    # --- which layout -----------------------------------------------------------------

    @property
    def current(self) -> LayoutName:
        return self.model.state.layout

    def layout(self, name: LayoutName | None = None) -> Layout:
        """Layout ``name`` (default the current one) for this network and the docks this window has."""
        network = self.model.session.network
        sizes = (network.raw_input_size, *network.sizes[1:])  # the input plane is the raw x1, x2, features or not
        layout = LAYOUTS[name or self.current].for_network(sizes).for_width(self.width(name))
        return layout.without({key for key in layout.keys if key not in self.docks})

    def width(self, name: LayoutName | None = None) -> int:
        """The width layout ``name`` (default the current one) is arranged for: the screen's in Present
        (it goes full screen), else the window's."""
        screen = self.window.screen()
        if (name or self.current) == LayoutName.PRESENT and screen is not None:
            return screen.geometry().width()
        return self.window.width()

    def show_dock(self, key: str) -> None:
        """Bring dock ``key`` to the front (its tab raised), if the current layout has it."""
        if key in self.layout().keys:
            self.docks[key].show()
            self.docks[key].raise_()

    def set_layout(self, name: LayoutName | str) -> None:
        """Switch to layout ``name``: keep the current one's arrangement, then show ``name``'s own
        (the default the first time). Present turns presentation mode on; leaving it, off."""
        name = LayoutName(name)
        self.actions[name].setChecked(True)
        if name == self.current or self._switching:
            return
        self._switching = True
        try:
            presentation = self.presentation
            self.save()
            previous = self.current
            self.model.state.set_layout(name)
            if previous == LayoutName.PRESENT:
                presentation.set_active(False)
            if name == LayoutName.PRESENT:
                self._before_present = previous
                presentation.set_active(True)
            if not self.restore():
                self.arrange()
        finally:
            self._switching = False

    def presentation_toggled(self, on: bool) -> None:
        """Presentation mode turned on or off by its own action (F7) or Esc: follow with the layout."""
        if self._switching:
            return
        if on and self.current != LayoutName.PRESENT:
            self._switching = True
            try:
                self.save()
                self._before_present = self.current
                self.model.state.set_layout(LayoutName.PRESENT)
                if not self.restore():
                    self.arrange()
            finally:
                self._switching = False
        elif not on and self.current == LayoutName.PRESENT:
            self.model.state.set_layout(self._before_present)  # presentation mode put the earlier docks back
            self.show_available()
        else:
            return
        self.actions[self.current].setChecked(True)

    # --- arranging --------------------------------------------------------------------

    def arrange(self) -> None:
        """The current layout's default arrangement: its docks placed and sized, every other one hidden."""
        window, layout = self.window, self.layout()
        placed = {place.key for place in layout.places}
        for key, dock in self.docks.items():
            if key in placed:
                window.removeDockWidget(dock)  # out of its tab group, so no stale tab bar is left behind
            else:
                dock.hide()
        previous_on_side: dict[Side, QDockWidget] = {}
        for place in layout.places:  # first side by side (a split beside a tab group would add a tab)
            if place.tab_of is not None:
                continue
            dock = self.docks[place.key]
            dock.setFloating(False)
            if place.side not in previous_on_side:
                window.addDockWidget(AREAS[place.side], dock)
            else:
                along = Qt.Orientation.Vertical if place.side is Side.RIGHT else Qt.Orientation.Horizontal
                window.splitDockWidget(previous_on_side[place.side], dock, along)
            previous_on_side[place.side] = dock
            dock.show()
        for place in layout.places:  # then the tabs
            if place.tab_of is not None:
                dock = self.docks[place.key]
                dock.setFloating(False)
                window.tabifyDockWidget(self.docks[place.tab_of], dock)
                dock.show()
        self._size(layout)
        for place in layout.places:
            if place.front:
                self.docks[place.key].raise_()
        self.show_available()
        self._keep_graph_share()
        self._as_arranged = set()
        self._placing = True
        QTimer.singleShot(0, self, self._remember_arrangement)  # once Qt has placed the docks

    def _remember_arrangement(self) -> None:
        """Keep the default arrangement's docks: until the user moves one (a separator dragged, a dock
        dragged or floated) or one is shown or hidden, the docks keep their proportions as the window
        is resized (maximised on a large screen, the side docks had kept the smaller window's width)."""
        if self._placing and self.current != LayoutName.PRESENT:
            self._as_arranged = {dock for dock in self.docks.values() if dock.isVisible()}
        self._placing = False

    def _follow_window(self) -> None:
        """The default arrangement sized again for the window's new size, if it is still as arranged (or
        not yet placed: on a busy machine the window can be resized between the two, at its first show)."""
        if self._placing and self.current != LayoutName.PRESENT:
            self._size(self.layout())
            return
        if self.current == LayoutName.PRESENT or self._as_arranged != {d for d in self.docks.values() if d.isVisible()}:
            self._as_arranged = set()
            return
        self._size(self.layout())

    def _keep_graph_share(self) -> None:
        """In Present, the graph keeps at least its share of the height, now and once Qt has applied
        the arrangement."""
        if self.current == LayoutName.PRESENT:
            self.presentation.keep_graph_share()
            QTimer.singleShot(0, self.presentation, self.presentation.keep_graph_share)

    def _size(self, layout: Layout) -> None:
        window = self.window
        for side in Side:
            own = [p for p in layout.places if p.side is side and p.tab_of is None]
            if not own:
                continue
            docks = [self.docks[p.key] for p in own]
            depth = layout.side_depth(side)
            if side is Side.RIGHT:
                window.resizeDocks(docks[:1], [round(window.width() * depth)], Qt.Orientation.Horizontal)
                length, along = window.height(), Qt.Orientation.Vertical
            else:
                window.resizeDocks(docks[:1], [round(window.height() * depth)], Qt.Orientation.Vertical)
                length, along = window.width(), Qt.Orientation.Horizontal
            window.resizeDocks(docks, [max(1, round(length * p.share)) for p in own], along)

    def show_available(self) -> None:
        """Hide the docks that have nothing to show for this network or at this moment."""
        layout = self.layout()
        for key, dock in self.docks.items():
            wanted = self.shown_when.get(key)
            if key not in layout.keys and key in LAYOUTS[self.current].keys:
                dock.hide()  # the layout has it, this network cannot use it
            elif wanted is not None and not wanted():
                dock.hide()
        QTimer.singleShot(0, self, self._drop_stale_tab_bars)  # after Qt has applied the new arrangement

    def _drop_stale_tab_bars(self) -> None:
        """Qt leaves the tab bars of an earlier arrangement on screen after ``restoreState`` or a
        re-tabify; hide each tab bar that is not attached to the dock of its current tab."""
        titles = {dock.windowTitle(): dock for dock in self.docks.values()}
        for bar in dock_tab_bars(self.window):
            if not bar.isVisible() or bar.count() == 0:
                continue
            dock = titles.get(bar.tabText(bar.currentIndex()))
            if dock is None:
                continue
            area, place = dock.geometry(), bar.geometry()
            attached = (
                dock.isVisible()
                and abs(place.left() - area.left()) <= 2
                and (abs(place.top() - area.bottom() - 1) <= 3 or abs(area.top() - place.bottom() - 1) <= 3)
            )
            if not attached:
                bar.hide()

    def first_arrangement(self) -> None:
        """The saved arrangement of the current layout, or its default, once the window shows."""
        if not self.restore():
            self.arrange()
        self.ready = True

    def reset(self) -> None:
        """View ▸ Reset Layout: forget the user's arrangement of this layout and show the default."""
        QSettings().remove(self._key(self.current))
        self.arrange()

    # --- remembering --------------------------------------------------------------------

    def _key(self, name: LayoutName) -> str:
        return f"{SETTINGS_KEY}/{name}"

    def save(self) -> None:
        """Keep the current layout's arrangement in the settings."""
        QSettings().setValue(self._key(self.current), self.window.saveState(STATE_VERSION))

    def restore(self) -> bool:
        """The current layout's saved arrangement, if there is one; False when there is none."""
        state = QSettings().value(self._key(self.current))
        if state is None or not self.window.restoreState(state, STATE_VERSION):
            return False
        self._as_arranged = set()  # the user's arrangement: its docks keep their sizes
        self.show_available()
        self._keep_graph_share()
        return True

    def _model_changed(self, event: Event) -> None:
        if event.field in (Field.SESSION, Field.NETWORK):
            self.show_available()


def install_layouts(
    window: QMainWindow,
    model: SessionModel,
    docks: dict[str, QDockWidget],
    presentation: PresentationMode,
    shown_when: dict[str, Callable[[], bool]],
    view_menu: QMenu,
) -> LayoutController:
    """Add Layout to ``view_menu`` (with Reset Layout), Ctrl+1/2/3 and the toolbar's layout switch to
    ``window`` over its ``docks`` (by key); arrange the saved layout once the window first shows."""
    controller = LayoutController(window, model, docks, presentation, shown_when)
    # Without animation a dock and its tab bar are where the layout says at once (see _drop_stale_tab_bars).
    window.setDockOptions(window.dockOptions() & ~QMainWindow.DockOption.AnimatedDocks)
    menu = view_menu.addMenu("&Layout")
    for action in controller.actions.values():
        menu.addAction(action)
    menu.addSeparator()
    menu.addAction(controller.reset_action)
    toolbar = QToolBar("Layout", window)
    toolbar.setObjectName("layout_toolbar")
    for name, action in controller.actions.items():
        button = QToolButton(toolbar)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setAutoRaise(False)
        button.setObjectName(f"layout_button_{name}")
        toolbar.addWidget(button)
    window.addToolBar(toolbar)
    controller.toolbar = toolbar
    presentation.toggled.connect(controller.presentation_toggled)
    model.changed.connect(controller._model_changed)
    saved = QSettings().value(f"{SETTINGS_KEY}/current")
    if saved in {str(name) for name in LayoutName} and saved != LayoutName.PRESENT:
        model.state.set_layout(saved)
        controller.actions[controller.current].setChecked(True)
    _when_first_shown(window, controller.first_arrangement)
    window.installEventFilter(_SaveOnClose(controller))
    return controller


class _SaveOnClose(QObject):
    """Keeps the layout's arrangement and name when the window closes (before presentation mode ends)."""

    def __init__(self, controller: LayoutController) -> None:
        super().__init__(controller)
        self.controller = controller

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Close:
            self.controller.save()
            settings = QSettings()
            current = self.controller.current
            kept = self.controller._before_present if current == LayoutName.PRESENT else current
            settings.setValue(f"{SETTINGS_KEY}/current", str(kept))
        return False


def _when_first_shown(window: QMainWindow, arrange: Callable[[], object]) -> None:
    """Call ``arrange`` once ``window`` is on screen (Qt leaves a stray tab bar behind for every
    dock tabified before the window first shows, beyond the first)."""

    class FirstShow(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Show:
                window.removeEventFilter(self)
                self.deleteLater()
                QTimer.singleShot(0, window, arrange)
            return False

    window.installEventFilter(FirstShow(window))
