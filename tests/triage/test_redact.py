"""Personal data and secrets never reach an LLM."""

from __future__ import annotations

import pytest

from ticket_analytics.triage.redact import redact


@pytest.mark.parametrize(
    "secret",
    [
        "minsu.park@acme.io",
        "010-1234-5678",
        "01012345678",
        "+82 10-1234-5678",
        "+1 (415) 555-0100",
        "02-123-4567",
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_" + "a1B2" * 9,
        "xoxb-123456789012-abcdefghijkl",
        "sk-proj-" + "Ab3d" * 8,
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "3f786850e387550fdab836ed7e6dc881de23001b",
    ],
)
def test_secrets_and_contacts_are_replaced(secret: str) -> None:
    text = f"연락처/키: {secret} 입니다"
    assert secret not in redact(text)
    assert "[REDACTED_" in redact(text)


@pytest.mark.parametrize(
    "line",
    ["password=hunter2", "DB_PASSWORD: s3cr3t!", "비밀번호: 1234qwer", "api_key = 'abc123def'"],
)
def test_assigned_passwords_keep_their_key(line: str) -> None:
    out = redact(line)
    assert "[REDACTED_SECRET]" in out and out.split("[")[0].strip()[:3] == line[:3]
    assert line.split(":")[-1].split("=")[-1].strip(" '") not in out


def test_credentials_in_urls_are_removed_but_the_host_stays() -> None:
    assert redact("clone https://bob:pa55w0rd@git.acme.io/x.git") == (
        "clone https://[REDACTED_SECRET]@git.acme.io/x.git"
    )


@pytest.mark.parametrize(
    "text",
    [
        "repo: git@github.com:acme/search-indexer.git",
        "MySQL 8.0, 2025-11-03 14:05 KST, v1.4.2, 500m / 1Gi",
        "order-api-build-pipeline-production-blue-green",
        "https://github.company.com/commerce/order-api",
    ],
)
def test_ordinary_ticket_text_is_left_alone(text: str) -> None:
    assert redact(text) == text
