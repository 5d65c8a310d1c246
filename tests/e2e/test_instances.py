"""Instances: the notebook's saved metadata decides its instance type and image however the
session is created; notebooks of the same (type, image) share one instance; a Docker instance
runs with its type's CPU and memory limits; the instances API answers bad input with a 400 that
names what is wrong."""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from client import KernelClient

BACKENDS = ("frontdoor",)
DOCKER_IMAGE = "atelier/base:latest"


def saved_notebook(backend, metadata: dict) -> str:
    """A notebook file saved with this metadata, as JupyterLab would have written it."""
    name = f"placed-{uuid.uuid4().hex[:8]}.ipynb"
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {},
                     "outputs": [], "source": "print(1)"}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                      "language": "python"}, **metadata},
          "nbformat": 4, "nbformat_minor": 5}
    (backend.root_dir / name).write_text(json.dumps(nb))
    return name


def kernel_model(backend, kernel_id: str) -> dict:
    kernels = backend.rest.get("/atelier/api/kernels").json()["kernels"]
    found = [k for k in kernels if k["id"] == kernel_id]
    assert found, f"kernel {kernel_id} not in {kernels}"
    return found[0]


def open_session(backend, path: str) -> tuple[dict, KernelClient]:
    session = backend.rest.create_session(path)
    c = KernelClient(backend.rest, session["kernel"]["id"])
    c.connect(wait_ready=True, timeout=120)
    return session, c


def close_session(backend, session: dict, client: KernelClient) -> None:
    client.close()
    backend.rest.delete(f"/api/sessions/{session['id']}", timeout=60)


def test_saved_instance_type_decides_where_a_script_created_session_runs(backend):
    path = saved_notebook(backend, {"instance_type": "ml.m5.large"})
    session, c = open_session(backend, path)
    try:
        k = kernel_model(backend, session["kernel"]["id"])
        assert (k["instance_type"], k["image"]) == ("ml.m5.large", "local")
        instances = backend.rest.get("/atelier/api/instances").json()["instances"]
        mine = [i for i in instances if i["id"] == k["instance_id"]]
        assert mine and mine[0]["instance_type"] == "ml.m5.large"
        assert [x["id"] for x in mine[0]["kernels"]] == [k["id"]]
        assert mine[0]["price_per_hour"] > 0
    finally:
        close_session(backend, session, c)


def test_notebooks_of_one_type_share_an_instance_and_a_notebook_without_metadata_gets_the_default(backend):
    a, ca = open_session(backend, saved_notebook(backend, {}))
    b, cb = open_session(backend, saved_notebook(backend, {"instance_type": "ml.t3.medium"}))
    try:
        ka, kb = kernel_model(backend, a["kernel"]["id"]), kernel_model(backend, b["kernel"]["id"])
        assert ka["instance_type"] == kb["instance_type"] == "ml.t3.medium"
        assert ka["instance_id"] == kb["instance_id"]
        inst = [i for i in backend.rest.get("/atelier/api/instances").json()["instances"]
                if i["id"] == ka["instance_id"]][0]
        assert sorted(x["id"] for x in inst["kernels"]) == sorted([ka["id"], kb["id"]])
        # both kernels really run side by side on it
        assert ca.eval("1 + 1") == "2" and cb.eval("2 + 2") == "4"
    finally:
        close_session(backend, a, ca)
        close_session(backend, b, cb)


def test_unknown_instance_type_is_refused_listing_the_valid_ones(backend):
    path = saved_notebook(backend, {"instance_type": "ml.nope.large"})
    r = backend.rest.post("/api/sessions", json={"path": path, "type": "notebook", "name": path,
                                                 "kernel": {"name": "python3"}})
    assert r.status_code >= 400, r.text
    text = r.text
    assert "ml.nope.large" in text and "ml.t3.medium" in text, text


def test_instances_api_refuses_bad_input(backend):
    rest = backend.rest
    r = rest.get("/atelier/api/usage?from=yesterday")
    assert r.status_code == 400 and r.json()["message"].startswith("from:"), r.text
    r = rest.get("/atelier/api/usage?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z")
    assert r.status_code == 400 and "before" in r.json()["message"], r.text
    r = rest.delete("/atelier/api/instances/i-doesnotexist")
    assert r.status_code == 404 and "i-doesnotexist" in r.json()["message"], r.text
    types = rest.get("/atelier/api/instance-types").json()
    names = [t["name"] for t in types["instance_types"]]
    assert names[:5] == ["ml.t3.medium", "ml.m5.large", "ml.c5.large", "ml.m5.xlarge", "ml.g4dn.xlarge"]
    assert types["default"] == "ml.t3.medium"
    assert rest.get("/atelier/api/openapi.yaml").text.startswith("openapi: 3")


def test_usage_counts_the_instance_life_per_type(backend):
    before = {u["instance_type"]: u["seconds"] for u in backend.rest.get("/atelier/api/usage").json()["usage"]}
    session, c = open_session(backend, saved_notebook(backend, {"instance_type": "ml.m5.xlarge"}))
    try:
        c.ok("import time; time.sleep(1.5)")
    finally:
        close_session(backend, session, c)
    after = {u["instance_type"]: u for u in backend.rest.get("/atelier/api/usage").json()["usage"]}
    assert after["ml.m5.xlarge"]["seconds"] - before.get("ml.m5.xlarge", 0) >= 1.5
    assert after["ml.m5.xlarge"]["cost"] > 0


def docker_ready() -> None:
    """Docker and the base image are part of the test setup: missing, the test fails saying so."""
    r = subprocess.run(["docker", "image", "inspect", DOCKER_IMAGE], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"these tests need Docker and {DOCKER_IMAGE}: run `bash images/build.sh` "
                    f"(docker said: {(r.stderr or r.stdout).strip()[:300]})")


@pytest.mark.timeout(300)
def test_a_docker_instance_runs_with_its_types_limits(backend):
    docker_ready()
    health = backend.rest.get("/atelier/api/health").json()
    assert health["docker"]["available"], health
    assert backend.rest.get("/atelier/api/instances").json()["docker"] == {"available": True, "problem": None}
    images = [i["name"] for i in backend.rest.get("/atelier/api/images").json()["images"]]
    assert DOCKER_IMAGE in images, images
    path = saved_notebook(backend, {"instance_type": "ml.c5.large", "atelier": {"image": DOCKER_IMAGE}})
    session, c = open_session(backend, path)
    try:
        k = kernel_model(backend, session["kernel"]["id"])
        assert (k["instance_type"], k["image"]) == ("ml.c5.large", DOCKER_IMAGE)
        code = ("import os\n"
                "def read(*ps):\n"
                "    for p in ps:\n"
                "        if os.path.exists(p):\n"
                "            return open(p).read().split()\n"
                "mem = read('/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/memory.max')[0]\n"
                "q = read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')\n"
                "quota, period = (q[0], read('/sys/fs/cgroup/cpu/cpu.cfs_period_us')[0]) if q else read('/sys/fs/cgroup/cpu.max')\n"
                "print(mem, int(quota) / int(period), os.path.exists('/.dockerenv'))")
        out = c.execute(code, timeout=60).stream_text().split()
        assert out == [str(4 << 30), "2.0", "True"], out
        # the notebook's folder is mounted where it is on the host
        assert c.eval(f"__import__('os').path.exists({str(backend.root_dir / path)!r})") == "True"
    finally:
        close_session(backend, session, c)


def test_idle_policy_is_validated_shown_and_enforced(backend):
    rest = backend.rest
    r = rest.request("PUT", "/atelier/api/idle-policy/ml.nope", json={"kernel_idle_minutes": 5})
    assert r.status_code == 400 and "valid types" in r.json()["message"], r.text
    r = rest.request("PUT", "/atelier/api/idle-policy/ml.c5.large", json={"kernel_idle_minutes": "soon"})
    assert r.status_code == 400 and r.json()["message"].startswith("kernel_idle_minutes:"), r.text
    r = rest.request("PUT", "/atelier/api/idle-policy/ml.c5.large", json={"kernel_idle_minutes": -1})
    assert r.status_code == 400 and r.json()["message"].startswith("kernel_idle_minutes:"), r.text
    r = rest.request("PUT", "/atelier/api/idle-policy/ml.c5.large", json={"idle": 3})
    assert r.status_code == 400 and r.json()["message"].startswith("idle: unknown field"), r.text
    r = rest.request("PUT", "/atelier/api/idle-policy/ml.c5.large", data="{not json",
                     headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text

    r = rest.request("PUT", "/atelier/api/idle-policy/ml.c5.large", json={"kernel_idle_minutes": 1})
    assert r.status_code == 200 and r.json() == {"instance_type": "ml.c5.large", "kernel_idle_minutes": 1,
                                                 "instance_idle_minutes": 0}, r.text
    policies = {p["instance_type"]: p for p in rest.get("/atelier/api/idle-policy").json()["policies"]}
    assert policies["ml.c5.large"]["kernel_idle_minutes"] == 1
    assert policies["ml.t3.medium"] == {"instance_type": "ml.t3.medium", "kernel_idle_minutes": 0,
                                        "instance_idle_minutes": 0}
    r = rest.request("PUT", "/atelier/api/idle-policy/ml.m5.xlarge", json={"instance_idle_minutes": 1})
    assert r.status_code == 200 and r.json()["instance_idle_minutes"] == 1, r.text
    import datetime
    import time

    def seconds_left(stamp: str) -> float:
        when = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        return (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds()

    try:
        # kernel rule on ml.c5.large; instance rule on ml.m5.xlarge
        session, c = open_session(backend, saved_notebook(backend, {"instance_type": "ml.c5.large"}))
        c.close()
        kid = session["kernel"]["id"]
        other, oc = open_session(backend, saved_notebook(backend, {"instance_type": "ml.m5.xlarge"}))
        oc.close()
        okid = other["kernel"]["id"]
        # the panel shows when each rule will act, before it does
        k = kernel_model(backend, kid)
        assert k["idle_shutdown_at"] and 0 < seconds_left(k["idle_shutdown_at"]) <= 60, k
        assert kernel_model(backend, okid)["idle_shutdown_at"] is None  # no kernel rule on m5.xlarge
        iid = kernel_model(backend, okid)["instance_id"]
        inst = [i for i in rest.get("/atelier/api/instances").json()["instances"] if i["id"] == iid][0]
        assert inst["idle_shutdown_at"] and 0 < seconds_left(inst["idle_shutdown_at"]) <= 60, inst
        # then they act: within the minute and a check interval the kernel and the instance are gone
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ids = [x["id"] for x in rest.get("/atelier/api/kernels").json()["kernels"]]
            instances = [i["id"] for i in rest.get("/atelier/api/instances").json()["instances"]]
            if kid not in ids and okid not in ids and iid not in instances:
                break
            time.sleep(1)
        else:
            raise AssertionError(f"after 120 s: kernels {ids}, instances {instances}")
    finally:
        rest.request("PUT", "/atelier/api/idle-policy/ml.c5.large", json={"kernel_idle_minutes": 0})
        rest.request("PUT", "/atelier/api/idle-policy/ml.m5.xlarge", json={"instance_idle_minutes": 0})


@pytest.mark.timeout(300)
def test_a_kernel_killed_for_memory_is_restarted_naming_out_of_memory(backend):
    docker_ready()
    path = saved_notebook(backend, {"instance_type": "ml.t3.medium", "atelier": {"image": DOCKER_IMAGE}})
    session, c = open_session(backend, path)
    try:
        kid = session["kernel"]["id"]
        # ml.t3.medium allows 4 GiB: filling 5 GiB gets the kernel OOM-killed
        c.execute_request("x = b'x' * (5 << 30)")
        import time
        deadline = time.monotonic() + 120
        k = kernel_model(backend, kid)
        while time.monotonic() < deadline and not (k["last_death"] and k["execution_state"] == "idle"):
            time.sleep(0.5)
            k = kernel_model(backend, kid)
        # As stock jupyter_server: restarted automatically; the reason stays on the model.
        assert k["execution_state"] == "idle" and k["restart_count"] == 1, k
        reason = k["last_death"]["reason"]
        assert k["last_death"]["oom_killed"] is True, k
        assert "ran out of memory" in reason and "4096 MiB" in reason, reason
        assert c.eval("6*7", timeout=60) == "42"
    finally:
        close_session(backend, session, c)


@pytest.mark.timeout(180)
def test_without_a_docker_engine_the_server_runs_says_why_and_local_instances_work(tmp_path):
    """An unreachable engine is a health fact, not a failed start."""
    import requests
    from servers import start_atelier
    root = tmp_path / "nb"
    root.mkdir()
    atelier = start_atelier(tmp_path / "a", root,
                            extra_env={"ATELIER_DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"})
    try:
        h = {"Authorization": f"token {atelier.token}"}
        health = requests.get(f"{atelier.url}/atelier/api/health", headers=h, timeout=30).json()
        assert health["status"] == "ok" and health["docker"]["available"] is False, health
        assert "not reachable" in health["docker"]["problem"], health
        images = requests.get(f"{atelier.url}/atelier/api/images", headers=h, timeout=30).json()
        assert [i["name"] for i in images["images"]] == ["local"] and images["docker_problem"], images
        # The Running panel's instance list carries the same answer, so the panel can say why.
        instances = requests.get(f"{atelier.url}/atelier/api/instances", headers=h, timeout=30).json()
        assert instances["docker"] == health["docker"], instances
        r = requests.post(f"{atelier.url}/api/kernels", headers=h, timeout=60,
                          json={"name": "python3", "env": {"KERNEL_IMAGE": DOCKER_IMAGE}})
        assert r.status_code == 503 and "not reachable" in r.json()["message"], r.text
        r = requests.post(f"{atelier.url}/api/kernels", headers=h, timeout=60, json={"name": "python3"})
        assert r.status_code == 201, r.text
        instances = requests.get(f"{atelier.url}/atelier/api/instances", headers=h, timeout=30).json()
        assert [i["runtime"] for i in instances["instances"]] == ["process"], instances
        assert instances["docker"]["available"] is False, instances
        assert requests.delete(f"{atelier.url}/api/kernels/{r.json()['id']}", headers=h,
                               timeout=60).status_code == 204
    finally:
        atelier.proc.stop()


@pytest.mark.timeout(300)
def test_a_restarted_server_adopts_running_instances_and_open_notebooks_keep_their_state(tmp_path):
    """The server is killed mid-session; the next one on the same data directory takes over the
    container and its kernel: the notebook reconnects and its variables are still there."""
    import signal as _signal
    from client import Rest
    from servers import free_port, start_atelier, start_jupyter_server
    docker_ready()
    root = tmp_path / "nb"
    root.mkdir()
    gw_port, door_port, js_port = free_port(), free_port(), free_port()
    token = uuid.uuid4().hex

    def atelier():
        return start_atelier(tmp_path / "a", root, front_door_for=js_port, port=gw_port,
                             front_door_port=door_port, token=token)

    first = atelier()
    jupyter = start_jupyter_server(tmp_path / "j", root, gateway=first, port=js_port)
    second = None
    try:
        rest = Rest(first.front_door_url, jupyter.token)

        class B:  # what saved_notebook/open_session/kernel_model need of a backend
            pass
        b = B()
        b.root_dir, b.rest = root, rest
        path = saved_notebook(b, {"instance_type": "ml.t3.medium", "atelier": {"image": DOCKER_IMAGE}})
        session, c = open_session(b, path)
        kid = session["kernel"]["id"]
        c.ok("x = 42")
        before = kernel_model(b, kid)
        c.close()

        first.proc.popen.send_signal(_signal.SIGKILL)  # no goodbye: the container keeps running
        first.proc.popen.wait(timeout=30)
        second = atelier()

        from servers import log_tail
        assert kid in [k["id"] for k in rest.get("/atelier/api/kernels").json()["kernels"]], \
            "the restarted server did not adopt the kernel; its log:\n" + log_tail(second.proc.log, 40)
        after = kernel_model(b, kid)
        assert (after["instance_id"], after["instance_type"], after["image"], after["path"]) == \
            (before["instance_id"], "ml.t3.medium", DOCKER_IMAGE, path), after
        c2 = KernelClient(rest, kid)
        c2.connect(wait_ready=True, timeout=60)
        try:
            assert c2.eval("x") == "42"
        finally:
            c2.close()
        instances = rest.get("/atelier/api/instances").json()["instances"]
        assert [i["id"] for i in instances] == [before["instance_id"]], instances
        rest.delete(f"/api/sessions/{session['id']}")
    finally:
        jupyter.proc.stop()
        if second is not None:
            second.proc.stop()  # a graceful stop stops the instance
        first.proc.stop()
    left = subprocess.run(["docker", "ps", "-q", "--filter", f"label=dev.atelier.instance-id={before['instance_id']}"],
                          capture_output=True, text=True).stdout.strip()
    assert left == "", f"the instance's container is still running after the server stopped: {left}"


@pytest.mark.timeout(300)
def test_a_container_that_fails_to_start_fails_the_kernel_start_with_its_last_lines(backend):
    docker_ready()
    tag = f"atelier/broken-{uuid.uuid4().hex[:8]}:latest"
    # an instance image whose agent cannot run: the package is gone
    dockerfile = (f"FROM {DOCKER_IMAGE}\nUSER root\n"
                  "RUN rm -rf /opt/atelier/venv/lib/python3*/site-packages/atelier\nUSER atelier\n")
    subprocess.run(["docker", "build", "-q", "-t", tag, "-"], input=dockerfile, text=True, check=True,
                   capture_output=True, timeout=180)
    try:
        path = saved_notebook(backend, {"atelier": {"image": tag}})
        r = backend.rest.post("/api/sessions", json={"path": path, "type": "notebook", "name": path,
                                                     "kernel": {"name": "python3"}}, timeout=120)
        assert r.status_code >= 400, r.text
        assert "exited with code" in r.text and "No module named" in r.text, r.text[:2000]
        leftover = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=dev.atelier.instance-image={tag}"],
                                  capture_output=True, text=True).stdout.strip()
        assert leftover == "", f"the failed instance's container was left behind: {leftover}"
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=60)
