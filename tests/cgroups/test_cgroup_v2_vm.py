"""Process instances' limits on a real cgroup v2 kernel.

``scripts/check-cgroup-v2.sh`` runs this inside a virtual machine whose only cgroup hierarchy is
cgroup2 at /sys/fs/cgroup; anywhere else it fails saying so. The built server runs as root with
the process runtime (default image ``local``) and the default cgroup parent, in the root cgroup
and in a login session's scope (as systemd places a shell: a cgroup with processes of its own,
which cgroup v2 lets hand no controllers down), and opens notebook kernels through the REST API;
each kernel reads its own cgroup from /proc/self/cgroup.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from client import KernelClient, Rest  # noqa: E402
from servers import log_tail, start_atelier  # noqa: E402

CGROUP = Path("/sys/fs/cgroup")
#: Emulated virtual machines are slow: each step gets minutes, never a timed assert.
SLOW = 1200
#: The built-in ml.t3.medium and a smaller type to outgrow.
TYPES = {"default": "ml.t3.medium", "types": [
    {"name": "ml.t3.medium", "vcpus": 2, "memory_gib": 4, "gpus": 0, "price_per_hour": 0.05},
    {"name": "ml.t3.nano", "vcpus": 1, "memory_gib": 0.25, "gpus": 0, "price_per_hour": 0.01},
]}

OWN_CGROUP = """
import os
[line] = [l for l in open('/proc/self/cgroup').read().splitlines() if l.startswith('0::')]
d = '/sys/fs/cgroup' + line[3:]
def read(name):
    p = os.path.join(d, name)
    return open(p).read().strip() if os.path.exists(p) else None
import json
print(json.dumps({'cgroup': line[3:], 'cpu.max': read('cpu.max'), 'memory.max': read('memory.max'),
                  'memory.swap.max': read('memory.swap.max')}))
"""


def only_cgroup2() -> None:
    mounts = [line.split(" - ", 1)[1].split()[0] for line in open("/proc/self/mountinfo") if " - " in line]
    if "cgroup" in mounts or not (CGROUP / "cgroup.controllers").exists():
        pytest.fail("this check needs a host whose only cgroup hierarchy is cgroup2 at /sys/fs/cgroup: "
                    "run it with `bash scripts/check-cgroup-v2.sh`, which boots such a virtual machine")


#: Where the server runs: the root cgroup, or a session scope below controllers handed down as
#: systemd hands them.
SESSION = "user.slice/user-0.slice/session-1.scope"


def move_here(cgroup: Path) -> None:
    (cgroup / "cgroup.procs").write_text(str(os.getpid()))


def enter_session() -> None:
    for d in (CGROUP, CGROUP / "user.slice", CGROUP / "user.slice/user-0.slice"):
        (d / "cgroup.subtree_control").write_text("+memory +cpu")
        d.joinpath(SESSION.split("/")[len(d.relative_to(CGROUP).parts)]).mkdir(exist_ok=True)
    move_here(CGROUP / SESSION)


@pytest.fixture(scope="module", params=["root", "session"])
def server(request, tmp_path_factory):
    only_cgroup2()
    if request.param == "session":
        enter_session()  # the server inherits this test's cgroup
    tmp = tmp_path_factory.mktemp("server")
    root = tmp / "nb"
    root.mkdir()
    (tmp / "types.json").write_text(json.dumps(TYPES))
    atelier = start_atelier(tmp / "a", root, deadline_s=SLOW, extra_env={
        "ATELIER_INSTANCE_TYPES_FILE": str(tmp / "types.json"),
        "ATELIER_KERNEL_LAUNCH_TIMEOUT_SECONDS": str(SLOW),
    })
    try:
        yield atelier, Rest(atelier.url, atelier.token, timeout=SLOW)
    finally:
        atelier.proc.stop()
        move_here(CGROUP)
        print(f"--- server log ({request.param}) ---\n" + log_tail(atelier.proc.log, 40))


def open_kernel(rest: Rest, instance_type: str) -> tuple[dict, KernelClient]:
    r = rest.post("/api/kernels", json={"name": "python3", "env": {"KERNEL_INSTANCE_TYPE": instance_type}})
    assert r.status_code == 201, r.text
    c = KernelClient(rest, r.json()["id"])
    c.connect(wait_ready=True, timeout=SLOW)
    return r.json(), c


def model(rest: Rest, kernel_id: str) -> dict:
    [k] = [k for k in rest.get("/atelier/api/kernels").json()["kernels"] if k["id"] == kernel_id]
    return k


def instance(rest: Rest, kernel_id: str) -> dict:
    k = model(rest, kernel_id)
    [i] = [i for i in rest.get("/atelier/api/instances").json()["instances"] if i["id"] == k["instance_id"]]
    return i


def test_health_says_the_limits_are_enforced_on_cgroup_v2(server):
    _, rest = server
    limits = rest.get("/atelier/api/health").json()["process_limits"]
    assert limits["enforced"] is True and limits["cgroup_version"] == "v2", limits
    assert limits["problem"] is None, limits


def test_a_kernel_on_ml_t3_medium_runs_in_the_instance_cgroup_with_its_limits(server):
    _, rest = server
    kernel, c = open_kernel(rest, "ml.t3.medium")
    try:
        inst = instance(rest, kernel["id"])
        assert inst["runtime"] == "process" and inst["limits"]["enforced"] is True, inst
        [where] = inst["limits"]["where"].split(", ")  # one directory: the unified hierarchy
        own = json.loads(c.execute(OWN_CGROUP, timeout=SLOW).stream_text())
        print("the kernel reads", own)
        assert str(CGROUP) + own["cgroup"] == where, (own, inst)
        assert own["cpu.max"] == "200000 100000", own
        assert own["memory.max"] == "4294967296", own
        assert own["memory.swap.max"] in ("0", None), own
        # on cgroup v2 the instances' parent is atelier at the top of the hierarchy, wherever the
        # server runs, with the controllers handed down to it
        assert Path(where).parent == CGROUP / "atelier", where
        assert {"memory", "cpu"} <= set((CGROUP / "atelier/cgroup.subtree_control").read_text().split())
    finally:
        c.close()
        rest.delete(f"/api/kernels/{kernel['id']}")


def test_a_kernel_outgrowing_its_types_memory_is_killed_and_the_reason_names_the_limit(server):
    _, rest = server
    kernel, c = open_kernel(rest, "ml.t3.nano")
    try:
        own = json.loads(c.execute(OWN_CGROUP, timeout=SLOW).stream_text())
        assert own["memory.max"] == str(256 << 20) and own["cpu.max"] == "100000 100000", own
        c.execute_request("x = bytearray(1 << 30)")  # 1 GiB, four times what ml.t3.nano allows
        deadline = time.monotonic() + SLOW
        k = model(rest, kernel["id"])
        while time.monotonic() < deadline and not k["last_death"]:
            time.sleep(1)
            k = model(rest, kernel["id"])
        death = k["last_death"]
        assert death and death["oom_killed"] is True, k
        assert "ran out of memory" in death["reason"] and "ml.t3.nano allows 256 MiB" in death["reason"], death
        events = dict(line.split() for line in
                      Path(instance(rest, kernel["id"])["limits"]["where"], "memory.events").read_text().splitlines())
        assert int(events["oom_kill"]) >= 1, events
    finally:
        c.close()
        rest.delete(f"/api/kernels/{kernel['id']}")


def test_the_fallback_warning_never_fired(server):
    atelier, _ = server
    log = atelier.proc.log.read_text(errors="replace")
    assert "WITHOUT" not in log, log_tail(atelier.proc.log, 80)
    assert "get their instance type's limits in cgroups under" in log and "(cgroup v2)" in log, log_tail(atelier.proc.log, 80)
