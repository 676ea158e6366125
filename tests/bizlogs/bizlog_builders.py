"""Application logs and infra metrics of the last half hour, for the bizmetrics tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

# whole minutes, so a test run never straddles the minute it measures
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
INCIDENT_AT = NOW - timedelta(minutes=15)
EVENT_MINUTES = 30


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def write_logs(folder: Path, *, minutes: int = EVENT_MINUTES, end: datetime = NOW) -> Path:
    """Two services, both marker styles, a noise line per event, and two broken lines."""
    folder.mkdir(parents=True, exist_ok=True)
    text, payments = [], []
    for minute in range(minutes):
        at = end - timedelta(minutes=minutes - minute)
        for second in (5, 25, 45):
            stamp = _stamp(at + timedelta(seconds=second))
            text.append(f"{stamp} INFO [http-nio-1] GET /health 200 3ms")
            text.append(
                f"{stamp} INFO [order-api] BIZ_METRIC event=order.created service=order-api"
                f" value=12000 unit=KRW status=ok user_id=u{second} channel=app"
            )
            payment = {"event": "payment.succeeded", "value": 12000, "unit": "KRW", "status": "ok"}
            payments.append(json.dumps({"ts": stamp, "service": "payment-api", "biz": payment}))
    text.append(f"{_stamp(end - timedelta(minutes=2))} INFO BIZ_METRIC value=3 unit=KRW")
    payments.append('{"ts":"2025-10-01T00:00:06Z","biz":{"event":"payment.fail')
    (folder / "order-api.log").write_text("\n".join(text) + "\n", encoding="utf-8")
    (folder / "payment-api.jsonl").write_text("\n".join(payments) + "\n", encoding="utf-8")
    return folder


def write_infra(folder: Path, *, end: datetime = NOW) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["ts,host,metric,value"]
    rows += [
        f"{(end - timedelta(minutes=5 * i)).isoformat()},web-1,cpu_usage,{0.3 + i / 100:.2f}"
        for i in range(6)
    ]
    (folder / "cpu.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder
