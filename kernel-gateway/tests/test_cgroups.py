"""The agent joins the instance's cgroups before anything else, or says it could not and exits."""

import json
import os
import subprocess
import sys

from atelier.agent import cgroups


def test_an_agent_that_cannot_join_its_cgroup_says_so_on_stdout_and_exits(tmp_path):
    missing = tmp_path / "no-such-cgroup"
    p = subprocess.run(
        [sys.executable, "-m", "atelier.agent", "--control-port", "0", "--cgroup", str(missing)],
        capture_output=True, text=True, timeout=60, env={**os.environ, "ATELIER_AGENT_KEY": "k"},
    )
    assert p.returncode == 3, p
    line = json.loads(p.stdout.splitlines()[0])
    assert line["event"] == "cgroup_failed" and str(missing) in line["problem"], line


def test_oom_counters_are_the_memory_cgroups_own(tmp_path):
    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "memory.events").write_text("oom 1\noom_kill 1\n")
    cpu = tmp_path / "cpu"
    cpu.mkdir()
    assert cgroups.oom_counters([str(v2), str(cpu)]) == (str(v2 / "memory.events"),)
    v1 = tmp_path / "v1"
    v1.mkdir()
    (v1 / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
    assert cgroups.oom_counters([str(v1)]) == (str(v1 / "memory.oom_control"),)
