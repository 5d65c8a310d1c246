"""``%%atelier_run`` and ``%atelier_run``: notebook code inside an mlflow run (stock client)."""

from __future__ import annotations

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class

from .experiments import runs as _runs
from .magicargs import Help, Parser, pairs, parse


def run_parser(prog: str = "%atelier_run"):
    p = Parser(prog=prog, description=(
        "Log to an mlflow run in EXPERIMENT (created when missing) named RUN. As a cell magic the run "
        "is the cell's (FINISHED, or FAILED if the cell raises); as a line magic it stays active for "
        "the following cells until %atelier_run --end or the next %atelier_run."))
    p.add_argument("target", nargs="?", metavar="EXPERIMENT/RUN")
    p.add_argument("--tag", action="extend", nargs="+", metavar="NAME=VALUE", default=[], help="tags of the run")
    p.add_argument("--param", action="extend", nargs="+", metavar="NAME=VALUE", default=[], help="parameters of the run")
    p.add_argument("--end", action="store_true", help="end the run %%atelier_run started (line magic)")
    p.add_argument("--status", choices=["FINISHED", "FAILED", "KILLED"], default="FINISHED",
                   help="the status --end gives the run (default FINISHED)")
    return p


def parse_run_line(line: str, cell: bool):
    """The options of ``%atelier_run`` / ``%%atelier_run``: (args, experiment, run, tags, params)."""
    prog = "%%atelier_run" if cell else "%atelier_run"
    args = parse(run_parser(prog), line)
    if args.end:
        if cell:
            raise UsageError(f"{prog}: --end is for the line magic; the cell magic ends its run with the cell")
        if args.target or args.tag or args.param:
            raise UsageError(f"{prog}: --end takes no EXPERIMENT/RUN, --tag or --param")
        return args, None, None, {}, {}
    if not args.target:
        raise UsageError(f"{prog}: expected EXPERIMENT/RUN (for example iris/baseline)")
    try:
        experiment, run = _runs.parse_target(args.target)
    except _runs.TargetError as e:
        raise UsageError(f"{prog}: {e}") from None
    return args, experiment, run, pairs(args.tag, "--tag"), pairs(args.param, "--param")


@magics_class
class RunMagics(Magics):
    """``%atelier_run``, registered by ``%load_ext atelier`` beside ``AtelierMagics``."""

    #: The run ``%atelier_run`` (line) started and has not ended: its id.
    _line_run_id: str | None = None

    @line_cell_magic
    def atelier_run(self, line: str, cell: str | None = None):
        """``%%atelier_run EXPERIMENT/RUN``: the cell in an mlflow run; ``%atelier_run EXPERIMENT/RUN``
        ... ``%atelier_run --end``: the cells in between. ``%atelier_run --help`` for the options."""
        __tracebackhide__ = True  # noqa: F841
        try:
            args, experiment, run, tags, params = parse_run_line(line, cell is not None)
        except Help:
            return None
        if cell is None:
            return self._line_run(args, experiment, run, tags, params)
        return self._cell_run(cell, experiment, run, tags, params)

    def _start(self, experiment, run, tags, params, nested):
        try:
            return _runs.start(experiment, run, tags=tags, params=params, nested=nested)
        except RuntimeError as e:
            raise UsageError(f"atelier_run: {e}") from None

    def _cell_run(self, cell: str, experiment, run, tags, params):
        __tracebackhide__ = True  # noqa: F841
        import mlflow

        active = self._start(experiment, run, tags, params, nested=mlflow.active_run() is not None)
        run_id = active.info.run_id
        status = "FAILED"
        try:
            value = _runs.run_cell_code(self.shell, cell)
            status = "FINISHED"
        except KeyboardInterrupt:
            status = "KILLED"
            raise
        finally:
            _runs.end(run_id, status)
            self._keep(run_id)
        return value

    def _line_run(self, args, experiment, run, tags, params):
        import mlflow

        if self._line_run_id is not None:
            ended, self._line_run_id = self._line_run_id, None
            _runs.end(ended, args.status if args.end else "FINISHED")
            self._keep(ended)
            print(f"Ended run {ended} ({args.status if args.end else 'FINISHED'}).")
        elif args.end:
            print("No run started by %atelier_run is active.")
        if args.end:
            return None
        other = mlflow.active_run()
        if other is not None:
            raise UsageError(f"%atelier_run: run {other.info.run_id} is active already (not started by "
                             "%atelier_run): end it with mlflow.end_run() first, or use %%atelier_run on a cell")
        active = self._start(experiment, run, tags, params, nested=False)
        self._line_run_id = active.info.run_id
        self.shell.user_ns["_atelier_run"] = active
        print(f"Started run {run} ({active.info.run_id}) in experiment {experiment}; "
              "the following cells log to it until %atelier_run --end.")
        return None

    def _keep(self, run_id: str) -> None:
        """The ended run, as the server has it, in ``_atelier_run``."""
        from mlflow.exceptions import MlflowException
        from mlflow.tracking import MlflowClient

        try:
            self.shell.user_ns["_atelier_run"] = MlflowClient().get_run(run_id)
        except MlflowException:
            pass
