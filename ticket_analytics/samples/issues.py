"""One sample issue at a time: what is asked, how the form is written, the Jira payload."""

from __future__ import annotations

from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from random import Random
from typing import Any

from ticket_analytics.catalog import RequiredField, default_catalog
from ticket_analytics.samples import jira_shapes as js
from ticket_analytics.samples import templates as tpl
from ticket_analytics.samples.effort import effort_fields
from ticket_analytics.samples.jira_shapes import CLOSED, DAY, MIN, RESOLVED, Actor, Trail
from ticket_analytics.samples.lifecycle import Workflow, field_value, label

_EXPAND = "operations,versionedRepresentations,editmeta,changelog,renderedFields"
_LABELS = {
    "access_request": "access", "deployment": "release", "devops_tools": "devops-tools",
    "cloud_resource": "aws", "k8s_service": "eks", "rds": "database", "incident": "incident",
    "other": "misc",
}  # fmt: skip
_COMPONENT = {"k8s_service": "EKS", "rds": "RDS", "access_request": "IAM", "deployment": "CI/CD",
              "other": "Network"}  # fmt: skip
_MESSAGING = ("SQS queue", "Kafka topic", "SNS topic")
_PRIORITY_CUM = (2, 16, 78, 95, 100)
_PRIORITY_NAMES = ("Highest", "High", "Medium", "Low", "Lowest")
_AGENT_LOAD = (3.0, 3.0, 3.0, 2.5, 2.0, 1.5, 1.5)
_ENV_NAMES = tuple(name for name, _ in tpl.ENVS)
_ENV_CUM = tuple(accumulate(weight for _, weight in tpl.ENVS))
_INCIDENT_CUM = tuple(accumulate(weight for _, weight in tpl.INCIDENT_SERVICES))
_EMOJI = tuple(js.emoji(*e) for e in tpl.EMOJIS)
_TABLE_HEADER = {"ko": ("항목", "내용"), "en": ("Field", "Value")}
_DOUBLE = {"250m": "500m", "500m": "1", "1": "2", "512Mi": "1Gi", "1Gi": "2Gi", "2Gi": "4Gi"}
_ODD_TEXT = (None, None, None, "", "N/A", "see Slack thread")


@dataclass(frozen=True, slots=True)
class LabeledIssue:
    """An issue with the generator's ground truth, for manifests, tests and benchmarks."""

    issue: dict[str, Any]
    month: str  # created month in Asia/Seoul, "2025-10"
    category: str
    pattern: str | None  # id of the recurring (toil) template; None for one-off requests
    lang: str
    missing: tuple[str, ...]  # required field ids the description leaves out
    reopened: bool
    clarifications: int  # moves into Waiting for Customer


class IssueFactory:
    """Makes issues one by one, in creation order (keys and ids are handed out in call order)."""

    def __init__(self, rng: Random, until: date, months: int, key: str) -> None:
        self.rng, self.key = rng, key
        self.end = js.midnight_kst(until.toordinal() + 1) - 1  # until's last ms, Asia/Seoul
        self.project = {
            "self": f"{js.API}/project/10000",
            "id": "10000",
            "key": key,
            "name": "DevOps Requests",
            "projectTypeKey": "service_desk",
        }
        self.people = [js.actor(i, p) for i, p in enumerate(tpl.PEOPLE)]
        self.people_cum = tuple(accumulate(p.weight for p in tpl.PEOPLE))
        self.agents = [a for a, p in zip(self.people, tpl.PEOPLE, strict=True) if p.team]
        self.agents_cum = tuple(accumulate(_AGENT_LOAD[: len(self.agents)]))
        self.workflow = Workflow(rng, self.end, self._agent)
        self.fields = {c.id: c.required_fields for c in default_catalog().categories}
        self.patterns = {
            c: [self._patterns(c, i, months) for i in range(months)] for c in tpl.CATEGORY_WEIGHTS
        }
        self.teams = [
            {"self": f"{js.API}/customFieldOption/{10020 + i}", "value": team, "id": str(10020 + i)}
            for i, team in enumerate(tpl.TEAMS)
        ]
        self.count = self.history_id = self.comment_id = 0

    @staticmethod
    def _patterns(category: str, index: int, months: int) -> tuple[list[tpl.Pattern], list[float]]:
        growth = index / (months - 1) if months > 1 else 1.0
        adhoc = tpl.ADHOC[category]
        share = tpl.ADHOC_SHARE[category] / len(adhoc)
        entries = [p for p in tpl.TOIL if p.category == category]
        entries += [
            tpl.Pattern(None, category, lang, s, share, 0.0, sets) for lang, s, sets in adhoc
        ]
        return entries, list(accumulate(p.weight * (1 + p.trend * growth) for p in entries))

    def _pick(self, items: Sequence[Any]) -> Any:
        return items[int(self.rng.random() * len(items))]

    def _agent(self) -> Actor:
        return self.agents[bisect(self.agents_cum, self.rng.random() * self.agents_cum[-1])]

    def issue(self, created: int, category: str, index: int, month: str) -> LabeledIssue:
        """The issue created at `created` (epoch ms) in the `index`-th month of the span."""
        rng = self.rng
        reporter = self.people[bisect(self.people_cum, rng.random() * self.people_cum[-1])]
        entries, cum = self.patterns[category][index]
        pattern = entries[bisect(cum, rng.random() * cum[-1])]
        lang = pattern.lang
        values = self._values(category, lang, reporter, created)
        for name, template in pattern.sets.items():
            values[name] = template.format_map(values)
        vague = category not in ("incident", "other") and rng.random() < 0.03
        summary = (self._pick(tpl.VAGUE[lang]) if vague else pattern.summary).format_map(values)
        required = self.fields.get(category, ())
        left_out: set[int] = set()
        if required and rng.random() < (0.3 if category == "incident" else 0.43):
            r = rng.random()
            size = min(1 if r < 0.6 else 2 if r < 0.9 else 3, len(required))
            left_out = set(rng.sample(range(len(required)), size))
        absent = [f for i, f in enumerate(required) if i in left_out]
        present = [f for i, f in enumerate(required) if i not in left_out]
        description = self._description(category, lang, values, present, vague)
        if category == "incident":
            priority = "Highest" if rng.random() < 0.45 else "High"
        else:
            priority = _PRIORITY_NAMES[bisect(_PRIORITY_CUM, rng.random() * 100)]
        trail = Trail(created, priority)
        self.workflow.walk(trail, category, lang, reporter, absent, values)
        issue = self._payload(category, reporter, summary, description, trail, values)
        missing = tuple(f.id for f in absent)
        return LabeledIssue(
            issue, month, category, pattern.id, lang, missing, trail.reopened, trail.rounds
        )

    def _values(self, category: str, lang: str, reporter: Actor, created: int) -> dict[str, str]:
        rng, pick = self.rng, self._pick
        if category == "incident":
            svc = tpl.INCIDENT_SERVICES[bisect(_INCIDENT_CUM, rng.random() * _INCIDENT_CUM[-1])][0]
            env = "prod" if rng.random() < 0.85 else "stg"
        else:
            svc, env = pick(tpl.SERVICES), _ENV_NAMES[bisect(_ENV_CUM, rng.random() * _ENV_CUM[-1])]
        team = pick(tpl.TEAMS)
        ver = f"{1 + int(rng.random() * 4)}.{int(rng.random() * 30)}.{int(rng.random() * 15)}"
        user = reporter.handle if rng.random() < 0.7 else pick(tpl.EXTRA_LOGINS)
        v = {
            "svc": svc,
            "env": env,
            "team": team,
            "ver": ver,
            "user": user,
            "awsenv": pick(("prod", "stg", "dev")),
            "level": pick(tpl.LEVELS),
        }
        if category == "access_request":
            v["system"] = pick(tpl.SYSTEMS).format(team=team)
            v["why"] = pick(tpl.JUSTIFICATIONS[lang]).format(svc=svc, team=team)
        elif category == "k8s_service":
            cpu, mem = pick(("250m", "500m", "1")), pick(("512Mi", "1Gi", "2Gi"))
            replicas, port = 2 + int(rng.random() * 3), pick(("8080", "8000", "3000", "9090"))
            v["cloud"], v["repo"] = pick(tpl.K8S_CLOUDS), f"https://git.example.com/{team}/{svc}"
            v["pod"] = f"{cpu} CPU, {mem} memory, {replicas} replicas, port {port}"
            v["pod_yaml"] = tpl.POD_SPEC_YAML.format(
                cpu=cpu,
                mem=mem,
                cpu_limit=_DOUBLE[cpu],
                mem_limit=_DOUBLE[mem],
                replicas=replicas,
                port=port,
            )
        elif category == "rds":
            engine, versions = pick(tpl.ENGINES)
            v["cloud"], v["engine"], v["dbver"] = pick(tpl.CLOUDS), engine, pick(versions)
        elif category == "cloud_resource":
            v["cloud"], v["rtype"] = pick(tpl.CLOUDS), pick(tpl.RESOURCE_TYPES)
            v["purpose"] = pick(tpl.PURPOSES[lang])
        elif category == "devops_tools":
            tool, target = pick(tpl.TOOLS)
            v["tool"], v["target"] = tool, target.format(svc=svc, env=env, team=team)
        elif category == "deployment":
            day = js.SEOUL(created + (1 + int(rng.random() * 3)) * DAY)[:10]
            v["version"] = f"v{ver}"
            v["schedule"] = f"{day} {pick(('10:00', '14:00', '19:00', '22:00'))} KST"
        elif category == "incident":
            began = js.SEOUL(created - 5 * MIN - int(rng.random() * 45 * MIN))
            v["impact"], v["symptom"] = pick(tpl.IMPACTS[lang]), pick(tpl.SYMPTOMS)
            v["started"] = f"{began[:10]} {began[11:16]} KST"
        else:
            v["domain"], v["partner"] = pick(tpl.DOMAINS), pick(tpl.PARTNERS)
        return v

    def _description(
        self,
        category: str,
        lang: str,
        v: dict[str, str],
        present: list[RequiredField],
        vague: bool,
    ) -> dict[str, Any]:
        rng, pick = self.rng, self._pick
        blocks = [js.heading(tpl.HEADINGS[lang])] if rng.random() < 0.25 else []
        intro = pick(tpl.VAGUE_INTROS[lang]) if vague else v.get("intro")
        first = js.paragraph(js.text((intro or pick(tpl.INTROS[category, lang])).format_map(v)))
        if rng.random() < 0.12:
            first["content"] += [js.text(" cc "), self._agent().mention]
        blocks.append(first)
        rows, spec = [], None
        for field in present:
            value = field_value(field, v)
            if field.id == "pod_spec" and "pod_yaml" in v and rng.random() < 0.7:
                value = "아래 yaml 참고" if lang == "ko" else "see the yaml below"
                spec = js.code(v["pod_yaml"], "yaml")
            rows.append((label(field, lang), value))
        lines = [f"{name}: {value}" for name, value in rows]
        style = rng.random()
        if rows and style < 0.5:
            blocks.append(js.bullets(lines))
        elif rows and style < 0.65:
            blocks.append(js.table(_TABLE_HEADER[lang], rows))
        elif rows:
            blocks.append(js.hard_lines(lines[0], lines[1:]))
        if spec:
            blocks.append(spec)
        if category == "incident" and rng.random() < 0.4:
            blocks.append(js.code(tpl.INCIDENT_LOG.format(ts=v["started"][:16]), "text"))
        if rng.random() < 0.6:
            closing = js.paragraph(js.text(pick(tpl.CLOSINGS[lang])))
            if rng.random() < 0.3:
                closing["content"] += [js.text(" "), pick(_EMOJI)]
            blocks.append(closing)
        return js.doc(*blocks)

    def _component(self, category: str, v: dict[str, str]) -> str:
        if category == "cloud_resource":
            return "Messaging" if v["rtype"] in _MESSAGING else "Storage"
        if category == "devops_tools":
            return "Monitoring" if v["tool"] == "Grafana" else "CI/CD"
        if category == "incident":
            return self._pick(("EKS", "Network", "RDS", "Monitoring"))
        return _COMPONENT[category]

    def _payload(
        self,
        category: str,
        reporter: Actor,
        summary: str,
        description: dict[str, Any],
        trail: Trail,
        values: dict[str, str],
    ) -> dict[str, Any]:
        rng = self.rng
        self.count += 1
        issue_id, key = str(9999 + self.count), f"{self.key}-{self.count}"
        histories = [
            {
                "id": str(self.history_id + i + 100001),
                "author": by.user,
                "created": by.stamp(ms),
                "items": items,
            }
            for i, (ms, by, items) in enumerate(trail.events)
        ]
        histories.reverse()  # expand=changelog lists the newest history first
        self.history_id += len(histories)
        comments = []
        for i, (ms, by, body) in enumerate(trail.comments, self.comment_id + 200001):
            stamp = by.stamp(ms)
            comments.append(
                {
                    "self": f"{js.API}/issue/{issue_id}/comment/{i}",
                    "id": str(i),
                    "author": by.user,
                    "body": body,
                    "updateAuthor": by.user,
                    "created": stamp,
                    "updated": stamp,
                    "jsdPublic": True,
                }
            )
        self.comment_id += len(comments)
        last, last_zone = trail.created, reporter.stamp
        for ms, by, _ in trail.events[-1:] + trail.comments[-1:]:
            if ms > last:
                last, last_zone = ms, by.stamp
        resolved = trail.resolved if trail.status in (RESOLVED, CLOSED) else None
        assignee = trail.assignee
        if category == "incident":
            issue_type = "Incident"
        elif category == "other" or (category == "deployment" and rng.random() < 0.6):
            issue_type = "Task"
        else:
            issue_type = "Service Request"
        labels = [_LABELS[category]] if rng.random() < 0.8 else []
        if rng.random() < 0.05:
            labels.append("urgent")
        component = self._component(category, values)
        resolver = assignee.stamp if assignee else js.SEOUL
        fields = {
            "statuscategorychangedate": js.SEOUL(trail.category_changed),
            "issuetype": js.ISSUE_TYPES[issue_type],
            **effort_fields(issue_id, category, trail),
            "project": self.project,
            "fixVersions": [],
            "resolution": None if resolved is None else js.RESOLUTION,
            "resolutiondate": None if resolved is None else resolver(resolved),
            "workratio": -1,
            "watches": {
                "self": f"{js.API}/issue/{key}/watchers",
                "watchCount": 1 + (assignee is not None),
                "isWatching": False,
            },
            "lastViewed": None,
            "created": reporter.stamp(trail.created),
            "customfield_10010": None,
            "customfield_10018": js.EPIC_LINK,
            "customfield_10019": f"0|i{self.count:05x}:",
            "customfield_10020": None,
            "priority": js.PRIORITIES[trail.priority],
            "labels": sorted(labels),
            "customfield_10031": self._pick(self.teams) if rng.random() < 0.8 else None,
            "customfield_10033": self._pick(_ODD_TEXT),
            "customfield_10034": self._pick((None, None, 1.0, 2.0, 3.0, 0.5)),
            "versions": [],
            "issuelinks": [],
            "assignee": assignee.user if assignee else None,
            "updated": last_zone(last),
            "status": js.STATUSES[trail.status],
            "components": [js.COMPONENTS[component]] if rng.random() < 0.85 else [],
            "description": description,
            "summary": summary,
            "creator": reporter.user,
            "subtasks": [],
            "reporter": reporter.user,
            "environment": None,
            "duedate": None,
            "attachment": [],
            "comment": {
                "comments": comments,
                "self": f"{js.API}/issue/{issue_id}/comment",
                "maxResults": len(comments),
                "total": len(comments),
                "startAt": 0,
            },
        }
        changelog = {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(histories),
            "histories": histories,
        }
        return {
            "expand": _EXPAND,
            "id": issue_id,
            "self": f"{js.API}/issue/{issue_id}",
            "key": key,
            "fields": fields,
            "changelog": changelog,
        }
