"""Plain geometry for the graph, in scene units (x to the right, y down): sizes, points, segments
and axis-aligned boxes, shared by the graph's layout and the placement of labels on it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    width: float
    height: float


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Segment:
    """A straight line from ``start`` to ``end``."""

    start: Point
    end: Point


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle: left ``x``, top ``y``, ``width``, ``height``."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @classmethod
    def around(cls, centre: Point, half_width: float, half_height: float) -> Box:
        """The box reaching ``half_width`` and ``half_height`` from ``centre`` each way."""
        return cls(centre.x - half_width, centre.y - half_height, 2 * half_width, 2 * half_height)

    def intersects(self, other: Box) -> bool:
        """Whether the two boxes share any area (touching edges do not count)."""
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom

    def inside(self, other: Box) -> bool:
        return self.x >= other.x and self.y >= other.y and self.right <= other.right and self.bottom <= other.bottom
