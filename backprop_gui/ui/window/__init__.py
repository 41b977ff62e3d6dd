"""The main window on top of the features: the window itself, the app, presentation mode, layouts, theme, exports."""
