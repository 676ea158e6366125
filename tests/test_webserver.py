"""The Dagster UI serves the whole graph: every asset with its description, group and checks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ticket_analytics.paths import PROJECT_ROOT

QUERY = """
{
  assetNodes {
    assetKey { path }
    description
    groupName
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def webserver(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "TA_WAREHOUSE": str(tmp_path / "w.duckdb")}
    log = (tmp_path / "webserver.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster_webserver",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so we stop the code server it spawns too
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"webserver exited: {(tmp_path / 'webserver.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/server_info", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            pytest.fail("webserver did not start within 120 s")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_the_ui_lists_every_asset_with_description_group_and_checks(webserver: str) -> None:
    from ticket_analytics.definitions import defs

    graph = defs.resolve_asset_graph()
    expected = {key.to_user_string() for key in graph.get_all_asset_keys()}
    expected_checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}

    deadline = time.monotonic() + 60
    while True:  # the code location may still be loading right after start-up
        nodes = httpx.post(f"{webserver}/graphql", json={"query": QUERY}, timeout=30).json()[
            "data"
        ]["assetNodes"]
        if nodes or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    served = {"/".join(n["assetKey"]["path"]): n for n in nodes}
    assert set(served) == expected
    assert all(n["description"] and n["groupName"] for n in served.values())
    checks = {
        (key, check["name"])
        for key, node in served.items()
        for check in (node["assetChecksOrError"] or {}).get("checks", [])
    }
    assert checks == expected_checks
    assert served["stg_jira__issues"]["groupName"] == "staging"
