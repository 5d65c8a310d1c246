"""Serving in script mode: the user's inference script (``$SAGEMAKER_PROGRAM``, e.g. ``inference.py``)
with the functions of the sagemaker framework containers, each optional:

- ``model_fn(model_dir)``: the model; by default ``joblib.load(model_dir/model.joblib)`` when that
  file exists (the framework containers ask for a ``model_fn``; a joblib file needs none here);
- ``input_fn(request_body, request_content_type)``: the body (bytes) as the model's input; by
  default a NumPy array from JSON, CSV or ``.npy`` (415 for another content type);
- ``predict_fn(input_data, model)``: by default ``model.predict(input_data)``;
- ``output_fn(prediction, accept)``: the answer's body (bytes or str), or ``(body, content_type)``;
  by default JSON (the plain list), CSV or ``.npy`` as ``Accept`` asks (406 for another);
- ``transform_fn(model, request_body, content_type, accept)``: instead of the three above.

Each of them may take one parameter more, the request context (:mod:`.context`): the request's
headers, ``X-Amzn-SageMaker-Custom-Attributes`` among them, and the answer's headers and status.

The script is looked for in this order: ``<model dir>/code/`` (the sagemaker SDK packs it there),
``$SAGEMAKER_SUBMIT_DIRECTORY`` when it is a local folder (``file://`` or a path), then the
source folder the server stages for an ``s3://`` one: ``$SM_MODULE_DIR`` when it is a local
folder, else ``/opt/ml/code`` (``$SM_BASE_DIR/code``). The script's folder is put first on
``sys.path``, so its own modules import.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from typing import Any, Callable, Mapping

from . import codecs
from .codecs import RequestError
from .context import Answer, Context, RequestHeaders, answer_from, takes_context

FUNCTIONS = ("model_fn", "input_fn", "predict_fn", "output_fn", "transform_fn")
# How many arguments each takes before the optional context.
ARGUMENTS = {"model_fn": 1, "input_fn": 2, "predict_fn": 2, "output_fn": 2, "transform_fn": 4}


def source_dirs(model_dir: Path, base_dir: Path, environ: Mapping[str, str]) -> list[Path]:
    """Where the inference script may be, in the order they are looked in."""
    dirs = [model_dir / "code"]
    submitted = environ.get("SAGEMAKER_SUBMIT_DIRECTORY", "").strip()
    if submitted and not submitted.startswith("s3://"):
        dirs.append(Path(submitted[len("file://"):] if submitted.startswith("file://") else submitted))
    module_dir = environ.get("SM_MODULE_DIR", "")
    if module_dir and not module_dir.startswith("s3://"):
        dirs.append(Path(module_dir))
    dirs.append(base_dir / "code")
    return dirs


def find_script(program: str, model_dir: Path, base_dir: Path, environ: Mapping[str, str]) -> Path:
    looked = source_dirs(model_dir, base_dir, environ)
    for folder in looked:
        if (folder / program).is_file():
            return folder / program
    raise FileNotFoundError(f"the inference script SAGEMAKER_PROGRAM={program} is in none of "
                            f"{', '.join(str(d) for d in looked)}")


def import_script(path: Path):
    """The script imported as a module named after it, its folder first on ``sys.path``."""
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = path.stem if path.suffix == ".py" else path.name.replace(".", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def default_model_fn(model_dir: str):
    path = Path(model_dir) / "model.joblib"
    if not path.is_file():
        raise FileNotFoundError(f"the inference script has no model_fn(model_dir), and {path} does not exist "
                                f"for the default one (joblib.load): define model_fn to load your model")
    import joblib

    return joblib.load(path)


def default_input_fn(request_body: bytes, request_content_type: str):
    return codecs.decode(request_body, request_content_type)


def default_predict_fn(input_data: Any, model: Any):
    if not hasattr(model, "predict"):
        raise TypeError(f"the model is a {type(model).__name__}, which has no predict(): define predict_fn")
    return model.predict(input_data)


def default_output_fn(prediction: Any, accept: str):
    return codecs.encode(prediction, accept)


class ScriptMode:
    """The user's functions (or the defaults) around the model their ``model_fn`` loaded."""

    def __init__(self, script: Path, model_dir: Path, workers: int = 1):
        self.script = script
        self.model_dir = str(model_dir)
        self.workers = workers
        module = import_script(script)
        found = {name: getattr(module, name) for name in FUNCTIONS if callable(getattr(module, name, None))}
        # Which of the script's functions take the request context: decided once, from their signatures.
        self.with_context = {name: takes_context(function, ARGUMENTS[name]) for name, function in found.items()}
        self.model_fn: Callable = found.get("model_fn", default_model_fn)
        self.input_fn: Callable = found.get("input_fn", default_input_fn)
        self.predict_fn: Callable = found.get("predict_fn", default_predict_fn)
        self.output_fn: Callable = found.get("output_fn", default_output_fn)
        self.transform_fn: Callable | None = found.get("transform_fn")
        self.model = self._call("model_fn", self.model_fn, Context(self.model_dir, workers), self.model_dir)
        given = ", ".join(f"{name} (with context)" if self.with_context[name] else name for name in found)
        self.description = f"script mode: {script} ({given or 'no function (the defaults)'})"

    def _call(self, name: str, function: Callable, context: Context, *arguments: Any) -> Any:
        if self.with_context.get(name):  # the defaults are in no script: called as usual
            return function(*arguments, context)
        return function(*arguments)

    def invoke(self, body: bytes, content_type: str | None, accept: str | None,
               headers: RequestHeaders | None = None) -> Answer:
        context = Context(self.model_dir, self.workers, headers if headers is not None else RequestHeaders(
            {k: v for k, v in (("Content-Type", content_type), ("Accept", accept)) if v}))
        content_type = codecs.request_content_type(content_type)
        # As the framework containers: the user's functions get Accept as sent (the default for
        # none or */*); only the defaults refuse what they cannot produce.
        wanted = codecs.media_type(accept)
        if not wanted or wanted in ("*/*", "*"):
            wanted = codecs.default_accept()
        if self.transform_fn is not None:
            result = self._call("transform_fn", self.transform_fn, context, self.model, body, content_type, wanted)
        else:
            if self.output_fn is default_output_fn:
                wanted = codecs.negotiate(accept)
            data = self._call("input_fn", self.input_fn, context, body, content_type)
            prediction = self._call("predict_fn", self.predict_fn, context, data, self.model)
            result = self._call("output_fn", self.output_fn, context, prediction, wanted)
        returned_type = isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], str)
        answer, answer_type = _response(result, wanted)
        return answer_from(context, answer, answer_type, returned_type)


def _response(result: Any, accept: str) -> tuple[bytes, str]:
    content_type = accept
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], str):
        result, content_type = result
    if isinstance(result, str):
        return result.encode("utf-8"), content_type
    if isinstance(result, (bytes, bytearray, memoryview)):
        return bytes(result), content_type
    if inspect.isgenerator(result):
        return b"".join(bytes(chunk) if not isinstance(chunk, str) else chunk.encode() for chunk in result), content_type
    # Something else (a list, an array): encoded as the default output_fn would.
    return codecs.encode(result, content_type if content_type in codecs.SUPPORTED else codecs.JSON), content_type


def program(environ: Mapping[str, str]) -> str | None:
    value = environ.get("SAGEMAKER_PROGRAM", "").strip()
    return value or None

