"""The geometry of the Cakupan page's charts, for server-rendered SVG (no JavaScript).

Pure arithmetic: positions and sizes in the SVG's own units (a `viewBox` about 400 wide, so
that 12-unit text stays readable when a 360-pixel phone shrinks it). Every text arrives
already formatted in the reader's language (the page formats with Babel); the template
`nation_charts.html` draws the shapes. Money stays int: a tick is an int of rupiah, and
only a coordinate is a float.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "BarChart",
    "BarItem",
    "BarRow",
    "LineChart",
    "LinePoint",
    "LineSeries",
    "Tick",
    "bar_chart",
    "line_chart",
    "nice_step",
]

WIDTH = 400.0


@dataclass(frozen=True, slots=True)
class BarItem:
    label: str
    value: float  # >= 0; bars are scaled to the largest
    value_text: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class BarRow:
    label: str  # shortened with "…" when longer than the layout has room for
    title: str  # the full label, for the tooltip
    value_text: str
    href: str | None
    text_y: float  # baseline of the label (and of the value)
    bar_x: float
    bar_y: float
    bar_width: float
    value_x: float  # where the value text is anchored
    value_anchor: str  # SVG text-anchor: "end" (narrow) or "start" (after the bar, wide)


@dataclass(frozen=True, slots=True)
class BarChart:
    """Horizontal bars, one per row, the largest value spanning the bar area.

    Narrow layout (`label_width` 0, for phones): the label and the value on a line above a
    full-width bar. Wide layout: the label in a column on the left, the value after the bar.
    """

    width: float
    height: float
    bar_height: float
    track_x: float
    track_width: float
    rows: tuple[BarRow, ...]


def bar_chart(
    items: Sequence[BarItem], *, width: float = WIDTH, label_width: float = 0.0
) -> BarChart:
    """Bars in the given order (the caller ranks them)."""
    largest = max((item.value for item in items), default=0.0)
    if label_width > 0:
        row_height, bar_height, track_x = 22.0, 12.0, label_width
        track_width = width - label_width - 64.0  # room for the value after the longest bar
    else:
        row_height, bar_height, track_x, track_width = 34.0, 11.0, 0.0, width
    # About 6.5 units per character of 12-unit text; the narrow layout keeps room for the value.
    room = int((label_width - 8 if label_width > 0 else width - 70) / 6.5)
    rows = []
    for index, item in enumerate(items):
        top = index * row_height
        bar_width = track_width * item.value / largest if largest > 0 else 0.0
        if label_width > 0:
            text_y, bar_y = top + 15.0, top + 5.0
            value_x, anchor = track_x + bar_width + 6.0, "start"
        else:
            text_y, bar_y = top + 12.0, top + 17.0
            value_x, anchor = width, "end"
        rows.append(
            BarRow(
                label=_shortened(item.label, room),
                title=item.label,
                value_text=item.value_text,
                href=item.href,
                text_y=text_y,
                bar_x=track_x,
                bar_y=bar_y,
                bar_width=bar_width,
                value_x=value_x,
                value_anchor=anchor,
            )
        )
    return BarChart(
        width=width,
        height=len(items) * row_height,
        bar_height=bar_height,
        track_x=track_x,
        track_width=track_width,
        rows=tuple(rows),
    )


def _shortened(text: str, room: int) -> str:
    return text if len(text) <= room else text[: max(1, room - 1)].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Tick:
    position: float  # y for the value axis, x for the month axis
    text: str
    subtext: str = ""  # a second line (the year under a month)


@dataclass(frozen=True, slots=True)
class LinePoint:
    x: float
    y: float
    title: str  # "Februari 2024: Rp1.234.000", the point's tooltip


@dataclass(frozen=True, slots=True)
class LineSeries:
    key: str  # a CSS class: "billed", "collected"
    name: str
    points: tuple[LinePoint, ...]

    @property
    def path(self) -> str:
        """The polyline's `points` attribute."""
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True, slots=True)
class LineChart:
    width: float
    height: float
    left: float  # the plot area
    top: float
    right: float
    bottom: float
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    series: tuple[LineSeries, ...]


def nice_step(largest: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 × 10^k) so that `ticks` steps reach at least `largest`."""
    if largest <= 0:
        return 1
    rough = -(-largest // ticks)  # ceiling division, in integers
    magnitude = 1
    while magnitude * 10 <= rough:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= rough:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop above always returns


def line_chart(
    months: Sequence[Tick],
    series: Sequence[tuple[str, str, Sequence[int], Sequence[str]]],
    *,
    tick_text: Callable[[int], str],
    width: float = WIDTH,
    height: float = 220.0,
) -> LineChart:
    """Lines over `months` (Tick text per month, positions filled in here); each series is
    (key, name, values, point titles). The value axis starts at 0 and has round ticks."""
    left, right, top, bottom = 64.0, width - 12.0, 12.0, height - 36.0
    largest = max((v for _, _, values, _ in series for v in values), default=0)
    step = nice_step(largest)
    top_value = step * max(1, -(-largest // step))
    count = len(months)

    def x_of(index: int) -> float:
        return left + (right - left) * (index / (count - 1) if count > 1 else 0.5)

    def y_of(value: int) -> float:
        return bottom - (bottom - top) * value / top_value

    y_ticks = tuple(Tick(y_of(value), tick_text(value)) for value in range(0, top_value + 1, step))
    # Every month labelled when there is room (30 units each), else every other one, always
    # ending with the last month (the as-of month).
    every = 1 if count < 2 or (right - left) / (count - 1) >= 30 else 2
    x_ticks = tuple(
        Tick(x_of(index), month.text, month.subtext)
        if (count - 1 - index) % every == 0
        else Tick(x_of(index), "", month.subtext)
        for index, month in enumerate(months)
    )
    lines = tuple(
        LineSeries(
            key=key,
            name=name,
            points=tuple(
                LinePoint(x_of(index), y_of(value), title)
                for index, (value, title) in enumerate(zip(values, titles, strict=True))
            ),
        )
        for key, name, values, titles in series
    )
    return LineChart(width, height, left, top, right, bottom, y_ticks, x_ticks, lines)
