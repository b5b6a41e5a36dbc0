"""The stats chart: opened and closed tickets per day (bars) and the day's median time to first
response (a line on its own axis), as a PNG.

matplotlib's object API with the Agg canvas (no pyplot: no global figure state shared between
threads), rendered in a worker thread so the event loop keeps serving updates meanwhile.
Imported on first use: the bot starts without paying for matplotlib until someone asks.
"""

from __future__ import annotations

import asyncio
import io

from app.models.reports import ChartLabels, DayCounts

WIDTH_PX, HEIGHT_PX, DPI = 1200, 675, 100
OPENED_COLOR, CLOSED_COLOR, RESPONSE_COLOR = "#4C78A8", "#54A24B", "#E45756"
MINUTES_UP_TO = 180  # the response axis is in minutes up to this median, in hours above


def render_png(days: list[DayCounts], labels: ChartLabels) -> bytes:
    """WIDTH_PX × HEIGHT_PX PNG; blocking — call `chart_png` from the event loop."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(days)))
    width = 0.4
    axes.bar(
        [p - width / 2 for p in positions], [d.opened for d in days], width, label=labels.opened, color=OPENED_COLOR
    )
    axes.bar(
        [p + width / 2 for p in positions], [d.closed for d in days], width, label=labels.closed, color=CLOSED_COLOR
    )
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0)
    step = max(1, len(days) // 15)  # at most ~15 dates under the bars stay readable
    axes.set_xticks(positions[::step], labels.days[::step], rotation=45 if len(days) > 7 else 0, ha="center")
    axes.set_xlim(-0.6, len(days) - 0.4)
    axes.set_title(labels.title)
    axes.grid(axis="y", alpha=0.3)

    medians = [d.response_median for d in days]
    known = [m for m in medians if m is not None]
    in_hours = bool(known) and max(known) > MINUTES_UP_TO * 60_000
    scale, unit = (3_600_000, labels.hours) if in_hours else (60_000, labels.minutes)
    response = axes.twinx()
    response.plot(
        positions,
        [m / scale if m is not None else float("nan") for m in medians],
        color=RESPONSE_COLOR,
        marker="o",
        linewidth=2,
        label=labels.response,
    )
    response.set_ylabel(f"{labels.response}, {unit}")
    response.set_ylim(bottom=0)
    handles = [*axes.get_legend_handles_labels()[0], *response.get_legend_handles_labels()[0]]
    # Under the dates, so no legend ever hides a bar.
    axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, frameon=False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


async def chart_png(days: list[DayCounts], labels: ChartLabels) -> bytes:
    return await asyncio.to_thread(render_png, days, labels)
