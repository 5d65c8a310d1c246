"""The ``serve`` command: gunicorn with ``$SAGEMAKER_MODEL_SERVER_WORKERS`` workers running
:class:`~atelier.toolkit.serving.app.ModelServer` on ``$BIND_ADDRESS:$PORT``.

gunicorn's master process is this one: SIGTERM (or SIGINT) stops it gracefully (the workers
finish the requests they have, for up to 20 s), SIGHUP reloads the workers (and the model). A
worker busy on one request for longer than ``$SAGEMAKER_MODEL_SERVER_TIMEOUT`` seconds is killed
and replaced, as in SageMaker's containers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from .app import ModelServer, ServingConfig, log

USAGE = """\
usage: serve

Serves the model in /opt/ml/model ($SM_MODEL_DIR) over HTTP, as SageMaker's hosting containers:
GET /ping and POST /invocations on $BIND_ADDRESS:$PORT (0.0.0.0:8080), with
$SAGEMAKER_MODEL_SERVER_WORKERS workers (one per CPU) and a $SAGEMAKER_MODEL_SERVER_TIMEOUT (60 s)
limit per request. The model is
  script mode      when $SAGEMAKER_PROGRAM names the inference script (model_fn, input_fn,
                   predict_fn, output_fn), in /opt/ml/model/code or $SAGEMAKER_SUBMIT_DIRECTORY
  built-in         a scikit-learn model.joblib (CSV or JSON in, CSV or JSON out per Accept)
"""

GRACEFUL_TIMEOUT = 20


def gunicorn_options(config: ServingConfig) -> dict:
    return {
        "bind": f"[{config.bind_address}]:{config.port}" if ":" in config.bind_address
        else f"{config.bind_address}:{config.port}",
        "workers": config.workers,
        # gthread with one thread a worker: one request at a time a worker, as sync workers, but
        # the connection stays open between requests (sync workers close every one), so the
        # router's pooled connections are reused; the router closes idle ones first (after 4 s).
        "worker_class": "gthread",
        "threads": 1,
        "timeout": config.timeout,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": 5,
        "errorlog": "-",
        "accesslog": None,
        "loglevel": "info",
        "proc_name": "atelier-serve",
        # The model loads in each worker, after the fork: a model_fn's threads, sockets or
        # native state would not survive one.
        "preload_app": False,
    }


def build_application(config: ServingConfig):
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self):
            for key, value in gunicorn_options(config).items():
                self.cfg.set(key, value)

        def load(self):
            # In each worker (preload_app is off): its own model, loading in the background.
            server = ModelServer(config)
            server.start_loading()
            return server

    return Application()


def install_requirements(config: ServingConfig) -> None:
    """pip-installs ``requirements.txt`` beside the inference script, once, before the workers start
    (into the environment, or a temporary folder on PYTHONPATH when it is read-only)."""
    if not config.program:
        return
    from .script_mode import find_script

    try:
        script = find_script(config.program, config.model_dir, config.base_dir, config.environ)
    except FileNotFoundError:
        return   # each worker reports it, and /ping answers 500 with it
    requirements = script.parent / "requirements.txt"
    if not requirements.is_file():
        return
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
           "--progress-bar", "off", "-r", str(requirements)]
    if not os.access(sysconfig.get_paths()["purelib"], os.W_OK):
        target = Path(tempfile.gettempdir()) / "atelier-serve-requirements"
        cmd += ["--target", str(target)]
        sys.path.insert(0, str(target))
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(target), os.environ.get("PYTHONPATH", "")) if p)
    log(f"installing {requirements} (pip install -r)")
    result = subprocess.run(cmd, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        log(f"pip install -r {requirements} exited with code {result.returncode}; serving without it")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE, end="")
        return 0
    if argv:
        print(f"serve: takes no arguments (got {' '.join(argv)}); it is configured by its environment\n" + USAGE,
              file=sys.stderr, end="")
        return 2
    try:
        config = ServingConfig.from_environ()
    except ValueError as e:
        log(str(e))
        return 2
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        log("gunicorn is not installed in this environment: pip install gunicorn")
        return 2
    install_requirements(config)
    log(f"serving {config.model_dir} on {config.bind_address}:{config.port} with {config.workers} worker(s), "
        f"{config.timeout}s per request" + (f", script {config.program}" if config.program else ""))
    # gunicorn parses sys.argv for its own options when it starts: give it none of ours.
    sys.argv = [sys.argv[0] if sys.argv else "serve"]
    build_application(config).run()
    return 0
