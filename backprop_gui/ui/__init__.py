"""The Qt window: renders the core's state and turns user actions into core calls."""
