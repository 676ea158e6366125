"""ADF bodies rendered to text in a helper process, for a caller bound by the GIL.

A Jira sync builds rows in one thread while others fetch pages and DuckDB merges; all of them
need the GIL, and rendering descriptions and comment bodies was a fifth of what the row
builder held it for. `AdfWorker` sends a page's bodies (their JSON) to a child Python that
renders them while the next page is read. The child is our own (`python -m` this module),
so pickle is the pipe's format. If it cannot start or dies, the bodies are rendered here:
the text is the same either way, only the time differs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO, Self

import orjson

import ticket_analytics
from ticket_analytics.jira.adf import adf_to_text
from ticket_analytics.jira.nesting import deep_recursion

log = logging.getLogger(__name__)

_STOP_WAIT_SECONDS = 2.0


def text_of_adf_json(source: bytes) -> str:
    """`adf_to_text` of an ADF document given as JSON."""
    try:
        body = orjson.loads(source)
    except orjson.JSONDecodeError:
        # orjson stops at 1,024 levels; ADF from the wild can nest deeper
        with deep_recursion():
            body = json.loads(source)
    return adf_to_text(body)


class AdfWorker:
    """Render lists of ADF JSON bodies in a helper process, one list at a time: `start` a
    list, do other work, then collect its `texts`. Close it (or leave its `with`) to stop the
    process; it starts at the first list."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._sources: list[bytes] | None = None
        self._sent = False
        self._failed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self, sources: list[bytes]) -> None:
        """Have `sources` rendered; `texts()` returns them, in order."""
        if self._sources is not None:
            raise RuntimeError("AdfWorker.start: collect the texts of the previous list first")
        self._sources, self._sent = sources, False
        if not sources or self._failed:
            return
        try:
            process = self._process or self._spawn()
            stdin = _pipe(process.stdin)
            pickle.dump(sources, stdin, protocol=pickle.HIGHEST_PROTOCOL)
            stdin.flush()
            self._sent = True
        except OSError as exc:
            self._fail(exc)

    def texts(self) -> list[str]:
        """The texts of the list last started (rendered here if the helper failed)."""
        sources, self._sources = self._sources, None
        if sources is None:
            raise RuntimeError("AdfWorker.texts: no list was started")
        if self._sent and self._process is not None:
            try:
                texts = pickle.load(_pipe(self._process.stdout))
                if isinstance(texts, list) and len(texts) == len(sources):
                    return texts
                raise ValueError(f"{len(sources)} bodies sent, an unexpected answer came back")
            except (OSError, EOFError, pickle.UnpicklingError, ValueError) as exc:
                self._fail(exc)
        return [text_of_adf_json(source) for source in sources]

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()  # end of input: the helper exits
        try:
            process.wait(_STOP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _spawn(self) -> subprocess.Popen[bytes]:
        # the package's own directory first, so the child imports this very code
        root = str(Path(ticket_analytics.__file__).resolve().parents[1])
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        return self._process

    def _fail(self, exc: BaseException) -> None:
        log.warning("ADF helper process failed (%s); rendering ADF in this process", exc)
        self._failed, self._sent = True, False
        self.close()


def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    if stream is None:
        raise OSError("the helper process has no pipe")
    return stream


def main() -> None:
    """The helper: render each list of bodies read from stdin, answer on stdout, until EOF."""
    # Ctrl-C reaches the whole process group; the parent decides, and closes our stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    try:
        while True:
            try:
                sources = pickle.load(requests)
            except EOFError:
                return
            texts = [text_of_adf_json(source) for source in sources]
            pickle.dump(texts, answers, protocol=pickle.HIGHEST_PROTOCOL)
            answers.flush()
    except BrokenPipeError:
        return  # the parent went away


if __name__ == "__main__":
    main()
