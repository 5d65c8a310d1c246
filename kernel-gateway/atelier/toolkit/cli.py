"""The ``train`` command: what a training job's container runs (see :mod:`atelier.toolkit`); and
``python -m atelier.toolkit [train|serve]``, which runs either program."""

from __future__ import annotations

import importlib
import os
import signal
import sys
import traceback
from pathlib import Path

from .environment import BASE_DIR_ENV, DEFAULT_BASE_DIR, TrainingEnvironment, UserError, fit_failure, write_failure

# ATELIER_BUILTIN_ALGORITHM -> the module whose train(env) runs it.
BUILTIN_ALGORITHMS = {
    "sklearn": "atelier.toolkit.sklearn_builtin",
}

USAGE = """\
usage: train

Runs a training job in the SageMaker container layout (/opt/ml, or $SM_BASE_DIR):
  script mode      when the hyperparameter sagemaker_program (or $SAGEMAKER_PROGRAM) names the
                   entry point in /opt/ml/code; the other hyperparameters become --name value
  built-in         when the image sets ATELIER_BUILTIN_ALGORITHM ({algorithms})
"""

NO_PROGRAM = (
    "ClientError: this image has no training program: set the hyperparameter sagemaker_program to "
    "your entry point (script mode, with the source in sagemaker_submit_directory), or use a "
    "built-in algorithm image such as atelier/sklearn (ATELIER_BUILTIN_ALGORITHM={algorithms})"
)


class Stopped(BaseException):
    """The job was asked to stop (SIGTERM) while a built-in algorithm ran."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _failure_path() -> Path:
    output = os.environ.get("SM_OUTPUT_DIR") or os.path.join(os.environ.get(BASE_DIR_ENV) or DEFAULT_BASE_DIR, "output")
    return Path(output) / "failure"


def _fail(path: Path, message: str, code: int) -> int:
    print(f"train: {message}", file=sys.stderr, flush=True)
    write_failure(path, message)
    return code


def run_builtin(env: TrainingEnvironment, algorithm: str) -> int:
    module_name = BUILTIN_ALGORITHMS.get(algorithm)
    if module_name is None:
        return _fail(env.failure_file, f"ClientError: ATELIER_BUILTIN_ALGORITHM={algorithm} is not a built-in "
                     f"algorithm (there are: {', '.join(sorted(BUILTIN_ALGORITHMS))})", 2)

    def stop(signum, _frame):
        raise Stopped(signum)

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, stop)
    try:
        module = importlib.import_module(module_name)
        module.train(env)
    except Stopped as e:
        print(f"train: stopped ({signal.Signals(e.signum).name})", file=sys.stderr, flush=True)
        return 128 + e.signum
    except UserError as e:
        return _fail(env.failure_file, str(e), 1)
    except Exception as e:   # a bug, or a library's error on this data: the traceback helps
        traceback.print_exc()
        sys.stderr.flush()
        lines = traceback.format_exception_only(type(e), e)
        head = f"AlgorithmError: {algorithm} failed: {lines[-1].strip()}"
        write_failure(env.failure_file, fit_failure(head))
        return 1
    return 0


def toolkit_main(argv: list[str] | None = None) -> int:
    """``python -m atelier.toolkit``: ``serve`` serves a model (:mod:`atelier.toolkit.serving`);
    ``train``, or no command, trains (as the ``train`` command)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "serve":
        from .serving.server import main as serve

        return serve(argv[1:])
    if argv and argv[0] == "train":
        argv = argv[1:]
    return main(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    algorithms = ", ".join(sorted(BUILTIN_ALGORITHMS))
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE.format(algorithms=algorithms), end="")
        return 0
    try:
        env = TrainingEnvironment()
    except UserError as e:
        return _fail(_failure_path(), f"ClientError: {e}", 1)

    program = env.hyperparameter("sagemaker_program") or os.environ.get("SAGEMAKER_PROGRAM")
    if program:
        from . import script
        try:
            return script.run(env, str(program))
        except UserError as e:
            return _fail(env.failure_file, str(e), 1)

    algorithm = os.environ.get("ATELIER_BUILTIN_ALGORITHM", "").strip()
    if algorithm:
        return run_builtin(env, algorithm)
    return _fail(env.failure_file, NO_PROGRAM.format(algorithms=algorithms), 2)


if __name__ == "__main__":
    sys.exit(main())
