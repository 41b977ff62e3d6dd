"""The window's layouts, one per use, as data: which docks each shows and where they go.

``Step`` is for reading one pass (graph, formula, worked solution, values), ``Train`` for
watching SGD (graph, loss plot, a large decision map, training controls) and ``Present`` for
a projector (graph and formula, large). A dock is named by its key in the window (``formula``,
``loss``, …); ``for_network`` leaves out a dock with nothing to show for the network, such
as the decision map unless there are exactly two inputs. ``presentation_font_px`` gives the
one base text size presentation mode scales everything from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum


class LayoutName(StrEnum):
    STEP = "step"
    TRAIN = "train"
    PRESENT = "present"


class Side(StrEnum):
    RIGHT = "right"
    BOTTOM = "bottom"


@dataclass(frozen=True)
class DockPlace:
    """Where dock ``key`` goes: on ``side``, taking ``share`` of that side's length beside the side's
    other docks, or in a tab of dock ``tab_of`` (then ``share`` is unused). ``front``: its tab is raised.
    ``beside_from``: in a window narrower than this (px), the dock goes in a tab of the side's first
    dock instead of beside it, where it would be too cramped to read."""

    key: str
    side: Side
    share: float = 1.0
    tab_of: str | None = None
    front: bool = False
    beside_from: int = 0


@dataclass(frozen=True)
class Layout:
    """A named arrangement: ``places`` in order, and each side's depth as a fraction of the window
    (``right``: of its width; ``bottom``: of its height). Docks not placed are hidden."""

    name: LayoutName
    title: str
    places: tuple[DockPlace, ...]
    depth: tuple[tuple[Side, float], ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(place.key for place in self.places)

    def side_depth(self, side: Side) -> float:
        return dict(self.depth)[side]

    def for_network(self, sizes: tuple[int, ...] | list[int]) -> Layout:
        """This layout without the docks that have nothing to show for a network of layer ``sizes``;
        a dock tabbed onto a left-out one takes its place."""
        gone = {key for key, needs in REQUIREMENTS.items() if not needs(tuple(sizes))}
        return self.without(gone)

    def for_width(self, width: int) -> Layout:
        """This layout in a window ``width`` px wide: a dock that needs more width to stand beside
        the others goes in a tab of its side's first dock."""
        places: list[DockPlace] = []
        for place in self.places:
            first = next(p for p in self.places if p.side is place.side and p.tab_of is None)
            if place.tab_of is None and width < place.beside_from and first is not place:
                place = replace(place, tab_of=first.key, front=False)
            places.append(place)
        return replace(self, places=tuple(places))

    def without(self, gone: set[str]) -> Layout:
        """This layout without the docks ``gone`` (for example, ones this window does not have)."""
        places: list[DockPlace] = []
        heir: dict[str, str] = {}
        for place in self.places:
            if place.key in gone:
                continue
            target = heir.get(place.tab_of, place.tab_of) if place.tab_of else None
            if target in gone:
                original = next(p for p in self.places if p.key == target)
                heir[target] = place.key
                place = replace(place, tab_of=None, share=original.share, front=True)
            else:
                place = replace(place, tab_of=target)
            places.append(place)
        return replace(self, places=tuple(places))


REQUIREMENTS: dict[str, Callable[[tuple[int, ...]], bool]] = {
    "decision": lambda sizes: sizes[0] == 2,  # a map over the input plane needs x₁ and x₂
}

R, B = Side.RIGHT, Side.BOTTOM
PRESENT_SIDE_BY_SIDE = 1280  # px: a narrower projector shows the loss plot in a tab beside the formula
LAYOUTS: dict[LayoutName, Layout] = {
    LayoutName.STEP: Layout(
        LayoutName.STEP,
        "Step",
        (
            DockPlace("sample", R, 0.16),
            DockPlace("values", R, 0.84, front=True),
            DockPlace("note", R, tab_of="values"),
            DockPlace("quiz", R, tab_of="values"),
            DockPlace("formula", B, 0.55),
            DockPlace("worked", B, 0.45, front=True),
            DockPlace("chain", B, tab_of="worked"),
        ),
        ((R, 0.27), (B, 0.32)),
    ),
    LayoutName.TRAIN: Layout(
        LayoutName.TRAIN,
        "Train",
        (
            DockPlace("training", R, 1.0, front=True),
            DockPlace("values", R, tab_of="training"),
            DockPlace("sample", R, tab_of="training"),
            DockPlace("note", R, tab_of="training"),
            DockPlace("loss", B, 0.55),
            DockPlace("decision", B, 0.45, front=True),
            DockPlace("data", B, tab_of="decision"),
        ),
        ((R, 0.26), (B, 0.45)),
    ),
    LayoutName.PRESENT: Layout(
        LayoutName.PRESENT,
        "Present",
        (
            DockPlace("formula", B, 0.62, front=True),
            DockPlace("loss", B, 0.38, beside_from=PRESENT_SIDE_BY_SIDE),
        ),
        ((R, 0.0), (B, 0.3)),
    ),
}

MIN_PRESENT_PX = 20  # the smallest text on a 768-px projector, readable from the back row
REFERENCE_DPI = 96.0


def presentation_font_px(screen_height_px: int, dpi: float = REFERENCE_DPI) -> int:
    """The presentation mode's base text size in pixels for a screen ``screen_height_px`` tall
    (device-independent pixels) at ``dpi`` logical dots per inch.

    A 40th of the height — 27 px at 1080, 36 px at 1440 — and never below 20 px (768 and less);
    a screen whose logical DPI is above 96 (text scaling set by the user) gets proportionally
    larger text, so the user's own scaling is kept on top.
    """
    if screen_height_px <= 0 or dpi <= 0:
        raise ValueError(f"screen height and DPI must be positive, got {screen_height_px} px at {dpi} dpi")
    base = screen_height_px / 40 * max(1.0, dpi / REFERENCE_DPI)
    return max(MIN_PRESENT_PX, round(base))
