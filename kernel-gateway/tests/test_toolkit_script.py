"""`train` in script mode: the user's entry point run as SageMaker's training toolkit runs it."""

from __future__ import annotations

import base64
import hashlib
import json
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from atelier.toolkit.environment import fit_failure
from atelier.toolkit.script import to_cmd_args

from toolkit_helpers import failure, job_env, layout, run_train, train_command

SHOW_ARGS = textwrap.dedent("""
    import json, os, sys
    print(json.dumps({
        "argv": sys.argv[1:], "cwd": os.getcwd(),
        "env": {k: v for k, v in os.environ.items() if k.startswith(("SM_", "SAGEMAKER_", "TRAINING_"))},
        "unbuffered": os.environ.get("PYTHONUNBUFFERED"),
    }))
""")

SDK_HPS = {
    # As the sagemaker SDK sends them: every value JSON-encoded.
    "sagemaker_program": json.dumps("entry.py"),
    "sagemaker_submit_directory": json.dumps("s3://bucket/job/source/sourcedir.tar.gz"),
    "epochs": json.dumps(5),
    "learning-rate": json.dumps(0.1),
    "optimizer": json.dumps("adam"),
    "use_bias": json.dumps(True),
}


def shown(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    line = next(l for l in result.stdout.splitlines() if l.startswith("{"))
    return json.loads(line)


def test_hyperparameters_become_arguments_and_sm_variables(tmp_path):
    base = layout(tmp_path, SDK_HPS, channels={"train": {"a.csv": "1,2\n"}}, code={"entry.py": SHOW_ARGS})
    out = shown(run_train(base))
    # Sorted, sagemaker_* left out, JSON-decoded values (a boolean as Python prints it, like the toolkit).
    assert out["argv"] == ["--epochs", "5", "--learning-rate", "0.1", "--optimizer", "adam", "--use_bias", "True"]
    assert out["cwd"] == str(base / "code")
    assert out["unbuffered"] == "1"
    env = out["env"]
    assert env["SM_MODEL_DIR"] == str(base / "model")
    assert env["SM_OUTPUT_DATA_DIR"] == str(base / "output" / "data")
    assert env["SM_CHANNEL_TRAIN"] == str(base / "input" / "data" / "train")
    assert json.loads(env["SM_CHANNELS"]) == ["train"]
    assert json.loads(env["SM_HPS"]) == {"epochs": 5, "learning-rate": 0.1, "optimizer": "adam", "use_bias": True}
    # Named as the toolkit names them: upper-cased, '-' kept.
    assert env["SM_HP_EPOCHS"] == "5" and env["SM_HP_OPTIMIZER"] == "adam" and env["SM_HP_LEARNING-RATE"] == "0.1"
    assert "SM_HP_SAGEMAKER_PROGRAM" not in env and "SM_HP_LEARNING_RATE" not in env
    assert env["SM_USER_ENTRY_POINT"] == "entry.py" and env["SAGEMAKER_PROGRAM"] == "entry.py"
    assert env["SM_CURRENT_HOST"] == "algo-1" and json.loads(env["SM_HOSTS"]) == ["algo-1"]
    assert json.loads(env["SM_TRAINING_ENV"])["hyperparameters"]["epochs"] == 5
    assert env["TRAINING_JOB_NAME"] == "test-job"


def test_plain_string_values_and_the_servers_variables_win(tmp_path):
    hps = {"sagemaker_program": "entry.py", "epochs": "5", "name": "plain text", "x": "1"}
    base = layout(tmp_path, hps, code={"entry.py": SHOW_ARGS})
    out = shown(run_train(base, SM_MODEL_DIR=str(tmp_path / "elsewhere"), SM_HP_EPOCHS="from-server"))
    assert out["argv"] == ["--epochs", "5", "--name", "plain text", "-x", "1"]
    assert out["env"]["SM_MODEL_DIR"] == str(tmp_path / "elsewhere")
    assert out["env"]["SM_HP_EPOCHS"] == "from-server"


def test_sagemaker_program_from_the_environment(tmp_path):
    base = layout(tmp_path, {"epochs": "3"}, code={"entry.py": SHOW_ARGS})
    out = shown(run_train(base, SAGEMAKER_PROGRAM="entry.py"))
    assert out["argv"] == ["--epochs", "3"]


def test_to_cmd_args_like_the_sagemaker_toolkit():
    assert to_cmd_args({"b": 2, "aa": "x", "d": {"k2": 1, "k1": "v"}, "n": None}) == \
        ["--aa", "x", "-b", "2", "-d", "k1=v,k2=1", "-n", ""]


def tiny_wheel(folder: Path, name: str = "atelier_tiny_requirement", version: str = "0.1") -> Path:
    """A pure-Python wheel built by hand, so that installing it needs no network nor build tools."""
    files = {
        f"{name}/__init__.py": b"VALUE = 'installed from requirements.txt'\n",
        f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{name}-{version}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{name}-{version}.dist-info/RECORD,,")
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for path, data in files.items():
            z.writestr(path, data)
        z.writestr(f"{name}-{version}.dist-info/RECORD", "\n".join(record) + "\n")
    return wheel


@pytest.fixture
def uninstall_tiny():
    yield "atelier_tiny_requirement"
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q", "atelier_tiny_requirement"],
                   capture_output=True, timeout=120)


def test_requirements_are_installed_first(tmp_path, uninstall_tiny):
    wheel = tiny_wheel(tmp_path)
    code = {
        "requirements.txt": f"{wheel}\n",
        "entry.py": "import atelier_tiny_requirement as t\nprint('value:', t.VALUE)\n",
    }
    base = layout(tmp_path / "ml", {"sagemaker_program": "entry.py"}, code=code)
    result = run_train(base)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"installing {base / 'code' / 'requirements.txt'}" in result.stdout
    assert "value: installed from requirements.txt" in result.stdout


def test_failed_requirements_fail_the_job(tmp_path):
    code = {"requirements.txt": str(tmp_path / "no-such-wheel-0.1-py3-none-any.whl") + "\n", "entry.py": "print('ran')\n"}
    base = layout(tmp_path / "ml", {"sagemaker_program": "entry.py"}, code=code)
    result = run_train(base)
    assert result.returncode == 1
    assert "ran" not in result.stdout
    assert "pip install -r" in failure(base)


def test_failure_file_has_the_end_of_the_traceback(tmp_path):
    script = textwrap.dedent("""
        import sys
        print("starting")
        def deep(n):
            if n == 0:
                raise ValueError("the data has no column named 'price'")
            deep(n - 1)
        deep(60)
    """)
    base = layout(tmp_path, {"sagemaker_program": "entry.py"}, code={"entry.py": script})
    result = run_train(base)
    assert result.returncode == 1
    assert "starting" in result.stdout
    assert "Traceback (most recent call last)" in result.stderr   # passed through
    text = failure(base)
    assert len(text.rstrip("\n")) <= 1024
    assert text.startswith("AlgorithmError: ExecuteUserScriptError: entry.py exited with code 1")
    assert text.rstrip().endswith("ValueError: the data has no column named 'price'")
    assert 'in deep' in text


def test_exit_code_is_propagated_and_the_scripts_own_failure_kept(tmp_path):
    script = textwrap.dedent("""
        import os, sys
        with open(os.path.join(os.environ["SM_OUTPUT_DIR"], "failure"), "w") as f:
            f.write("my own reason")
        sys.exit(7)
    """)
    base = layout(tmp_path, {"sagemaker_program": "entry.py"}, code={"entry.py": script})
    result = run_train(base)
    assert result.returncode == 7
    assert failure(base) == "my own reason"


def test_exit_code_without_output(tmp_path):
    base = layout(tmp_path, {"sagemaker_program": "entry.py"}, code={"entry.py": "import sys; sys.exit(3)\n"})
    result = run_train(base)
    assert result.returncode == 3
    assert "exited with code 3" in failure(base)


def start_train(base: Path) -> subprocess.Popen:
    return subprocess.Popen(train_command(), env=job_env(base), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_line(proc: subprocess.Popen, text: str, timeout: float = 30) -> None:
    """Reads the child's output until ``text``: it arrives while the script still runs (unbuffered)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if text in line:
            return
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"no line with {text!r} (train exit code {proc.poll()}; stderr: {proc.stderr.read()})")


def test_sigterm_is_forwarded_to_the_script(tmp_path):
    script = textwrap.dedent("""
        import os, signal, sys, time
        def stop(signum, frame):
            open(os.path.join(os.environ["SM_MODEL_DIR"], "checkpoint"), "w").write("saved")
            print("saved on SIGTERM")
            sys.exit(0)
        signal.signal(signal.SIGTERM, stop)
        print("ready")
        time.sleep(60)
        print("not stopped")
    """)
    base = layout(tmp_path, {"sagemaker_program": "entry.py"}, code={"entry.py": script})
    proc = start_train(base)
    try:
        wait_for_line(proc, "ready")
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "saved on SIGTERM" in out and "not stopped" not in out
    assert (base / "model" / "checkpoint").read_text() == "saved"
    assert failure(base) is None


def test_a_script_ended_by_sigterm_gives_143_and_no_failure(tmp_path):
    script = "import time\nprint('ready')\ntime.sleep(60)\n"
    base = layout(tmp_path, {"sagemaker_program": "entry.py"}, code={"entry.py": script})
    proc = start_train(base)
    try:
        wait_for_line(proc, "ready")
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM
    assert failure(base) is None


def test_missing_entry_point(tmp_path):
    base = layout(tmp_path, {"sagemaker_program": "missing.py"}, code={"other.py": ""})
    result = run_train(base)
    assert result.returncode == 1
    assert "missing.py" in failure(base) and "other.py" in failure(base)


def test_no_program_and_no_builtin_algorithm(tmp_path):
    base = layout(tmp_path, {"epochs": "1"})
    result = run_train(base)
    assert result.returncode == 2
    assert "sagemaker_program" in failure(base) and "atelier/sklearn" in failure(base)
    assert "sagemaker_program" in result.stderr


def test_module_form_runs_the_same_command(tmp_path):
    base = layout(tmp_path, {"sagemaker_program": "entry.py", "n": "1"}, code={"entry.py": SHOW_ARGS})
    result = subprocess.run([sys.executable, "-m", "atelier.toolkit"], env=job_env(base), capture_output=True,
                            text=True, timeout=60)
    assert shown(result)["argv"] == ["-n", "1"]


def test_fit_failure_keeps_the_end():
    lines = [f"line {i} " + "x" * 50 for i in range(100)] + ["KeyError: 'price'"]
    text = fit_failure("head", lines)
    assert len(text) <= 1024 and text.startswith("head\n") and text.endswith("KeyError: 'price'")
    assert fit_failure("h", ["y" * 5000]).endswith("y" * 100) and len(fit_failure("h", ["y" * 5000])) <= 1024


def test_a_local_submit_directory_when_there_is_no_code_folder(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "entry.py").write_text(SHOW_ARGS)
    hps = {"sagemaker_program": json.dumps("entry.py"), "sagemaker_submit_directory": json.dumps(f"file://{source}")}
    base = layout(tmp_path / "ml", hps)
    out = shown(run_train(base))
    assert out["cwd"] == str(source) and out["argv"] == []


def test_an_unknown_builtin_algorithm_in_the_image(tmp_path):
    base = layout(tmp_path, {})
    result = run_train(base, ATELIER_BUILTIN_ALGORITHM="xgboost")
    assert result.returncode == 2
    assert "ATELIER_BUILTIN_ALGORITHM=xgboost" in failure(base) and "sklearn" in failure(base)
