"""The built-in scikit-learn algorithm, run by `train` on small generated CSV files."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
import pytest

from atelier.toolkit.sklearn_builtin import ALGORITHMS, coerce_param, detect_header

from toolkit_helpers import failure, layout, metrics, run_train

SKLEARN = {"ATELIER_BUILTIN_ALGORITHM": "sklearn"}


def classification_frame(rows: int = 240, seed: int = 1) -> pd.DataFrame:
    """Two well-separated classes with string labels, the label in the last column."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 3))
    label = np.where(x[:, 0] + 0.5 * x[:, 1] > 0, "yes", "no")
    return pd.DataFrame({"f0": x[:, 0], "f1": x[:, 1], "noise": x[:, 2], "label": label})


def regression_rows(rows: int, seed: int) -> np.ndarray:
    """y = 3 a - 2 b + 1 + noise, y in the first column (SageMaker's convention), no header."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 2))
    y = 3 * x[:, 0] - 2 * x[:, 1] + 1 + rng.normal(scale=0.05, size=rows)
    return np.column_stack([y, x])


def csv(array: np.ndarray) -> str:
    return "\n".join(",".join(f"{v:.6f}" for v in row) for row in array) + "\n"


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_classifier_with_header_named_target_and_parameters(tmp_path):
    frame = classification_frame()
    hps = {"algorithm": "random_forest_classifier", "target": "label", "n_estimators": "30", "max_depth": 4}
    base = layout(tmp_path, hps, channels={"train": {"part1.csv": frame[:120].to_csv(index=False),
                                                     "part2.csv": frame[120:].to_csv(index=False)}})
    result = run_train(base, **SKLEARN)
    assert result.returncode == 0, result.stdout + result.stderr
    found = metrics(result.stdout)
    assert found["validation:accuracy"] > 0.8 and found["train:accuracy"] >= found["validation:accuracy"] - 0.1
    assert 0 < found["validation:f1"] <= 1
    assert "sklearn: read 240 rows from 2 file(s)" in result.stdout
    for line in result.stdout.splitlines():   # the metric lines' fixed format
        if line.startswith(("train:", "validation:")):
            assert line.endswith(";") and "=" in line

    model = joblib.load(base / "model" / "model.joblib")
    sample = frame.drop(columns=["label"])[:10]
    assert list(model.predict(sample)) == list(model.predict(sample.to_numpy()))
    assert set(model.predict(sample)) <= {"yes", "no"}
    meta = json.loads((base / "model" / "metadata.json").read_text())
    assert meta["algorithm"] == "random_forest_classifier" and meta["target"] == "label"
    assert meta["feature_names"] == ["f0", "f1", "noise"] and meta["classes"] == ["no", "yes"]
    assert meta["params"]["n_estimators"] == 30 and meta["params"]["max_depth"] == 4
    assert meta["validation_rows"] == 48 and meta["training_rows"] == 192
    assert meta["metrics"]["validation"]["accuracy"] == pytest.approx(found["validation:accuracy"], abs=1e-6)
    assert meta["sklearn_version"]
    assert json.loads((base / "output" / "data" / "metrics.json").read_text())["validation"]["f1"] > 0


def test_regressor_without_header_and_a_validation_channel(tmp_path):
    hps = {"algorithm": "ridge", "alpha": "0.5"}
    base = layout(tmp_path, hps, channels={"train": {"train.csv": csv(regression_rows(200, 2))},
                                           "validation": {"validation.csv": csv(regression_rows(50, 3))}})
    result = run_train(base, **SKLEARN)
    assert result.returncode == 0, result.stdout + result.stderr
    found = metrics(result.stdout)
    assert found["validation:r2"] > 0.95
    assert found["validation:rmse"] < 0.5 and found["train:rmse"] < 0.5
    assert "validation on the validation channel" in result.stdout
    model = joblib.load(base / "model" / "model.joblib")
    assert model.predict(np.array([[1.0, 1.0]]))[0] == pytest.approx(2.0, abs=0.3)
    meta = json.loads((base / "model" / "metadata.json").read_text())
    assert meta["header"] is False and meta["target"] == 0 and meta["feature_names"] is None
    assert meta["kind"] == "regressor" and meta["params"]["alpha"] == 0.5 and meta["validation_rows"] == 50


def test_categorical_features_and_missing_values(tmp_path):
    frame = classification_frame(200, 5)
    frame["colour"] = np.where(frame["f1"] > 0, "red", "blue")
    frame.loc[::17, "f0"] = np.nan
    frame = frame[["label", "colour", "f0", "f1"]]
    hps = {"algorithm": "logistic_regression", "C": "0.5", "max_iter": "500"}
    base = layout(tmp_path, hps, channels={"train": {"data.csv": frame.to_csv(index=False)}})
    result = run_train(base, **SKLEARN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "one-hot encoding the non-numeric features: colour" in result.stdout
    assert metrics(result.stdout)["validation:accuracy"] > 0.7
    model = joblib.load(base / "model" / "model.joblib")
    assert len(model.predict(frame.drop(columns=["label"])[:5])) == 5


def test_unknown_algorithm_lists_the_algorithms(tmp_path):
    base = layout(tmp_path, {"algorithm": "deep_forest"}, channels={"train": {"a.csv": csv(regression_rows(20, 1))}})
    result = run_train(base, **SKLEARN)
    assert result.returncode == 1
    reason = failure(base)
    assert "deep_forest" in reason and "random_forest_classifier" in reason and "ridge" in reason
    assert len(reason) <= 1025


def test_unknown_parameter_is_named(tmp_path):
    base = layout(tmp_path, {"n_estimatorz": "10"}, channels={"train": {"a.csv": csv(regression_rows(20, 1))}})
    result = run_train(base, **SKLEARN)
    assert result.returncode == 1
    assert "unknown hyperparameter 'n_estimatorz'" in failure(base) and "n_estimators" in failure(base)


@pytest.mark.parametrize("value", ["many", "-1"])
def test_bad_parameter_value_is_named(tmp_path, value):
    frame = classification_frame(60)
    base = layout(tmp_path, {"n_estimators": value, "target": "label"},
                  channels={"train": {"a.csv": frame.to_csv(index=False)}})
    result = run_train(base, **SKLEARN)
    assert result.returncode == 1, result.stdout
    assert "n_estimators" in failure(base)


def test_missing_train_channel_is_named(tmp_path):
    base = layout(tmp_path, {}, channels={"validation": {"a.csv": "1,2\n"}})
    result = run_train(base, **SKLEARN)
    assert result.returncode == 1
    assert str(base / "input" / "data" / "train") in failure(base)


def test_empty_train_channel_is_named(tmp_path):
    base = layout(tmp_path, {}, channels={"train": {"notes.txt": "nothing here"}})
    result = run_train(base, **SKLEARN)
    assert result.returncode == 1
    assert str(base / "input" / "data" / "train") in failure(base) and "no .csv" in failure(base)


def test_regressor_needs_a_numeric_target(tmp_path):
    frame = classification_frame(50)
    base = layout(tmp_path, {"algorithm": "linear_regression", "target": "label"},
                  channels={"train": {"a.csv": frame.to_csv(index=False)}})
    assert run_train(base, **SKLEARN).returncode == 1
    assert "label" in failure(base) and "regressor" in failure(base)


def test_every_algorithm_builds():
    from atelier.toolkit.sklearn_builtin import build_estimator
    for name in ALGORITHMS:
        estimator, params = build_estimator(name, {}, 0, 1)
        assert estimator.get_params() is not None, name


def test_coerce_param():
    assert coerce_param("a", "n_estimators", "5", 100) == 5
    assert coerce_param("a", "n_estimators", 5.0, 100) == 5
    assert coerce_param("a", "min_samples_split", 0.1, 2) == 0.1
    assert coerce_param("a", "C", 1, 1.0) == 1.0 and isinstance(coerce_param("a", "C", 1, 1.0), float)
    assert coerce_param("a", "fit_intercept", "false", True) is False
    assert coerce_param("a", "max_depth", "None", None) is None
    assert coerce_param("a", "max_depth", 5, None) == 5
    assert coerce_param("a", "max_features", "log2", "sqrt") == "log2"


def test_detect_header():
    assert detect_header(pd.DataFrame([["y", "a"], ["1", "2"], ["0", "3"]]), None)
    assert not detect_header(pd.DataFrame([["1", "2"], ["0", "3"]]), None)
    assert not detect_header(pd.DataFrame([["cat", "2"], ["dog", "3"]]), None)   # string labels, no header
    assert detect_header(pd.DataFrame([["kind", "colour"], ["cat", "red"]]), "kind")
