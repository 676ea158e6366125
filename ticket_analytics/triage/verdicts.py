"""The analyzer's verdicts in the warehouse (`raw.triage_verdicts`), for the models.

The documentation-gap models read these instead of matching labels in SQL, so the
dashboard and the bot agree on what a ticket lacks. Only new or changed tickets are
analysed: a ticket's inputs (summary, description, type, components, labels) are compared by
hash with what was analysed, and a change of the catalog or of the rules themselves (the
analyzer fingerprint) re-analyses everything once. No resolver: the verdicts stay offline,
deterministic and free, so they can be rebuilt any time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ticket_analytics.catalog import Catalog, default_catalog
from ticket_analytics.triage.analyzer import analyze
from ticket_analytics.triage.tickets import Ticket
from ticket_analytics.warehouse.sql_files import load_sql

# The modules whose rules decide a verdict; editing one re-analyses every ticket.
_RULE_MODULES = ("analyzer.py", "classify.py", "extract.py", "vocab.py")
_ANALYSES = pa.schema(
    [
        ("issue_id", pa.string()),
        ("issue_key", pa.string()),
        ("category", pa.string()),
        ("missing_count", pa.int32()),
        ("analysis_hash", pa.string()),
        ("input_hash", pa.string()),
        ("analyzer_hash", pa.string()),
        ("source_updated_at", pa.timestamp("us", tz="UTC")),
        ("analysed_at", pa.timestamp("us", tz="UTC")),
    ]
)
_VERDICTS = pa.schema(
    [
        ("issue_id", pa.string()),
        ("field_id", pa.string()),
        ("issue_key", pa.string()),
        ("category", pa.string()),
        ("field_rank", pa.int32()),
        ("is_present", pa.bool_()),
        ("evidence", pa.string()),
        ("analysis_hash", pa.string()),
        ("analysed_at", pa.timestamp("us", tz="UTC")),
    ]
)


@dataclass(frozen=True)
class VerdictRefresh:
    analysed: int  # new or changed tickets analysed now
    verdicts: int  # verdict rows written for them
    forgotten: int  # tickets gone from the warehouse whose verdicts were removed
    total: int  # tickets with an analysis after the refresh



def analyzer_hash(catalog: Catalog) -> str:
    digest = hashlib.sha256(repr(catalog).encode("utf-8"))
    here = Path(__file__).parent
    for name in _RULE_MODULES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def refresh_verdicts(
    conn: duckdb.DuckDBPyConnection,
    catalog: Catalog | None = None,
    now: datetime | None = None,
) -> VerdictRefresh:
    """Analyse the new and changed tickets of `stg_jira__issues` and replace their verdicts,
    in one transaction (a failure keeps the previous verdicts)."""
    catalog = catalog or default_catalog()
    fingerprint = analyzer_hash(catalog)
    analysed_at = now or datetime.now(UTC)
    relation = conn.execute(load_sql("triage_changed_tickets"), {"analyzer_hash": fingerprint})
    columns = [c[0] for c in relation.description or ()]
    analyses: list[dict[str, object]] = []
    verdicts: list[dict[str, object]] = []
    for values in relation.fetchall():
        row = dict(zip(columns, values, strict=True))
        analysis = analyze(_ticket(row), catalog)
        analyses.append(
            {
                "issue_id": row["issue_id"],
                "issue_key": row["issue_key"],
                "category": analysis.category,
                "missing_count": len(analysis.missing),
                "analysis_hash": analysis.analysis_hash,
                "input_hash": row["input_hash"],
                "analyzer_hash": fingerprint,
                "source_updated_at": row["updated_at"],
                "analysed_at": analysed_at,
            }
        )
        fields = catalog.get(analysis.category).required_fields
        verdicts.extend(
            {
                "issue_id": row["issue_id"],
                "field_id": field.id,
                "issue_key": row["issue_key"],
                "category": analysis.category,
                "field_rank": rank,
                "is_present": field.id in analysis.present,
                "evidence": analysis.present.get(field.id, ""),
                "analysis_hash": analysis.analysis_hash,
                "analysed_at": analysed_at,
            }
            for rank, field in enumerate(fields)
        )
    conn.register("analyses", pa.Table.from_pylist(analyses, schema=_ANALYSES))
    conn.register("verdicts", pa.Table.from_pylist(verdicts, schema=_VERDICTS))
    conn.execute("begin transaction")
    try:
        forgotten = len(conn.execute(load_sql("triage_forget_gone")).fetchall())
        conn.execute(load_sql("triage_replace_verdicts"))
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    finally:
        conn.unregister("analyses")
        conn.unregister("verdicts")
    # fetchall, not fetchone: DuckDB 2 keeps a partly fetched result open on the connection
    ((total,),) = conn.execute("select count(*) from raw.triage_analyses").fetchall()
    return VerdictRefresh(len(analyses), len(verdicts), forgotten, int(total))


def _ticket(row: dict[str, object]) -> Ticket:
    """A ticket as the analyzer reads it: stg_jira__issues holds the same text that
    `ticket_from_issue` makes of the payload (ADF flattened once, at landing)."""
    created, updated = row["created_at"], row["updated_at"]
    return Ticket(
        key=str(row["issue_key"]),
        id=str(row["issue_id"]),
        issue_type=str(row["issue_type"] or ""),
        components=tuple(str(c) for c in row["components"] or ()),  # type: ignore[attr-defined]
        labels=tuple(str(x) for x in row["labels"] or ()),  # type: ignore[attr-defined]
        summary=str(row["summary"] or ""),
        description=str(row["description_text"] or ""),
        reporter=str(row["reporter_name"] or ""),
        created=created if isinstance(created, datetime) else None,
        updated=updated if isinstance(updated, datetime) else None,
        flavor="datacenter",
    )


def refresh_verdicts_before_build(
    conn: duckdb.DuckDBPyConnection, catalog: Catalog | None = None
) -> VerdictRefresh:
    """For one-connection builds (tests, benchmarks): the staging view the verdicts read,
    then the verdicts, so the models built next read them. Dagster orders the same steps
    through the assets' dependencies."""
    from ticket_analytics.warehouse.model_project import load_project
    from ticket_analytics.warehouse.models import build_model

    build_model(conn, load_project().models["stg_jira__issues"])
    return refresh_verdicts(conn, catalog)
