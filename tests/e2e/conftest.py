"""Fixtures of the end-to-end suite.

Every test runs once per backend:

- ``local``: stock jupyter_server with its own local kernels (the reference behaviour);
- ``atelier``: stock jupyter_server in gateway mode on the Atelier server;
- ``frontdoor``: the same, with the client talking to Atelier's front door, which serves the
  kernel channels itself and proxies everything else to jupyter_server;
- ``docker``: the front door with every kernel on a Docker instance (``atelier/base:latest``,
  built by ``images/build.sh``) instead of a local process.

``ATELIER_E2E_BACKENDS=local`` (or ``atelier``, or ``local,atelier``) restricts the run.
Processes are started once per backend (session scope; pytest groups the tests by backend), in
each test process when the suite runs in several (``-n 2``, see ``pytest_collection_modifyitems``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from client import KernelClient, Rest
from servers import Atelier, JupyterServer, Proc, free_port, kill_pids, log_tail, start_atelier, start_jupyter_server

ALL_BACKENDS = ("local", "atelier", "frontdoor", "docker")
DOCKER_IMAGE = "atelier/base:latest"


def selected_backends() -> list[str]:
    raw = os.environ.get("ATELIER_E2E_BACKENDS", "").strip()
    if not raw:
        return list(ALL_BACKENDS)
    names = [b.strip() for b in raw.replace(" ", ",").split(",") if b.strip()]
    unknown = [b for b in names if b not in ALL_BACKENDS]
    if unknown:
        raise pytest.UsageError(f"ATELIER_E2E_BACKENDS: unknown backend(s) {unknown}; use {ALL_BACKENDS}")
    return names


def pytest_configure(config):
    config.addinivalue_line("markers", "backends(*names): the test runs on these backends only")
    try:
        import pytest_timeout  # noqa: F401
    except ImportError:
        # Without the plugin the marker is inert; every wait in the suite is bounded anyway.
        config.addinivalue_line("markers", "timeout(seconds): per-test time limit (pytest-timeout)")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        backends = selected_backends()
        only = getattr(metafunc.module, "BACKENDS", None)
        if only is not None:
            # A module about one backend's own features runs only on that backend.
            backends = [b for b in backends if b in only]
        marker = metafunc.definition.get_closest_marker("backends")
        if marker is not None:
            # A test of a behaviour that only some backends have (say why in the test).
            backends = [b for b in backends if b in marker.args]
        metafunc.parametrize("backend", backends, indirect=True, scope="session")


@dataclass
class Backend:
    name: str
    jupyter: JupyterServer
    atelier_proc: Proc | None
    rest: Rest
    tmp: Path
    kernel_pids: list[int] = field(default_factory=list)
    #: The Atelier server's own API, with its token (None for ``local``).
    atelier: Rest | None = None

    @property
    def in_containers(self) -> bool:
        """Kernels run in containers: their pids are not the host's."""
        return self.name == "docker"

    @property
    def root_dir(self) -> Path:
        return self.jupyter.root_dir

    def log_tails(self, lines: int = 40) -> str:
        out = [f"--- jupyter_server log ({self.jupyter.proc.log}) ---",
               log_tail(self.jupyter.proc.log, lines)]
        if self.atelier_proc is not None:
            out += [f"--- Atelier server log ({self.atelier_proc.log}) ---",
                    log_tail(self.atelier_proc.log, lines)]
        return "\n".join(out)


@dataclass
class SharedAtelier:
    """An Atelier server in gateway mode's configuration (no front door, kernels in local
    processes) and its notebook folder."""

    server: Atelier
    root: Path


@pytest.fixture(scope="session")
def shared_atelier():
    """One Atelier server of the plain configuration for the whole run: the ``atelier`` backend's
    jupyter_server uses it, and so does the jobs module (``test_jobs.py``), instead of a JVM, an
    embedded object store and a database started for each. Its users create what they look at
    under unique names and find it by them, so they do not see each other's work."""
    tmp = Path(tempfile.mkdtemp(prefix="atelier-e2e-shared-"))
    root = tmp / "notebooks"
    root.mkdir()
    server = start_atelier(tmp / "atelier", root)
    try:
        yield SharedAtelier(server, root)
    finally:
        server.proc.stop()
        if os.environ.get("ATELIER_E2E_KEEP_TMP"):
            print(f"\nkept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def backend(request):
    name = request.param
    tmp = Path(tempfile.mkdtemp(prefix=f"atelier-e2e-{name}-"))
    root = tmp / "notebooks"
    root.mkdir()
    atelier = None
    own_atelier = True
    jupyter = None
    b = None
    try:
        jupyter_port = free_port()
        if name == "atelier":
            shared = request.getfixturevalue("shared_atelier")
            atelier, root, own_atelier = shared.server, shared.root, False
        elif name == "frontdoor":
            atelier = start_atelier(tmp / "atelier", root, front_door_for=jupyter_port)
        elif name == "docker":
            import subprocess
            r = subprocess.run(["docker", "image", "inspect", DOCKER_IMAGE], capture_output=True, text=True)
            if r.returncode != 0:
                pytest.fail(f"the docker backend needs Docker and {DOCKER_IMAGE}: run `bash images/build.sh` "
                            f"(docker said: {(r.stderr or r.stdout).strip()[:300]})")
            atelier = start_atelier(tmp / "atelier", root, front_door_for=jupyter_port,
                                    extra_env={"ATELIER_DEFAULT_IMAGE": DOCKER_IMAGE})
        jupyter = start_jupyter_server(tmp / "jupyter", root, gateway=atelier, port=jupyter_port)
        entry = atelier.front_door_url if name in ("frontdoor", "docker") else jupyter.url
        b = Backend(name, jupyter, atelier.proc if atelier else None, Rest(entry, jupyter.token), tmp,
                    atelier=Rest(atelier.url, atelier.token) if atelier else None)
        yield b
    finally:
        if b is not None:
            # shut the kernels down through the API first, as a user closing notebooks would
            try:
                for s in b.rest.get("/api/sessions", timeout=10).json():
                    b.rest.delete(f"/api/sessions/{s['id']}", timeout=20)
            except Exception:
                pass
        if jupyter is not None:
            jupyter.proc.stop()
        if atelier is not None and own_atelier:
            atelier.proc.stop()
        if b is not None:
            kill_pids(b.kernel_pids)
        if os.environ.get("ATELIER_E2E_KEEP_TMP"):
            print(f"\nkept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class Kernel:
    """A notebook session: its REST model and a connected KernelClient."""

    backend: Backend
    session: dict
    client: KernelClient
    pid: int | None = None

    @property
    def id(self) -> str:
        return self.session["kernel"]["id"]

    def new_client(self, session_id: str | None = None) -> KernelClient:
        return KernelClient(self.backend.rest, self.id, session_id=session_id)


def open_notebook(backend: Backend, stem: str) -> Kernel:
    path = f"{stem}-{uuid.uuid4().hex[:8]}.ipynb"
    session = backend.rest.create_session(path)
    c = KernelClient(backend.rest, session["kernel"]["id"])
    c.connect(wait_ready=True, timeout=60)
    k = Kernel(backend, session, c)
    k.pid = int(c.eval("__import__('os').getpid()"))
    if not backend.in_containers:
        backend.kernel_pids.append(k.pid)
    return k


def close_notebook(k: Kernel) -> None:
    k.client.close()
    try:
        k.backend.rest.delete(f"/api/sessions/{k.session['id']}", timeout=30)
    except Exception:
        pass


@pytest.fixture
def notebook(backend, request):
    k = open_notebook(backend, request.node.originalname)
    yield k
    close_notebook(k)


@pytest.fixture
def notebook_factory(backend, request):
    opened: list[Kernel] = []

    def make(stem: str | None = None) -> Kernel:
        k = open_notebook(backend, stem or request.node.originalname)
        opened.append(k)
        return k

    yield make
    for k in opened:
        close_notebook(k)


@pytest.hookimpl(tryfirst=True)   # before pytest-xdist reads the groups off the markers
def pytest_collection_modifyitems(config, items):
    """With ``-n N`` (pytest-xdist, ``--dist loadgroup``) the suite runs in N processes. Tests are
    handed out in groups that keep what they share in one process: a backend's tests together
    (its servers start once there), and a module's other tests with their module's fixtures (the
    ``test_sagemaker*`` modules as one). A
    process runs its groups one after another, so no two tests of a group ever overlap."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("backend") if callspec is not None else None
        module = item.module.__name__
        # The SageMaker-compatible API's modules share one group, so one process runs them all.
        module = "sagemaker" if module.startswith("test_sagemaker") else module
        group = f"backend-{backend}" if backend else f"module-{module}"
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and "backend" in item.funcargs:
        b = item.funcargs["backend"]
        if isinstance(b, Backend):
            rep.sections.append((f"server logs ({b.name})", b.log_tails()))
