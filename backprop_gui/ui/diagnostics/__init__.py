"""Diagnostics: breakpoints, the gradient check, network health and quiz mode."""
