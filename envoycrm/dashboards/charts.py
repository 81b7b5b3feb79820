"""Geometry of the server-rendered SVG charts: numbers in, positions out.

Templates draw the shapes; nothing here knows about HTML. A chart is as wide
as its card and its text is set in CSS pixels: positions across are
percentages, so the SVG never scales its text down below the size the style
sheet gives it (12 px at least, however narrow the card). The lines of a
line chart sit in an inner SVG that stretches to the plot area; their
strokes do not scale.
"""

from dataclasses import dataclass

# Rows of a bar chart: the label and value on one line, the bar below.
BAR_ROW = 40
BAR_TOP = 20
BAR_HEIGHT = 14
LABEL_CHARACTERS = 30
# The inner coordinate system of a line chart's plot, stretched to its area.
PLOT_UNITS = 1000


@dataclass
class Bar:
    """One bar with its label and value text; ``width`` in percent."""

    label: str
    value: int
    text: str
    y: int
    width: float


@dataclass
class BarChart:
    """Bars, one row each."""

    bars: list[Bar]
    height: int
    row: int
    bar_top: int
    bar_height: int
    label_characters: int


def bar_chart(items: list[tuple[str, int, str]]) -> BarChart:
    """Bars for ``(label, value, value text)``, scaled to the largest value."""
    largest = max((value for _l, value, _t in items), default=0) or 1
    bars = [
        Bar(
            label=label,
            value=value,
            text=text,
            y=index * BAR_ROW,
            width=round(100 * value / largest, 2),
        )
        for index, (label, value, text) in enumerate(items)
    ]
    return BarChart(
        bars=bars,
        height=max(BAR_ROW, BAR_ROW * len(items)),
        row=BAR_ROW,
        bar_top=BAR_TOP,
        bar_height=BAR_HEIGHT,
        label_characters=LABEL_CHARACTERS,
    )


@dataclass
class Series:
    """One line of a line chart, in plot units.

    ``points`` are the complete periods; ``partial`` (if any) is the segment
    from the last complete period to the one still running, drawn apart.
    """

    name: str
    css: str
    points: str  # "x,y x,y ..." for <polyline points>
    partial: str


@dataclass
class XTick:
    """A label under the x axis: position in percent and its anchor."""

    x: float
    text: str
    anchor: str


@dataclass
class LineChart:
    """Lines over a shared x axis, with a few labelled ticks."""

    series: list[Series]
    height: int
    top: int
    plot_height: int
    plot_units: int
    maximum: int
    x_ticks: list[XTick]
    y_ticks: list[tuple[float, int]]
    # Where the period still running begins, in percent (None: all complete).
    partial_from: float | None


def line_chart(
    named: list[tuple[str, str, list[int]]],
    x_labels: list[str],
    height: int = 240,
    last_is_partial: bool = False,
) -> LineChart:
    """Lines for ``(name, css class, values)``, one value per x label.

    With ``last_is_partial`` the last value is a period still running (this
    week so far): it is drawn dotted over a shaded band, not as a drop.
    """
    top, bottom = 20, 26
    plot_height = height - top - bottom
    maximum = max((max(values, default=0) for _n, _c, values in named), default=0)
    maximum = max(maximum, 1)
    count = max(len(x_labels), 2)

    def x(index: float) -> float:
        return round(PLOT_UNITS * index / (count - 1), 1)

    def y(value: int) -> float:
        return round(plot_height * (1 - value / maximum), 1)

    def points(pairs) -> str:
        return " ".join(f"{x(i)},{y(v)}" for i, v in pairs)

    partial = last_is_partial and len(x_labels) >= 2
    series = []
    for name, css, values in named:
        indexed = list(enumerate(values))
        complete = indexed[:-1] if partial else indexed
        series.append(
            Series(
                name=name,
                css=css,
                points=points(complete),
                partial=points(indexed[-2:]) if partial else "",
            )
        )
    step = max(1, (len(x_labels) - 1) // 4)
    x_ticks = []
    for index in range(0, len(x_labels), step):
        percent = round(100 * index / (count - 1), 2)
        anchor = "start" if percent < 10 else "end" if percent > 90 else "middle"
        x_ticks.append(XTick(x=percent, text=x_labels[index], anchor=anchor))
    y_ticks = [(top + y(v), v) for v in sorted({0, maximum // 2, maximum})]
    return LineChart(
        series=series,
        height=height,
        top=top,
        plot_height=plot_height,
        plot_units=PLOT_UNITS,
        maximum=maximum,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        partial_from=round(100 * (count - 1.5) / (count - 1), 2) if partial else None,
    )
