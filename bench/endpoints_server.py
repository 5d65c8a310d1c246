"""A whole Atelier server for bench/endpoints.py: its endpoints API, and endpoints of local model
servers (the ``local`` image: ``python -m atelier.toolkit serve`` processes of the project's
environment) on a trivial inference script, for what the bare router cannot show: failed requests
while an endpoint moves to another config (blue/green) or changes its variants' weights, and the
cost of data capture.

The server listens on 127.0.0.1 with its own data directory (and so its own embedded S3) under a
temporary folder, removed afterwards with everything it started.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
from pathlib import Path

# The trivial model: an answer in microseconds, so that the numbers are the server's.
INFERENCE = '''
def model_fn(model_dir):
    return None

def transform_fn(model, body, content_type, accept):
    return b'{"predictions": [0]}', "application/json"
'''
INSTANCE_TYPE = "ml.m5.large"


def model_tarball() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        data = INFERENCE.encode()
        info = tarfile.TarInfo("code/inference.py")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class ApiError(Exception):
    def __init__(self, status: int, body: str):
        super().__init__(f"{status}: {body[:300]}")
        self.status = status
        self.body = body


class Server:
    """``java -jar atelier-server.jar`` on a free port of 127.0.0.1, with ``jvm_flags``."""

    def __init__(self, java: str, jar: Path, python: str, work: Path, port: int, jvm_flags: list[str],
                 log_name: str = "server.log"):
        self.port = port
        self.token = secrets.token_hex(16)
        self.work = work
        data, root = work / "server-data", work / "server-root"
        data.mkdir(exist_ok=True)
        root.mkdir(exist_ok=True)
        self.ready = work / "server-ready.json"
        self.log_path = work / log_name
        self.log = open(self.log_path, "wb")
        cmd = [java, *jvm_flags, "-jar", str(jar), "--host", "127.0.0.1", "--port", str(port), "--token", self.token,
               "--data-dir", str(data), "--root-dir", str(root), "--python", python, "--front-door-port", "-1",
               "--ready-file", str(self.ready)]
        env = dict(os.environ, ATELIER_CAPTURE_UPLOAD_SECONDS="5")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env, start_new_session=True)

    def wait_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the Atelier server ended with {self.proc.returncode}: see {self.log_path}\n"
                                 + self.log_path.read_text(errors="replace")[-2000:])
            if self.ready.exists() and self.ready.stat().st_size > 0:
                return
            time.sleep(0.2)
        raise SystemExit(f"the Atelier server was not ready within {seconds} s: see {self.log_path}")

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def invocations_url(self, endpoint: str) -> str:
        return f"http://127.0.0.1:{self.port}/endpoints/{endpoint}/invocations"

    def call(self, method: str, path: str, body: dict | bytes | None = None, timeout: float = 30):
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        headers = dict(self.auth)
        if isinstance(body, dict):
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/atelier/api/{path}", data=data,
                                         method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as e:
            raise ApiError(e.code, e.read().decode(errors="replace")) from None
        return json.loads(text) if text.strip() else {}

    def describe(self, endpoint: str) -> dict:
        return self.call("GET", f"endpoints/{endpoint}")

    def wait_status(self, endpoint: str, wanted: str, seconds: float, config: str | None = None) -> dict:
        """Polls DescribeEndpoint until it is ``wanted`` (on ``config`` when given); Failed ends it."""
        deadline = time.monotonic() + seconds
        while True:
            d = self.describe(endpoint)
            status = d.get("EndpointStatus")
            if status == wanted and (config is None or d.get("EndpointConfigName") == config):
                return d
            if status == "Failed":
                raise SystemExit(f"endpoint {endpoint} Failed: {d.get('FailureReason')}")
            if time.monotonic() > deadline:
                raise SystemExit(f"endpoint {endpoint} not {wanted} within {seconds} s: {json.dumps(d)[:800]}")
            time.sleep(0.25)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


class Endpoints:
    """The bench's models, configs and endpoints on one server."""

    def __init__(self, server: Server, workers: int):
        self.server = server
        self.workers = workers
        self.model_url = "s3://atelier/bench-endpoints/model.tar.gz"
        self.capture_uri = "s3://atelier/bench-endpoints/capture"
        self.made: list[str] = []

    def setup(self) -> None:
        self.server.call("PUT", f"objects?uri={self.model_url}", model_tarball())
        self.server.call("POST", "models", {"ModelName": "bench-model", "PrimaryContainer": {
            "Image": "local", "ModelDataUrl": self.model_url,
            "Environment": {"SAGEMAKER_PROGRAM": "inference.py",
                            "SAGEMAKER_MODEL_SERVER_WORKERS": str(self.workers)}}})

    def config(self, name: str, variants: list[tuple[str, float]], capture: bool = False) -> str:
        body = {"EndpointConfigName": name, "ProductionVariants": [
            {"VariantName": v, "ModelName": "bench-model", "InstanceType": INSTANCE_TYPE, "InitialInstanceCount": 1,
             "InitialVariantWeight": w} for v, w in variants]}
        if capture:
            body["DataCaptureConfig"] = {"EnableCapture": True, "InitialSamplingPercentage": 100,
                                         "DestinationS3Uri": self.capture_uri,
                                         "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}
        self.server.call("POST", "endpoint-configs", body)
        return name

    def endpoint(self, name: str, config: str) -> str:
        self.server.call("POST", "endpoints", {"EndpointName": name, "EndpointConfigName": config})
        self.made.append(name)
        self.server.wait_status(name, "InService", 300)
        return name

    def delete_all(self) -> None:
        for name in self.made:
            try:
                self.server.call("DELETE", f"endpoints/{name}")
            except (ApiError, OSError):
                pass
        deadline = time.monotonic() + 60
        for name in self.made:
            while time.monotonic() < deadline:
                try:
                    self.server.describe(name)
                except ApiError as e:
                    if e.status == 404:
                        break
                except OSError:
                    break
                time.sleep(0.5)
        self.made.clear()


CANARY = {"BlueGreenUpdatePolicy": {
    "TrafficRoutingConfiguration": {"Type": "CANARY", "WaitIntervalInSeconds": 3,
                                    "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 20}},
    "TerminationWaitInSeconds": 0, "MaximumExecutionTimeoutInSeconds": 600}}


def update_endpoint(server: Server, endpoint: str, config: str, canary: bool) -> str:
    """UpdateEndpoint to ``config``: with a CANARY DeploymentConfig when asked and the server takes
    it (a 400 naming DeploymentConfig falls back to ALL_AT_ONCE); which one was asked for."""
    body = {"EndpointConfigName": config}
    if canary:
        try:
            server.call("POST", f"endpoints/{endpoint}/update", {**body, "DeploymentConfig": CANARY})
            return "CANARY"
        except ApiError as e:
            if e.status != 400:
                raise
            print(f"  the server refused DeploymentConfig ({e.body[:160]}); ALL_AT_ONCE instead", flush=True)
    server.call("POST", f"endpoints/{endpoint}/update", body)
    return "ALL_AT_ONCE"


def watch_update(server: Server, endpoint: str, config: str, seconds: float) -> dict:
    """Follows an update to its end: the phases the server reported (TrafficShift), and whether it
    recorded the DeploymentConfig (LastDeploymentConfig)."""
    deadline = time.monotonic() + seconds
    phases: list[str] = []
    started = time.monotonic()
    while time.monotonic() < deadline:
        d = server.describe(endpoint)
        shift = d.get("TrafficShift")
        if shift:
            phase = f"{shift.get('Phase')} {shift.get('NewFleetTrafficPercent')}%"
            if not phases or phases[-1] != phase:
                phases.append(phase)
        if d.get("EndpointStatus") == "InService" and d.get("EndpointConfigName") == config:
            return {"seconds": round(time.monotonic() - started, 1), "phases": phases,
                    "applied": (d.get("LastDeploymentConfig") or {}).get("BlueGreenUpdatePolicy", {})
                    .get("TrafficRoutingConfiguration", {}).get("Type"),
                    "failure_reason": d.get("FailureReason")}
        if d.get("EndpointStatus") == "Failed":
            return {"seconds": round(time.monotonic() - started, 1), "phases": phases, "applied": None,
                    "failure_reason": d.get("FailureReason")}
        time.sleep(0.2)
    return {"seconds": None, "phases": phases, "applied": None, "failure_reason": "did not end in time"}


def change_weights(server: Server, endpoint: str, weights: dict[str, float]) -> None:
    server.call("POST", f"endpoints/{endpoint}/weights-and-capacities", {"DesiredWeightsAndCapacities": [
        {"VariantName": v, "DesiredWeight": w} for v, w in weights.items()]})
