"""One self-contained HTML file of plotly charts that opens offline, in any browser."""

import html
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import plotly.graph_objects as go
import plotly.offline

from ticket_analytics.paths import atomic_write

CHART_HEIGHT = "480px"
_STYLE = """
body { margin: 0 auto; max-width: 1200px; padding: 1.5rem; color: #222;
       font-family: system-ui, -apple-system, "Apple SD Gothic Neo", "Malgun Gothic",
                    "Noto Sans KR", sans-serif; }
header p { color: #666; margin-top: 0; }
section { margin: 2rem 0; border-top: 1px solid #ddd; }
nav ol { columns: 2; }
"""


def _section(index: int, heading: str, figure: go.Figure) -> str:
    chart = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{index}",
        default_height=CHART_HEIGHT,
        config={"displaylogo": False, "responsive": True},
    )
    return f'<section id="section-{index}">\n<h2>{html.escape(heading)}</h2>\n{chart}\n</section>'


def render_dashboard(
    figures: Sequence[tuple[str, go.Figure]], *, title: str, generated_at: datetime | None = None
) -> str:
    """The page as a string: plotly.js inlined once in the head, one section per figure."""
    escaped_title = html.escape(title)
    generated = (
        f"<p>Generated {html.escape(generated_at.isoformat(timespec='seconds'))}</p>"
        if generated_at
        else ""
    )
    contents = "".join(
        f'<li><a href="#section-{i}">{html.escape(heading)}</a></li>'
        for i, (heading, _) in enumerate(figures)
    )
    sections = "\n".join(_section(i, heading, fig) for i, (heading, fig) in enumerate(figures))
    # Inlined rather than `include_plotlyjs="cdn"`: the dashboard is read where there is no
    # network, and one copy for all charts keeps the file at ~5 MB however many there are.
    return (
        "<!DOCTYPE html>\n"
        '<html lang="ko">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escaped_title}</title>\n<style>{_STYLE}</style>\n"
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>\n'
        f"</head>\n<body>\n<header>\n<h1>{escaped_title}</h1>\n{generated}\n"
        f"<nav><ol>{contents}</ol></nav>\n</header>\n{sections}\n</body>\n</html>\n"
    )


def write_dashboard(
    path: Path,
    figures: Sequence[tuple[str, go.Figure]],
    *,
    title: str,
    generated_at: datetime | None = None,
) -> Path:
    """Write the dashboard to `path` atomically; returns the path.

    A reader (a browser reloading, a web server) sees the old file or the new one, never half
    of one. `generated_at=None` leaves the timestamp out, so equal inputs give equal bytes.
    """
    return atomic_write(path, render_dashboard(figures, title=title, generated_at=generated_at))
