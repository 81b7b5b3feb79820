"""Geometry of the server-rendered SVG charts: numbers in, coordinates out.

Templates draw the shapes; nothing here knows about HTML. Every chart has a
fixed view box, so it scales with the page and weighs a few kilobytes.
"""

from dataclasses import dataclass


@dataclass
class Bar:
    """One horizontal bar with its label and value text."""

    label: str
    value: int
    text: str
    y: float
    width: float


@dataclass
class BarChart:
    """Horizontal bars, one row each."""

    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_area: int
    row: int
    bar_height: int


def bar_chart(
    items: list[tuple[str, int, str]],
    width: int = 640,
    label_width: int = 210,
    row: int = 28,
) -> BarChart:
    """Bars for ``(label, value, value text)``, scaled to the largest value."""
    bar_area = width - label_width - 90
    largest = max((value for _l, value, _t in items), default=0) or 1
    bars = [
        Bar(
            label=label,
            value=value,
            text=text,
            y=index * row,
            width=round(bar_area * value / largest, 1),
        )
        for index, (label, value, text) in enumerate(items)
    ]
    return BarChart(
        bars=bars,
        width=width,
        height=max(row, row * len(items)),
        label_width=label_width,
        bar_area=bar_area,
        row=row,
        bar_height=row - 8,
    )


@dataclass
class Series:
    """One line of a line chart."""

    name: str
    css: str
    points: str  # "x,y x,y ..." for <polyline points>
    last: tuple[float, float]


@dataclass
class LineChart:
    """Lines over a shared x axis, with a few labelled ticks."""

    series: list[Series]
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    maximum: int
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]


def line_chart(
    named: list[tuple[str, str, list[int]]],
    x_labels: list[str],
    width: int = 640,
    height: int = 240,
) -> LineChart:
    """Lines for ``(name, css class, values)``, one value per x label."""
    left, top, right, bottom = 48, 12, 12, 28
    plot_width, plot_height = width - left - right, height - top - bottom
    maximum = max((max(values, default=0) for _n, _c, values in named), default=0)
    maximum = max(maximum, 1)
    count = max(len(x_labels), 2)

    def x(index: int) -> float:
        return round(left + plot_width * index / (count - 1), 1)

    def y(value: int) -> float:
        return round(top + plot_height * (1 - value / maximum), 1)

    series = []
    for name, css, values in named:
        points = [(x(i), y(v)) for i, v in enumerate(values)]
        series.append(
            Series(
                name=name,
                css=css,
                points=" ".join(f"{px},{py}" for px, py in points),
                last=points[-1] if points else (left, top + plot_height),
            )
        )
    step = max(1, (len(x_labels) - 1) // 4)
    x_ticks = [(x(i), x_labels[i]) for i in range(0, len(x_labels), step)]
    y_ticks = [(y(v), v) for v in sorted({0, maximum // 2, maximum})]
    return LineChart(
        series=series,
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_width,
        plot_height=plot_height,
        maximum=maximum,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
    )
