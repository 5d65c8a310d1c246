"""Experiments in a notebook, on top of the stock ``mlflow`` client (no second client API).

- ``%%atelier_run EXPERIMENT/RUN`` / ``%atelier_run EXPERIMENT/RUN`` ... ``%atelier_run --end``
  (after ``%load_ext atelier``): the cell, or the cells until ``--end``, inside an mlflow run;
- rich display of mlflow's ``Run`` and of ``MlflowClient.search_runs``' pages (registered by
  ``%load_ext atelier`` and by importing this module in a kernel);
- ``open(run=None, experiment=None)``: a button that shows the run or experiment in the
  Experiments panel.
"""

from __future__ import annotations

from typing import Any

from .render import MIME, register, run_bundle, run_link
from .runs import TargetError, notebook_path, parse_target, source_tags

__all__ = ["MIME", "ExperimentsLink", "TargetError", "notebook_path", "open", "parse_target", "register",
           "run_bundle", "source_tags"]


class ExperimentsLink:
    """What ``open()`` shows: Atelier's MIME type (a button in JupyterLab), with text for front ends
    without it. No HTML: JupyterLab with Atelier shows an output's HTML above the button (a run's
    display is its table and the button), and a link has nothing more to show."""

    def __init__(self, experiment_id: str | None = None, run_id: str | None = None, label: str | None = None):
        self.data: dict[str, str] = {}
        if experiment_id:
            self.data["experimentId"] = str(experiment_id)
        if run_id:
            self.data["runId"] = str(run_id)
        if label:
            self.data["label"] = label

    def _text(self) -> str:
        what = (f"run {self.data['runId']}" if "runId" in self.data else f"experiment {self.data.get('experimentId')}")
        return f"{self.data.get('label') or 'Open in Experiments'} ({what}): the Experiments panel in the left sidebar"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        return {MIME: dict(self.data), "text/plain": self._text()}

    def __repr__(self) -> str:
        return self._text()


def _resolve_run(run):
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    if hasattr(run, "info") and hasattr(run.info, "run_id"):
        return run
    if not isinstance(run, str) or not run.strip():
        raise TypeError(f"run must be an mlflow Run or a run id, got {type(run).__name__}")
    try:
        return MlflowClient().get_run(run.strip())
    except MlflowException as e:
        raise ValueError(f"no run {run!r}: {getattr(e, 'message', e)}") from None


def _resolve_experiment(experiment):
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    if hasattr(experiment, "experiment_id"):
        return experiment
    if not isinstance(experiment, (str, int)) or not str(experiment).strip():
        raise TypeError(f"experiment must be an mlflow Experiment, a name or an id, got {type(experiment).__name__}")
    value = str(experiment).strip()
    client = MlflowClient()
    found = client.get_experiment_by_name(value)
    if found is not None:
        return found
    try:
        return client.get_experiment(value)
    except MlflowException:
        raise ValueError(f"no experiment named or with id {value!r}") from None


def link(run=None, experiment=None) -> ExperimentsLink:
    """The link ``open()`` shows, without showing it."""
    if run is None and experiment is None:
        import mlflow

        active = mlflow.active_run()
        if active is None:
            raise ValueError("open() needs a run or an experiment (there is no active run)")
        run = active.info.run_id
    if run is not None:
        r = _resolve_run(run)
        data = run_link(r)
        return ExperimentsLink(data["experimentId"], data["runId"], data["label"])
    exp = _resolve_experiment(experiment)
    return ExperimentsLink(exp.experiment_id, None, f"Open experiment {exp.name} in Experiments")


def open(run=None, experiment=None) -> None:  # noqa: A001 - the SDK's name for it
    """Show ``run`` (an mlflow Run or a run id) or ``experiment`` (an Experiment, a name or an id)
    in the Experiments panel: displays a button that opens the panel there. With neither, the
    active run."""
    target = link(run, experiment)
    from ..display import notebook_display

    display = notebook_display()
    if display is None:
        print(target._text())
    else:
        display(target)


def _register_in_kernel() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        register(shell)


_register_in_kernel()
