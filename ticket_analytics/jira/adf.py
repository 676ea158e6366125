"""Atlassian Document Format (Jira Cloud rich text) to readable plain text.

The converter is deliberately forgiving: payloads come from many Jira versions, apps and
migrations, so anything it cannot read is skipped rather than raised. Text is returned exactly
as written (no HTML escaping); escaping belongs to whoever renders it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

# A rendered node is either inline text (str) or finished blocks (list[str]), so containers can
# tell "part of the current paragraph" from "stands on its own lines" without knowing node types.
_Result = str | list[str]
_Handler = Callable[[dict[str, Any], Sequence[_Result]], _Result]

# Beyond this many open nodes, subtrees are flattened to their text: indentation and quote
# prefixes are rebuilt at every level, so unbounded depth would cost quadratic-or-worse time.
_MAX_DEPTH = 100

_LINE_SPACE = " \t\r\f\v"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _ListBlock(list[str]):
    """A rendered list, so a list nested directly in a list is indented rather than bulleted."""


def adf_to_text(value: object) -> str:
    """Render an ADF document (or any ADF node / list of nodes) as plain text.

    ``None`` gives ``""``; a ``str`` (Data Center wiki markup or plain text) is returned
    unchanged. Blocks are separated by one blank line; code blocks keep their text verbatim.
    Never raises on malformed input.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        root: dict[str, Any] = {"type": "doc", "content": value}
    elif isinstance(value, dict):
        root = value
    else:
        return ""
    result = _render(root)
    text = _tidy(result) if isinstance(result, str) else "\n\n".join(_blocks((result,)))
    return text.lstrip("\n").rstrip(_LINE_SPACE + "\n")


def _render(root: dict[str, Any]) -> _Result:
    # Post-order walk with an explicit stack: ADF from the wild can nest thousands deep.
    # Each frame keeps its own child iterator, so descending and resuming costs no bookkeeping.
    stack: list[tuple[dict[str, Any], Iterator[Any], list[_Result]]] = [
        (root, iter(_content(root)), [])
    ]
    while True:
        node, children, results = stack[-1]
        for child in children:
            if not isinstance(child, dict):
                continue
            if child.get("type") == "text" and "marks" not in child:
                # Unmarked text is most of any document; skip the dispatch for it.
                text = child.get("text")
                results.append(text if isinstance(text, str) else "")
                continue
            sub = child.get("content")
            if isinstance(sub, list) and sub:
                if len(stack) >= _MAX_DEPTH:
                    results.append(_flatten(child))
                    continue
                stack.append((child, iter(sub), []))
                break
            results.append(_finish(child, ()))
        else:
            stack.pop()
            result = _finish(node, results)
            if not stack:
                return result
            stack[-1][2].append(result)


def _flatten(node: dict[str, Any]) -> str:
    """Text of a too-deep subtree on one line: structure is lost, words are not."""
    parts: list[str] = []
    pending: list[object] = [node]
    while pending:
        current = pending.pop()
        if not isinstance(current, dict):
            continue
        content = current.get("content")
        if isinstance(content, list) and content:
            own = current.get("text")
            if isinstance(own, str) and own.strip():
                parts.append(own)
            pending.extend(reversed(content))
            continue
        rendered = _finish(current, ())
        piece = rendered if isinstance(rendered, str) else " ".join(rendered)
        if piece.strip():
            parts.append(piece.strip())
    return " ".join(parts)


def _finish(node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    kind = node.get("type")
    handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
    if handler is None:
        return _unknown(node, results)
    return handler(node, results)


def _content(node: dict[str, Any]) -> list[Any]:
    content = node.get("content")
    return content if isinstance(content, list) else []


def _attrs(node: dict[str, Any]) -> dict[str, Any]:
    attrs = node.get("attrs")
    return attrs if isinstance(attrs, dict) else {}


def _attr_text(node: dict[str, Any], key: str) -> str:
    value = _attrs(node).get(key)
    return value if isinstance(value, str) else ""


def _inline(results: Sequence[_Result]) -> str:
    try:
        return "".join(results)  # type: ignore[arg-type]
    except TypeError:
        # A block inside inline content is malformed ADF; keep its text on its own lines.
        return "".join(r if isinstance(r, str) else "\n" + "\n".join(r) + "\n" for r in results)


def _tidy(text: str) -> str:
    """Trim trailing whitespace per line and keep at most one blank line in a row."""
    if "\n" not in text:
        return text.rstrip(_LINE_SPACE)
    lines: list[str] = []
    blank = True  # also drops leading blank lines
    for line in text.split("\n"):
        line = line.rstrip(_LINE_SPACE)
        if line:
            lines.append(line)
            blank = False
        elif not blank:
            lines.append(line)
            blank = True
    if lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _blocks(results: Sequence[_Result]) -> list[str]:
    """Children of a block container: runs of inline text become paragraphs."""
    blocks: list[str] = []
    run: list[str] = []
    for result in results:
        if isinstance(result, str):
            run.append(result)
            continue
        if run:
            result = [_tidy("".join(run)), *result]
            run = []
        blocks.extend(block for block in result if block and not block.isspace())
    if run and (text := _tidy("".join(run))):
        blocks.append(text)
    return blocks


def _one_line(result: _Result) -> str:
    text = result if isinstance(result, str) else " ".join(result)
    return " ".join(text.split("\n")).strip()


def _prefix_lines(text: str, first: str, rest: str) -> list[str]:
    lines = text.split("\n")
    out = [(first + lines[0]).rstrip(_LINE_SPACE)]
    out.extend(rest + line if line else line for line in lines[1:])
    return out


def _container(_node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    return _blocks(results)


def _unknown(node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    own = node.get("text")
    own = own if isinstance(own, str) else ""
    if all(isinstance(r, str) for r in results):
        return own + "".join(results)  # type: ignore[arg-type]
    return _blocks([own, *results])


def _text(node: dict[str, Any], _results: Sequence[_Result]) -> _Result:
    text = node.get("text")
    if not isinstance(text, str):
        return ""
    marks = node.get("marks")
    if marks and isinstance(marks, list):
        for mark in marks:
            if isinstance(mark, dict) and mark.get("type") == "link":
                href = _attr_text(mark, "href")
                if href and href != text and text:
                    return f"{text} ({href})"
    return text


def _paragraph(_node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    return [_tidy(_inline(results))]


def _code_block(_node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    # Verbatim: no per-line trimming or blank-line collapsing, only the fence-like edges.
    return [_inline(results).strip("\n")]


def _blockquote(_node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    blocks = _blocks(results)
    if not blocks:
        return []
    lines = ["> " + line if line else ">" for line in "\n\n".join(blocks).split("\n")]
    return ["\n".join(lines)]


def _list(node: dict[str, Any], results: Sequence[_Result], ordered: bool) -> _Result:
    number = 1
    if ordered:
        start = _attrs(node).get("order")
        if isinstance(start, int) and not isinstance(start, bool) and start >= 0:
            number = start
    lines: list[str] = []
    for result in results:
        if isinstance(result, _ListBlock):
            lines.extend(_prefix_lines("\n".join(result), "  ", "  "))
            continue
        if isinstance(result, str):
            # Inline content directly in a list is malformed; only keep it if it says something.
            if not result.strip():
                continue
            text = _tidy(result)
        else:
            text = "\n".join(result)
        marker = f"{number}. " if ordered else "- "
        number += 1
        lines.extend(_prefix_lines(text, marker, "  "))
    return _ListBlock(["\n".join(lines)]) if lines else []


def _bullet_list(node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    return _list(node, results, ordered=False)


def _ordered_list(node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    return _list(node, results, ordered=True)


def _list_item(_node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    # Paragraph and nested list of one item belong together: no blank line between them.
    blocks = _blocks(results)
    return ["\n".join(blocks)] if blocks else [""]


def _task_item(node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    box = "[x] " if _attr_text(node, "state").upper() == "DONE" else "[ ] "
    blocks = _blocks(results)
    return [box + "\n".join(blocks)]


def _table(_node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    rows = [row for result in results if (row := _one_line(result))]
    return ["\n".join(rows)] if rows else []


def _table_row(_node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    cells = [_one_line(result) for result in results]
    return [" | ".join(cells).rstrip()] if any(cells) else []


def _expand(node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    return _blocks([[_attr_text(node, "title")], *results])


def _media_group(_node: dict[str, Any], results: Sequence[_Result]) -> _Result:
    parts = [text for result in results if (text := _one_line(result))]
    return [" ".join(parts)] if parts else []


def _media(node: dict[str, Any], _results: Sequence[_Result]) -> _Result:
    attrs = _attrs(node)
    for key in ("alt", "id"):
        value = attrs.get(key)
        if isinstance(value, str) and value.strip():
            return f"[attachment: {value}]"
    return "[attachment]"


def _mention(node: dict[str, Any], _results: Sequence[_Result]) -> _Result:
    text = _attr_text(node, "text")
    if text:
        return text
    account = _attr_text(node, "id")
    return "@" + account if account else ""


def _emoji(node: dict[str, Any], _results: Sequence[_Result]) -> _Result:
    return _attr_text(node, "text") or _attr_text(node, "shortName")


def _date(node: dict[str, Any], _results: Sequence[_Result]) -> _Result:
    stamp = _attrs(node).get("timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, str | int | float):
        return ""
    try:
        return (_EPOCH + timedelta(milliseconds=float(stamp))).date().isoformat()
    except (ValueError, OverflowError):
        return stamp if isinstance(stamp, str) else ""


def _attr_inline(key: str) -> _Handler:
    def handler(node: dict[str, Any], _results: Sequence[_Result]) -> _Result:
        return _attr_text(node, key)

    return handler


def _attr_block(key: str) -> _Handler:
    def handler(node: dict[str, Any], _results: Sequence[_Result]) -> _Result:
        return [_attr_text(node, key)]

    return handler


def _constant(result: _Result) -> _Handler:
    def handler(_node: dict[str, Any], _results: Sequence[_Result]) -> _Result:
        return result if isinstance(result, str) else list(result)

    return handler


_HANDLERS: dict[str, _Handler] = {
    "text": _text,
    "doc": _container,
    "paragraph": _paragraph,
    "heading": _paragraph,
    "bulletList": _bullet_list,
    "orderedList": _ordered_list,
    "listItem": _list_item,
    "taskList": _bullet_list,
    "taskItem": _task_item,
    "decisionList": _bullet_list,
    "decisionItem": _list_item,
    "codeBlock": _code_block,
    "blockquote": _blockquote,
    "rule": _constant(["---"]),
    "table": _table,
    "tableRow": _table_row,
    "tableHeader": _container,
    "tableCell": _container,
    "panel": _container,
    "expand": _expand,
    "nestedExpand": _expand,
    "layoutSection": _container,
    "layoutColumn": _container,
    "mention": _mention,
    "emoji": _emoji,
    "hardBreak": _constant("\n"),
    "inlineCard": _attr_inline("url"),
    "blockCard": _attr_block("url"),
    "embedCard": _attr_block("url"),
    "status": _attr_inline("text"),
    "date": _date,
    "mediaSingle": _media_group,
    "mediaGroup": _media_group,
    "media": _media,
    "mediaInline": _media,
}
