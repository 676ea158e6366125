from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from ticket_analytics.catalog import default_catalog
from ticket_analytics.jira.adf import adf_to_text
from ticket_analytics.jira.records import RawRows
from ticket_analytics.jira.timestamps import parse_jira_timestamp
from ticket_analytics.samples.generator import (
    CLOSED,
    IN_PROGRESS,
    OPEN,
    REOPENED,
    RESOLVED,
    WAITING,
    LabeledIssue,
    generate_issues,
    generate_labeled_issues,
    write_sample,
)
from ticket_analytics.samples.templates import PEOPLE

UNTIL = date(2025, 11, 20)
# The end of `until` in Asia/Seoul: nothing may happen after it.
END = datetime(2025, 11, 21, tzinfo=timezone(timedelta(hours=9))).astimezone(UTC)
TEAM = {p.name for p in PEOPLE if p.team}
ALLOWED_MOVES = {
    (OPEN, IN_PROGRESS),
    (IN_PROGRESS, WAITING),
    (WAITING, IN_PROGRESS),
    (IN_PROGRESS, RESOLVED),
    (RESOLVED, CLOSED),
    (RESOLVED, REOPENED),
    (REOPENED, IN_PROGRESS),
}


@pytest.fixture(scope="module")
def labeled() -> list[LabeledIssue]:
    return list(generate_labeled_issues(months=3, seed=7, until=UNTIL, per_month=150))


def _ts(value: str) -> datetime:
    return parse_jira_timestamp(value)


def _status_moves(issue: dict[str, Any]) -> list[tuple[datetime, str, dict[str, Any]]]:
    """(time, author, status item) oldest first."""
    moves = []
    for history in reversed(issue["changelog"]["histories"]):
        for item in history["items"]:
            if item["field"] == "status":
                moves.append((_ts(history["created"]), history["author"]["displayName"], item))
    return moves


def _pages(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text("utf-8")) for p in sorted(directory.glob("page-*.json"))]


def test_same_arguments_write_byte_identical_files(tmp_path: Path) -> None:
    args = {"months": 2, "seed": 3, "until": UNTIL, "per_month": 60, "page_size": 25}
    first = write_sample(tmp_path / "a", **args)
    second = write_sample(tmp_path / "b", **args)
    assert [p.name for p in first.files] == [p.name for p in second.files]
    for a, b in zip(first.files, second.files, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_another_seed_gives_other_tickets() -> None:
    one = [
        i["fields"]["summary"] for i in generate_issues(months=1, seed=1, until=UNTIL, per_month=50)
    ]
    two = [
        i["fields"]["summary"] for i in generate_issues(months=1, seed=2, until=UNTIL, per_month=50)
    ]
    assert one != two


@pytest.mark.parametrize(
    "bad", [{"months": 0}, {"per_month": -1}, {"page_size": 0}], ids=lambda b: next(iter(b))
)
def test_invalid_arguments_are_refused_before_writing(tmp_path: Path, bad: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        write_sample(tmp_path / "out", until=UNTIL, **bad)
    assert not (tmp_path / "out").exists()


def test_pages_chain_with_tokens_and_the_last_page_has_none(tmp_path: Path) -> None:
    summary = write_sample(tmp_path, months=2, until=UNTIL, per_month=60, page_size=30)
    pages = _pages(tmp_path)
    assert len(pages) >= 3
    for page in pages[:-1]:
        assert page["isLast"] is False
        assert isinstance(page["nextPageToken"], str) and page["nextPageToken"]
        assert len(page["issues"]) == 30
    assert pages[-1]["isLast"] is True
    assert "nextPageToken" not in pages[-1]
    assert len({p.get("nextPageToken") for p in pages[:-1]}) == len(pages) - 1
    assert sum(len(p["issues"]) for p in pages) == summary.issues
    assert summary.files[-1].name == "manifest.yaml"
    manifest = yaml.safe_load(summary.files[-1].read_text("utf-8"))
    assert manifest["issues"] == summary.issues
    assert manifest["by_category"] == summary.by_category


def test_rerun_removes_stale_pages(tmp_path: Path) -> None:
    write_sample(tmp_path, months=1, until=UNTIL, per_month=60, page_size=5)
    summary = write_sample(tmp_path, months=1, until=UNTIL, per_month=60, page_size=500)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.yaml", "page-0001.json"]
    assert _pages(tmp_path)[0]["isLast"] is True
    assert summary.files == (tmp_path / "page-0001.json", tmp_path / "manifest.yaml")


def test_monthly_counts_stay_near_per_month_and_the_last_month_is_partial() -> None:
    months = Counter(i.month for i in generate_labeled_issues(months=3, until=UNTIL, per_month=100))
    assert list(months) == ["2025-09", "2025-10", "2025-11"]
    assert 90 <= months["2025-09"] <= 110
    assert 90 <= months["2025-10"] <= 110
    assert 55 <= months["2025-11"] <= 75  # 20 of 30 days


def test_every_category_is_present(labeled: list[LabeledIssue]) -> None:
    counts = Counter(i.category for i in labeled)
    assert set(counts) == set(default_catalog().ids)
    assert counts.most_common(2)[0][0] in {"access_request", "deployment"}
    assert counts["incident"] < 0.06 * len(labeled)


def test_ids_and_keys_are_unique_and_follow_creation_order(labeled: list[LabeledIssue]) -> None:
    issues = [i.issue for i in labeled]
    assert [i["id"] for i in issues] == [str(10000 + n) for n in range(len(issues))]
    assert [i["key"] for i in issues] == [f"OPS-{n}" for n in range(1, len(issues) + 1)]
    created = [_ts(i["fields"]["created"]) for i in issues]
    assert created == sorted(created)
    histories = [h["id"] for i in issues for h in i["changelog"]["histories"]]
    comments = [c["id"] for i in issues for c in i["fields"]["comment"]["comments"]]
    assert len(set(histories)) == len(histories)
    assert len(set(comments)) == len(comments)


def test_events_are_chronological_and_end_by_until(labeled: list[LabeledIssue]) -> None:
    offsets = Counter()
    for item in labeled:
        fields, changelog = item.issue["fields"], item.issue["changelog"]
        created = _ts(fields["created"])
        history_times = [_ts(h["created"]) for h in changelog["histories"]]
        assert history_times == sorted(history_times, reverse=True)  # newest first, like Jira
        comment_times = [_ts(c["created"]) for c in fields["comment"]["comments"]]
        assert comment_times == sorted(comment_times)
        events = [created, *history_times, *comment_times]
        assert min(events) == created
        assert _ts(fields["updated"]) == max(events) <= END
        assert changelog["total"] == changelog["maxResults"] == len(history_times)
        offsets.update(stamp[-5:] for stamp in (fields["created"], fields["updated"]))
    assert offsets["+0900"] > 0.6 * sum(offsets.values())
    assert {"-0800", "+0000"} <= set(offsets)


def test_status_changes_form_a_valid_chain(labeled: list[LabeledIssue]) -> None:
    for item in labeled:
        fields = item.issue["fields"]
        current = OPEN
        for _, _, move in _status_moves(item.issue):
            assert move["fromString"] == current, item.issue["key"]
            assert (move["fromString"], move["toString"]) in ALLOWED_MOVES
            current = move["toString"]
        assert fields["status"]["name"] == current
        done = fields["status"]["statusCategory"]["key"] == "done"
        assert (fields["resolution"] is not None) == done == (fields["resolutiondate"] is not None)
        if current == OPEN:
            assert fields["assignee"] is None


def test_some_tickets_are_reopened_and_some_stay_in_the_backlog(
    labeled: list[LabeledIssue],
) -> None:
    reopened = sum(item.reopened for item in labeled)
    assert 0.03 * len(labeled) <= reopened <= 0.10 * len(labeled)
    for item in labeled:
        reopens = [m for _, _, m in _status_moves(item.issue) if m["toString"] == REOPENED]
        assert bool(reopens) == item.reopened
    statuses = Counter(i.issue["fields"]["status"]["name"] for i in labeled)
    assert statuses[CLOSED] > len(labeled) / 2
    assert statuses[OPEN] + statuses[IN_PROGRESS] + statuses[WAITING] > 0


def test_clarification_comments_pair_with_waiting_for_customer(
    labeled: list[LabeledIssue],
) -> None:
    catalog = default_catalog()
    rounds = 0
    for item in labeled:
        fields = item.issue["fields"]
        reporter = fields["reporter"]["displayName"]
        comments = [
            (_ts(c["created"]), c["author"]["displayName"], adf_to_text(c["body"]))
            for c in fields["comment"]["comments"]
        ]
        asked = ""
        moves = _status_moves(item.issue)
        for index, (when, author, move) in enumerate(moves):
            if move["toString"] != WAITING:
                continue
            rounds += 1
            questions = [
                text
                for at, who, text in comments
                if who == author and when - timedelta(minutes=2) <= at <= when
            ]
            assert len(questions) == 1, item.issue["key"]
            assert author in TEAM and f"@{reporter}" in questions[0]
            asked += questions[0]
            if index + 1 < len(moves):
                back = moves[index + 1][0]
                assert any(who == reporter and when < at < back for at, who, _ in comments)
        assert item.clarifications == sum(m["toString"] == WAITING for _, _, m in moves)
        if not item.missing:
            assert item.clarifications == 0
        elif item.clarifications:
            required = {f.id: f for f in catalog.get(item.category).required_fields}
            for field_id in item.missing:
                label = required[field_id].label
                assert label.ko in asked or label.en in asked, (item.issue["key"], field_id)
    assert rounds > 0.25 * len(labeled)


def test_a_share_of_requests_leave_out_required_fields(labeled: list[LabeledIssue]) -> None:
    catalog = default_catalog()
    with_fields = [i for i in labeled if catalog.get(i.category).required_fields]
    missing = [i for i in with_fields if i.missing]
    assert 0.3 <= len(missing) / len(with_fields) <= 0.5
    for item in with_fields:
        text = adf_to_text(item.issue["fields"]["description"])
        for field in catalog.get(item.category).required_fields:
            label = field.label.ko if item.lang == "ko" else field.label.en
            written = f"{label}:" in text or f"{label} |" in text
            assert written != (field.id in item.missing), (item.issue["key"], field.id)


def test_hint_classification_mostly_agrees_with_ground_truth(labeled: list[LabeledIssue]) -> None:
    catalog = default_catalog()
    agree = sum(
        catalog.classify(
            i.issue["fields"]["summary"] + " " + adf_to_text(i.issue["fields"]["description"])
        )
        == i.category
        for i in labeled
    )
    assert 0.85 <= agree / len(labeled) < 1.0  # a few requests are honestly ambiguous


def test_recurring_templates_repeat_within_a_month() -> None:
    summaries = [
        i["fields"]["summary"]
        for i in generate_issues(months=1, until=date(2025, 10, 31), per_month=450)
    ]
    jenkins = re.compile(r"^\[권한 신청\] \S+ Jenkins 접근 권한 요청$")
    deploy = re.compile(r"^\S+ (dev|stg|prod) 배포 요청 v\d+\.\d+\.\d+$")
    assert sum(bool(jenkins.match(s)) for s in summaries) >= 10
    assert sum(bool(deploy.match(s)) for s in summaries) >= 10


def test_manifest_counts_the_toil_templates(tmp_path: Path) -> None:
    write_sample(tmp_path, months=2, until=UNTIL, per_month=120)
    manifest = yaml.safe_load((tmp_path / "manifest.yaml").read_text("utf-8"))
    truth = Counter(
        (i.pattern, i.month)
        for i in generate_labeled_issues(months=2, until=UNTIL, per_month=120)
        if i.pattern
    )
    toil = manifest["toil_patterns"]
    assert len(toil) >= 8
    for template in toil:
        assert template["by_month"] == {
            month: truth[template["id"], month] for month in ("2025-10", "2025-11")
        }
        assert template["total"] == sum(template["by_month"].values())
    assert manifest["until"] == "2025-11-20" and manifest["seed"] == 7


def test_languages_mix_korean_and_english(labeled: list[LabeledIssue]) -> None:
    korean = sum(i.lang == "ko" for i in labeled) / len(labeled)
    assert 0.55 <= korean <= 0.75


def test_ingestion_accepts_every_generated_issue(labeled: list[LabeledIssue]) -> None:
    rows = RawRows()
    for n, item in enumerate(labeled):
        rows.add_issue(item.issue, f"sample[{n}]")
    assert rows.rejected == []
    assert len(rows.issues) == len(labeled)
