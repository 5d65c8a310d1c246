"""The OpenAPI document the server serves (``GET /atelier/api/openapi.yaml``) is true.

A schema-driven fuzzer (Schemathesis, pinned in tests/requirements.txt) reads the document from
the real server started from the built jar and sends what the document describes, and what it
forbids, to every operation; the run fails on any 5xx, any status code, content type or body the
document does not describe, a wrong method that is not a 405 with ``Allow``. The run is bounded
(examples per operation, a time budget, one worker) and deterministic (a fixed seed, derandomized
generation, no example database), so the same build sends the same requests.

The server runs without a Docker engine, so no request can start a container: the job-creating
operations are fuzzed with invalid requests only (each must be refused with a 4xx before anything
runs; one that is accepted answers 503 for want of Docker, and fails the run). Kernels the fuzzer
starts run as local processes and end with the server.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

from servers import VENV_BIN, log_tail, start_atelier

#: Every check that says the answer is described by the document.
CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "unsupported_method",
    "allow_header_conformance",
])
SEED = 20261202
MAX_EXAMPLES = 60
MAX_SECONDS = 240

CONFIG = """\
seed = {seed}
workers = 1
request-timeout = 60
headers = {{ Authorization = "token {token}" }}

[generation]
max-examples = {max_examples}
deterministic = true
database = "none"
# The token is sent as configured above; random credentials would only be 401s.
with-security-parameters = false

[phases]
stateful.enabled = false

# Creating a job is validated whole before anything runs: only requests the document calls invalid
# are sent, and each must be refused.
[[operations]]
include-path-regex = "^/atelier/api/(training|processing)-jobs$"
include-method = "POST"
generation.mode = "negative"

# A valid start starts a real kernel (a local process, ended with the server): a few are enough.
[[operations]]
include-path = "/api/kernels"
include-method = "POST"
generation.max-examples = 5

# A valid restart or interrupt needs a real kernel; random ids are 404s, a few are enough.
[[operations]]
include-path-regex = "^/api/kernels/\\\\{{id\\\\}}/(restart|interrupt)$"
generation.max-examples = 5
"""


@pytest.fixture(scope="module")
def server():
    tmp = Path(tempfile.mkdtemp(prefix="atelier-e2e-openapi-"))
    root = tmp / "notebooks"
    root.mkdir()
    atelier = start_atelier(tmp / "atelier", root, extra_env={"ATELIER_DOCKER_HOST": ""})
    try:
        yield atelier
    finally:
        atelier.proc.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def auth(server) -> dict:
    return {"Authorization": f"token {server.token}"}


def test_the_document_is_served_as_yaml_on_the_api(server):
    r = requests.get(f"{server.url}/atelier/api/openapi.yaml", headers=auth(server), timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/yaml")
    assert r.text.startswith("openapi: 3.0.3")


@pytest.mark.timeout(MAX_SECONDS + 180)
def test_every_answer_is_described_by_the_document(server, tmp_path):
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.format(seed=SEED, max_seconds=MAX_SECONDS, token=server.token, max_examples=MAX_EXAMPLES))
    config.chmod(0o600)  # the token stays in files
    argv = [str(VENV_BIN / "st"), "--config-file", str(config), "--no-color", "run",
            f"{server.url}/atelier/api/openapi.yaml", "--url", server.url,
            "--checks", CHECKS, "--phases", "examples,coverage,fuzzing", "--report", "junit",
            "--report-junit-path", str(tmp_path / "junit.xml")]
    started = time.monotonic()
    run = subprocess.run(argv, capture_output=True, text=True, timeout=MAX_SECONDS + 150, cwd=tmp_path)
    took = time.monotonic() - started
    out = run.stdout + run.stderr
    assert run.returncode == 0, (
        f"the fuzzer found answers the document does not describe (exit {run.returncode}, {took:.0f} s):\n"
        f"{out[-20000:]}\n--- Atelier server log ---\n{log_tail(server.proc.log, 40)}")
    assert re.search(r"\b\d+ passed\b|\bNo issues found\b", out), out[-5000:]


def test_control_characters_in_caller_text_never_start_a_log_line(server):
    marker = f"FORGED-{uuid.uuid4().hex[:8]}"
    forged = f"x\r\n[main] INFO {marker}\u2028{marker}"
    for path, params in (("/atelier/api/jobs", {"kind": forged}),
                         ("/atelier/api/objects", {"uri": f"s3://atelier/{forged}"})):
        r = requests.get(f"{server.url}{path}", params=params, headers=auth(server), timeout=30)
        assert r.status_code == 400, r.text
    log = server.proc.log
    deadline = time.monotonic() + 10
    text = ""
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if text.count(marker) >= 6:
            break
        time.sleep(0.1)
    lines = [line for line in re.split(r"\r\n|\r|\n|\u2028|\u2029|\x85", text) if marker in line]
    assert len(lines) >= 2, f"the refusals were not logged:\n{log_tail(log, 20)}"
    for line in lines:
        assert not line.lstrip().startswith(("[main]", marker)), f"a forged line in the log: {line!r}"
    assert any("\\r\\n[main] INFO" in line and "\\u2028" in line for line in lines), lines
