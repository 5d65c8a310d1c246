"""Serving a built-in scikit-learn model: ``model.joblib`` (and ``metadata.json``) as
:mod:`atelier.toolkit.sklearn_builtin` writes them, or any ``model.joblib`` of an estimator.

In: CSV (rows of features, no header), JSON (``{"instances": [[...], ...]}``, a list of rows, or
rows as objects keyed by the feature names when the model has them) or ``.npy``. Out, as
``Accept`` asks: CSV (one prediction a line), JSON (``{"predictions": [...]}``) or ``.npy``.

The rows become a DataFrame with the training data's columns: a number where the model was fitted
on numbers, the text as it is in the columns it one-hot encodes, an empty value missing (the
model's Pipeline imputes it).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from . import codecs
from .codecs import RequestError
from .context import Answer, RequestHeaders

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"


class BuiltinSklearn:
    """A fitted scikit-learn model answering invocations."""

    def __init__(self, model_dir: Path):
        import joblib

        path = model_dir / MODEL_FILE
        self.model = joblib.load(path)
        if not hasattr(self.model, "predict"):
            raise TypeError(f"{path} holds a {type(self.model).__name__}, which has no predict()")
        meta_path = model_dir / METADATA_FILE
        self.metadata: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        names = self.metadata.get("feature_names")
        columns = self.metadata.get("feature_columns")
        if names:
            self.labels = [str(n) for n in names]
        elif columns:
            self.labels = [str(c) for c in columns]
        else:
            fitted = getattr(self.model, "feature_names_in_", None)
            self.labels = [str(n) for n in fitted] if fitted is not None else None
        self.feature_names = [str(n) for n in names] if names else (
            list(self.labels) if self.labels and getattr(self.model, "feature_names_in_", None) is not None else None)
        count = getattr(self.model, "n_features_in_", None)
        self.n_features = len(self.labels) if self.labels else (int(count) if count is not None else None)
        self.categorical = set(self.metadata.get("one_hot_encoded") or [])
        kind = self.metadata.get("estimator") or f"{type(self.model).__module__}.{type(self.model).__name__}"
        self.description = f"built-in scikit-learn model ({kind}, {self.n_features or '?'} features)"

    # -- input -------------------------------------------------------------------------------

    def rows(self, body: bytes, content_type: str) -> list[list[Any]]:
        if content_type == codecs.CSV:
            return codecs.csv_rows(body)
        if content_type == codecs.JSON:
            return [self._json_row(i, row) for i, row in enumerate(codecs.json_rows(body), 1)]
        if content_type == codecs.NPY:
            array = codecs.npy_array(body)
            if array.ndim == 1:
                array = array.reshape(1, -1)
            if array.ndim != 2:
                raise RequestError(400, f"the .npy array has {array.ndim} dimensions: send rows of features (2)")
            return array.tolist()
        raise codecs.unsupported(content_type)

    def _json_row(self, number: int, row: Any) -> list[Any]:
        if isinstance(row, dict):
            if not self.feature_names:
                raise RequestError(400, f"row {number} is an object, but the model has no feature names: "
                                        f"send each row as a list of {self.n_features or 'its'} values")
            missing = [n for n in self.feature_names if n not in row]
            if missing:
                raise RequestError(400, f"row {number} lacks the feature(s) {', '.join(missing)}")
            return [row[n] for n in self.feature_names]
        if not isinstance(row, list):
            raise RequestError(400, f"row {number} is {json.dumps(row)[:50]}, not a list of feature values")
        return row

    def frame(self, rows: list[list[Any]]):
        """The rows as the DataFrame the model was fitted on; a 400 naming the first bad value."""
        import numpy as np
        import pandas as pd

        width = self.n_features or len(rows[0])
        for number, row in enumerate(rows, 1):
            if len(row) != width:
                raise RequestError(400, f"row {number} has {len(row)} values; the model takes {width} features")
        labels = self.labels or [str(i) for i in range(width)]
        columns = {}
        for index, label in enumerate(labels):
            values = [row[index] for row in rows]
            if label in self.categorical:
                # Missing as NaN, as pandas read it in training: the Pipeline's imputer fills it in.
                columns[index] = [np.nan if _missing(v) else str(v) for v in values]
                continue
            numbers = []
            for number, value in enumerate(values, 1):
                if _missing(value):
                    numbers.append(np.nan)
                    continue
                try:
                    numbers.append(float(value))
                except (TypeError, ValueError):
                    raise RequestError(400, f"row {number}, feature {index + 1} ({label}): {str(value)[:40]!r} "
                                            f"is not a number") from None
            columns[index] = numbers
        frame = pd.DataFrame(columns)
        if self.feature_names:
            frame.columns = self.feature_names
        elif not self.categorical:
            return frame.to_numpy(dtype=float)
        return frame

    # -- an invocation -----------------------------------------------------------------------

    def invoke(self, body: bytes, content_type: str, accept: str | None,
               headers: RequestHeaders | None = None) -> Answer:
        answer_type = codecs.negotiate(accept)
        data = self.frame(self.rows(body, codecs.request_content_type(content_type)))
        try:
            predictions = self.model.predict(data)
        except (ValueError, TypeError) as e:
            raise RequestError(400, f"the model cannot predict on these rows: {e}") from None
        if answer_type == codecs.JSON:
            return Answer(json.dumps({"predictions": codecs.plain(predictions)}).encode(), answer_type)
        return Answer(codecs.encode(predictions, answer_type), answer_type)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value.strip() == ""
