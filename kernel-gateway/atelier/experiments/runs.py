"""Runs started from a notebook: ``%%atelier_run`` / ``%atelier_run``, on the stock mlflow client.

A run is ``mlflow.start_run`` on the experiment (created when missing) with the run name, tagged
with where it came from (the notebook); the cell magic ends it FINISHED, or FAILED when the cell
raises (KILLED when it is interrupted), and the exception goes on to the notebook.
"""

from __future__ import annotations

import ast
import os
from typing import Any, Mapping

SOURCE_TYPE = "NOTEBOOK"


class TargetError(ValueError):
    """``EXPERIMENT/RUN`` is malformed."""


def parse_target(text: str) -> tuple[str, str]:
    """``EXPERIMENT/RUN`` as (experiment, run). The run name is what follows the last ``/``, so an
    experiment name may itself hold ``/``; both must be non-empty."""
    value = (text or "").strip()
    experiment, sep, run = value.rpartition("/")
    experiment, run = experiment.strip(), run.strip()
    if not sep or not experiment or not run:
        raise TargetError(f"expected EXPERIMENT/RUN (for example iris/baseline), got {value!r}"
                          + ("" if value else " (nothing)"))
    return experiment, run


def notebook_path(environ: Mapping[str, str] | None = None) -> str | None:
    """The kernel's notebook, relative to the notebook root when the server says so:
    ``ATELIER_NOTEBOOK_PATH`` (the session's path), else jupyter_server's ``JPY_SESSION_NAME``
    (made relative to ``ATELIER_ROOT_DIR`` when it is under it)."""
    env = os.environ if environ is None else environ
    path = (env.get("ATELIER_NOTEBOOK_PATH") or "").strip()
    if path:
        return path.lstrip("/")
    name = (env.get("JPY_SESSION_NAME") or "").strip()
    if not name:
        return None
    root = (env.get("ATELIER_ROOT_DIR") or "").rstrip("/")
    if root and name.startswith(root + "/"):
        return name[len(root) + 1:]
    return name


def source_tags(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Where a notebook's run came from, in Atelier's tags and MLflow's own."""
    tags = {"atelier.source.type": SOURCE_TYPE, "mlflow.source.type": SOURCE_TYPE}
    path = notebook_path(environ)
    if path:
        tags["atelier.source.name"] = path
        tags["mlflow.source.name"] = path
    return tags


def _refused(action: str, e: Exception) -> RuntimeError:
    message = getattr(e, "message", None) or str(e)
    return RuntimeError(f"the tracking server refused to {action}: {message}")


def experiment_id(name: str) -> str:
    """The id of the experiment named ``name``, created when missing."""
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    client = MlflowClient()
    try:
        found = client.get_experiment_by_name(name)
        if found is not None:
            if found.lifecycle_stage == "deleted":
                raise RuntimeError(f"experiment {name!r} is deleted: restore it or choose another name")
            return found.experiment_id
        try:
            return client.create_experiment(name)
        except MlflowException as e:
            if getattr(e, "error_code", "") != "RESOURCE_ALREADY_EXISTS":
                raise
            found = client.get_experiment_by_name(name)  # created meanwhile by someone else
            if found is None:
                raise
            return found.experiment_id
    except MlflowException as e:
        raise _refused(f"find or create experiment {name!r}", e) from None


def start(experiment: str, run: str, tags: Mapping[str, str] | None = None,
          params: Mapping[str, str] | None = None, nested: bool = False):
    """Start run ``run`` in ``experiment`` (created when missing), with the notebook's source tags,
    ``tags`` and ``params``; the mlflow ``ActiveRun``."""
    import mlflow
    from mlflow.exceptions import MlflowException

    exp_id = experiment_id(experiment)
    try:
        active = mlflow.start_run(experiment_id=exp_id, run_name=run, nested=nested,
                                  tags={**source_tags(), **dict(tags or {})})
    except MlflowException as e:
        raise _refused(f"start run {run!r} in experiment {experiment!r}", e) from None
    if params:
        try:
            mlflow.log_params(dict(params))
        except MlflowException as e:
            mlflow.end_run(status="FAILED")
            raise _refused(f"log the parameters of run {run!r}", e) from None
    return active


def end(run_id: str, status: str = "FINISHED") -> None:
    """End ``run_id`` with ``status``: as the active run when it is the active one."""
    import mlflow
    from mlflow.tracking import MlflowClient

    active = mlflow.active_run()
    if active is not None and active.info.run_id == run_id:
        mlflow.end_run(status=status)
    else:
        MlflowClient().set_terminated(run_id, status=status)


def run_cell_code(shell, cell: str) -> Any:
    """Run a cell's code in the user's namespace as IPython would (its magics and ``!`` lines
    transformed, its source shown in tracebacks); the value of its last expression. What the code
    raises goes on to the caller."""
    __tracebackhide__ = True  # noqa: F841 - IPython leaves this frame out of tracebacks
    code = shell.transform_cell(cell)
    filename = shell.compile.cache(code, shell.execution_count, raw_code=cell)
    tree = shell.compile.ast_parse(code, filename=filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(shell.compile(tree, filename, "exec"), shell.user_global_ns, shell.user_ns)
    if last is not None:
        return eval(shell.compile(last, filename, "eval"), shell.user_global_ns, shell.user_ns)
    return None
