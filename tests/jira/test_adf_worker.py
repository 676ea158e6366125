"""The helper process that renders ADF for the sync: same text as rendering here, always."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from ticket_analytics.jira.adf import adf_to_text
from ticket_analytics.jira.adf_worker import AdfWorker, text_of_adf_json

SAMPLES = Path(__file__).parents[1] / "fixtures" / "jira"


def _bodies() -> list[Any]:
    comments = orjson.loads((SAMPLES / "cloud-v3-comments-adf.airbyte.json").read_bytes())
    page = orjson.loads((SAMPLES / "cloud-v3-issue-adf.airbyte.json").read_bytes())
    return [
        *(issue["fields"]["description"] for issue in page["issues"]),
        *(comment["body"] for comment in comments["comments"]),
        [{"type": "paragraph", "content": [{"type": "text", "text": "a bare node list"}]}],
        {
            "type": "doc",
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": "é ✓ 한국"}]}],
        },
    ]


def test_the_helper_renders_what_adf_to_text_renders_list_after_list() -> None:
    bodies = _bodies()
    expected = [adf_to_text(body) for body in bodies]
    assert sum(map(bool, expected)) >= 3 and "한국" in expected[-1]
    sources = [orjson.dumps(body) for body in bodies]
    with AdfWorker() as worker:
        for chunk in ([], sources, sources[:1], sources[::-1]):
            worker.start(chunk)
            assert worker.texts() == [adf_to_text(orjson.loads(s)) for s in chunk]
        process = worker._process
        assert process is not None and process.poll() is None
    assert process.wait(5) == 0  # closing ends it


def test_a_helper_that_died_leaves_the_texts_to_this_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sources = [orjson.dumps(body) for body in _bodies()]
    expected = [adf_to_text(body) for body in _bodies()]
    with AdfWorker() as worker, caplog.at_level(logging.WARNING):
        worker.start(sources)
        assert worker.texts() == expected
        assert worker._process is not None
        worker._process.kill()
        worker._process.wait()
        worker.start(sources)  # the pipe may still take it; the answer never comes
        assert worker.texts() == expected
        worker.start(sources)
        assert worker.texts() == expected
    assert "ADF helper process failed" in caplog.text


def test_a_list_is_started_then_collected_one_at_a_time() -> None:
    with AdfWorker() as worker:
        with pytest.raises(RuntimeError, match="no list was started"):
            worker.texts()
        worker.start([b'{"type":"doc","content":[]}'])
        with pytest.raises(RuntimeError, match="collect the texts"):
            worker.start([])
        assert worker.texts() == [""]


def test_json_nested_past_orjsons_limit_is_still_rendered() -> None:
    depth = 3_000
    panel = '{"type":"panel","content":['
    source = (panel * depth + '{"type":"text","text":"deep"}' + "]}" * depth).encode()
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(source)
    assert text_of_adf_json(source) == "deep"


def test_the_helper_imports_only_what_rendering_needs() -> None:
    # the helper's memory counts in every sync's peak: no simdjson, records or warehouse
    script = "import sys, ticket_analytics.jira.adf_worker; print(sorted(sys.modules))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    ours = {m for m in done.stdout.strip("[]\n").replace("'", "").split(", ") if "." in m}
    assert {m for m in ours if m.startswith("ticket_analytics.")} == {
        "ticket_analytics.jira",
        "ticket_analytics.jira.adf",
        "ticket_analytics.jira.adf_worker",
        "ticket_analytics.jira.nesting",
    }
    assert "simdjson" not in done.stdout
