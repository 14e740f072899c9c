"""Server-rendered SVG line chart (no JavaScript, no CDN): mastery over time per section.

Readable without colour: every series has its own dash pattern and marker shape, the legend
names them in text, and the chart carries a <title>/<desc>; the page also has the numbers as a
table."""
from __future__ import annotations

from markupsafe import Markup, escape

from .stats import Series

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 36
# Colour-blind safe (Okabe-Ito), each paired with a dash pattern and a marker.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4", "3 6")
MARKERS = ("circle", "square", "triangle", "diamond")


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if shape == "triangle":
        return (f'<polygon points="{x:.1f},{y - 4:.1f} {x - 4:.1f},{y + 3.5:.1f} '
                f'{x + 4:.1f},{y + 3.5:.1f}" fill="{colour}"/>')
    return (f'<polygon points="{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y:.1f} {x:.1f},{y + 4.5:.1f} '
            f'{x - 4.5:.1f},{y:.1f}" fill="{colour}"/>')


def mastery_chart(series: list[Series], title: str, description: str,
                  date_format: str = "%m-%d") -> Markup:
    if not series or not series[0].points:
        return Markup("")
    count = len(series[0].points)
    legend_rows = (len(series) + 1) // 2
    height = HEIGHT + legend_rows * 18
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_at(index: int) -> float:
        return LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y_at(value: int) -> float:
        return TOP + plot_h * (1 - value / 100)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
             f'class="chart" role="img" aria-labelledby="chart-title chart-desc">',
             f'<title id="chart-title">{escape(title)}</title>',
             f'<desc id="chart-desc">{escape(description)}</desc>']
    for value in (0, 25, 50, 75, 100):
        y = y_at(value)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#d9e0e8" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#5b6878">{value}%</text>')
    ticks = sorted({0, count - 1, *range(0, count, max(1, count // 6))})
    for index in ticks:
        label = series[0].points[index][0].strftime(date_format)
        parts.append(f'<text x="{x_at(index):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" '
                     f'font-size="11" fill="#5b6878">{escape(label)}</text>')
    for number, item in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        dash = DASHES[number % len(DASHES)]
        points = " ".join(f"{x_at(i):.1f},{y_at(v):.1f}" for i, (_at, v) in enumerate(item.points))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<g><title>{escape(item.title)}</title>'
                     f'<polyline points="{points}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"{dash_attr}/>')
        shape = MARKERS[number % len(MARKERS)]
        step = max(1, count // 12)
        for index in sorted({*range(0, count, step), count - 1}):
            parts.append(_marker(shape, x_at(index), y_at(item.points[index][1]), colour))
        parts.append("</g>")
        # legend: two columns under the plot, marker + dash sample + the section's name and
        # its latest value, so the chart reads in text too
        column, row = number % 2, number // 2
        lx, ly = LEFT + column * (plot_w / 2), HEIGHT + row * 18
        parts.append(f'<line x1="{lx:.1f}" y1="{ly - 4:.1f}" x2="{lx + 22:.1f}" y2="{ly - 4:.1f}" '
                     f'stroke="{colour}" stroke-width="2"{dash_attr}/>')
        parts.append(_marker(shape, lx + 11, ly - 4, colour))
        label = f"{item.title} ({item.points[-1][1]}%)"
        parts.append(f'<text x="{lx + 28:.1f}" y="{ly:.1f}" font-size="12" fill="#1d2733">'
                     f'{escape(label)}</text>')
    parts.append("</svg>")
    # every text in it went through escape() above; the rest is numbers and fixed markup
    return Markup("".join(parts))  # noqa: S704
