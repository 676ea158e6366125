"""What each required field looks like in tickets: the keys people write before it, the words
and shapes that give it (strong), and the words that only point at it (weak -> unsure).

Patterns are read case-insensitively on the ticket's plain text. Latin words take word
boundaries; Korean ones do not (particles attach to words: 운영에서, 버킷을).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldRule:
    keys: tuple[str, ...]
    strong: tuple[str, ...]
    weak: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()  # words that, with a negation, mean "explicitly not given"
    value: str | None = None  # a key's value must match this to count (else unsure)


_L = r"(?<![a-z0-9])"  # a Latin word starts here
_R = r"(?![a-z0-9])"  # and ends here


def words(*alternatives: str) -> str:
    """Whole-word alternation for Latin words (`-` and `.` may appear inside)."""
    return _L + "(?:" + "|".join(alternatives) + ")" + _R


# Vocabulary tables read best as rows of words, not one word per line.
# fmt: off
CLOUD_VENDORS = (
    words(
        "aws", "amazon", "eks", "rds", "aurora", "elasticache", "s3", "sqs", "sns", "dynamodb",
        "documentdb", "cloudwatch", "lambda", "cloudfront", r"(?:ap|us|eu|sa|ca)-[a-z]+-\d",
        "gcp", "google cloud", "gke", "cloud sql", "gcs", "pub/?sub", "bigquery", "cloud run",
        "azure", "aks", "ncp", "naver cloud", "ncloud", "on-?prem(?:ise)?s?", "idc", "openstack",
    ),
    "네이버 ?클라우드|애저|온프레미스|온프렘|사내 ?서버|베어메탈|자체 ?서버",
)
ENVIRONMENTS = (
    words("prod", "production", "prd", "stg", "stage", "staging", "dev", "develop",
          "development", "uat", "sandbox", "sbx", "pre-?prod", "beta"),
    "운영(?![팀진자하사])|상용|스테이징|검증계|검증 ?환경|개발(?![팀자사부중하])|테스트계|테스트 ?환경",
)
DB_ENGINES = (
    words("mysql", "postgres(?:ql)?", "aurora(?: mysql| postgres(?:ql)?)?", "mariadb", "oracle",
          "mssql", "sql server", "mongo(?:db)?", "redis", "documentdb", "dynamodb", "cassandra",
          "tidb", "cockroach(?:db)?", "elasticsearch", "opensearch", "valkey"),
    "마이에스큐엘|포스트그레|마리아|몽고",
)
TOOLS = (
    words("jenkins", "argo ?cd", "argo", "grafana", "sonarqube", "sonar", "harbor", "nexus",
          "vault", "gitlab(?: ?ci| runner)?", "github actions", "spinnaker", "tekton", "kibana",
          "prometheus", "datadog", "pagerduty", "opsgenie", "artifactory", "jfrog", "airflow",
          "rancher", "backstage", "atlantis"),
    "젠킨스|아르고|그라파나|소나큐브|하버|넥서스|깃랩|키바나|프로메테우스|데이터독",
)
NEGATION = (
    r"아직|미정|없(?:음|어|습|는)|모르|몰라|추후|나중에|정해지지|생성 ?전|미확인|확인 ?중|"
    + words("tbd", "tba", "n/?a", "not sure", "not yet", "unknown", "no idea", "don't know",
            "dont know", "not decided", "whatever you", "recommend", "later")
)
_TIME = r"\d{1,2}:\d{2}|" + words(r"\d{1,2} ?(?:am|pm)") + r"|\d{1,2} ?시(?: ?\d{1,2} ?분)?"
_DATE = r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|" + words(r"\d{1,2}/\d{1,2}") + r"|\d{1,2} ?월 ?\d{1,2} ?일"

RULES: dict[str, FieldRule] = {
    "cloud": FieldRule(
        keys=("클라우드", "cloud", "csp", "cloud provider", "provider", "클러스터", "cluster"),
        strong=CLOUD_VENDORS,
        weak=(words("cloud", "cluster", "account", "region") + "|클라우드|클러스터|계정|리전",),
        topic=("클라우드|클러스터|" + words("cloud", "cluster"),),
        value="|".join(CLOUD_VENDORS),
    ),
    "environment": FieldRule(
        keys=("환경", "env", "environment", "대상 환경", "stage", "phase"),
        strong=ENVIRONMENTS,
        weak=(words("qa", "test") + "|테스트",),
        topic=("환경|" + words("env", "environment"),),
    ),
    "service_name": FieldRule(
        keys=("서비스명", "서비스 이름", "서비스", "service", "service name", "svc", "svc name",
              "name", "이름", "app", "앱", "application", "애플리케이션"),
        strong=(
            r"(?<![\w./@:-])[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?![\w/@:-]|\.[a-z])",
            words(r"(?:called|named)\s+[\w-]+", r"[a-z][\w-]+ (?:is|are|was|seems) (?:down|slow|broken|unavailable|not working)"),
            words("vpn", "sso", "gitlab", "github", "jenkins", "grafana", "argocd", "wiki", "jira",
                  "kafka", "redis", "confluence", "slack", "api gateway", "nginx"),
        ),
        weak=(r"[가-힣]{2,}(?<![에을를이가은는의로도])\s*(?:서비스|api|앱|시스템|서버|배치)",),
    ),
    "repository": FieldRule(
        keys=("저장소", "레포", "리포", "repo", "repository", "git", "github", "gitlab", "source",
              "소스", "소스코드", "code"),
        strong=(
            r"git@[\w.-]+:[\w./-]+",
            r"https?://[^\s)>\]|]*(?:git|bitbucket|dev\.azure\.com|codecommit)[^\s)>\]|]*",
            r"https?://[^\s)>\]|]+\.git(?![\w])",
            r"(?<![\w/.@])(?:github\.com|gitlab\.com|bitbucket\.org|[\w-]*git[\w-]*\.[\w.-]+)/[\w.-]+/[\w.-]+",
        ),
        weak=(r"https?://\S+", words("repo", "repository", "git") + "|저장소|레포|리포|소스"),
        topic=(words("repo", "repository", "git") + "|저장소|레포|리포|소스",),
    ),
    "pod_spec": FieldRule(
        keys=("리소스", "resources", "resource", "spec", "specs", "스펙", "사양", "cpu", "메모리",
              "memory", "mem", "replica", "replicas", "레플리카", "파드", "pod", "pods", "limits",
              "requests"),
        strong=(
            words(r"\d+(?:\.\d+)? ?(?:vcpus?|cpus?|cores?)", r"cpu ?[:=]? ?\d+(?:\.\d+)?m?",
                  r"\d+(?:\.\d+)? ?(?:mi|gi|mib|gib|mb|gb|g)", r"\d{2,4}m",
                  r"(?:replicas?|pods?|instances?) ?[:=]? ?\d+", r"\d+ ?(?:replicas?|pods?|instances?)"),
            r"\d+(?:\.\d+)? ?코어|(?:레플리카|파드|인스턴스) ?[:=]? ?\d+|\d+ ?개의? ?(?:파드|레플리카)",
        ),
        weak=(words("cpu", "memory", "mem", "replicas?", "resources?", "spec", "limits?") + "|메모리|스펙|사양|리소스|레플리카",),
        topic=(words("cpu", "memory", "resources?", "spec", "specs", "sizing") + "|메모리|스펙|사양|리소스",),
    ),
    "db_engine": FieldRule(
        keys=("db", "db 종류", "dbms", "엔진", "engine", "db 엔진", "database", "데이터베이스"),
        strong=DB_ENGINES,
    ),
    "db_version": FieldRule(
        keys=("버전", "version", "db 버전", "engine version", "ver"),
        strong=(
            r"(?:" + "|".join(DB_ENGINES) + r")\s*v?\d+(?:\.\d+)*",
            r"(?:버전|" + words("version", "ver") + r")\s*(?:은|는|:|=)?\s*v?\d+(?:\.\d+)*",
        ),
        weak=(words("latest", "version") + "|최신|버전",),
        topic=(words("version") + "|버전",),
        value=r"\d|latest|최신",
    ),
    "target_system": FieldRule(
        keys=("대상", "대상 시스템", "target", "system", "시스템"),
        strong=(
            words("aws", "gcp", "azure", "console", "gitlab", "github", "jenkins", "grafana",
                  "argo ?cd", "vpn", "sso", "db", "database", "kibana", "jira", "confluence",
                  "wiki", "vault", "harbor", "sonarqube", "nexus", "repo", "repository",
                  "bucket", "s3", "k8s", "kubernetes", "namespace", "cluster", "server", "account",
                  "datadog", "kafka", "redis"),
            r"(?<![\w./@:-])[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?![\w/@:-])",
            "콘솔|깃랩|젠킨스|그라파나|데이터베이스|쿠버네티스|네임스페이스|클러스터|서버|계정|저장소|레포|위키|버킷",
        ),
        weak=(words("access", "permissions?") + "|권한|접근",),
    ),
    "access_level": FieldRule(
        keys=("권한 수준", "권한 레벨", "level", "access level", "role", "역할", "롤", "권한"),
        strong=(
            words("read-?only", "read only", "read", "write", "admin", "administrator", "owner",
                  "maintainer", "developer", "reporter", "viewer", "editor", "operator",
                  "power ?user", "full access", "ro", "rw", "r/w", "guest", "member", "push",
                  "merge", "maintain", "contributor"),
            "조회|읽기|쓰기|수정 권한|편집|관리자|어드민|일반 ?사용자|개발자 권한|소유자",
        ),
    ),
    "justification": FieldRule(
        keys=("사유", "이유", "신청 사유", "reason", "justification", "why", "목적", "purpose"),
        strong=(
            words("because", r"since (?:i|we|he|she|they)", r"so (?:that|i|we|he|she|they)",
                  "in order to", r"needs? (?:it |this |access |them )?to", "required for",
                  r"to (?:look|check|debug|investigate|monitor|deploy|review|open|run|manage|fix|view|see|update|support|operate)",
                  r"for (?:onboarding|debugging|on-?call|the on-?call|investigation|monitoring|audit|migration)",
                  "onboarding", "on-?call", "rotation", "joining"),
            "위해|위한|하려고|하려면|려고|되어|돼서|게 됐|게 되|라서|때문|업무|작업|온콜|재택|담당|확인용",
        ),
    ),
    "resource_type": FieldRule(
        keys=("리소스 종류", "종류", "type", "resource type", "리소스", "resource", "버킷명", "bucket"),
        strong=(
            words("buckets?", "s3", "gcs", "blob", "queues?", "sqs", "topics?", "sns", "pub/?sub",
                  "redis", "elasticache", "memcached", "cache", "kafka", "dynamodb", "storage",
                  "efs", "nas", "cdn", "cloudfront", "lambda", "kms", "secrets? manager"),
            "버킷|큐|토픽|캐시|카프카|스토리지|저장소",
        ),
    ),
    "purpose": FieldRule(
        keys=("용도", "purpose", "목적", "사용 목적", "use case", "usage", "사용처"),
        strong=(
            words(r"for (?!(?:the )?(?:team|you|me|us|help|now)\b)[\w-]+",
                  r"to (?:store|cache|keep|hold|serve|publish|stream|buffer|queue|save|share|host)",
                  r"used (?:for|as|by)", "caching", "storing"),
            r"용도|[가-힣A-Za-z]용(?=[\s,.)]|$|으로|도|이|입니다)|저장|보관|캐싱|위해|위한|하려고|쓸 거|사용할|사용 예정",
        ),
    ),
    "tool_name": FieldRule(
        keys=("도구", "tool", "툴"),
        strong=TOOLS,
    ),
    "target_name": FieldRule(
        keys=("잡", "job", "job name", "잡 이름", "프로젝트명", "프로젝트 이름", "project name",
              "repo", "app name", "앱 이름", "dashboard name", "대시보드 이름", "이름", "name", "repo name"),
        strong=(
            r"(?<![\w./@:-])[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?![\w/@:-])",
            r"'[^'\n]{3,40}'|\"[^\"\n]{3,40}\"|“[^”\n]{3,40}”",
            r"(?<![\w/.:])[\w-]+/[\w.-]*[a-z][\w.-]*(?![\w/])",  # org/repo, team/project
            words(r"(?:named|called|call it)\s+['\"]?[\w-]+") + r"|이름은\s*\S+",
        ),
    ),
    "impact": FieldRule(
        keys=("영향", "영향 범위", "영향도", "impact", "affected", "피해", "범위", "scope"),
        strong=(
            r"~?\d+(?:\.\d+)?\s*%",
            words(r"all (?:users|customers|merchants|clients|requests|traffic|regions|tenants)",
                  r"customers?", r"users? (?:are |were )?(?:affected|impacted|cannot|can't|unable)",
                  "affected", "impacted", "blocked", "revenue", r"fail(?:s|ing|ed)? for"),
            "영향|전체 ?(?:사용자|고객|유저|가맹점)|모든 ?(?:사용자|고객|유저)|막혀|막힘|실패율|매출|불가",
        ),
    ),
    "started_at": FieldRule(
        keys=("발생 시각", "발생시각", "발생 시간", "발생일시", "발생 일시", "시작", "started",
              "start", "since", "발생", "시각", "time", "when", "일시"),
        strong=(
            _TIME,
            _DATE,
            words(r"\d+ ?(?:min(?:ute)?s?|hours?|hrs?|days?) ago",
                  r"since (?:yesterday|this morning|last night|today|\d)", "yesterday",
                  "this (?:morning|afternoon|evening)", "last night"),
            r"\d+ ?(?:분|시간|일) ?전|(?:오늘|어제|어젯밤|금일|새벽|아침|오전|오후)",
        ),
    ),
    "symptom": FieldRule(
        keys=("증상", "현상", "symptom", "symptoms", "error", "에러", "오류", "로그", "log", "logs",
              "에러 메시지", "alert"),
        strong=(
            words(r"[45]\d\d", r"[45]xx", "errors?", r"\w*exception", "timeouts?", "timed out",
                  "latency", "slow", "crash\\w*", "oom\\w*", r"\w*outofmemory\w*", "memory leak",
                  "panic", "refused", "denied", "handshake", "lag", "high cpu", r"cpu \d+%",
                  "firing", "alert", "logs?", "stack ?trace", "screenshot", r"p9\d", "deadline exceeded",
                  "bad gateway", "unavailable", "failed", r"blank (?:page|screen)", "white screen",
                  r"hang(?:s|ing)?", r"freez\w*"),
            "에러|오류|타임아웃|응답 ?(?:시간|지연|없)|지연|느려|느림|로그(?!인|아웃)|스크린샷|알람|실패|"
            "빈 ?화면|흰 ?화면|멈춤|멈춰",
        ),
    ),
    "version": FieldRule(
        keys=("버전", "version", "tag", "태그", "image", "이미지", "commit", "커밋", "release"),
        strong=(
            words(r"v\d+(?:\.\d+){1,3}", r"\d+\.\d+\.\d+(?:[-+][\w.]+)?",
                  r"(?:tag|version|release|image)\s*[:=]?\s*v?[\w.-]*\d[\w.-]*",
                  r"commit\s*[0-9a-f]{7,40}", r"hotfix-\d+"),
            r"(?:버전|태그|이미지)\s*[:은는]?\s*v?\d+(?:\.\d+)*",
        ),
        topic=(words("version", "tag") + "|버전|태그",),
    ),
    "schedule": FieldRule(
        keys=("일정", "schedule", "배포 일정", "배포 시간", "배포일", "일시", "날짜", "date", "when",
              "희망 일정", "배포 일시", "시간"),
        strong=(
            _TIME,
            _DATE,
            words("tonight", "today", "tomorrow", r"this (?:week|evening|afternoon|morning)",
                  r"next (?:week|sprint|\w+day)", r"\w+day (?:morning|afternoon|evening|night)",
                  "monday", "tuesday", "wednesday", "thursday", "friday", "asap", "a\\.s\\.a\\.p",
                  "right away", "immediately", "right now", "eod", r"(?:after|before|by) \d"),
            r"오늘|내일|모레|이번 ?주|다음 ?주|금일|익일|주말|야간|점심|퇴근|[월화수목금토일]요일|"
            r"바로|즉시|지금|가능한 ?빨리|오전|오후|저녁",
        ),
        topic=(words("schedule", "when") + "|일정|언제",),
    ),
}

# Kebab-case words that are vocabulary, not names of services, jobs or projects.
NOT_NAMES = frozenset(
    (
        "read-only", "on-prem", "on-premise", "on-premises", "fan-out", "e-mail", "x-ray",
        "pre-prod", "re-run", "sign-up", "built-in", "follow-up", "add-on", "set-up", "log-in",
        "opt-in", "real-time", "end-to-end", "up-to-date", "read-write", "non-prod", "co-worker",
        "check-in", "cross-team", "one-off", "well-known", "ci/cd", "pub/sub", "r/w", "n/a",
        "and/or", "tcp/ip", "i/o", "dev/stg", "stg/prod", "dev/prod",
    )
)
# fmt: on
NAME_PREFIXES = re.compile(r"(?:ap|us|eu|sa|ca|me|af)-|hotfix-|v\d|\d")
