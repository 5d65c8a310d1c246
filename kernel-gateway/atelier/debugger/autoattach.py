"""Zero-code attach: the hook attaches itself to Keras, XGBoost and PyTorch when they are imported,
in a job that has ``debughookconfig.json``, with the training script unchanged.

How: the images put ``atelier-debugger.pth`` in the environment's site-packages (``python -m
atelier.debugger.autoattach --install``). Python runs a ``.pth`` file's ``import`` line at every
start; this module then looks for the job's ``debughookconfig.json`` (``$SM_INPUT_CONFIG_DIR``, else
``$SM_BASE_DIR/input/config``, else ``/opt/ml/input/config``) and, only when it exists, adds an
import hook to ``sys.meta_path``: when ``keras``, ``xgboost`` or ``torch`` is first imported, the
matching framework hook is installed on it (``keras.Model.fit`` adds the callback, ``xgboost.train``
adds the training callback, torch gets global module and optimizer hooks). Without the file it does
nothing but that one check. ``ATELIER_DEBUGGER=off`` turns it off.
"""

from __future__ import annotations

import os
import sys

PTH_NAME = "atelier-debugger.pth"
PTH_LINE = "import atelier.debugger.autoattach\n"


def _install_keras(module) -> None:
    from .keras_hook import install

    install(module)


def _install_xgboost(module) -> None:
    from .xgboost_hook import install

    install(module)


def _install_torch(module) -> None:
    from .torch_hook import install_global

    install_global(module)


PATCHES = {"keras": _install_keras, "xgboost": _install_xgboost, "torch": _install_torch}


class _Loader:
    """Runs the real loader, then the patch. (Plain classes: importing importlib.abc at every
    Python start would cost more than everything else here.)"""

    def __init__(self, loader, patch):
        self._loader = loader
        self._patch = patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        try:
            self._patch(module)
        except Exception as e:  # noqa: BLE001 - never break the user's import
            print(f"atelier.debugger: could not attach to {module.__name__}: {type(e).__name__}: {e}",
                  file=sys.stderr, flush=True)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _Finder:
    def __init__(self):
        self._busy: set[str] = set()

    def find_spec(self, fullname, path, target=None):
        patch = PATCHES.get(fullname)
        if patch is None or fullname in self._busy:
            return None
        import importlib.util

        self._busy.add(fullname)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy.discard(fullname)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _Loader(spec.loader, patch)
        return spec


def activate() -> bool:
    """Adds the import hook when the job has a hook configuration; True when it did."""
    env = os.environ
    if env.get("ATELIER_DEBUGGER", "").lower() in ("off", "0", "false"):
        return False
    # As config.config_path(), without importing it: this runs at every Python start.
    folder = env.get("SM_INPUT_CONFIG_DIR") or os.path.join(env.get("SM_BASE_DIR") or "/opt/ml", "input", "config")
    if not os.path.isfile(os.path.join(folder, "debughookconfig.json")):
        return False
    if any(isinstance(f, _Finder) for f in sys.meta_path):
        return True
    for name, patch in PATCHES.items():  # already imported (activate() called late): patch now
        if name in sys.modules:
            patch(sys.modules[name])
    sys.meta_path.insert(0, _Finder())
    return True


def install_pth(site_packages: str | None = None) -> str:
    """Writes ``atelier-debugger.pth`` into site-packages (the images' build does it); its path."""
    import sysconfig

    folder = site_packages or sysconfig.get_paths()["purelib"]
    path = os.path.join(folder, PTH_NAME)
    with open(path, "w") as f:
        f.write(PTH_LINE)
    return path


if __name__ == "__main__":
    if sys.argv[1:] == ["--install"]:
        print(install_pth())
    else:
        print("usage: python -m atelier.debugger.autoattach --install", file=sys.stderr)
        sys.exit(2)
else:
    try:
        activate()
    except Exception as e:  # noqa: BLE001 - a .pth import must never stop Python from starting
        print(f"atelier.debugger: zero-code attach is off: {type(e).__name__}: {e}", file=sys.stderr)
