"""`.env.example` as the README loads it (`set -a; . ./.env; set +a`): every value intact."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ENV_EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def test_the_shell_reads_every_value_of_env_example_as_written() -> None:
    written = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            written[key.strip()] = value.strip().strip('"')
    shell = subprocess.run(
        ["sh", "-c", f'set -a; . "{ENV_EXAMPLE}"; set +a; env -0'],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ.get("PATH", "")},
    )
    assert shell.stderr == ""
    read = dict(item.split("=", 1) for item in shell.stdout.split("\0") if "=" in item)
    assert {key: read.get(key) for key in written} == written
