"""What ``Predictor.predict`` sends: the data as a request body, shaped like ``sagemaker.serializers``.

A serializer has ``serialize(data) -> bytes | str`` and ``CONTENT_TYPE`` (the request's
``Content-Type``):

- ``CSVSerializer()``: a string as it is, a row (list of values) as one line, rows (a list of
  lists, a NumPy array, a pandas DataFrame) as one line each; no header;
- ``JSONSerializer()``: ``json.dumps`` of the data, NumPy arrays and pandas values as lists;
- ``NumpySerializer(dtype=None)``: NumPy's ``.npy`` format;
- ``IdentitySerializer(content_type)``: bytes (or a string) as they are.
"""

from __future__ import annotations

import csv
import io
import json
from abc import ABC, abstractmethod
from typing import Any

__all__ = ["BaseSerializer", "CSVSerializer", "IdentitySerializer", "JSONSerializer", "NumpySerializer",
           "SimpleBaseSerializer"]


class BaseSerializer(ABC):
    """Turns data into a request body."""

    @abstractmethod
    def serialize(self, data: Any) -> bytes | str:
        """The request body for ``data``."""

    @property
    @abstractmethod
    def CONTENT_TYPE(self) -> str:  # noqa: N802 - the sagemaker SDK's name
        """The body's media type."""


class SimpleBaseSerializer(BaseSerializer):
    """A serializer of one content type, given at construction."""

    def __init__(self, content_type: str = "application/json"):
        if not isinstance(content_type, str) or not content_type:
            raise ValueError(f"content_type must be a media type such as 'text/csv', not {content_type!r}")
        self.content_type = content_type

    @property
    def CONTENT_TYPE(self) -> str:  # noqa: N802
        return self.content_type

    def __repr__(self) -> str:
        return f"{type(self).__name__}(content_type={self.content_type!r})"


def _read_if_file(data: Any) -> Any:
    return data.read() if hasattr(data, "read") else data


def _as_plain(value: Any) -> Any:
    """NumPy and pandas values as lists and Python numbers."""
    if hasattr(value, "to_numpy") and hasattr(value, "columns"):   # a DataFrame
        return value.to_numpy().tolist()
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


class CSVSerializer(SimpleBaseSerializer):
    """Rows of values as CSV lines (no header)."""

    def __init__(self, content_type: str = "text/csv"):
        super().__init__(content_type)

    def serialize(self, data: Any) -> str:
        data = _read_if_file(data)
        if isinstance(data, bytes):
            return data.decode("utf-8")
        if isinstance(data, str):
            return data
        data = _as_plain(data)
        if not isinstance(data, (list, tuple)):
            raise TypeError(f"CSVSerializer takes a string, a row or rows of values, not {type(data).__name__}")
        if not data:
            raise ValueError("CSVSerializer: no rows to send")
        rows = data if all(isinstance(row, (list, tuple)) for row in data) else [data]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in rows:
            writer.writerow(_as_plain(list(row)))
        return out.getvalue()


class JSONSerializer(SimpleBaseSerializer):
    """The data as JSON (a string as it is, when it already is JSON text)."""

    def __init__(self, content_type: str = "application/json"):
        super().__init__(content_type)

    def serialize(self, data: Any) -> str:
        data = _read_if_file(data)
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        if isinstance(data, str):
            return data
        if hasattr(data, "to_dict") and hasattr(data, "columns"):   # a DataFrame: its rows
            data = data.to_numpy().tolist()

        def plain(value: Any) -> Any:
            converted = _as_plain(value)
            if converted is value:
                if hasattr(value, "item"):
                    return value.item()
                raise TypeError(f"JSONSerializer cannot send a {type(value).__name__}")
            return converted

        return json.dumps(data, default=plain)


class NumpySerializer(SimpleBaseSerializer):
    """The data as a NumPy ``.npy`` array (of ``dtype`` when given)."""

    def __init__(self, dtype: Any = None, content_type: str = "application/x-npy"):
        super().__init__(content_type)
        self.dtype = dtype

    def serialize(self, data: Any) -> bytes:
        import numpy as np

        data = _read_if_file(data)
        if isinstance(data, bytes):
            return data
        if hasattr(data, "to_numpy"):
            data = data.to_numpy()
        array = np.asarray(data, dtype=self.dtype)
        if array.size == 0:
            raise ValueError("NumpySerializer: the array is empty")
        out = io.BytesIO()
        np.save(out, array, allow_pickle=False)
        return out.getvalue()


class IdentitySerializer(SimpleBaseSerializer):
    """Bytes or a string sent as they are, with the given content type."""

    def __init__(self, content_type: str = "application/octet-stream"):
        super().__init__(content_type)

    def serialize(self, data: Any) -> bytes | str:
        data = _read_if_file(data)
        if not isinstance(data, (bytes, str)):
            raise TypeError(f"IdentitySerializer sends bytes or a string, not {type(data).__name__}")
        return data
