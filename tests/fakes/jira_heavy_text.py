"""Seeded pools of rich bodies for the heavy fake Jira: each one ``RichText``, the same text
as ADF for Cloud and as wiki markup for Data Center, with headings, strong/em/code/link marks,
mentions, hard breaks, nested bullet and ordered lists and code blocks, as in
/work/shared/reference/samples/jira.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from fakes.jira_data import USERS, RichText

WORDS = (
    "the pod restarts every few minutes after the deploy and the readiness probe times out",
    "customers in the EU region report 502 errors on checkout since this morning",
    "please grant the on-call group read access to the production dashboards",
    "the nightly backup job failed with a permissions error on the new bucket",
    "we need the certificate rotated before it expires at the end of the month",
    "latency on the search API doubled after the index migration",
    "the VPN profile for the new hire was never provisioned",
    "disk usage on the database host crossed 90 percent",
    "this blocks the release train for the payments team",
    "rolled back to the previous image; error rate is back to normal",
)
_CODE = (
    (
        "bash",
        "kubectl -n payments get pods -o wide\nkubectl -n payments describe pod api-7d9f\n"
        "kubectl -n payments logs api-7d9f --previous | tail -n 50",
    ),
    (
        "sql",
        "select count(*), status\nfrom orders\nwhere created_at > now() - interval '1 hour'\n"
        "group by status;",
    ),
    (
        "python",
        "import boto3\n\ns3 = boto3.client('s3')\nfor obj in s3.list_objects_v2("
        "Bucket='backups')['Contents']:\n    print(obj['Key'], obj['Size'])",
    ),
    (
        "json",
        '{\n  "error": "certificate has expired",\n  "host": "gw-2.internal",\n'
        '  "not_after": "2025-11-30T00:00:00Z"\n}',
    ),
)
_LINKS = (
    "https://status.example.com/incidents/4711",
    "https://grafana.example.com/d/api-latency?orgId=1&from=now-6h",
    "https://wiki.example.com/display/OPS/Runbook+-+Database+failover",
    "https://github.com/example/infra/pull/1234",
)
_HEADINGS = ("Summary", "Steps to reproduce", "Impact", "Workaround", "Environment", "Next steps")


class _Body:
    """Builds one body twice, as ADF nodes and as the wiki markup Data Center stores."""

    def __init__(self, rng: random.Random, mention: Callable[[], tuple[str, str, str]]) -> None:
        self.rng, self.mention = rng, mention
        self.adf: list[dict[str, Any]] = []
        self.wiki: list[str] = []

    def inline(self) -> tuple[list[dict[str, Any]], str]:
        rng = self.rng
        words = rng.choice(WORDS)
        head, _, tail = words.partition(" and ")
        nodes: list[dict[str, Any]] = [{"type": "text", "text": head.capitalize()}]
        wiki = head.capitalize()
        roll = rng.random()
        if roll < 0.25:
            nodes.append({"type": "text", "text": " (urgent)", "marks": [{"type": "strong"}]})
            wiki += " *(urgent)*"
        elif roll < 0.45:
            nodes.append({"type": "text", "text": " api-7d9f", "marks": [{"type": "code"}]})
            wiki += " {{api-7d9f}}"
        elif roll < 0.6:
            href = rng.choice(_LINKS)
            nodes.append({"type": "text", "text": " see "})
            nodes.append(
                {
                    "type": "text",
                    "text": "the dashboard",
                    "marks": [{"type": "link", "attrs": {"href": href}}],
                }
            )
            wiki += f" see [the dashboard|{href}]"
        if tail:
            nodes.append({"type": "text", "text": f" and {tail}", "marks": [{"type": "em"}]})
            wiki += f" _and {tail}_"
        if rng.random() < 0.3:
            account, name, text = self.mention()
            nodes += [
                {"type": "text", "text": ", cc "},
                {"type": "mention", "attrs": {"id": account, "text": text, "accessLevel": ""}},
            ]
            wiki += f", cc [~{name}]"
        nodes.append({"type": "text", "text": "."})
        return nodes, wiki + "."

    def paragraph(self) -> None:
        first, wiki = self.inline()
        if self.rng.random() < 0.4:
            second, more = self.inline()
            first = [*first, {"type": "hardBreak"}, *second]
            wiki += "\n" + more
        self.adf.append({"type": "paragraph", "content": first})
        self.wiki.append(wiki)

    def heading(self) -> None:
        level, text = self.rng.choice((2, 3)), self.rng.choice(_HEADINGS)
        self.adf.append(
            {
                "type": "heading",
                "attrs": {"level": level},
                "content": [{"type": "text", "text": text}],
            }
        )
        self.wiki.append(f"h{level}. {text}")

    def items(self, depth: int, ordered: bool) -> tuple[dict[str, Any], list[str]]:
        marker = "#" if ordered else "*"
        items, lines = [], []
        for _ in range(self.rng.randint(2, 4)):
            nodes, wiki = self.inline()
            content: list[dict[str, Any]] = [{"type": "paragraph", "content": nodes}]
            lines.append(f"{marker * depth} {wiki}")
            if depth < 3 and self.rng.random() < 0.3:
                nested, nested_lines = self.items(depth + 1, ordered=False)
                content.append(nested)
                lines += nested_lines
            items.append({"type": "listItem", "content": content})
        node: dict[str, Any] = {
            "type": "orderedList" if ordered else "bulletList",
            "content": items,
        }
        if ordered:
            node["attrs"] = {"order": 1}
        return node, lines

    def listing(self) -> None:
        node, lines = self.items(1, ordered=self.rng.random() < 0.4)
        self.adf.append(node)
        self.wiki.append("\n".join(lines))

    def code(self) -> None:
        language, text = self.rng.choice(_CODE)
        self.adf.append(
            {
                "type": "codeBlock",
                "attrs": {"language": language},
                "content": [{"type": "text", "text": text}],
            }
        )
        self.wiki.append(f"{{code:{language}}}\n{text}\n{{code}}")

    def done(self) -> RichText:
        return RichText({"type": "doc", "version": 1, "content": self.adf}, "\n\n".join(self.wiki))


def _mentions(rng: random.Random) -> Callable[[], tuple[str, str, str]]:
    users = sorted(USERS.items())

    def pick() -> tuple[str, str, str]:
        name, (display, account) = rng.choice(users)
        return account, name, f"@{display}"

    return pick


def _descriptions(rng: random.Random, count: int) -> tuple[RichText, ...]:
    out = []
    for _ in range(count):
        body = _Body(rng, _mentions(rng))
        for _section in range(rng.randint(1, 3)):
            body.heading()
            body.paragraph()
            roll = rng.random()
            if roll < 0.5:
                body.listing()
            elif roll < 0.75:
                body.code()
            else:
                body.paragraph()
        out.append(body.done())
    return tuple(out)


def _comments(rng: random.Random, count: int) -> tuple[RichText, ...]:
    out = []
    for _ in range(count):
        body = _Body(rng, _mentions(rng))
        body.paragraph()
        roll = rng.random()
        if roll < 0.12:
            body.listing()
        elif roll < 0.2:
            body.code()
        elif roll < 0.45:
            body.paragraph()
        out.append(body.done())
    return tuple(out)


def _pools() -> tuple[tuple[RichText, ...], tuple[RichText, ...], tuple[RichText, ...]]:
    rng = random.Random(20251102)
    environments = tuple(
        RichText(
            {
                "type": "doc",
                "version": 1,
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
            },
            text,
        )
        for text in ("Production, eu-west-1", "Staging", "Production, us-east-1 and eu-west-1")
    )
    return _descriptions(rng, 64), _comments(rng, 256), environments


DESCRIPTIONS, COMMENT_BODIES, ENVIRONMENTS = _pools()


def adf_plain(node: Any) -> str:
    """Rough text of an ADF node, for the fake's own JQL text search and v2 fallbacks."""
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "mention":
        return str(node.get("attrs", {}).get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    parts = [adf_plain(child) for child in node.get("content") or []]
    inline = node.get("type") in ("paragraph", "heading")
    return ("" if inline else "\n\n").join(p for p in parts if p)
