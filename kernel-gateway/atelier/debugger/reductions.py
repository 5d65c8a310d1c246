"""Reductions: a tensor summarized in a few numbers, to keep the saved volume small.

``mean``, ``norm`` (L2), ``min``, ``max``, ``std``, ``variance``, each also as ``abs_<name>`` (on the
absolute values), and ``histogram`` (``{"edges": [...], "counts": [...], "nonfinite": n}`` over
the finite values, ``HISTOGRAM_BINS`` bins). A value that is not finite is stored as the string
``"NaN"``, ``"Infinity"`` or ``"-Infinity"`` so the index stays strict JSON (``to_float`` reads it
back).
"""

from __future__ import annotations

import math
from typing import Any, Iterable

HISTOGRAM_BINS = 32
BASIC = ("mean", "norm", "min", "max", "std", "variance")
NAMES = frozenset(BASIC) | {f"abs_{n}" for n in BASIC} | {"histogram"}


def check_names(names: Iterable[str], field: str) -> list[str]:
    """The reduction names, or a ValueError naming ``field`` and the unknown one."""
    out = []
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        if name == "l2":
            name = "norm"
        if name not in NAMES:
            raise ValueError(f"{field}: unknown reduction {raw!r} (known: {', '.join(sorted(NAMES))})")
        out.append(name)
    return out


def encode_float(x: float) -> float | str:
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def to_float(x: Any) -> float:
    return float(x)  # float("NaN"), float("Infinity") and float("-Infinity") all parse


def compute(array: Any, name: str) -> Any:
    """One reduction of ``array`` (anything numpy converts), JSON-ready."""
    import numpy as np

    a = np.asarray(array)
    if a.dtype == bool:
        a = a.astype(np.float64)
    if name == "histogram":
        return histogram(a)
    if name.startswith("abs_"):
        a = np.abs(a)
        name = name[4:]
    if a.size == 0:
        return "NaN"
    a = a.astype(np.float64, copy=False)
    with np.errstate(all="ignore"):
        if name == "mean":
            value = a.mean()
        elif name == "norm":
            value = np.sqrt(np.sum(a * a))
        elif name == "min":
            value = a.min()
        elif name == "max":
            value = a.max()
        elif name == "std":
            value = a.std()
        elif name == "variance":
            value = a.var()
        else:
            raise ValueError(f"unknown reduction {name!r}")
    return encode_float(value)


def histogram(a: Any, bins: int = HISTOGRAM_BINS) -> dict[str, Any]:
    import numpy as np

    a = np.asarray(a, dtype=np.float64).ravel()
    finite = a[np.isfinite(a)]
    nonfinite = int(a.size - finite.size)
    if finite.size == 0:
        return {"edges": [], "counts": [], "nonfinite": nonfinite}
    lo, hi = float(finite.min()), float(finite.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(finite, bins=bins, range=(lo, hi))
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts], "nonfinite": nonfinite}


def compute_all(array: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: compute(array, name) for name in names}
