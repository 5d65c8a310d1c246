"""Script mode: the user's entry point in /opt/ml/code, run as SageMaker's training toolkit runs it.

- ``requirements.txt`` in the source directory is installed first (pip, quietly);
- the entry point runs with the hyperparameters (but the ``sagemaker_*`` ones) as ``--name value``
  arguments, sorted by name, in the source directory, with Python unbuffered and the ``SM_*``
  variables set;
- its output goes through as it comes; SIGTERM, SIGINT and SIGHUP are passed on to it;
- its exit code is ``train``'s; when it fails without writing ``/opt/ml/output/failure`` itself,
  the end of its standard error (the traceback) is written there.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Mapping

from .environment import TrainingEnvironment, UserError, fit_failure, to_cmd_args, write_failure

FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
TAIL_LINES = 200


class _Pump(threading.Thread):
    """Copies a child's output to ours as it comes, keeping its last lines."""

    def __init__(self, source: BinaryIO, sink: BinaryIO, keep: int):
        super().__init__(daemon=True)
        self.source, self.sink = source, sink
        self.lines: collections.deque[str] = collections.deque(maxlen=keep)
        self._partial = b""

    def run(self) -> None:
        fd = self.source.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            try:
                self.sink.write(chunk)
                self.sink.flush()
            except (OSError, ValueError):
                pass
            data = self._partial + chunk
            *complete, self._partial = data.split(b"\n")
            for line in complete:
                self.lines.append(line.decode("utf-8", "replace").rstrip("\r"))
        if self._partial:
            self.lines.append(self._partial.decode("utf-8", "replace"))
        self.source.close()


class ChildRun:
    """Runs a command with its output passed through and the stop signals forwarded to it."""

    def __init__(self, cmd: list[str], cwd: Path, env: Mapping[str, str]):
        self.cmd, self.cwd, self.env = cmd, cwd, dict(env)
        self.stop_signal: int | None = None
        self.proc: subprocess.Popen | None = None

    def _forward(self, signum: int, _frame: Any) -> None:
        self.stop_signal = signum
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.send_signal(signum)
            except ProcessLookupError:
                pass

    def run(self) -> tuple[int, list[str]]:
        """Returns the exit code (128 + N when killed by signal N) and the last lines of stderr."""
        previous = {s: signal.getsignal(s) for s in FORWARDED_SIGNALS}
        for s in FORWARDED_SIGNALS:
            signal.signal(s, self._forward)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            try:
                self.proc = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            except OSError as e:
                raise UserError(f"cannot run {' '.join(self.cmd)}: {e}") from None
            if self.stop_signal is not None:   # a stop that came while it was starting
                self.proc.send_signal(self.stop_signal)
            out = _Pump(self.proc.stdout, sys.stdout.buffer, 1)
            err = _Pump(self.proc.stderr, sys.stderr.buffer, TAIL_LINES)
            out.start()
            err.start()
            rc = self.proc.wait()
            out.join()
            err.join()
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
        return (128 - rc if rc < 0 else rc), list(err.lines)


def _describe_exit(rc: int) -> str:
    if rc > 128:
        try:
            name = signal.Signals(rc - 128).name
        except ValueError:
            name = f"signal {rc - 128}"
        hint = " (out of memory? the container's memory limit kills with SIGKILL)" if rc == 137 else ""
        return f"was killed by {name}{hint}"
    return f"exited with code {rc}"


def _last_traceback(lines: Iterable[str]) -> list[str]:
    lines = [l for l in lines if l.strip()]
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("Traceback (most recent call last)"):
            return lines[i:]
    return lines


def _site_packages_writable() -> bool:
    return os.access(sysconfig.get_paths()["purelib"], os.W_OK)


def install_requirements(env: TrainingEnvironment, code_dir: Path, child_env: dict[str, str]) -> int | None:
    """pip-installs the source directory's requirements.txt into the training environment (or, when
    that is read-only to this user, into a temporary folder put on PYTHONPATH). Returns train's exit
    code when a stop request ended it, else None."""
    requirements = code_dir / "requirements.txt"
    if not requirements.is_file():
        return None
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "--no-input", "--progress-bar", "off", "-r", str(requirements)]
    where = "the training environment"
    if not _site_packages_writable():
        target = Path(tempfile.gettempdir()) / "atelier-requirements"
        cmd += ["--target", str(target)]
        child_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(target), child_env.get("PYTHONPATH", "")) if p)
        where = str(target)
    print(f"train: installing {requirements} into {where} (pip install -r)", flush=True)
    pip = ChildRun(cmd, code_dir, child_env)
    rc, tail = pip.run()
    if pip.stop_signal is not None and rc != 0:
        print(f"train: stopped while installing {requirements}", file=sys.stderr, flush=True)
        return rc
    if rc != 0:
        raise UserError(fit_failure(f"ClientError: pip install -r {requirements} {_describe_exit(rc)}", tail))
    print("train: requirements installed", flush=True)
    return None


def source_dir(env: TrainingEnvironment) -> Path:
    """/opt/ml/code (or SM_MODULE_DIR's folder); when it is missing and sagemaker_submit_directory
    names a local folder (``file://`` or a path, as in the SDK's local mode), that folder."""
    if env.code_dir.is_dir():
        return env.code_dir
    submitted = env.hyperparameter("sagemaker_submit_directory")
    if isinstance(submitted, str) and not submitted.startswith("s3://"):
        local = Path(submitted[len("file://"):] if submitted.startswith("file://") else submitted)
        if local.is_dir():
            return local
    return env.code_dir


def run(env: TrainingEnvironment, program: str) -> int:
    """Runs the entry point ``program`` of the source directory; returns the exit code for train."""
    code_dir = source_dir(env)
    if not code_dir.is_dir():
        raise UserError(f"ClientError: the source directory {code_dir} does not exist; script mode "
                        f"(sagemaker_program={program}) needs the source, as sagemaker_submit_directory")
    script = code_dir / program
    if not script.is_file():
        present = sorted(p.name for p in code_dir.iterdir())[:20]
        raise UserError(f"ClientError: the entry point {program} is not in {code_dir} "
                        f"(it holds: {', '.join(present) or 'nothing'})")

    user_args = to_cmd_args(env.user_hyperparameters)
    child_env = dict(os.environ)
    for key, value in env.sm_environment(program, user_args).items():
        child_env.setdefault(key, value)
    child_env["PYTHONUNBUFFERED"] = "1"
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(code_dir), child_env.get("PYTHONPATH", "")) if p)

    stopped_rc = install_requirements(env, code_dir, child_env)
    if stopped_rc is not None:
        return stopped_rc

    if program.endswith(".sh"):
        cmd = ["/bin/sh", program, *user_args]
    elif program.endswith(".py") or not os.access(script, os.X_OK):
        cmd = [sys.executable, "-u", program, *user_args]
    else:
        cmd = [str(script), *user_args]

    for folder in (env.model_dir, env.output_data_dir):
        _try_mkdir(folder)
    before = _stat(env.failure_file)
    print(f"train: running {' '.join(cmd[1:] if cmd[0] == sys.executable else cmd)} in {code_dir}", flush=True)
    child = ChildRun(cmd, code_dir, child_env)
    rc, tail = child.run()
    if rc == 0:
        print(f"train: {program} finished", flush=True)
        return 0
    stopped = child.stop_signal is not None
    print(f"train: {program} {_describe_exit(rc)}{' after a stop request' if stopped else ''}",
          file=sys.stderr, flush=True)
    if not stopped and not _wrote_failure(env.failure_file, before):
        lines = _last_traceback(tail)
        head = f"AlgorithmError: ExecuteUserScriptError: {program} {_describe_exit(rc)}"
        write_failure(env.failure_file, fit_failure(head, lines or ["(nothing on standard error)"]))
    return rc


def _try_mkdir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass   # the script will say so if it needs the folder


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _wrote_failure(path: Path, before: tuple[int, int] | None) -> bool:
    """True when the script wrote the failure file itself (it exists, not empty, and is new)."""
    now = _stat(path)
    return now is not None and now[1] > 0 and now != before
