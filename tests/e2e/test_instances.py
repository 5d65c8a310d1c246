"""Instances: the notebook's saved metadata decides its instance type and image however the
session is created; notebooks of the same (type, image) share one instance; a Docker instance
runs with its type's CPU and memory limits; the instances API answers bad input with a 400 that
names what is wrong."""

from __future__ import annotations

import json
import os
import subprocess
import uuid

import pytest
import websocket

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


@pytest.mark.parametrize("name", ["", "Training run"], ids=["empty-name", "another-name"])
def test_a_session_whose_name_is_not_the_notebooks_still_runs_on_the_notebooks_instance_type(backend, name):
    """Some clients send `name: ""` (or a label of their own): jupyter_server then names the folder
    (or a file that is not there) in JPY_SESSION_NAME; the session's `path` is the notebook."""
    folder = backend.root_dir / f"sub-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    path = f"{folder.name}/{saved_notebook(backend, {'instance_type': 'ml.m5.large'})}"
    (backend.root_dir / path.split("/", 1)[1]).rename(backend.root_dir / path)
    r = backend.rest.post("/api/sessions", json={"path": path, "type": "notebook", "name": name,
                                                 "kernel": {"name": "python3"}}, timeout=120)
    assert r.status_code == 201, r.text
    session = r.json()
    c = KernelClient(backend.rest, session["kernel"]["id"])
    try:
        c.connect(wait_ready=True, timeout=120)
        k = kernel_model(backend, session["kernel"]["id"])
        assert (k["instance_type"], k["image"], k["path"]) == ("ml.m5.large", "local", path)
        # The kernel runs in the notebook's folder, as jupyter_server asked.
        assert c.eval("__import__('os').getcwd()") == repr(str(folder))
        c.close()
        # Changing the session's kernel (JupyterLab's Change Kernel) starts the new one on the same type.
        r = backend.rest.request("PATCH", f"/api/sessions/{session['id']}", json={"kernel": {"name": "python3"}},
                                 timeout=120)
        assert r.status_code == 200, r.text
        session = r.json()
        c = KernelClient(backend.rest, session["kernel"]["id"])
        c.connect(wait_ready=True, timeout=120)
        k = kernel_model(backend, session["kernel"]["id"])
        assert (k["instance_type"], k["path"]) == ("ml.m5.large", path)
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


#: What a kernel reads from its own cgroup (found in /proc/self/cgroup, on cgroup v1 or v2; in a
#: container whose cgroup is mounted at the root, the root's files): memory limit, CPU cores.
READ_OWN_LIMITS = """
import os
v1, v2 = {}, None
for line in open('/proc/self/cgroup'):
    num, ctls, path = line.rstrip('\\n').split(':', 2)
    if num == '0' and not ctls:
        v2 = path
    for c in ctls.split(','):
        v1[c] = path
def read(roots, path, name):
    for root in roots:
        for d in (os.path.join(root, path.lstrip('/')), root):
            if os.path.exists(os.path.join(d, name)):
                return open(os.path.join(d, name)).read().strip()
    return None
v2roots = ('/sys/fs/cgroup/unified', '/sys/fs/cgroup')
mem = read(('/sys/fs/cgroup/memory',), v1['memory'], 'memory.limit_in_bytes') if 'memory' in v1 else None
if mem is None and v2 is not None:
    mem = read(v2roots, v2, 'memory.max')
cpus = None
if 'cpu' in v1:
    cpu_roots = ('/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct')
    quota = read(cpu_roots, v1['cpu'], 'cpu.cfs_quota_us')
    period = read(cpu_roots, v1['cpu'], 'cpu.cfs_period_us')
    cpus = int(quota) / int(period) if quota not in (None, '-1') else 'max'
if cpus is None and v2 is not None:
    quota, period = (read(v2roots, v2, 'cpu.max') or 'max 100000').split()
    cpus = 'max' if quota == 'max' else int(quota) / int(period)
print(mem, cpus)
"""


def instance_of(backend, kernel: dict) -> dict:
    found = [i for i in backend.rest.get("/atelier/api/instances").json()["instances"]
             if i["id"] == kernel["instance_id"]]
    assert found, f"instance {kernel['instance_id']} not listed"
    return found[0]


@pytest.mark.timeout(180)
def test_a_process_instance_runs_with_its_types_limits_in_its_own_cgroup(backend):
    path = saved_notebook(backend, {"instance_type": "ml.m5.large", "atelier": {"image": "local"}})
    session, c = open_session(backend, path)
    closed = False
    try:
        k = kernel_model(backend, session["kernel"]["id"])
        assert (k["instance_type"], k["image"]) == ("ml.m5.large", "local")
        # ml.m5.large: 2 vCPUs, 8 GiB
        assert c.execute(READ_OWN_LIMITS, timeout=60).stream_text().split() == [str(8 << 30), "2.0"]
        inst = instance_of(backend, k)
        assert inst["runtime"] == "process" and inst["limits"]["enforced"] is True, inst
        dirs = inst["limits"]["where"].split(", ")
        assert all(os.path.isdir(d) for d in dirs), dirs
        close_session(backend, session, c)
        closed = True
        assert backend.rest.delete(f"/atelier/api/instances/{inst['id']}", timeout=60).status_code in (204, 404)
        assert not any(os.path.exists(d) for d in dirs), f"the instance's cgroup outlived it: {dirs}"
    finally:
        if not closed:
            close_session(backend, session, c)


def two_servers(tmp_path, **atelier_args):
    """An Atelier server with its front door and the jupyter_server behind it, as `npm start` runs them."""
    from servers import free_port, start_atelier, start_jupyter_server
    root = tmp_path / "nb"
    root.mkdir()
    js_port = free_port()
    atelier = start_atelier(tmp_path / "a", root, front_door_for=js_port, **atelier_args)
    try:
        jupyter = start_jupyter_server(tmp_path / "j", root, gateway=atelier, port=js_port)
    except Exception:
        atelier.proc.stop()
        raise
    return atelier, jupyter


class _Backend:  # what saved_notebook/open_session/kernel_model need of a backend
    def __init__(self, root_dir, rest):
        self.root_dir, self.rest = root_dir, rest


@pytest.mark.timeout(300)
def test_a_notebook_on_ml_m5_large_with_the_default_settings_reads_its_types_limits(tmp_path):
    """The README's defaults (no image configured): whichever the default image is here, a Docker
    image when the engine answers and one is built, else local, the kernel runs within its type's
    CPU and memory limits."""
    from client import Rest
    atelier, jupyter = two_servers(tmp_path, default_image=None)
    try:
        b = _Backend(jupyter.root_dir, Rest(atelier.front_door_url, jupyter.token))
        health = b.rest.get("/atelier/api/health").json()
        assert health["default_image"] and health["default_image_reason"], health
        session, c = open_session(b, saved_notebook(b, {"instance_type": "ml.m5.large"}))
        try:
            k = kernel_model(b, session["kernel"]["id"])
            assert (k["instance_type"], k["image"]) == ("ml.m5.large", health["default_image"]), (k, health)
            assert c.execute(READ_OWN_LIMITS, timeout=60).stream_text().split() == [str(8 << 30), "2.0"]
            assert instance_of(b, k)["limits"]["enforced"] is True
        finally:
            close_session(b, session, c)
    finally:
        jupyter.proc.stop()
        atelier.proc.stop()


@pytest.mark.timeout(180)
def test_limits_the_host_refuses_are_said_in_health_the_instance_list_and_the_log(tmp_path):
    """Never silently unlimited: a cgroup parent the host will not create (a control file is no
    directory, even for root) runs the instance without limits and says why everywhere."""
    import requests
    from servers import log_tail, start_atelier
    root = tmp_path / "nb"
    root.mkdir()
    atelier = start_atelier(tmp_path / "a", root, extra_env={"ATELIER_CGROUP_PARENT": "/cgroup.procs/atelier"})
    try:
        h = {"Authorization": f"token {atelier.token}"}
        health = requests.get(f"{atelier.url}/atelier/api/health", headers=h, timeout=30).json()
        assert health["process_limits"]["enforced"] is False, health
        assert "/cgroup.procs/atelier" in health["process_limits"]["problem"], health
        r = requests.post(f"{atelier.url}/api/kernels", headers=h, timeout=60,
                          json={"name": "python3", "env": {"KERNEL_INSTANCE_TYPE": "ml.m5.large"}})
        assert r.status_code == 201, r.text
        body = requests.get(f"{atelier.url}/atelier/api/instances", headers=h, timeout=30).json()
        [inst] = [i for i in body["instances"] if i["instance_type"] == "ml.m5.large"]
        assert inst["limits"]["enforced"] is False and "/cgroup.procs/atelier" in inst["limits"]["problem"], inst
        assert body["process_limits"]["enforced"] is False, body
        log = log_tail(atelier.proc.log, 200)
        assert "WITHOUT its CPU and memory limits" in log, log
        requests.delete(f"{atelier.url}/api/kernels/{r.json()['id']}", headers=h, timeout=60)
    finally:
        atelier.proc.stop()


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
        # the event stream tells the page when the instance rule stops the instance (a notification)
        events = websocket.create_connection(rest.url("/atelier/api/events").replace("http://", "ws://", 1),
                                             header=[f"Authorization: token {rest.token}"], timeout=5)
        # then they act: within the minute and a check interval the kernel and the instance are gone
        deadline = time.monotonic() + 120
        stopped = None
        while time.monotonic() < deadline:
            while stopped is None:
                try:
                    frame = json.loads(events.recv())
                except websocket.WebSocketTimeoutException:
                    break
                if frame.get("type") == "instance_stopped" and frame["instance"]["id"] == iid:
                    stopped = frame
            ids = [x["id"] for x in rest.get("/atelier/api/kernels").json()["kernels"]]
            instances = [i["id"] for i in rest.get("/atelier/api/instances").json()["instances"]]
            if kid not in ids and okid not in ids and iid not in instances and stopped:
                break
            time.sleep(1)
        else:
            raise AssertionError(f"after 120 s: kernels {ids}, instances {instances}, stop frame {stopped}")
        events.close()
        assert stopped["reason"] == "idle" and stopped["instance"]["instance_type"] == "ml.m5.xlarge", stopped
        assert stopped["notebooks"] == [other["path"]], stopped
        assert "stopped by its idle rule" in stopped["message"] and other["path"] in stopped["message"], stopped
    finally:
        rest.request("PUT", "/atelier/api/idle-policy/ml.c5.large", json={"kernel_idle_minutes": 0})
        rest.request("PUT", "/atelier/api/idle-policy/ml.m5.xlarge", json={"instance_idle_minutes": 0})


@pytest.mark.timeout(300)
@pytest.mark.parametrize("image", ["local", DOCKER_IMAGE])
def test_a_kernel_killed_for_memory_is_restarted_naming_out_of_memory(backend, image):
    if image != "local":
        docker_ready()
    path = saved_notebook(backend, {"instance_type": "ml.t3.medium", "atelier": {"image": image}})
    session, c = open_session(backend, path)
    try:
        kid = session["kernel"]["id"]
        # ml.t3.medium allows 4 GiB: filling 5 GiB gets the kernel OOM-killed, in its container
        # or in the process instance's cgroup
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
