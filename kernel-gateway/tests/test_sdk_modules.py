"""The package's modules: old and new import paths, lazy exports, and no private name shared."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import atelier
from atelier import api, debugging, deserializers, display, endpoints, job, jobs, processing, serializers, training

PACKAGE = Path(__file__).resolve().parents[1] / "atelier"

# Where each name importable from ``atelier.jobs`` lives now.
OWNERS = {
    "Estimator": training,
    "Metrics": training,
    "TrainingInput": training,
    "TrainingJob": training,
    "ProcessingInput": processing,
    "ProcessingJob": processing,
    "ProcessingOutput": processing,
    "Processor": processing,
    "ScriptProcessor": processing,
    "JobFailed": job,
    "base_name_from_image": job,
    "job_by_name": job,
    "list_jobs": job,
    "name_from_base": job,
    "AtelierError": api,
    "Session": api,
    "parse_s3_uri": api,
}


@pytest.mark.parametrize("name", sorted(OWNERS))
def test_the_old_jobs_module_gives_the_same_objects_as_their_new_home(name):
    assert getattr(jobs, name) is getattr(OWNERS[name], name)


def test_the_old_jobs_module_keeps_its_public_names():
    assert set(jobs.__all__) == {
        "Estimator", "JobFailed", "Metrics", "ProcessingInput", "ProcessingJob", "ProcessingOutput",
        "Processor", "TrainingInput", "TrainingJob", "list_jobs", "name_from_base",
    }
    for name in jobs.__all__:
        assert getattr(jobs, name) is getattr(OWNERS[name], name)


TOP_LEVEL = sorted(set(atelier.__all__) - {"upload_data", "download", "list_objects", "load_ipython_extension",
                                            "experiments", "serializers", "deserializers"})
# The names of ``atelier`` that ``atelier.jobs`` never had.
TOP_OWNERS = {**OWNERS, "EndpointFailed": endpoints, "Model": endpoints, "ModelError": endpoints,
              "Predictor": endpoints, "list_endpoints": endpoints,
              **{n: debugging for n in ("CollectionConfig", "DebuggerHookConfig", "ProfilerConfig", "ProfilerRule", "Rule")}}


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_names_are_the_owning_modules_objects(name):
    assert getattr(atelier, name) is getattr(TOP_OWNERS[name], name)


def test_serializers_and_deserializers_are_the_modules():
    assert atelier.serializers is serializers and atelier.deserializers is deserializers


def test_experiments_is_the_subpackage():
    import importlib

    assert atelier.experiments is importlib.import_module("atelier.experiments")


def test_importing_the_package_leaves_the_sdk_unloaded():
    """The agent imports ``atelier`` for its version; the SDK's modules load on first use only."""
    code = (
        "import sys, atelier\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('atelier.'))))\n"
        "atelier.Estimator\n"
        "print('atelier.training' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out.split("\n")[:2] == ["", "True"]


@pytest.mark.parametrize("module", ["api", "display", "job", "training", "processing", "jobs", "magics", "runmagic",
                                    "endpoints", "serializers", "deserializers", "invokemagic",
                                    "experiments", "experiments.context"])
def test_each_module_can_be_imported_first(module):
    """No import cycle: whichever module a fresh interpreter imports first, it loads."""
    if module in ("magics", "runmagic", "invokemagic"):
        pytest.importorskip("IPython")
    if module.startswith("experiments"):
        pytest.importorskip("mlflow")
    subprocess.run([sys.executable, "-c", f"import atelier.{module}"], capture_output=True, text=True, check=True, timeout=60)


# -- no private name crosses a module ----------------------------------------------------------


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _violations(path: Path, package: Path = PACKAGE) -> list[str]:
    """``from atelier.x import _y`` and ``x._y`` on a module of the package bound by an import."""
    module = _module_name(path, package)
    # In a package's __init__, ``from . import x`` is relative to the package itself.
    here = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found, modules = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")[: len(here.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not (target == package.name or target.startswith(package.name + ".")):
                continue
            for alias in node.names:
                if _private(alias.name) and target != module:
                    found.append(f"{path.name}:{node.lineno} imports {alias.name} from {target}")
                # ``from . import procs`` may bind a module: remember it to check ``procs._x`` below.
                modules[alias.asname or alias.name] = f"{target}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == package.name:
                    modules[alias.asname or alias.name.split(".")[0]] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name):
            target = modules.get(node.value.id)
            if target is not None and target != module:
                found.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr} of {target}")
    return found


def test_no_module_uses_another_modules_private_names():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 10
    assert [v for f in files for v in _violations(f)] == []


def test_the_private_name_check_sees_both_forms(tmp_path):
    """The check above would catch what it looks for: it does not pass for want of looking."""
    package = tmp_path / "atelier"
    (package / "agent").mkdir(parents=True)
    (package / "sample.py").write_text(
        "from .job import _timestamp, check_job_name\nfrom . import display\ndisplay._secondary_since({})\n"
        "import atelier.api as api\napi._inside('a', 'b')\nfrom .sample import _own\n"
    )
    (package / "agent" / "__init__.py").write_text("from .procs import _kill\nfrom .. import _EXPORTS, __version__\n")
    assert _violations(package / "sample.py", package) == [
        "sample.py:1 imports _timestamp from atelier.job",
        "sample.py:3 uses display._secondary_since of atelier.display",
        "sample.py:5 uses api._inside of atelier.api",
    ]
    assert _violations(package / "agent" / "__init__.py", package) == [
        "__init__.py:1 imports _kill from atelier.agent.procs",
        "__init__.py:2 imports _EXPORTS from atelier",
    ]


# -- display -----------------------------------------------------------------------------------


def test_display_formats_durations_sizes_and_times():
    assert [display.format_duration(s) for s in (-3, 7, 83, 7500)] == ["0s", "7s", "1m 23s", "2h 05m 00s"]
    assert [display.format_size(n) for n in (None, 512, 1048576, 5 * 1024**4)] == ["?", "512 B", "1.0 MiB", "5120.0 GiB"]
    assert display.parse_time("2025-01-02T03:04:05Z").isoformat() == "2025-01-02T03:04:05+00:00"
    assert display.parse_time("2025-01-02T03:04:05").isoformat() == "2025-01-02T03:04:05+00:00"
    assert display.parse_time(1735787045000).isoformat() == "2025-01-02T03:04:05+00:00"
    assert display.parse_time("soon") is None and display.parse_time(None) is None


def test_the_status_block_prints_a_line_only_when_something_changes(capsys):
    block = display.JobStatusBlock("training", "iris-1")
    running = {"TrainingJobStatus": "InProgress", "SecondaryStatus": "Training"}
    block.show(running, ended=False)
    block.show(running, ended=False)
    block.show({**running, "SecondaryStatus": "Uploading", "Progress": {"Phase": "Uploading", "BytesDone": 0, "BytesTotal": 2048}}, ended=False)
    block.show({"TrainingJobStatus": "Completed", "SecondaryStatus": "Completed"}, ended=True, metrics={"acc": [(None, 0.5), (None, 0.75)]})
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith("iris-1: InProgress - Training (")
    assert lines[1].endswith(" - Uploading 0 B of 2.0 KiB")
    assert lines[2].startswith("iris-1: Completed - Completed (") and lines[2].endswith(" - acc=0.75")


def test_a_table_is_html_in_a_notebook_and_aligned_text_elsewhere(capsys, monkeypatch):
    display.show_table(["Name", "Status"], [["iris-1", "Completed"], ["a-much-longer-name", "Failed"]], "t", "No rows.")
    assert capsys.readouterr().out.splitlines() == [
        "Name                Status",
        "iris-1              Completed",
        "a-much-longer-name  Failed",
    ]
    display.show_table(["Name"], [], "t", "No rows.")
    assert capsys.readouterr().out == "No rows.\n"

    pytest.importorskip("IPython")
    shown = []
    monkeypatch.setattr(display, "notebook_display", lambda: lambda obj: shown.append(obj.data))
    display.show_table(["Name", "Reason"], [["iris-1", "<exit 2>"]], "atelier-jobs", "No rows.")
    display.show_table(["Name"], [], "atelier-jobs", "No rows.")
    assert shown == [
        "<table class='atelier-jobs'><thead><tr><th style='text-align:left'>Name</th><th style='text-align:left'>Reason</th></tr></thead>"
        "<tbody><tr><td style='text-align:left'>iris-1</td><td style='text-align:left'>&lt;exit 2&gt;</td></tr></tbody></table>",
        "<i>No rows.</i>",
    ]
