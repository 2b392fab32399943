"""Bar charts as SVG markup, for the audit report: bars, axes, ticks, labels, legends, threshold lines.

The report draws only bar charts (histograms over given edges, bars over category labels),
so they are written directly as SVG elements: milliseconds per page, where a plotting library
cost a second to import and another to draw. Fonts are never measured: text widths are
estimated from character counts, with room to spare. Every text is escaped, and the same
chart gives the same bytes. Lengths are in points (the SVG's `pt` size), text 8 points.
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from corpus.escape import terminal

FONT, TITLE = 8.0, 9.6  # points
TICK, GAP, PAD = 3.5, 2.0, 3.0  # tick length, tick-to-label gap, outer padding
TEXT, AXIS = "#222", "#222"
DASH = "stroke-dasharray:3.7,1.6"  # a dashed line, as matplotlib draws "--" at width 1
MARGIN = 0.05  # data range added each side of the bars, as a fraction of it


def text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of `text`'s width in a proportional sans-serif font."""
    return size * sum(1.0 if unicodedata.east_asian_width(char) in "WF" else 0.62 for char in text)


def nice_ticks(low: float, high: float, intervals: float) -> list[float]:
    """Ticks at multiples of 1, 2 or 5 x 10^k within [low, high], about `intervals` of them (up
    to a third more)."""
    if high <= low:
        return [low]
    raw = (high - low) / max(intervals, 1.0)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * 0.75)
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return [round(k * step, 12) + 0.0 for k in range(first, last + 1)]


def log_ticks(high: float, most: int = 7) -> list[float]:
    """Powers of ten from 1 up to `high`, every other one (or fewer) when there are many."""
    top = math.floor(math.log10(high)) if high >= 1 else 0
    stride = math.ceil((top + 1) / most)
    return [10.0 ** k for k in range(0, top + 1, stride)]


def plain(value: float) -> str:
    """A tick label: integers in full below 100,000 (with an SI prefix above), other values to
    six significant digits."""
    if abs(value) >= 100_000:
        return engineering(value)
    return str(int(value)) if value == int(value) else f"{value:g}"


def engineering(value: float) -> str:
    """A tick label with an SI prefix: 500, 12k, 3.4M."""
    if abs(value) < 1000:
        return str(int(value)) if value == int(value) else f"{value:g}"
    exponent = min(int(math.log10(abs(value)) // 3), 4)
    return f"{value / 1000 ** exponent:.3g}{' kMGT'[exponent]}"


@dataclass(frozen=True)
class _Bar:
    left: float
    right: float
    bottom: float
    top: float
    colour: str
    outline: bool


@dataclass
class Panel:
    """One set of axes: bars, dashed threshold lines, ticks, axis labels, a title, a legend.

    The y axis starts at 0 (linear, its labels `engineering` with `eng`) or at 0.5 (`log`,
    ticks at powers of ten). Without `xticks`, x ticks are nice numbers over the data."""

    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    log: bool = False
    eng: bool = False
    legend: bool = False
    visible: bool = True
    bars: list[_Bar] = field(default_factory=list)
    lines: list[float] = field(default_factory=list)  # x of dashed vertical lines
    entries: list[tuple[str, str]] = field(default_factory=list)  # legend: (colour or "dashed", label)
    ticks: list[tuple[float, str]] | None = None
    rotation: float = 0

    def bar(self, x: Sequence[float], heights: Sequence[float], width: float | Sequence[float] = 0.8,
            colour: str | Sequence[str] = "#4c78a8", label: str = "",
            bottom: Sequence[float] | None = None, align: str = "center", outline: bool = False) -> None:
        """Bars at `x` (their centres, or their left edges with align="edge"), from `bottom` (0) up
        by `heights`; `width` and `colour` are one for all or one per bar."""
        count = len(heights)
        widths = [width] * count if isinstance(width, int | float) else list(width)
        colours = [colour] * count if isinstance(colour, str) else list(colour)
        bottoms = list(bottom) if bottom is not None else [0.0] * count
        for position, height, size, fill, base in zip(x, heights, widths, colours, bottoms, strict=True):
            left = position if align == "edge" else position - size / 2
            self.bars.append(_Bar(left, left + size, base, base + height, fill, outline))
        if label:
            self.entries.append((colours[0], label))

    def histogram(self, edges: Sequence[float], counts: Sequence[float], colour: str) -> None:
        """A histogram's bins as touching bars over its edges, outlined in white."""
        widths = [high - low for low, high in zip(edges, edges[1:], strict=False)]
        self.bar(edges[:-1], counts, widths, colour, align="edge", outline=True)

    def threshold(self, x: float, label: str) -> None:
        """A dashed vertical line at `x`, named `label` in the legend."""
        self.lines.append(x)
        self.entries.append(("dashed", label))

    def xticks(self, positions: Sequence[float], labels: Sequence[str], rotation: float = 0) -> None:
        """Labelled x ticks; rotated labels (0 < rotation < 90) end at their tick."""
        self.ticks = list(zip(positions, labels, strict=True))
        self.rotation = rotation

    # The axes' ranges ----------------------------------------------------------------------

    def x_range(self) -> tuple[float, float]:
        xs = [x for b in self.bars for x in (b.left, b.right)] + self.lines
        xs += [x for x, _ in self.ticks or ()]
        low, high = (min(xs), max(xs)) if xs else (0.0, 1.0)
        pad = MARGIN * (high - low) if high > low else 0.5
        return low - pad, high + pad

    def y_axis(self, intervals: float) -> tuple[float, float, list[tuple[float, str]]]:
        """(bottom, top, ticks with their labels) of the y axis."""
        highest = max((b.top for b in self.bars), default=0.0)
        if self.log:
            highest = max(highest, 1.0)
            bottom = 0.5
            top = 10 ** (math.log10(highest) + MARGIN * (math.log10(highest) - math.log10(bottom)))
            return bottom, top, [(tick, engineering(tick)) for tick in log_ticks(top)]
        top = highest * (1 + MARGIN) if highest > 0 else 1.0
        label = engineering if self.eng else plain
        return 0.0, top, [(tick, label(tick)) for tick in nice_ticks(0.0, top, intervals)]


@dataclass
class _Box:
    """Where a panel's axes are drawn, and its axis ranges and ticks."""

    left: float
    top: float
    width: float
    height: float
    x: tuple[float, float]
    xticks: list[tuple[float, str]]
    y: tuple[float, float]
    yticks: list[tuple[float, str]]
    log: bool
    labelled: bool  # shows its x tick labels and x label

    def px(self, value: float) -> float:
        low, high = self.x
        return self.left + (value - low) / (high - low) * self.width

    def py(self, value: float) -> float:
        low, high = self.y
        if self.log:
            value, low, high = (math.log10(max(v, 1e-300)) for v in (value, low, high))
        fraction = (value - low) / (high - low)
        return self.top + self.height * (1 - min(max(fraction, 0.0), 1.0))


class Chart:
    """A figure of `rows` x `columns` panels (`panels`, row by row), `width` x `height` points.

    With `sharex` every panel has the same x range and ticks, and only the lowest visible panel
    of a column labels them. A panel set `visible = False` leaves its cell empty."""

    def __init__(self, rows: int = 1, columns: int = 1, width: float = 468.0, height: float = 180.0,
                 sharex: bool = False) -> None:
        self.rows, self.columns, self.width, self.height, self.sharex = rows, columns, width, height, sharex
        self.panels = [Panel() for _ in range(rows * columns)]

    @property
    def panel(self) -> Panel:
        """The first (or only) panel."""
        return self.panels[0]

    def svg(self) -> str:
        """The chart as one <svg> element, without namespace (for inline HTML)."""
        boxes = self._layout()
        parts = [f'<svg width="{_n(self.width)}pt" height="{_n(self.height)}pt" '
                 f'viewBox="0 0 {_n(self.width)} {_n(self.height)}" font-family="sans-serif" '
                 f'font-size="{_n(FONT)}" fill="{TEXT}">']
        for panel, box in zip(self.panels, boxes, strict=True):
            if box is not None:
                parts.append(_draw(panel, box))
        parts.append("</svg>")
        return "".join(parts)

    # Layout --------------------------------------------------------------------------------

    def _layout(self) -> list[_Box | None]:
        rows, columns = self.rows, self.columns
        cell_width, cell_height = self.width / columns, self.height / rows
        shown = [i for i, panel in enumerate(self.panels) if panel.visible]
        x_ranges = {i: self.panels[i].x_range() for i in shown}
        if self.sharex and shown:
            shared = (min(low for low, _ in x_ranges.values()), max(high for _, high in x_ranges.values()))
            x_ranges = dict.fromkeys(shown, shared)
        # Provisional plot sizes choose how many ticks fit; margins then come from the labels.
        x_ticks = {i: self._x_ticks(self.panels[i], x_ranges[i], cell_width - 50) for i in shown}
        y_axes = {i: self.panels[i].y_axis(max(2.0, min(6.0, (cell_height - 40) / 22))) for i in shown}
        below = {i: range(i + columns, rows * columns, columns) for i in shown}
        labelled = {i: not self.sharex or not any(j in shown for j in below[i]) for i in shown}
        lefts, rights, tops, bottoms = [PAD] * columns, [PAD] * columns, [PAD] * rows, [PAD] * rows
        for i in shown:
            panel, row, column = self.panels[i], i // columns, i % columns
            ticks = y_axes[i][2]
            left = PAD + max((text_width(label) for _, label in ticks), default=0) + GAP + TICK
            if panel.ylabel:
                left += FONT * 1.2 + GAP
            lefts[column] = max(lefts[column], left)
            top = PAD + FONT / 2 + (TITLE * 1.3 if panel.title else 0) + (FONT * 1.6 if _legend(panel) else 0)
            tops[row] = max(tops[row], top)
            bottom = TICK + PAD
            if labelled[i]:
                bottom += GAP + max((_below(label, panel.rotation) for _, label in x_ticks[i]), default=0)
                bottom += FONT * 1.4 if panel.xlabel else 0
            bottoms[row] = max(bottoms[row], bottom)
        for _ in range(2):  # labels that reach past the axes' ends widen the margins; twice settles it
            plot_width = (self.width - sum(lefts) - sum(rights)) / columns
            for i in (i for i in shown if labelled[i]):
                (low, high), column = x_ranges[i], i % columns
                for value, label in x_ticks[i]:
                    before, after = _beside(label, self.panels[i].rotation)
                    offset = (value - low) / (high - low) * plot_width
                    lefts[column] = max(lefts[column], before - offset + PAD)
                    rights[column] = max(rights[column], after - (plot_width - offset) + PAD)
        plot_width = (self.width - sum(lefts) - sum(rights)) / columns
        plot_height = (self.height - sum(tops) - sum(bottoms)) / rows
        boxes: list[_Box | None] = [None] * (rows * columns)
        for i in shown:
            row, column = i // columns, i % columns
            left = sum(lefts[:column]) + sum(rights[:column]) + column * plot_width + lefts[column]
            top = sum(tops[:row]) + sum(bottoms[:row]) + row * plot_height + tops[row]
            bottom, high, yticks = y_axes[i]
            boxes[i] = _Box(left, top, plot_width, plot_height, x_ranges[i], x_ticks[i], (bottom, high),
                            yticks, self.panels[i].log, labelled[i])
        return boxes

    @staticmethod
    def _x_ticks(panel: Panel, x_range: tuple[float, float], width: float) -> list[tuple[float, str]]:
        if panel.ticks is not None:
            return panel.ticks
        low, high = x_range
        return [(tick, plain(tick)) for tick in nice_ticks(low, high, max(3.0, min(8.0, width / 55)))]


# Drawing -----------------------------------------------------------------------------------------

ASCENT, DESCENT = 0.75 * FONT, 0.2 * FONT


def _legend(panel: Panel) -> bool:
    return panel.legend and bool(panel.entries)


def _below(label: str, rotation: float) -> float:
    """How far a tick label reaches below its top."""
    angle = math.radians(rotation)
    return text_width(label) * math.sin(angle) + (ASCENT + DESCENT) * math.cos(angle)


def _beside(label: str, rotation: float) -> tuple[float, float]:
    """How far a tick label reaches left and right of its tick."""
    width, angle = text_width(label), math.radians(rotation)
    if rotation == 0:
        return width / 2, width / 2
    if rotation >= 90:
        return (ASCENT + DESCENT) / 2, (ASCENT + DESCENT) / 2
    return width * math.cos(angle) + (ASCENT + DESCENT) * math.sin(angle), 0.0


def _tick_label(x: float, top: float, label: str, rotation: float) -> str:
    """A tick label below `top`: centred, or rotated to end at its tick (centred on it at 90)."""
    if rotation == 0:
        return _text(x, top + ASCENT, label, anchor="middle")
    angle = math.radians(min(rotation, 90))
    shift = (ASCENT - DESCENT) / 2 if rotation >= 90 else -DESCENT * math.sin(angle)
    x, y = x + shift, top + ASCENT * math.cos(angle)
    return _text(x, y, label, anchor="end", rotate=(-min(rotation, 90), x, y))


def _draw(panel: Panel, box: _Box) -> str:
    left, top, right, bottom = box.left, box.top, box.left + box.width, box.top + box.height
    parts = ["<g>"]
    for bar in panel.bars:
        low, high = box.py(bar.bottom), box.py(bar.top)
        if low - high <= 0:
            continue  # an empty bin, or a count under a log axis' bottom
        x0, x1 = box.px(bar.left), box.px(bar.right)
        outline = ' stroke="#fff" stroke-width="0.3"' if bar.outline else ""
        parts.append(f'<rect x="{_n(x0)}" y="{_n(high)}" width="{_n(x1 - x0)}" height="{_n(low - high)}" '
                     f'fill="{html.escape(bar.colour)}"{outline}/>')
    for x in panel.lines:
        parts.append(f'<path d="M{_n(box.px(x))} {_n(top)}V{_n(bottom)}" '
                     f'style="fill:none;stroke:#000;stroke-width:1;{DASH}"/>')
    ticks = "".join(f"M{_n(left)} {_n(box.py(value))}h{_n(-TICK)}" for value, _ in box.yticks)
    ticks += "".join(f"M{_n(box.px(value))} {_n(bottom)}v{_n(TICK)}" for value, _ in box.xticks)
    parts.append(f'<path d="M{_n(left)} {_n(top)}V{_n(bottom)}H{_n(right)}{ticks}" fill="none" '
                 f'stroke="{AXIS}" stroke-width="0.8"/>')
    parts += [_text(left - TICK - GAP, box.py(value) + 0.35 * FONT, label, anchor="end")
              for value, label in box.yticks]
    if box.labelled:
        label_top = bottom + TICK + GAP
        parts += [_tick_label(box.px(value), label_top, label, panel.rotation) for value, label in box.xticks]
        if panel.xlabel:
            reach = max((_below(label, panel.rotation) for _, label in box.xticks), default=0)
            parts.append(_text((left + right) / 2, label_top + reach + FONT * 1.1, panel.xlabel,
                               anchor="middle"))
    if panel.ylabel:
        reach = max((text_width(label) for _, label in box.yticks), default=0)
        x = left - TICK - GAP - reach - GAP - DESCENT
        parts.append(_text(x, (top + bottom) / 2, panel.ylabel, anchor="middle",
                           rotate=(-90, x, (top + bottom) / 2)))
    legend = _legend(panel)
    if legend:
        parts.append(_legend_row(panel, right, top - FONT * 0.6))
    if panel.title:
        title_y = top - FONT / 2 - (FONT * 1.6 if legend else 0) - DESCENT
        parts.append(_text((left + right) / 2, title_y, panel.title, anchor="middle", size=TITLE))
    parts.append("</g>")
    return "".join(parts)


def _legend_row(panel: Panel, right: float, baseline: float) -> str:
    """The legend's entries in a row that ends at `right`: a colour swatch or a dashed line each."""
    parts, x = [], right
    for colour, label in reversed(panel.entries):
        x -= text_width(label)
        parts.append(_text(x, baseline, label))
        x -= GAP * 2
        sample = FONT * 2 if colour == "dashed" else FONT * 1.4
        x -= sample
        middle = baseline - FONT * 0.3
        if colour == "dashed":
            parts.append(f'<path d="M{_n(x)} {_n(middle)}h{_n(sample)}" '
                         f'style="fill:none;stroke:#000;stroke-width:1;{DASH}"/>')
        else:
            parts.append(f'<rect x="{_n(x)}" y="{_n(middle - FONT * 0.35)}" width="{_n(sample)}" '
                         f'height="{_n(FONT * 0.7)}" fill="{html.escape(colour)}"/>')
        x -= FONT
    return "".join(parts)


def _text(x: float, y: float, value: str, anchor: str = "start", size: float = FONT,
          rotate: tuple[float, float, float] | None = None) -> str:
    """A <text> element: its content escaped (and any control character shown as a picture)."""
    attributes = f' text-anchor="{anchor}"' if anchor != "start" else ""
    attributes += f' font-size="{_n(size)}"' if size != FONT else ""
    if rotate is not None:
        attributes += f' transform="rotate({_n(rotate[0])} {_n(rotate[1])} {_n(rotate[2])})"'
    return f'<text x="{_n(x)}" y="{_n(y)}"{attributes}>{html.escape(terminal(value))}</text>'


def _n(value: float) -> str:
    """A coordinate to two decimals, without trailing zeros (and never "-0")."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
