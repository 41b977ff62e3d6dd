"""Example sessions and icons, shipped with the package."""
