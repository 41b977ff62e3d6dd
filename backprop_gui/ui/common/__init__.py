"""What every feature of the window may use: the Qt adapter of the session model, colours, scrolling, menus."""
