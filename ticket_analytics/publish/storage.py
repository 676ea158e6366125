"""Confluence storage format (XHTML with ``ac:`` macros), built so that text cannot become markup.

Every builder returns ``Markup``; any plain ``str`` it receives is text and gets escaped. So
ticket text can only ever reach the page as characters, never as tags, macros or entities,
and the result stays well-formed XML (Confluence rejects a page that is not). There is no
``html`` macro here on purpose: it would run whatever a ticket smuggled into the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = [
    "Markup",
    "bullet_list",
    "cdata",
    "chart",
    "clean",
    "concat",
    "escape",
    "expand",
    "heading",
    "info_panel",
    "link",
    "paragraph",
    "strong",
    "table",
]

# XML 1.0 forbids C0 controls other than tab/LF/CR, lone surrogates and U+FFFE/U+FFFF; C1
# controls and DEL are legal but invisible and only ever arrive as noise (or tricks).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})
_CHART_TYPES = frozenset({"bar", "pie", "line", "area", "timeSeries"})


class Markup(str):
    """A string that is already storage markup; builders pass it through unescaped."""

    __slots__ = ()


def clean(text: str) -> str:
    """Text without the characters XML cannot carry, with line ends normalised to LF."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def escape(value: str) -> Markup:
    """Plain text as markup: `& < > " '` become entities (only XML's own, never `&nbsp;`)."""
    if isinstance(value, Markup):
        return value
    return Markup(clean(str(value)).translate(_ESCAPES))


def concat(parts: Iterable[str]) -> Markup:
    return Markup("".join(escape(part) for part in parts))


def cdata(text: str) -> Markup:
    """A CDATA section; a `]]>` inside it is split across two sections, as Confluence does."""
    return Markup("<![CDATA[" + clean(text).replace("]]>", "]]]]><![CDATA[>") + "]]>")


def _element(tag: str, content: str, **attributes: str) -> Markup:
    attrs = "".join(
        f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attributes.items()
    )
    return Markup(f"<{tag}{attrs}>{escape(content)}</{tag}>")


def heading(level: int, text: str) -> Markup:
    if not 1 <= level <= 6:
        raise ValueError("heading level must be 1..6")
    return _element(f"h{level}", text)


def paragraph(content: str) -> Markup:
    """A paragraph; plain text keeps its line breaks as ``<br />``."""
    if isinstance(content, Markup):
        return _element("p", content)
    lines = clean(content).split("\n")
    return Markup("<p>" + "<br />".join(escape(line) for line in lines) + "</p>")


def strong(text: str) -> Markup:
    return _element("strong", text)


def link(href: str, text: str) -> Markup:
    if not re.match(r"https?://", href):
        raise ValueError("only http(s) links belong on the page")
    return _element("a", text, href=href)


def bullet_list(items: Iterable[str]) -> Markup:
    return Markup("<ul>" + "".join(_element("li", item) for item in items) + "</ul>")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Markup:
    head = "<tr>" + "".join(_element("th", h) for h in headers) + "</tr>"
    body = "".join("<tr>" + "".join(_element("td", c) for c in row) + "</tr>" for row in rows)
    return Markup(f"<table><tbody>{head}{body}</tbody></table>")


def _macro(name: str, parameters: dict[str, str], body: str | None = None) -> Markup:
    params = "".join(
        f'<ac:parameter ac:name="{escape(key)}">{escape(value)}</ac:parameter>'
        for key, value in parameters.items()
    )
    rich = f"<ac:rich-text-body>{escape(body)}</ac:rich-text-body>" if body is not None else ""
    return Markup(
        f'<ac:structured-macro ac:name="{escape(name)}">{params}{rich}</ac:structured-macro>'
    )


def info_panel(title: str, body: str) -> Markup:
    return _macro("info", {"title": title, "icon": "true"}, body)


def expand(title: str, body: str) -> Markup:
    return _macro("expand", {"title": title}, body)


def chart(
    title: str,
    headers: Sequence[str],
    rows: Sequence[tuple[str, Sequence[float | int]]],
    *,
    chart_type: str = "bar",
    x_label: str = "",
    y_label: str = "",
) -> Markup:
    """Confluence's own chart macro over a data table: one row per category, one column per series.

    Numbers go in unformatted (no thousands separators), since the macro parses them as numbers.
    The caller shows the same data as a plain table too: the macro renders nothing in exports,
    mobile apps or the editor preview.
    """
    if chart_type not in _CHART_TYPES:
        raise ValueError(f"chart_type must be one of {sorted(_CHART_TYPES)}")
    data = table(headers, [(label, *(_plain_number(v) for v in values)) for label, values in rows])
    parameters = {
        "type": chart_type,
        "title": title,
        "dataOrientation": "vertical",
        "width": "640",
        "height": "360",
        "dataDisplay": "false",
    }
    if x_label:
        parameters["xLabel"] = x_label
    if y_label:
        parameters["yLabel"] = y_label
    return _macro("chart", parameters, data)


def _plain_number(value: float | int) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))
