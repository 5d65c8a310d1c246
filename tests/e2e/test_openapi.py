"""The OpenAPI document the server serves (``GET /atelier/api/openapi.yaml``) is true.

A schema-driven fuzzer (Schemathesis, pinned in tests/requirements.txt) reads the document from
the real server started from the built jar and sends what the document describes, and what it
forbids, to every operation; the run fails on any 5xx, any status code, content type or body the
document does not describe, a wrong method that is not a 405 with ``Allow``, and a request the
document calls invalid that is not refused with a 4xx (negative data rejection). The run is bounded
(examples per operation, a time budget, one worker) and deterministic (a fixed seed, derandomized
generation, no example database), so the same build sends the same requests.

The server runs without a Docker engine, so no request can start a container: the job-creating
operations are fuzzed with invalid requests only (each must be refused with a 4xx before anything
runs; one that is accepted answers 503 for want of Docker, and fails the run). Kernels the fuzzer
starts run as local processes and end with the server.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests
import schemathesis
import yaml

from client import KernelClient, Rest
from servers import VENV_BIN, log_tail, start_atelier

#: Every check that says the answer is described by the document.
CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "unsupported_method",
    "allow_header_conformance",
    "negative_data_rejection",
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

# A valid endpoint starts replicas (local processes that outlive the server): only requests the
# document calls invalid are sent, and each must be refused.
[[operations]]
include-path = "/atelier/api/endpoints"
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
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(Path(__file__).with_name("schemathesis_hooks.py"))}
    run = subprocess.run(argv, capture_output=True, text=True, timeout=MAX_SECONDS + 150, cwd=tmp_path, env=env)
    took = time.monotonic() - started
    out = run.stdout + run.stderr
    assert run.returncode == 0, (
        f"the fuzzer found answers the document does not describe (exit {run.returncode}, {took:.0f} s):\n"
        f"{out[-20000:]}\n--- Atelier server log ---\n{log_tail(server.proc.log, 40)}")
    assert re.search(r"\b\d+ passed\b|\bNo issues found\b", out), out[-5000:]


def resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        node = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def undocumented(doc: dict, value, schema: dict, where: str) -> list[str]:
    """Fields of ``value`` its schema does not name. A schema without ``additionalProperties``
    counts as closed here: every field the server returns is to be written down, and only a map
    (``additionalProperties`` a schema, or ``true`` for a pass-through such as a kernel.json) may
    hold names the document does not list."""
    schema = resolve(doc, schema)
    found = []
    if isinstance(value, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", False)
        for name, v in value.items():
            if name in props:
                found += undocumented(doc, v, props[name], f"{where}.{name}")
            elif isinstance(extra, dict):
                found += undocumented(doc, v, extra, f"{where}.{name}")
            elif extra is not True:
                found.append(f"{where}.{name}")
    elif isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            found += undocumented(doc, v, schema["items"], f"{where}[{i}]")
    return found


def wait_for_model(server, kernel_id: str, ok, what: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    model = None
    while time.monotonic() < deadline:
        r = requests.get(f"{server.url}/atelier/api/kernels", headers=auth(server), timeout=30)
        model = next((k for k in r.json()["kernels"] if k["id"] == kernel_id), None)
        if model is not None and ok(model):
            return model
        time.sleep(0.2)
    raise AssertionError(f"kernel {kernel_id} did not reach {what} in {timeout} s: {model}")


def test_every_field_the_server_returns_is_documented_with_its_type(server):
    """The fuzzer sees what its requests happen to reach; this walks the answers of a server with
    a kernel that died once and came back, so the fields of a restarted kernel, a running
    instance and its limits are all there to be compared with the document."""
    text = requests.get(f"{server.url}/atelier/api/openapi.yaml", headers=auth(server), timeout=30).text
    doc = yaml.safe_load(text)
    api = schemathesis.openapi.from_dict(doc)
    rest = Rest(server.url, server.token, timeout=120)
    r = rest.post("/api/kernels", json={"name": "python3"})
    assert r.status_code == 201, r.text
    kernel_id = r.json()["id"]
    c = KernelClient(rest, kernel_id)
    c.connect(wait_ready=True, timeout=90)
    try:
        pid = int(c.eval("__import__('os').getpid()"))
        os.kill(pid, signal.SIGKILL)  # a local process kernel: the host's pid
        wait_for_model(server, kernel_id, lambda m: m["last_death"] is not None and m["execution_state"] == "idle",
                       "a restart after its death")
        policy = requests.put(f"{server.url}/atelier/api/idle-policy/ml.t3.medium", json={"kernel_idle_minutes": 30},
                              headers=auth(server), timeout=30)
        assert policy.status_code == 200, policy.text
        answers = [
            ("GET", "/api", "/api", None),
            ("GET", "/api/kernelspecs", "/api/kernelspecs", None),
            ("GET", "/api/kernelspecs/{name}", "/api/kernelspecs/python3", None),
            ("GET", "/api/kernels", "/api/kernels", None),
            ("GET", "/api/kernels/{id}", f"/api/kernels/{kernel_id}", None),
            ("GET", "/atelier/api/health", "/atelier/api/health", None),
            ("GET", "/atelier/api/kernels", "/atelier/api/kernels", None),
            ("GET", "/atelier/api/instance-types", "/atelier/api/instance-types", None),
            ("GET", "/atelier/api/images", "/atelier/api/images", None),
            ("GET", "/atelier/api/instances", "/atelier/api/instances", None),
            ("GET", "/atelier/api/usage", "/atelier/api/usage", None),
            ("GET", "/atelier/api/idle-policy", "/atelier/api/idle-policy", None),
            ("PUT", "/atelier/api/idle-policy/{type}", "/atelier/api/idle-policy/ml.t3.medium", {}),
            ("GET", "/atelier/api/objects/list", "/atelier/api/objects/list?prefix=s3://atelier/", None),
            ("GET", "/atelier/api/jobs", "/atelier/api/jobs", None),
        ]
        put = requests.put(f"{server.url}/atelier/api/objects", params={"uri": "s3://atelier/openapi/doc.txt"},
                           data=b"documented", headers=auth(server), timeout=30)
        assert put.status_code == 201, put.text
        problems = []
        for method, template, path, body in answers:
            answer = requests.request(method, f"{server.url}{path}", json=body, headers=auth(server), timeout=60)
            assert answer.status_code == 200, f"{method} {path}: {answer.status_code} {answer.text[:500]}"
            operation = doc["paths"][template][method.lower()]
            schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
            problems += [f"{method} {template}: {f} is not in the document"
                         for f in undocumented(doc, answer.json(), schema, "$")]
            try:
                api[template][method].validate_response(answer)
            except Exception as e:  # noqa: BLE001 - the message says which field has the wrong type
                problems.append(f"{method} {template}: {e}")
        instances = requests.get(f"{server.url}/atelier/api/instances", headers=auth(server), timeout=30).json()
        assert any(i["limits"] for i in instances["instances"]), instances
        kernels = requests.get(f"{server.url}/atelier/api/kernels", headers=auth(server), timeout=30).json()
        assert any(k["last_death"] for k in kernels["kernels"]), kernels
        assert not problems, "\n".join(problems)
    finally:
        c.close()
        rest.delete(f"/api/kernels/{kernel_id}")


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
