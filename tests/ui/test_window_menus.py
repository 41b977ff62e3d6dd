"""Shared menu-bar menus: an existing menu is reused, a new one lands before Help (or after a given
menu) and is registered in the window's ``menus`` map."""

from PySide6.QtWidgets import QMainWindow

from backprop_gui.ui.common.window_menus import find_menu, window_menu


def titles(window: QMainWindow) -> list[str]:
    return [action.text().replace("&", "") for action in window.menuBar().actions()]


def test_a_new_menu_goes_before_help_and_is_registered(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.menus = {"File": window.menuBar().addMenu("&File"), "Help": window.menuBar().addMenu("&Help")}
    train = window_menu(window, "Train")
    debug = window_menu(window, "Debug")
    assert titles(window) == ["File", "Train", "Debug", "Help"]
    assert window.menus["Train"] is train and window.menus["Debug"] is debug
    assert window_menu(window, "Train") is train and titles(window).count("Train") == 1


def test_after_places_the_menu_right_behind_another(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    file_menu = window.menuBar().addMenu("&File")
    window.menuBar().addMenu("&View")
    edit = window_menu(window, "Edit", after=file_menu)
    assert titles(window) == ["File", "Edit", "View"]
    assert edit.title() == "&Edit" and find_menu(window, "Edit") is edit


def test_a_menu_on_the_bar_is_found_without_a_menus_map(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    file_menu = window.menuBar().addMenu("&File")
    assert window_menu(window, "File") is file_menu
    assert window_menu(window, "Quiz", "Q&uiz").title() == "Q&uiz"
    assert titles(window) == ["File", "Quiz"]
