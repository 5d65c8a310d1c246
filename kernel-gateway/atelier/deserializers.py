"""What ``Predictor.predict`` returns: the answer's body as data, shaped like ``sagemaker.deserializers``.

A deserializer has ``deserialize(stream, content_type)`` (``stream``: a file object of the body)
and ``ACCEPT`` (a tuple of media types, sent as the request's ``Accept``):

- ``JSONDeserializer()``: the decoded JSON (``{"predictions": [...]}`` from a built-in model);
- ``CSVDeserializer()``: a list of rows, each a list of strings;
- ``NumpyDeserializer(dtype=None)``: a NumPy array, from ``.npy``, CSV or JSON;
- ``StringDeserializer()`` and ``BytesDeserializer()``: the body as text or bytes.
"""

from __future__ import annotations

import csv
import io
import json
from abc import ABC, abstractmethod
from typing import Any, BinaryIO

__all__ = ["BaseDeserializer", "BytesDeserializer", "CSVDeserializer", "JSONDeserializer", "NumpyDeserializer",
           "SimpleBaseDeserializer", "StringDeserializer"]


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


class BaseDeserializer(ABC):
    """Turns an answer's body into data."""

    @abstractmethod
    def deserialize(self, stream: BinaryIO, content_type: str) -> Any:
        """The data in an answer's body."""

    @property
    @abstractmethod
    def ACCEPT(self) -> tuple[str, ...]:  # noqa: N802 - the sagemaker SDK's name
        """The media types it reads, for the Accept header."""


class SimpleBaseDeserializer(BaseDeserializer):
    """A deserializer that asks for the media types given at construction."""

    def __init__(self, accept: str | tuple[str, ...] | list[str] = "*/*"):
        self.accept = accept

    @property
    def ACCEPT(self) -> tuple[str, ...]:  # noqa: N802
        return (self.accept,) if isinstance(self.accept, str) else tuple(self.accept)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(accept={self.accept!r})"


class BytesDeserializer(SimpleBaseDeserializer):
    """The body as bytes."""

    def deserialize(self, stream: BinaryIO, content_type: str) -> bytes:
        return stream.read()


class StringDeserializer(SimpleBaseDeserializer):
    """The body as text."""

    def __init__(self, encoding: str = "UTF-8", accept: str | tuple[str, ...] = "application/json"):
        super().__init__(accept)
        self.encoding = encoding

    def deserialize(self, stream: BinaryIO, content_type: str) -> str:
        return stream.read().decode(self.encoding)


class JSONDeserializer(SimpleBaseDeserializer):
    """The body decoded as JSON."""

    def __init__(self, accept: str | tuple[str, ...] = "application/json"):
        super().__init__(accept)

    def deserialize(self, stream: BinaryIO, content_type: str) -> Any:
        raw = stream.read()
        try:
            return json.loads(raw)
        except ValueError:
            raise ValueError(f"the answer ({content_type or 'no content type'}) is not JSON: "
                             f"{raw[:200].decode('utf-8', 'replace')!r}") from None


class CSVDeserializer(SimpleBaseDeserializer):
    """The body as CSV: a list of rows, each a list of strings."""

    def __init__(self, encoding: str = "utf-8", accept: str | tuple[str, ...] = "text/csv"):
        super().__init__(accept)
        self.encoding = encoding

    def deserialize(self, stream: BinaryIO, content_type: str) -> list[list[str]]:
        text = stream.read().decode(self.encoding)
        return [row for row in csv.reader(io.StringIO(text)) if row]


class NumpyDeserializer(SimpleBaseDeserializer):
    """The body as a NumPy array: ``.npy``, CSV (numbers) or JSON, as its content type says."""

    def __init__(self, dtype: Any = None, accept: str | tuple[str, ...] = "application/x-npy",
                 allow_pickle: bool = False):
        super().__init__(accept)
        self.dtype = dtype
        self.allow_pickle = allow_pickle

    def deserialize(self, stream: BinaryIO, content_type: str):
        import numpy as np

        raw = stream.read()
        media = _media(content_type)
        if media == "text/csv":
            return np.genfromtxt(io.StringIO(raw.decode("utf-8")), delimiter=",", dtype=self.dtype)
        if media == "application/json":
            return np.array(json.loads(raw), dtype=self.dtype)
        if media in ("application/x-npy", "application/octet-stream", ""):
            array = np.load(io.BytesIO(raw), allow_pickle=self.allow_pickle)
            return array if self.dtype is None else array.astype(self.dtype)
        raise ValueError(f"NumpyDeserializer cannot read an answer of type {content_type}")
