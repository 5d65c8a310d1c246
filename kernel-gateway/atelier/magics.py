"""IPython magics, after ``%load_ext atelier``.

- ``%%atelier_train [options]``: the cell's code runs as a training job (script mode, ``train.py``),
  with debugger rules (``--rule vanishing_gradient --stop-training``)
- ``%atelier_jobs [--kind K] [--status S] [--limit N]``: recent jobs
- ``%atelier_logs NAME [--no-follow]``: a job's log (followed until it ends)
- ``%atelier_stop NAME``: stop a job
- ``%%atelier_run EXPERIMENT/RUN [--tag K=V] [--param K=V]``: the cell inside an mlflow run (``runmagic``)
- ``%atelier_run EXPERIMENT/RUN [...]`` / ``%atelier_run --end``: a run over the cells in between
"""

from __future__ import annotations

import os
import sys

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from .api import AtelierError, Session
from .magicargs import Help as _Help
from .magicargs import Parser as _Parser
from .magicargs import pairs as _pairs
from .magicargs import parse as _parse
from .display import format_duration, parse_time, show_table
from .job import JobFailed, job_by_name, list_jobs
from .debugging import PROFILER_RULES, DebuggerHookConfig, ProfilerConfig, ProfilerRule, Rule
from .training import Estimator

DEFAULT_IMAGE = "atelier/datascience:latest"


def _train_parser() -> _Parser:
    p = _Parser(prog="%%atelier_train", description="Run this cell's code as an Atelier training job (train.py in script mode).")
    p.add_argument("--image", default=DEFAULT_IMAGE, help=f"training image (default {DEFAULT_IMAGE})")
    p.add_argument("--instance-type", default=None, help="instance type (default $ATELIER_DEFAULT_INSTANCE_TYPE or ml.m5.large)")
    p.add_argument("--hp", action="extend", nargs="+", metavar="NAME=VALUE", default=[], help="hyperparameters")
    p.add_argument("--input", action="extend", nargs="+", metavar="CHANNEL=URI", default=[],
                   help="input channels: channel=s3://... or a local path (a bare URI is the train channel)")
    p.add_argument("--metric", action="extend", nargs="+", metavar="NAME=REGEX", default=[], help="metric definitions")
    p.add_argument("--output", default=None, metavar="S3URI", help="S3OutputPath")
    p.add_argument("--max-run", type=int, default=86400, metavar="SECONDS", help="maximum run time (default 86400)")
    p.add_argument("--name", default=None, help="the job's name (default: train-<timestamp>)")
    p.add_argument("--base-name", default="train", help="prefix of generated job names (default train)")
    p.add_argument("--no-wait", action="store_true", help="start the job and return")
    p.add_argument("--requirements", default=None, metavar="PKG,PKG", help="packages to pip install first (requirements.txt)")
    p.add_argument("--env", action="extend", nargs="+", metavar="NAME=VALUE", default=[], help="environment variables")
    p.add_argument("--rule", action="extend", nargs="+", metavar="RULE[:NAME=VALUE,...]", default=[],
                   help="built-in debugger or profiler rules beside the job, e.g. vanishing_gradient "
                        "loss_not_decreasing:num_steps=20")
    p.add_argument("--custom-rule", action="extend", nargs="+", metavar="FILE.py:CLASS", default=[],
                   help="your own rule: a class on atelier.debugger.Rule in FILE.py (or an s3:// URI)")
    p.add_argument("--stop-training", action="store_true", help="a rule that finds an issue stops the job (StopTraining)")
    p.add_argument("--save-interval", type=int, default=None, metavar="STEPS",
                   help="the debugger hook saves tensors every STEPS steps (default 500)")
    p.add_argument("--collections", default=None, metavar="NAME,NAME",
                   help="the collections the hook saves (default losses, metrics, weights, biases, gradients)")
    p.add_argument("--profile", action="store_true", help="profile the container's CPU, memory and I/O")
    return p


def _rules(args) -> list:
    """--rule and --custom-rule as Rule objects; a UsageError naming the bad item."""
    rules = []
    for item in args.rule:
        name, _, rest = item.partition(":")
        params = _pairs([kv for kv in rest.split(",") if kv], f"--rule {name}")
        kind = ProfilerRule if name in PROFILER_RULES or name in PROFILER_RULES.values() else Rule
        rules.append(kind.builtin(name, rule_parameters=params, stop_training=args.stop_training and kind is Rule))
    for item in args.custom_rule:
        source, sep, cls = item.rpartition(":")
        if not sep or not source or source == "s3":
            raise UsageError(f"--custom-rule expects FILE.py:CLASS, got {item!r}")
        rules.append(Rule.custom(cls, source=source, rule_to_invoke=cls, stop_training=args.stop_training))
    return rules


def _hook(args) -> DebuggerHookConfig | None:
    if args.save_interval is None and not args.collections:
        return None
    params = {"save_interval": args.save_interval} if args.save_interval is not None else None
    names = [c.strip() for c in (args.collections or "").split(",") if c.strip()]
    return DebuggerHookConfig(hook_parameters=params, collection_configs=names)


def _inputs(values) -> dict[str, str]:
    inputs: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or "/" in key or ":" in key or not key:
            key, value = "train", item  # a bare URI or path
        if key in inputs:
            raise UsageError(f"--input: channel {key!r} given twice")
        inputs[key] = value
    return inputs


@magics_class
class AtelierMagics(Magics):
    def _session(self) -> Session:
        return Session()

    @cell_magic
    def atelier_train(self, line: str, cell: str):
        """Run the cell's code as a training job. ``%%atelier_train --help`` for the options."""
        try:
            args = _parse(_train_parser(), line)
        except _Help:
            return None
        if not cell.strip():
            raise UsageError("%%atelier_train: the cell is empty; write the training code below the magic line")
        files = {"train.py": cell}
        if args.requirements:
            packages = [p.strip() for p in args.requirements.split(",") if p.strip()]
            if packages:
                files["requirements.txt"] = "\n".join(packages) + "\n"
        metrics = [{"Name": k, "Regex": v} for k, v in _pairs(args.metric, "--metric").items()]
        instance_type = args.instance_type or os.environ.get("ATELIER_DEFAULT_INSTANCE_TYPE") or "ml.m5.large"
        try:
            estimator = Estimator(
                args.image,
                instance_type=instance_type,
                hyperparameters=_pairs(args.hp, "--hp"),
                metric_definitions=metrics,
                output_path=args.output,
                max_run=args.max_run,
                environment=_pairs(args.env, "--env"),
                entry_point="train.py",
                files=files,
                base_job_name=args.base_name,
                session=self._session(),
                rules=_rules(args),
                debugger_hook_config=_hook(args),
                profiler_config=ProfilerConfig() if args.profile else None,
            )
            job = estimator.fit(_inputs(args.input) or None, job_name=args.name, wait=False)
        except (ValueError, FileNotFoundError) as e:
            raise UsageError(f"%%atelier_train: {e}") from None
        self.shell.user_ns["_atelier_job"] = job
        if args.no_wait:
            print(f"Started training job {job.name} (in _atelier_job); "
                  f"follow it with %atelier_logs {job.name}, stop it with %atelier_stop {job.name}")
            return None
        try:
            job.wait(logs=True)
        except KeyboardInterrupt:
            print(f"\nStopped waiting; training job {job.name} goes on. "
                  f"_atelier_job.wait() to wait again, %atelier_stop {job.name} to stop it.")
            return None
        model = job.model_data
        if model:
            print(f"Model: {model}")
        for status in job.rule_statuses() if (args.rule or args.custom_rule) else []:
            print(f"Rule {status.get('RuleConfigurationName')}: {status.get('RuleEvaluationStatus')}"
                  + (f" ({status['StatusDetails']})" if status.get("StatusDetails") else ""))
        return None

    @line_magic
    def atelier_jobs(self, line: str):
        """Recent training and processing jobs: ``%atelier_jobs [--kind K] [--status S] [--limit N]``."""
        p = _Parser(prog="%atelier_jobs", description="Recent Atelier jobs, newest first.")
        p.add_argument("--kind", choices=["training", "processing"], default=None)
        p.add_argument("--status", default=None)
        p.add_argument("--name-contains", default=None)
        p.add_argument("--limit", type=int, default=20)
        try:
            args = _parse(p, line)
        except _Help:
            return None
        jobs = list_jobs(kind=args.kind, status=args.status, name_contains=args.name_contains,
                         session=self._session())[: max(0, args.limit)]
        columns = ["Name", "Kind", "Status", "SecondaryStatus", "InstanceType", "Created", "Duration", "FailureReason"]
        rows = []
        for j in jobs:
            created = parse_time(j.get("CreationTime"))
            duration = j.get("DurationSeconds")
            rows.append([
                j.get("Name") or "", j.get("Kind") or "", j.get("Status") or "", j.get("SecondaryStatus") or "",
                j.get("InstanceType") or "", created.strftime("%Y-%m-%d %H:%M:%S") if created else "",
                format_duration(duration) if isinstance(duration, (int, float)) else "", (j.get("FailureReason") or "")[:120],
            ])
        show_table(columns, rows, css_class="atelier-jobs", empty="No jobs.")
        return None

    @line_magic
    def atelier_logs(self, line: str):
        """A job's log: ``%atelier_logs NAME [--no-follow]`` (followed until the job ends)."""
        p = _Parser(prog="%atelier_logs", description="Print a training or processing job's log.")
        p.add_argument("name")
        p.add_argument("--no-follow", action="store_true", help="print what there is and return")
        try:
            args = _parse(p, line)
        except _Help:
            return None
        job = self._job(args.name)
        try:
            job.logs(follow=not args.no_follow)
        except KeyboardInterrupt:
            print(f"\nStopped following {job.name}.")
        return None

    @line_magic
    def atelier_stop(self, line: str):
        """Stop a job: ``%atelier_stop NAME``."""
        p = _Parser(prog="%atelier_stop", description="Stop a training or processing job.")
        p.add_argument("name")
        try:
            args = _parse(p, line)
        except _Help:
            return None
        job = self._job(args.name)
        job.stop()
        print(f"Stopping {job.kind} job {job.name}.")
        return None

    def _job(self, name: str):
        try:
            return job_by_name(name, self._session())
        except ValueError as e:
            raise UsageError(str(e)) from None


__all__ = ["AtelierMagics", "AtelierError", "JobFailed"]
