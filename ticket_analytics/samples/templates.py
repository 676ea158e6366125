"""Texts, people and request templates behind the sample generator.

Texts are written against the catalog's hints (first matching category wins, in catalog
order): a request of one category must not carry a hint of a category listed before it, or
the hint-based classifier would misfile it. The few deliberate ambiguities are marked.
"""

from __future__ import annotations

from typing import NamedTuple


class Person(NamedTuple):
    name: str
    handle: str
    tz: str
    team: bool
    lang: str
    weight: float  # how often this person files tickets


class Pattern(NamedTuple):
    """A summary template; `id` is set for the recurring (toil) ones a toil analysis should find."""

    id: str | None
    category: str
    lang: str
    summary: str
    weight: float  # share within the category, before the trend
    trend: float  # relative growth of the weight from the first to the last month
    sets: dict[str, str]  # placeholder overrides (formatted with the ticket's values)


PEOPLE: tuple[Person, ...] = (
    Person("김도현", "dohyun.kim", "Asia/Seoul", True, "ko", 0.6),
    Person("이서준", "seojun.lee", "Asia/Seoul", True, "ko", 0.3),
    Person("박지훈", "jihoon.park", "Asia/Seoul", True, "ko", 0.3),
    Person("최유진", "yujin.choi", "Asia/Seoul", True, "ko", 0.3),
    Person("정민호", "minho.jung", "Asia/Seoul", True, "ko", 0.2),
    Person("Daniel Reyes", "daniel.reyes", "America/Los_Angeles", True, "en", 0.2),
    Person("Hannah Clarke", "hannah.clarke", "UTC", True, "en", 0.2),
    Person("강민지", "minji.kang", "Asia/Seoul", False, "ko", 5.0),
    Person("윤성호", "sungho.yoon", "Asia/Seoul", False, "ko", 4.0),
    Person("장하은", "haeun.jang", "Asia/Seoul", False, "ko", 3.5),
    Person("임재원", "jaewon.lim", "Asia/Seoul", False, "ko", 3.0),
    Person("한지민", "jimin.han", "Asia/Seoul", False, "ko", 3.0),
    Person("오승우", "seungwoo.oh", "Asia/Seoul", False, "ko", 2.5),
    Person("서예린", "yerin.seo", "Asia/Seoul", False, "ko", 2.5),
    Person("신동훈", "donghun.shin", "Asia/Seoul", False, "ko", 2.0),
    Person("권나연", "nayeon.kwon", "Asia/Seoul", False, "ko", 2.0),
    Person("황태윤", "taeyun.hwang", "Asia/Seoul", False, "ko", 1.5),
    Person("송지우", "jiwoo.song", "Asia/Seoul", False, "ko", 1.5),
    Person("조현수", "hyunsu.cho", "Asia/Seoul", False, "ko", 1.0),
    Person("Emily Carter", "emily.carter", "America/Los_Angeles", False, "en", 3.0),
    Person("Lucas Moreau", "lucas.moreau", "UTC", False, "en", 2.0),
    Person("Priya Nair", "priya.nair", "Asia/Seoul", False, "en", 2.5),
    Person("Kevin O'Brien", "kevin.obrien", "Asia/Seoul", False, "en", 2.0),
    Person("Sofia Rossi", "sofia.rossi", "UTC", False, "en", 1.5),
    Person("Tom Becker", "tom.becker", "Asia/Seoul", False, "en", 1.5),
)

# Share of tickets per category (ground truth); access and deployment dominate, incidents rare.
CATEGORY_WEIGHTS: dict[str, float] = {
    "access_request": 26.0,
    "deployment": 24.0,
    "devops_tools": 14.0,
    "cloud_resource": 11.0,
    "k8s_service": 8.0,
    "rds": 6.0,
    "incident": 2.5,
    "other": 8.5,
}

SERVICES = (
    "order-api", "payment-api", "cart-service", "catalog-api", "search-api", "user-service",
    "auth-gateway", "notification-worker", "coupon-api", "review-service", "inventory-api",
    "shipping-tracker", "settlement-batch", "pricing-engine", "recommend-api", "media-uploader",
    "point-service", "chat-gateway", "admin-web", "partner-api", "event-collector",
    "delivery-api", "billing-service", "ledger-api", "mobile-bff", "web-frontend",
    "data-sync-worker", "report-batch",
)  # fmt: skip
# Incidents concentrate on a few services, so repeat incidents show up.
INCIDENT_SERVICES = (
    ("payment-api", 6.0), ("order-api", 4.0), ("auth-gateway", 3.0), ("search-api", 2.0),
    ("cart-service", 1.5), ("notification-worker", 1.5), ("mobile-bff", 1.0),
    ("inventory-api", 1.0), ("chat-gateway", 0.7), ("settlement-batch", 0.5),
)  # fmt: skip
TEAMS = ("commerce", "payments", "platform", "growth", "data", "search", "mobile", "partner")
ENVS = (("dev", 3.0), ("stg", 3.0), ("prod", 4.0))
K8S_CLOUDS = ("AWS (EKS)", "AWS EKS (ap-northeast-2)", "GCP (GKE)")
CLOUDS = ("AWS", "AWS (ap-northeast-2)", "AWS 서울 리전", "GCP")
ENGINES = (
    ("MySQL", ("8.0.39", "8.0.40")), ("PostgreSQL", ("15.8", "16.4")),
    ("Aurora MySQL", ("3.05.2", "3.07.1")), ("Aurora PostgreSQL", ("15.4", "16.2")),
    ("MariaDB", ("10.11.9",)),
)  # fmt: skip
# The last two are deliberately ambiguous: their text also reads as a database / k8s request.
SYSTEMS = (
    "Jenkins", "Grafana", "Kibana", "ArgoCD", "Harbor", "SonarQube", "Datadog", "Vault",
    "GitLab {team} group", "AWS prod console", "AWS stg console", "Jenkins", "Grafana",
    "Kibana", "Datadog", "운영 DB (order-db)", "EKS namespace {team}",
)  # fmt: skip
LEVELS = ("read-only", "read-only", "read-only", "developer", "maintainer", "admin", "viewer")
TOOLS = (
    ("Jenkins", "{svc}-build"),
    ("ArgoCD", "{svc}-{env}"),
    ("Grafana", "{svc} overview"),
    ("SonarQube", "{svc}"),
    ("Harbor", "{team}"),
    ("Nexus", "{team}-maven"),
)
# No DynamoDB: "dynamodb table" contains the rds hint "db ", which is listed first.
RESOURCE_TYPES = ("S3 bucket", "SQS queue", "ElastiCache Redis", "Kafka topic", "SNS topic")
EXTRA_LOGINS = ("jkim2", "hpark", "sylee", "mchoi", "intern.dev01", "ext.vendor03", "yhjung")
DOMAINS = (
    "api.example.com",
    "shop.example.co.kr",
    "admin.example.com",
    "partner.example.net",
    "cdn.example.com",
)
PARTNERS = ("partner-a.example.net", "pg.example-pay.com", "logistics.example.org")

JUSTIFICATIONS = {
    "ko": ("신규 입사자 온보딩", "{svc} 운영 업무 담당", "빌드 로그 확인 필요",
           "분기 감사 대응 (2주간)", "프로젝트 투입으로 3개월간 필요"),
    "en": ("onboarding to the {team} team", "on-call rotation for {svc}",
           "need to check build logs", "quarterly audit, 2 weeks"),
}  # fmt: skip
PURPOSES = {
    "ko": ("주문 이미지 저장", "이벤트 비동기 처리", "세션 저장", "정산 파일 보관", "알림 발송 대기열"),
    "en": ("store order images", "async event processing", "session storage",
           "settlement file archive"),
}  # fmt: skip
IMPACTS = {
    "ko": ("결제 실패율 약 30%", "전체 사용자 주문 불가", "일부 사용자 로그인 실패",
           "관리자 페이지 접속 불가", "응답 지연으로 주문 전환율 하락"),
    "en": ("~30% of payments failing", "all users unable to place orders",
           "some users cannot log in", "checkout latency above 5s"),
}  # fmt: skip
SYMPTOMS = (
    "502 Bad Gateway on /v1/orders",
    "p99 latency 8s, upstream timeout",
    "DB connection pool exhausted",
    "OOMKilled, then CrashLoopBackOff",
    "5xx ratio up to 12%",
    "503 Service Unavailable from the ALB",
)
INCIDENT_LOG = (
    "{ts} ERROR upstream connect error or disconnect/reset before headers\n"
    "{ts} ERROR 502 POST /v1/checkout 30012ms\n"
    "{ts} WARN  retrying request (attempt 3/3)"
)
POD_SPEC_YAML = (
    "resources:\n  requests:\n    cpu: {cpu}\n    memory: {mem}\n  limits:\n"
    "    cpu: {cpu_limit}\n    memory: {mem_limit}\nreplicas: {replicas}\n"
    "ports:\n  - containerPort: {port}"
)

_T = Pattern
TOIL: tuple[Pattern, ...] = (
    _T("access_jenkins", "access_request", "ko", "[권한 신청] {user} Jenkins 접근 권한 요청",
       28, 0.0, {"system": "Jenkins"}),
    _T("access_readonly", "access_request", "en", "Grant read-only access to {system} for {user}",
       24, 0.8, {"level": "read-only"}),
    _T("access_aws_console", "access_request", "ko", "AWS {awsenv} 콘솔 {level} 권한 요청 ({user})",
       15, 0.0, {"system": "AWS {awsenv} console"}),
    _T("deploy_ko", "deployment", "ko", "{svc} {env} 배포 요청 v{ver}", 36, 0.4, {}),
    _T("deploy_en", "deployment", "en", "Deploy {svc} v{ver} to {env}", 26, 0.0, {}),
    _T("jenkins_job", "devops_tools", "ko", "Jenkins job 생성: {svc}-build", 30, 0.0,
       {"tool": "Jenkins", "target": "{svc}-build"}),
    _T("harbor_project", "devops_tools", "ko", "Harbor project 생성 요청 {team}", 12, 2.5,
       {"tool": "Harbor", "target": "{team}"}),
    _T("argocd_app", "devops_tools", "ko", "ArgoCD 애플리케이션 등록 요청 - {svc} ({env})", 16, 0.0,
       {"tool": "ArgoCD", "target": "{svc}-{env}"}),
    _T("grafana_dashboard", "devops_tools", "en", "Create Grafana dashboard for {svc}", 14, 0.0,
       {"tool": "Grafana", "target": "{svc} overview"}),
    _T("s3_bucket", "cloud_resource", "ko", "S3 버킷 생성 요청 - {svc}-{env}", 40, 0.4,
       {"rtype": "S3 bucket"}),
    _T("sqs_queue", "cloud_resource", "en", "Create SQS queue {svc}-events-{env}", 20, 0.0,
       {"rtype": "SQS queue"}),
    _T("hpa_max_replicas", "k8s_service", "ko", "Increase HPA max replicas for {svc} pods in {env}",
       30, 2.5, {"intro": "트래픽 증가로 {svc} HPA max replicas 상향이 필요합니다 ({env})."}),
    _T("k8s_new_service", "k8s_service", "ko", "[신규 서비스] {svc} K8S 서비스 생성 요청 ({env})",
       35, 0.0, {}),
    _T("rds_new_db", "rds", "ko", "RDS {engine} 신규 DB 생성 ({env})", 55, 0.0, {}),
)  # fmt: skip

# One-off requests, equally weighted within a category's remaining share.
ADHOC: dict[str, tuple[tuple[str, str, dict[str, str]], ...]] = {
    "access_request": (
        ("ko", "VPN 계정 생성 요청 ({user})", {"system": "VPN"}),
        ("ko", "{system} {level} 권한 요청드립니다", {}),
        ("ko", "GitLab {team} 그룹 접근 권한 요청", {"system": "GitLab {team} group"}),
        ("ko", "{user} 신규 입사자 권한 신청", {}),
        ("en", "Access request: {system} ({level})", {}),
        ("en", "SSO group membership for {user} ({team})", {"system": "SSO ({team})"}),
        ("en", "VPN account for {user}", {"system": "VPN"}),
    ),
    "deployment": (
        ("ko", "[hotfix] {svc} v{ver} 긴급 배포 요청", {"env": "prod"}),
        ("ko", "{svc} {env} 롤백 요청 (v{ver})", {}),
        ("ko", "{env} {svc} 릴리즈 요청", {}),
        ("en", "Release {svc} v{ver} to {env}", {}),
        ("en", "Rollback {svc} in {env} to v{ver}", {}),
        ("en", "Hotfix rollout for {svc} (v{ver})", {"env": "prod"}),
    ),
    "devops_tools": (
        ("ko", "SonarQube 프로젝트 생성 요청 - {svc}", {"tool": "SonarQube", "target": "{svc}"}),
        (
            "ko",
            "Jenkins 파이프라인 수정 요청 ({svc})",
            {"tool": "Jenkins", "target": "{svc}-build"},
        ),
        ("ko", "Nexus 저장소 추가 요청 ({team})", {"tool": "Nexus", "target": "{team}-maven"}),
        ("ko", "GitLab Runner 추가 요청 ({team})", {"tool": "GitLab Runner", "target": "{team}"}),
        ("en", "Set up SonarQube project for {svc}", {"tool": "SonarQube", "target": "{svc}"}),
        ("en", "Add Grafana alert for {svc} latency", {"tool": "Grafana", "target": "{svc}"}),
        ("en", "Nexus repository for the {team} team", {"tool": "Nexus", "target": "{team}-maven"}),
    ),
    "cloud_resource": (
        ("ko", "ElastiCache Redis 생성 요청 ({svc}, {env})", {"rtype": "ElastiCache Redis"}),
        ("ko", "Kafka 토픽 생성 요청: {svc}.events", {"rtype": "Kafka topic"}),
        ("ko", "{svc} SNS 토픽 생성 요청", {"rtype": "SNS topic"}),
        ("en", "New Redis cache for {svc} ({env})", {"rtype": "ElastiCache Redis"}),
        ("en", "Kafka topic for {svc} in {env}", {"rtype": "Kafka topic"}),
    ),
    "k8s_service": (
        ("ko", "{svc} namespace 생성 요청 ({env})", {}),
        ("ko", "{svc} ingress 도메인 추가 요청", {}),
        ("en", "New service on k8s: {svc}", {}),
        ("en", "Create namespace for {svc} in {env}", {}),
    ),
    "rds": (
        ("ko", "{svc} PostgreSQL 데이터베이스 생성 요청", {"engine": "PostgreSQL"}),
        ("ko", "Aurora MySQL 클러스터 생성 요청 ({svc}, {env})", {"engine": "Aurora MySQL"}),
        ("en", "New MySQL database for {svc} ({env})", {"engine": "MySQL"}),
    ),
    "incident": (
        ("ko", "[장애] {svc} {env} 5xx 에러 급증", {}),
        ("ko", "[장애] {svc} 응답 지연 및 타임아웃", {}),
        ("ko", "[긴급] {svc} 접속 불가", {}),
        ("ko", "{svc} 오류 발생 - {env}", {}),
        ("en", "Outage: {svc} returning 503", {}),
        ("en", "{svc} error rate spike in {env}", {}),
        ("en", "{svc} pods in CrashLoopBackOff ({env})", {}),
    ),
    "other": (
        ("ko", "DNS 레코드 추가 요청 ({domain})", {}),
        ("ko", "SSL 인증서 갱신 요청 - {domain}", {}),
        ("ko", "{svc} 로그 보관 기간 문의", {}),
        ("ko", "NAT Gateway 비용 문의 ({team})", {}),
        ("ko", "방화벽 오픈 요청 {svc} → {partner}", {}),
        ("en", "TLS certificate renewal for {domain}", {}),
        ("en", "Question about log retention for {svc}", {}),
        ("en", "Cost report for the {team} team", {}),
    ),
}
# Share of each category's tickets that are one-offs rather than a recurring template.
ADHOC_SHARE = {
    "access_request": 35,
    "deployment": 38,
    "devops_tools": 28,
    "cloud_resource": 40,
    "k8s_service": 35,
    "rds": 45,
    "incident": 100,
    "other": 100,
}
# Requests that say too little to classify by wording: realistic noise for the classifier.
VAGUE = {
    "ko": ("요청드립니다", "{svc} 관련 문의드립니다", "확인 부탁드립니다 ({svc})"),
    "en": ("Help needed with {svc}", "Quick question about {svc}"),
}

INTROS = {
    ("k8s_service", "ko"): ("{svc} 신규 서비스를 EKS 클러스터에 올리려고 합니다. 아래 내용으로 준비 부탁드립니다.",
                            "{svc} 서비스 쿠버네티스 리소스 작업 요청드립니다."),
    ("k8s_service", "en"): ("We're launching {svc} and need it set up on our k8s cluster.",
                            "Please prepare the Kubernetes resources for {svc}."),
    ("rds", "ko"): ("{svc}에서 사용할 {engine} 데이터베이스 생성 요청드립니다.",
                    "신규 기능 개발로 데이터베이스가 필요합니다. 아래 사양으로 부탁드립니다."),
    ("rds", "en"): ("Please create a new {engine} database for {svc}.",
                    "{svc} needs its own database, details below."),
    ("access_request", "ko"): ("{system} {level} 권한 신청드립니다.",
                               "업무 진행을 위해 {system} 접근이 필요합니다."),
    ("access_request", "en"): ("Requesting {level} access to {system}.",
                               "I need access to {system} for my work on {svc}."),
    ("deployment", "ko"): ("{svc} {env} 배포 부탁드립니다. 변경 사항은 MR에 정리해 두었습니다.",
                           "아래 일정으로 {svc} 릴리즈 진행 부탁드립니다."),
    ("deployment", "en"): ("Please deploy {svc} to {env}. Changes are summarised in the MR.",
                           "Requesting a release of {svc}, details below."),
    ("devops_tools", "ko"): ("{tool}에 {target} 생성 부탁드립니다.",
                             "{tool} 설정 요청드립니다. 아래 내용 참고 부탁드려요."),
    ("devops_tools", "en"): ("Could you set up {target} in {tool}?",
                             "Small {tool} request, details below."),
    ("cloud_resource", "ko"): ("{svc}에서 사용할 {rtype} 생성 요청드립니다.",
                               "신규 기능용 리소스 생성 부탁드립니다."),
    ("cloud_resource", "en"): ("We need a new {rtype} for {svc}.",
                               "Please create the resource below for {svc}."),
    ("incident", "ko"): ("{env} 환경에서 {svc} 장애가 발생했습니다. 긴급 확인 부탁드립니다.",
                         "{svc} 에러가 계속 발생하고 있습니다. 확인 부탁드립니다."),
    ("incident", "en"): ("{svc} in {env} is failing, please take a look ASAP.",
                         "We're seeing an outage on {svc}."),
    ("other", "ko"): ("아래 건 확인 부탁드립니다.", "{svc} 관련 요청입니다. 가능한 일정 알려주세요."),
    ("other", "en"): ("Could you help with the following?",
                      "Not sure who owns this, so filing it here."),
}  # fmt: skip
VAGUE_INTROS = {
    "ko": ("자세한 내용은 아래 참고 부탁드립니다.", "지난번과 같은 건입니다."),
    "en": ("Details below.", "Same as last time."),
}
HEADINGS = {"ko": "요청 내용", "en": "Request details"}
CLOSINGS = {
    "ko": ("감사합니다.", "잘 부탁드립니다!", "감사합니다"),
    "en": ("Thanks!", "Thanks in advance.", "Cheers"),
}

# Clarification convention: the assignee asks (mention + one bullet per missing field label),
# the reporter answers with "label: value" lines.
ASK_HEAD = {
    "ko": " 님, 요청 처리를 위해 아래 정보가 추가로 필요합니다.",
    "en": " Hi, to proceed we need the following information:",
}
ASK_TAIL = {
    "ko": "확인 후 댓글 남겨주시면 바로 진행하겠습니다.",
    "en": "Please reply here and we'll pick it up right away.",
}
REPLY_HEAD = {
    "ko": ("요청하신 정보 공유드립니다.", "누락된 내용 추가합니다."),
    "en": ("Here you go:", "Sorry, missed those:"),
}
RESOLVED_NOTES = {
    "ko": (
        "처리 완료했습니다. 확인 부탁드립니다.",
        "작업 완료되었습니다.",
        "반영했습니다. 문제 있으면 말씀해주세요.",
    ),
    "en": ("Done, please verify.", "All set!", "Completed - let us know if anything looks off."),
}
REOPEN = {
    "ko": (
        "아직 동작하지 않습니다. 다시 확인 부탁드립니다.",
        "요청한 내용과 다르게 반영된 것 같습니다.",
    ),
    "en": (
        "Still not working on my side, could you check again?",
        "This doesn't match what I asked for, reopening.",
    ),
}
INCIDENT_UPDATES = {
    "ko": (
        "원인 파악 중입니다.",
        "영향 범위 확인했습니다. 조치 진행 중입니다.",
        "조치 완료 후 모니터링 중입니다.",
    ),
    "en": ("Investigating.", "Mitigation in progress.", "Mitigated, monitoring."),
}
NUDGES = {
    "ko": ("진행 상황 공유 부탁드립니다", "혹시 언제쯤 가능할까요?"),
    "en": ("Any update on this?", "Friendly ping - any ETA?"),
}
EMOJIS = (
    (":pray:", "1f64f", "🙏"),
    (":smile:", "1f604", "😄"),
    (":rocket:", "1f680", "🚀"),
    (":thumbsup:", "1f44d", "👍"),
)
