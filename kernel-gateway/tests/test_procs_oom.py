"""The OOM kill counter of the memory cgroup, read from cgroup v2 or v1 files."""

from atelier.agent import procs


def test_reads_cgroup_v2_memory_events(tmp_path):
    f = tmp_path / "memory.events"
    f.write_text("low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n")
    assert procs.oom_kills((str(f),)) == 2


def test_reads_cgroup_v1_oom_control_after_a_missing_file(tmp_path):
    f = tmp_path / "memory.oom_control"
    f.write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 5\n")
    assert procs.oom_kills((str(tmp_path / "missing"), str(f))) == 5


def test_unknown_without_a_counter(tmp_path):
    f = tmp_path / "memory.oom_control"
    f.write_text("oom_kill_disable 0\nunder_oom 0\n")
    assert procs.oom_kills((str(f),)) is None
