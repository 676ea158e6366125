"""Export files are read through simdjson's lazy views; the rows must match plain dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from ticket_analytics.jira.adf_worker import text_of_adf_json
from ticket_analytics.jira.payloads import add_document, read_documents
from ticket_analytics.jira.records import RawRows

SAMPLES = Path(__file__).parents[1] / "fixtures" / "jira"


def _rows_both_ways(path: Path) -> tuple[RawRows, RawRows]:
    """Rows from the file reader (simdjson views) and from orjson's plain dicts."""
    lazy, plain = RawRows(), RawRows()
    ((locator, document),) = read_documents(path)
    add_document(lazy, document, locator)
    add_document(plain, orjson.loads(path.read_bytes()), locator)
    return lazy, plain


def _comparable(rows: RawRows) -> list[list[tuple[Any, ...]]]:
    # payload bytes may differ in spelling (number formats, escapes), never in meaning
    return [
        [tuple(orjson.loads(v) if isinstance(v, bytes) else v for v in row) for row in table]
        for table in rows.tables()
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.json")))
def test_lazy_and_plain_parsing_give_the_same_rows_for_real_payloads(name: str) -> None:
    lazy, plain = _rows_both_ways(SAMPLES / name)
    assert _comparable(lazy) == _comparable(plain)


def test_null_or_odd_changelog_and_comment_members_are_handled_alike(tmp_path: Path) -> None:
    fields = {"created": "2025-11-01T00:00:00.000+0000", "updated": "2025-11-02T00:00:00.000+0000"}
    issues = [
        {"id": "1", "key": "OPS-1", "changelog": None, "fields": {**fields, "comment": None}},
        {"id": "2", "key": "OPS-2", "changelog": "n/a", "fields": {**fields, "comment": 3}},
        {
            "id": "3",
            "key": "OPS-3",
            "fields": {
                **fields,
                "note": {"comment": {"comments": []}},
                "comment": {"comments": []},
            },
            "changelog": {"histories": []},
        },
        {
            # the name "comment" also elsewhere, with other values: a worklog's comment and a
            # key ending in an escaped quote
            "id": "4",
            "key": "OPS-4",
            "fields": {
                **fields,
                "worklog": {"worklogs": [{"comment": "done"}]},
                'odd"comment': 1,
                "comment": {"comments": []},
            },
            "self": "https://jira/rest/api/3/issue/4",
        },
        {
            # the very same member again after the fields' own, nested
            "id": "5",
            "key": "OPS-5",
            "fields": {
                **fields,
                "comment": {"comments": []},
                "note": {"comment": {"comments": []}},
            },
        },
    ]
    page = tmp_path / "page.json"
    page.write_bytes(orjson.dumps({"issues": issues}))
    lazy, plain = _rows_both_ways(page)
    assert _comparable(lazy) == _comparable(plain)
    payloads = [orjson.loads(row[-1]) for row in lazy.issues]
    assert [sorted(p) for p in payloads[:3]] == [["fields", "id", "key"]] * 3
    # members keep their order: the comments were cut from the text, not rebuilt as a dict
    assert list(payloads[3]) == ["id", "key", "fields", "self"]
    assert payloads[2]["fields"]["note"] == {"comment": {"comments": []}}
    assert "comment" not in payloads[2]["fields"]
    assert "comment" not in payloads[3]["fields"]
    assert payloads[3]["fields"]["worklog"] == {"worklogs": [{"comment": "done"}]}
    assert payloads[4]["fields"]["note"] == {"comment": {"comments": []}}
    assert "comment" not in payloads[4]["fields"]
    assert payloads[3]["fields"]['odd"comment'] == 1


@pytest.mark.parametrize(
    "name", ["cloud-v3-comments-adf.airbyte.json", "cloud-v3-issue-adf.airbyte.json"]
)
def test_texts_rendered_later_fill_the_rows_rendered_at_once(name: str) -> None:
    """Rows collecting their ADF bodies (as the sync does, for its helper process) hold the
    same texts, once filled in, as rows that rendered them while being added."""
    ((locator, document),) = read_documents(SAMPLES / name)
    at_once, later = RawRows(), RawRows(text_sources=[])
    add_document(at_once, document, locator)
    add_document(later, document, locator)
    assert later.text_sources
    assert not any(texts_of(later))  # nothing rendered yet
    later.fill_texts([text_of_adf_json(source) for source in later.text_sources])
    assert later.tables() == at_once.tables()
    assert any(texts_of(at_once))


def texts_of(rows: RawRows) -> list[str]:
    return [row[6] for row in rows.issues] + [row[4] for row in rows.comments]
