"""Content types of ``POST /invocations``: which one a request gives, which one its ``Accept``
asks for, and the default encoders and decoders of the sagemaker framework containers (CSV, JSON,
NumPy's ``.npy``).

A problem with the request is a :class:`RequestError` carrying its HTTP status: 400 for a body
that cannot be read as its content type says, 406 for an ``Accept`` no encoder can produce, 415
for a ``Content-Type`` no decoder reads.
"""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Any, Iterable

CSV = "text/csv"
JSON = "application/json"
NPY = "application/x-npy"
SUPPORTED = (JSON, CSV, NPY)
# The SageMaker variables that name the defaults for a request without Content-Type or Accept
# (or with ``Accept: */*``).
DEFAULT_CONTENT_TYPE_ENV = "SAGEMAKER_DEFAULT_INVOCATIONS_CONTENT_TYPE"
DEFAULT_ACCEPT_ENV = "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT"


class RequestError(Exception):
    """A request the model server refuses: ``status`` (4xx) and a message for the caller."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def media_type(header: str | None) -> str:
    """``text/csv; charset=utf-8`` -> ``text/csv`` (lower case); "" for none."""
    return (header or "").split(";", 1)[0].strip().lower()


def default_content_type() -> str:
    return media_type(os.environ.get(DEFAULT_CONTENT_TYPE_ENV)) or CSV


def default_accept() -> str:
    return media_type(os.environ.get(DEFAULT_ACCEPT_ENV)) or JSON


def request_content_type(header: str | None) -> str:
    """The request's media type, or the default one when it names none."""
    return media_type(header) or default_content_type()


def _accept_ranges(header: str) -> list[tuple[float, int, str]]:
    ranges = []
    for position, item in enumerate(header.split(",")):
        parts = [p.strip() for p in item.split(";")]
        if not parts[0]:
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((-q, position, parts[0].lower()))
    return sorted(ranges)


def negotiate(accept: str | None, offered: Iterable[str] = SUPPORTED, default: str | None = None) -> str:
    """The media type to answer in: the first of ``offered`` that ``accept`` takes, by quality then
    order; ``default`` (else :func:`default_accept`) when ``accept`` is missing or takes anything.
    A :class:`RequestError` 406 when it takes none of them."""
    offered = list(offered)
    default = default or default_accept()
    if not (accept or "").strip():
        return default
    for _, _, wanted in _accept_ranges(accept):
        if wanted in ("*/*", "*"):
            return default if default in offered else offered[0]
        if wanted.endswith("/*"):
            prefix = wanted[:-1]
            if default.startswith(prefix) and default in offered:
                return default
            for media in offered:
                if media.startswith(prefix):
                    return media
        elif wanted in offered:
            return wanted
    raise RequestError(406, f"cannot answer in {accept}: the model answers in {', '.join(offered)}")


def unsupported(content_type: str, readable: Iterable[str] = SUPPORTED) -> RequestError:
    return RequestError(415, f"cannot read Content-Type {content_type or '(none)'}: "
                             f"the model reads {', '.join(readable)}")


def text_of(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise RequestError(400, f"the body is not UTF-8 text: {e}") from None


# -- rows (the built-in models' input) ---------------------------------------------------------


def csv_rows(body: bytes) -> list[list[str]]:
    """CSV rows of features (no header), blank lines skipped."""
    try:
        rows = [row for row in csv.reader(io.StringIO(text_of(body)), skipinitialspace=True) if row]
    except csv.Error as e:
        raise RequestError(400, f"the body is not valid CSV: {e}") from None
    if not rows:
        raise RequestError(400, "the body holds no rows: send one row of features a line")
    return rows


def json_value(body: bytes) -> Any:
    try:
        return json.loads(text_of(body))
    except ValueError as e:
        raise RequestError(400, f"the body is not valid JSON: {e}") from None


def json_rows(body: bytes) -> list[Any]:
    """``{"instances": [...]}`` or a bare list: a list of rows (a list of scalars is one row)."""
    value = json_value(body)
    if isinstance(value, dict):
        if "instances" not in value:
            raise RequestError(400, 'a JSON object must hold the rows as "instances": {"instances": [[...], ...]}')
        value = value["instances"]
    if not isinstance(value, list) or not value:
        raise RequestError(400, 'the JSON body must be a non-empty list of rows, or {"instances": [[...], ...]}')
    if all(not isinstance(v, (list, dict)) for v in value):
        return [value]   # one row
    return value


def npy_array(body: bytes):
    import numpy as np

    try:
        return np.load(io.BytesIO(body), allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise RequestError(400, f"the body is not a NumPy .npy array: {e}") from None


# -- the framework containers' default decoder and encoder (script mode) ------------------------


def decode(body: bytes, content_type: str):
    """The body as a NumPy array, as sagemaker's default ``input_fn``: JSON (``np.array`` of the
    value), CSV (numbers, one row a line) or ``.npy``."""
    import numpy as np

    if content_type == JSON:
        return np.array(json_value(body))
    if content_type == CSV:
        rows = csv_rows(body)
        try:
            return np.array([[float(v) if v.strip() else np.nan for v in row] for row in rows])
        except ValueError as e:
            raise RequestError(400, f"the CSV body holds something that is not a number: {e}") from None
    if content_type == NPY:
        return npy_array(body)
    raise unsupported(content_type)


def _plain(value: Any) -> Any:
    """NumPy and pandas values as plain Python (lists, numbers, strings)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "to_numpy"):
        return value.to_numpy().tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "item"):
        return value.item()
    return value


def encode_csv(values: Any) -> bytes:
    """One line per prediction; a prediction that is a list (probabilities, several outputs) as a
    comma-separated row."""
    values = _plain(values)
    if not isinstance(values, list):
        values = [values]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for value in values:
        writer.writerow(value if isinstance(value, list) else [value])
    return out.getvalue().encode()


def encode(prediction: Any, accept: str) -> bytes:
    """A prediction as sagemaker's default ``output_fn`` encodes it in ``accept``."""
    if accept == JSON:
        return json.dumps(_plain(prediction)).encode()
    if accept == CSV:
        return encode_csv(prediction)
    if accept == NPY:
        import numpy as np

        out = io.BytesIO()
        np.save(out, np.asarray(prediction), allow_pickle=False)
        return out.getvalue()
    raise RequestError(406, f"cannot answer in {accept}: the default output_fn answers in {', '.join(SUPPORTED)}")


def plain(value: Any) -> Any:
    """``value`` with NumPy and pandas values made plain Python, for JSON."""
    return _plain(value)
