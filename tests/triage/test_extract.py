"""Deterministic extraction: templates, vocabularies, explicit blanks, unsure pointers."""

from __future__ import annotations

import pytest

from ticket_analytics.triage.extract import extract, key_values


@pytest.mark.parametrize(
    ("text", "field_id"),
    [
        ("클라우드: AWS", "cloud"),
        ("Need it on our GKE cluster", "cloud"),
        ("AKS 에 올려주세요", "cloud"),
        ("NCP 쿠버네티스", "cloud"),
        ("온프레미스 IDC 설치", "cloud"),
        ("Env: stg", "environment"),
        ("운영에서 쓸 거예요", "environment"),
        ("production only", "environment"),
        ("- 서비스명 : order-api", "service_name"),
        ("checkout is down!!", "service_name"),
        ("repo: git@github.com:acme/search-indexer.git", "repository"),
        ("code lives at github.com/acme/reco-serving", "repository"),
        ("https://gitlab.internal.co.kr/member/user-profile", "repository"),
        ("cpu 500m / mem 1Gi", "pod_spec"),
        ("2 vCPU and 4GB, replicas 3", "pod_spec"),
        ("파드 2개", "pod_spec"),
        ("DB 종류 / 버전: MySQL 8.0", "db_engine"),
        ("DB 종류 / 버전: MySQL 8.0", "db_version"),
        ("aurora postgres 15.4", "db_version"),
        ("Redis 7", "db_version"),
        ("Viewer role is enough", "access_level"),
        ("읽기 권한이면 충분합니다", "access_level"),
        ("온콜 로테이션에 들어가게 되어 필요합니다", "justification"),
        ("Jenkins admin", "tool_name"),
        ("소나큐브에 프로젝트 추가", "tool_name"),
        ("Call it 'Checkout Latency'", "target_name"),
        ("결제 실패율 30%", "impact"),
        ("2025-11-03 14:05 KST부터", "started_at"),
        ("오늘 오후 2시부터", "started_at"),
        ("since 9am", "started_at"),
        ("502 Bad Gateway on /v1/pay", "symptom"),
        ("tag v1.2.3", "version"),
        ("1.4.0 릴리즈", "version"),
        ("배포 일정: 11/5(수) 22:00", "schedule"),
        ("tomorrow afternoon", "schedule"),
        ("용도: 주문 이미지 저장", "purpose"),
        ("S3 버킷", "resource_type"),
        ("Forwarded alert:\n\n[FIRING:1] HighCPUUsage", "symptom"),
    ],
)
def test_field_is_found(text: str, field_id: str) -> None:
    verdict = extract(text, [field_id])[field_id]
    assert verdict.status == "present" and verdict.evidence


@pytest.mark.parametrize(
    ("text", "field_id"),
    [
        ("| Resources | TBD |", "pod_spec"),
        ("저장소는 아직 생성 전이라 만들어지면 공유드리겠습니다.", "repository"),
        ("스펙은 잘 모르겠어요", "pod_spec"),
        ("We're not sure what version is standard here", "db_version"),
        ("버전: 미정", "db_version"),
        ("please look asap", "started_at"),
        ("로그인이 안돼요", "symptom"),
        ("pls give me access", "access_level"),
        ("it should live in our GCP project", "environment"),
    ],
)
def test_field_is_missing(text: str, field_id: str) -> None:
    assert extract(text, [field_id])[field_id].status == "missing"


@pytest.mark.parametrize(
    ("text", "field_id"),
    [
        ("클러스터는 기존 거 그대로 써 주세요", "cloud"),
        ("참고 링크: https://wiki.acme.io/x/AbC", "repository"),
        ("메모리 넉넉하게 부탁드려요", "pod_spec"),
    ],
)
def test_a_pointer_without_a_value_is_unsure(text: str, field_id: str) -> None:
    assert extract(text, [field_id])[field_id].status == "unsure"


def test_tables_pair_headers_with_values() -> None:
    pairs = key_values("||클라우드||환경||엔진||버전||\n|AWS|운영|Aurora MySQL|3.05|")
    assert [(p.key, p.value) for p in pairs] == [
        ("클라우드", "AWS"),
        ("환경", "운영"),
        ("엔진", "Aurora MySQL"),
        ("버전", "3.05"),
    ]
    adf_rows = key_values("항목 | 내용\n클라우드 | GCP\n버전 | 16")
    assert ("버전", "16") in [(p.key, p.value) for p in adf_rows]


def test_urls_do_not_count_as_environments() -> None:
    text = "repo: https://dev.azure.com/acme/payments/_git/billing"
    assert extract(text, ["environment"])["environment"].status == "missing"


def test_an_unknown_field_is_left_to_the_resolver() -> None:
    assert extract("anything", ["budget_code"])["budget_code"].status == "unsure"
