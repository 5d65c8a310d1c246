"""The built-in scikit-learn algorithm (image ``atelier/sklearn``, ``ATELIER_BUILTIN_ALGORITHM=sklearn``).

Hyperparameters (all optional; values as strings or JSON, as the sagemaker SDK sends them):

- ``algorithm``: one of :data:`ALGORITHMS` (default ``random_forest_classifier``);
- ``target``: the label's column: a name when the files have a header row, else a 0-based
  index; default the first column (SageMaker's CSV convention for built-in algorithms);
- ``header``: ``true``, ``false`` or ``auto`` (default): whether the CSV files start with a header
  row; ``auto`` takes the first row for one when a column holds numbers below a non-number;
- ``validation_fraction``: the share of the training data held out for the metrics when there is
  no ``validation`` channel (default 0.2; 0 for none);
- ``seed``: the random seed of that split, and the estimator's ``random_state`` unless given
  (default 0);
- any parameter of the estimator, by name (``n_estimators=100``, ``max_depth=5``, ``C=0.5``),
  converted to the type of the parameter's default (``None`` or ``null`` for none).

Data: every ``.csv`` (``.csv.gz``) and ``.parquet`` file under the ``train`` channel
(``/opt/ml/input/data/train``), and the ``validation`` channel when it is given. Features that are
not numbers are one-hot encoded; missing values are imputed (median, most frequent).

Output: ``/opt/ml/model/model.joblib`` (the fitted estimator, or a Pipeline of the preparation and
the estimator), ``/opt/ml/model/metadata.json``, ``/opt/ml/output/data/metrics.json``, and on
standard output one line per metric, ``<split>:<metric>=<value>;`` (``validation:accuracy=0.933333;``),
for MetricDefinitions such as ``{"Name": "validation:accuracy", "Regex": "validation:accuracy=([0-9\\.]+)"}``.
"""

from __future__ import annotations

import importlib
import json
import math
import platform
import sys
import time
from pathlib import Path
from typing import Any

from .environment import TrainingEnvironment, UserError

# algorithm hyperparameter -> estimator class.
ALGORITHMS = {
    "random_forest_classifier": "sklearn.ensemble.RandomForestClassifier",
    "random_forest_regressor": "sklearn.ensemble.RandomForestRegressor",
    "extra_trees_classifier": "sklearn.ensemble.ExtraTreesClassifier",
    "extra_trees_regressor": "sklearn.ensemble.ExtraTreesRegressor",
    "gradient_boosting_classifier": "sklearn.ensemble.GradientBoostingClassifier",
    "gradient_boosting_regressor": "sklearn.ensemble.GradientBoostingRegressor",
    "hist_gradient_boosting_classifier": "sklearn.ensemble.HistGradientBoostingClassifier",
    "hist_gradient_boosting_regressor": "sklearn.ensemble.HistGradientBoostingRegressor",
    "decision_tree_classifier": "sklearn.tree.DecisionTreeClassifier",
    "decision_tree_regressor": "sklearn.tree.DecisionTreeRegressor",
    "logistic_regression": "sklearn.linear_model.LogisticRegression",
    "linear_regression": "sklearn.linear_model.LinearRegression",
    "ridge": "sklearn.linear_model.Ridge",
    "lasso": "sklearn.linear_model.Lasso",
    "elastic_net": "sklearn.linear_model.ElasticNet",
    "svc": "sklearn.svm.SVC",
    "svr": "sklearn.svm.SVR",
    "kneighbors_classifier": "sklearn.neighbors.KNeighborsClassifier",
    "kneighbors_regressor": "sklearn.neighbors.KNeighborsRegressor",
    "gaussian_nb": "sklearn.naive_bayes.GaussianNB",
}
DEFAULT_ALGORITHM = "random_forest_classifier"
# Hyperparameters of this program, not of the estimator.
OWN_HYPERPARAMETERS = ("algorithm", "target", "header", "validation_fraction", "seed")
DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")


def log(message: str) -> None:
    print(f"sklearn: {message}", flush=True)


# ---- hyperparameters ----

def estimator_class(algorithm: str):
    path = ALGORITHMS.get(algorithm)
    if path is None:
        raise UserError(f"ClientError: unknown algorithm {algorithm!r}; the algorithms are: {', '.join(ALGORITHMS)}")
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _parse_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise UserError(f"ClientError: hyperparameter {name}={value!r} must be true or false")


def coerce_param(algorithm: str, name: str, value: Any, default: Any) -> Any:
    """``value`` (decoded from the hyperparameters' strings) as the type of the parameter's default."""
    if isinstance(value, str) and value.strip().lower() in ("none", "null"):
        return None
    if value is None:
        return None
    try:
        if isinstance(default, bool):
            return _parse_bool(name, value)
        if isinstance(default, int):
            if isinstance(value, bool):
                raise ValueError
            number = float(value) if isinstance(value, str) else value
            if isinstance(number, float) and number.is_integer():
                return int(number)
            if isinstance(number, (int, float)):
                return number   # e.g. min_samples_split=0.1: the estimator checks what it allows
            raise ValueError
        if isinstance(default, float):
            if isinstance(value, bool):
                raise ValueError
            return float(value)
    except (TypeError, ValueError):
        kind = "true or false" if isinstance(default, bool) else "a number"
        raise UserError(f"ClientError: hyperparameter {name}={value!r}: {algorithm}'s {name} must be {kind} "
                        f"(default {default!r})") from None
    # A parameter whose default is None, a string or an object takes several types
    # (max_depth, max_features, class_weight...): the decoded value as is; the estimator checks it.
    return value


def build_estimator(algorithm: str, given: dict[str, Any], seed: int, num_cpus: int):
    cls = estimator_class(algorithm)
    estimator = cls()
    defaults = estimator.get_params(deep=False)
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise UserError(
            f"ClientError: unknown hyperparameter {', '.join(map(repr, unknown))} for algorithm {algorithm} "
            f"({cls.__module__.split('._')[0]}.{cls.__name__}); its parameters are: {', '.join(sorted(defaults))}; "
            f"and this program's: {', '.join(OWN_HYPERPARAMETERS)}")
    params = {name: coerce_param(algorithm, name, value, defaults[name]) for name, value in given.items()}
    if "random_state" in defaults and "random_state" not in params:
        params["random_state"] = seed
    if "n_jobs" in defaults and "n_jobs" not in params:
        params["n_jobs"] = max(1, num_cpus)
    estimator.set_params(**params)
    return estimator, params


# ---- data ----

def data_files(channel_dir: Path) -> list[Path]:
    return sorted(p for p in channel_dir.rglob("*")
                  if p.is_file() and not p.name.startswith(".") and p.name.lower().endswith(DATA_SUFFIXES))


def _is_number(text: Any) -> bool:
    try:
        return not math.isnan(float(text))
    except (TypeError, ValueError):
        return False


def detect_header(raw, target: Any) -> bool:
    """Whether the first row of ``raw`` (strings, no header applied) is a header row."""
    if len(raw) == 0:
        return False
    first = raw.iloc[0]
    if isinstance(target, str) and not _is_number(target) and target in set(first.astype(str)):
        return True
    if len(raw) < 2:
        return False
    rest = raw.iloc[1:]
    for column in raw.columns:
        below = rest[column].dropna()
        if len(below) and not _is_number(first[column]) and all(_is_number(v) for v in below.head(100)):
            return True
    return False


def read_csv(path: Path, header: bool | None, target: Any):
    import pandas as pd

    try:
        raw = pd.read_csv(path, header=None, dtype=str, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        return None, header
    except (ValueError, pd.errors.ParserError) as e:
        raise UserError(f"ClientError: cannot read {path} as CSV: {e}") from None
    if header is None:
        header = detect_header(raw, target)
    if header:
        names = [str(n).strip() for n in raw.iloc[0]]
        raw = raw.iloc[1:].reset_index(drop=True)
        raw.columns = names
    return raw, header


def _numeric_where_possible(frame):
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype).startswith("str"):
            converted = pd.to_numeric(out[column], errors="coerce")
            if converted.notna().sum() == out[column].notna().sum():
                out[column] = converted
    return out


def read_channel(env: TrainingEnvironment, channel: str, header: bool | None, target: Any, required: bool):
    """The channel's data as one DataFrame (None when there is none and it is optional), and
    whether the CSV files have a header row."""
    import pandas as pd

    directory = env.channel_dir(channel)
    files = data_files(directory) if directory.is_dir() else []
    if not files:
        if not required:
            return None, header
        what = "does not exist" if not directory.exists() else "holds no .csv or .parquet file"
        raise UserError(f"ClientError: the training data {directory} {what}: give the job an input channel "
                        f"named 'train' with CSV files (the label in the first column, or name it with "
                        f"the hyperparameter target)")
    frames = []
    for path in files:
        if path.name.lower().endswith((".parquet", ".pq")):
            try:
                frame = pd.read_parquet(path)
            except ImportError:
                raise UserError(f"ClientError: reading {path} needs pyarrow, which this image does not have: "
                                f"give the data as CSV") from None
            if header is False:
                frame.columns = range(frame.shape[1])
            else:
                frame.columns = [str(c) for c in frame.columns]
                header = True
        else:
            frame, header = read_csv(path, header, target)
            if frame is None:
                continue
        if frames and list(frame.columns) != list(frames[0].columns):
            raise UserError(f"ClientError: {path} has other columns than {files[0]} "
                            f"({list(frame.columns)[:10]} instead of {list(frames[0].columns)[:10]})")
        frames.append(frame)
    if not frames or sum(len(f) for f in frames) == 0:
        if not required:
            return None, header
        raise UserError(f"ClientError: the training data in {directory} has no rows")
    data = _numeric_where_possible(pd.concat(frames, ignore_index=True))
    log(f"read {len(data)} rows from {len(files)} file(s) in {directory}")
    return data, bool(header)


def resolve_target(data, target: Any, header: bool):
    columns = list(data.columns)
    if target is None or target == "":
        return columns[0]
    if header and str(target) in columns:
        return str(target)
    if isinstance(target, (int, float)) and not isinstance(target, bool) and float(target).is_integer():
        index = int(target)
        if 0 <= index < len(columns):
            return columns[index]
        raise UserError(f"ClientError: target={target} is not a column index (the data has {len(columns)} columns)")
    if not header:
        raise UserError(f"ClientError: target={target!r} names a column, but the CSV files have no header row "
                        f"(set header=true, or give the target as a 0-based column index)")
    raise UserError(f"ClientError: target={target!r} is not a column of the training data "
                    f"(columns: {', '.join(map(str, columns[:30]))})")


def split_xy(data, target, classifier: bool, algorithm: str):
    import pandas as pd

    data = data[data[target].notna()]
    y = data[target]
    x = data.drop(columns=[target])
    if x.shape[1] == 0:
        raise UserError("ClientError: the data has no feature columns besides the target")
    if classifier:
        if pd.api.types.is_numeric_dtype(y) and (y % 1 == 0).all():
            y = y.astype("int64")
    elif not pd.api.types.is_numeric_dtype(y):
        raise UserError(f"ClientError: the target column {target!r} holds values that are not numbers "
                        f"({y.iloc[0]!r}...); {algorithm} is a regressor: use a classifier, or another target")
    return x.reset_index(drop=True), y.reset_index(drop=True)


def make_model(estimator, x):
    """The estimator alone for numeric features without missing values; else a Pipeline that
    imputes them and one-hot encodes the non-numeric ones (selected by position, so it predicts
    from DataFrames and arrays alike)."""
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    numeric = [i for i, c in enumerate(x.columns) if pd.api.types.is_numeric_dtype(x[c])]
    categorical = [i for i in range(x.shape[1]) if i not in numeric]
    if not categorical and not x.isna().any().any():
        return estimator, []
    steps = []
    if numeric:
        steps.append(("numeric", SimpleImputer(strategy="median"), numeric))
    if categorical:
        steps.append(("categorical", Pipeline([
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("encode", OneHotEncoder(handle_unknown="ignore")),
        ]), categorical))
    prepare = ColumnTransformer(steps, remainder="drop")
    return Pipeline([("prepare", prepare), ("model", estimator)]), [str(x.columns[i]) for i in categorical]


# ---- metrics ----

def compute_metrics(model, x, y, classifier: bool) -> dict[str, float]:
    from sklearn import metrics

    predicted = model.predict(x)
    if classifier:
        return {
            "accuracy": float(metrics.accuracy_score(y, predicted)),
            "precision": float(metrics.precision_score(y, predicted, average="macro", zero_division=0)),
            "recall": float(metrics.recall_score(y, predicted, average="macro", zero_division=0)),
            "f1": float(metrics.f1_score(y, predicted, average="macro", zero_division=0)),
        }
    mse = float(metrics.mean_squared_error(y, predicted))
    return {
        "rmse": math.sqrt(mse),
        "mse": mse,
        "mae": float(metrics.mean_absolute_error(y, predicted)),
        "r2": float(metrics.r2_score(y, predicted)) if len(y) > 1 else float("nan"),
    }


def print_metrics(split: str, values: dict[str, float]) -> None:
    for name, value in values.items():
        print(f"{split}:{name}={value:.6f};", flush=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return None if isinstance(value, float) and math.isnan(value) else value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):   # numpy scalars
        return _jsonable(value.item())
    return repr(value)


# ---- the program ----

def train(env: TrainingEnvironment) -> None:
    import joblib
    import pandas as pd
    import sklearn
    from sklearn.base import is_classifier
    from sklearn.model_selection import train_test_split
    from sklearn.utils._param_validation import InvalidParameterError

    hps = env.user_hyperparameters
    algorithm = str(hps.get("algorithm") or DEFAULT_ALGORITHM).strip().lower()
    header_hp = str(hps.get("header", "auto")).strip().lower()
    header = None if header_hp in ("auto", "") else _parse_bool("header", header_hp)
    target_hp = hps.get("target")
    try:
        fraction = float(hps.get("validation_fraction", 0.2))
        seed = int(hps.get("seed", 0))
    except (TypeError, ValueError):
        raise UserError("ClientError: hyperparameters validation_fraction (a number) and seed (an integer) "
                        f"are {hps.get('validation_fraction')!r} and {hps.get('seed')!r}") from None
    if not 0 <= fraction < 1:
        raise UserError(f"ClientError: validation_fraction={fraction} must be at least 0 and below 1")

    given = {k: v for k, v in hps.items() if k not in OWN_HYPERPARAMETERS}
    estimator, params = build_estimator(algorithm, given, seed, env.num_cpus)
    classifier = is_classifier(estimator)
    log(f"algorithm {algorithm} ({type(estimator).__name__}), scikit-learn {sklearn.__version__}")
    log("parameters: " + (", ".join(f"{k}={v!r}" for k, v in sorted(params.items())) or "the defaults"))

    data, header = read_channel(env, "train", header, target_hp, required=True)
    target = resolve_target(data, target_hp, header)
    x, y = split_xy(data, target, classifier, algorithm)
    validation, _ = read_channel(env, "validation", header, target_hp, required=False)
    if validation is not None:
        if list(validation.columns) != list(data.columns):
            raise UserError("ClientError: the validation channel's columns differ from the training data's")
        x_val, y_val = split_xy(validation, target, classifier, algorithm)
        evaluated_on = "the validation channel"
    elif fraction > 0:
        held_out = max(1, round(len(x) * fraction))
        if len(x) - held_out < 2:
            raise UserError(f"ClientError: {len(x)} rows are too few to hold out {fraction:.0%} for validation "
                            f"(give more data, a validation channel, or validation_fraction=0)")
        stratify = None
        if classifier:
            counts = y.value_counts()
            if counts.min() >= 2 and held_out >= len(counts):
                stratify = y
        x, x_val, y, y_val = train_test_split(x, y, test_size=held_out, random_state=seed, stratify=stratify)
        evaluated_on = f"{held_out} held-out rows ({fraction:.0%})"
    else:
        x_val = y_val = None
        evaluated_on = "nothing (validation_fraction=0)"
    log(f"{len(x)} training rows, {x.shape[1]} features, target {target!r}; validation on {evaluated_on}")

    model, encoded = make_model(estimator, x)
    if encoded:
        log(f"one-hot encoding the non-numeric features: {', '.join(encoded[:20])}")
    # Headerless files give integer column labels, which scikit-learn does not record as feature
    # names: such a model predicts from plain arrays without warnings.
    fit_x = x
    log(f"fitting {type(estimator).__name__}")
    started = time.monotonic()
    try:
        model.fit(fit_x, y)
    except InvalidParameterError as e:
        raise UserError(f"ClientError: {algorithm}: {e}") from None
    log(f"fitted in {time.monotonic() - started:.1f}s")

    results = {"train": compute_metrics(model, fit_x, y, classifier)}
    print_metrics("train", results["train"])
    if x_val is not None:
        results["validation"] = compute_metrics(model, x_val, y_val, classifier)
        print_metrics("validation", results["validation"])

    env.model_dir.mkdir(parents=True, exist_ok=True)
    model_path = env.model_dir / "model.joblib"
    joblib.dump(model, model_path)
    classes = getattr(model, "classes_", None)
    metadata = {
        "algorithm": algorithm,
        "estimator": ALGORITHMS[algorithm],
        "kind": "classifier" if classifier else "regressor",
        "hyperparameters": _jsonable(hps),
        "params": _jsonable(params),
        "estimator_params": _jsonable(estimator.get_params(deep=False)),
        "header": header,
        "target": _jsonable(target),
        "feature_names": [str(c) for c in x.columns] if header else None,
        "feature_columns": [list(data.columns).index(c) for c in x.columns],
        "one_hot_encoded": encoded,
        "classes": _jsonable(list(classes)) if classes is not None else None,
        "training_rows": len(x),
        "validation_rows": 0 if x_val is None else len(x_val),
        "metrics": _jsonable(results),
        "sklearn_version": sklearn.__version__,
        "pandas_version": pd.__version__,
        "python_version": platform.python_version(),
        "model_file": model_path.name,
    }
    (env.model_dir / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {model_path} and metadata.json")
    try:
        env.output_data_dir.mkdir(parents=True, exist_ok=True)
        (env.output_data_dir / "metrics.json").write_text(json.dumps(_jsonable(results), indent=2) + "\n",
                                                           encoding="utf-8")
    except OSError as e:
        print(f"sklearn: could not write metrics.json to {env.output_data_dir}: {e}", file=sys.stderr, flush=True)
