"""Views that do no work while nobody can see them: a closed dock, a dock tabbed away behind
another, a hidden panel. ``ShownRefresh`` runs a view's refresh at once when the view is on
screen, and otherwise once it comes back (shown, or its dock's tab raised)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QWidget


def is_shown(widget: QWidget, depth: int = 3) -> bool:
    """Whether some of ``widget`` is on screen (not hidden, not in a dock tabbed away or closed).

    A panel whose opaque children cover it whole (a tab widget's pages and tab bar) has nothing of its
    own on screen: it is shown when one of them is, looked for ``depth`` generations down."""
    if not widget.isVisible():
        return False
    if not widget.visibleRegion().isEmpty():
        return True
    children = widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return depth > 0 and any(is_shown(child, depth - 1) for child in children)


class ShownRefresh(QObject):
    """Calls ``refresh`` for ``view`` when asked (``request``) if the view is on screen, else marks
    it out of date and calls it once the view shows again."""

    def __init__(self, view: QWidget, refresh: Callable[[], None]) -> None:
        super().__init__(view)
        self._view = view
        self._refresh = refresh
        self.stale = False
        self._dock: QDockWidget | None = None
        view.installEventFilter(self)

    def request(self) -> None:
        """The view's content changed: refresh now if it is seen, else when it is next seen."""
        self._watch_dock()
        if is_shown(self._view):
            self.stale = False
            self._refresh()
        else:
            self.stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._view and event.type() == QEvent.Type.Show and self.stale:
            self._watch_dock()  # it may have been put into a dock since it was last asked
            self._catch_up()
            if self.stale:  # not on screen yet: once laid out, what is on screen is known
                QTimer.singleShot(0, self._catch_up)
        return False

    def _catch_up(self) -> None:
        if self.stale and is_shown(self._view):
            self.stale = False
            self._refresh()

    def _watch_dock(self) -> None:
        """Catch up when the dock holding the view is raised among its tabs (the view stays "visible")."""
        if self._dock is not None:
            return
        parent = self._view.parentWidget()
        while parent is not None and not isinstance(parent, QDockWidget):
            parent = parent.parentWidget()
        if parent is not None:
            self._dock = parent
            parent.visibilityChanged.connect(lambda seen: seen and QTimer.singleShot(0, self._catch_up))
