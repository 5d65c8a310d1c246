"""`serve` with built-in scikit-learn models that `train` fitted: real gunicorn on 127.0.0.1."""

from __future__ import annotations

import io
import json
import time

import numpy as np
import pandas as pd
import pytest

from atelier.toolkit.serving.codecs import RequestError, negotiate
from atelier.toolkit.serving.app import ServingConfig

from serve_helpers import Served
from toolkit_helpers import layout, run_train

SKLEARN = {"ATELIER_BUILTIN_ALGORITHM": "sklearn"}


def mixed_frame(rows: int = 200, seed: int = 3) -> pd.DataFrame:
    """A label that follows `size` and the text column `colour` (one-hot encoded: a Pipeline)."""
    rng = np.random.default_rng(seed)
    size = rng.normal(size=rows)
    colour = rng.choice(["red", "blue"], size=rows)
    label = np.where((size > 0) | (colour == "red"), "big", "small")
    return pd.DataFrame({"size": size.round(4), "colour": colour, "noise": rng.normal(size=rows).round(4),
                         "label": label})


@pytest.fixture(scope="module")
def classifier_dir(tmp_path_factory):
    base = layout(tmp_path_factory.mktemp("train-classifier"),
                  {"algorithm": "random_forest_classifier", "target": "label", "n_estimators": "20"},
                  channels={"train": {"data.csv": mixed_frame().to_csv(index=False)}})
    result = run_train(base, **SKLEARN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "one-hot encoding the non-numeric features: colour" in result.stdout
    return base / "model"


@pytest.fixture(scope="module")
def classifier(classifier_dir, tmp_path_factory):
    served = Served(classifier_dir, tmp_path_factory.mktemp("serve") / "serve.log", workers=2)
    try:
        served.wait_ping()
        yield served
    finally:
        served.stop()


def test_ping_and_two_workers(classifier):
    status, headers, body = classifier.request("GET", "/ping")
    assert status == 200 and body == b""
    assert len(classifier.worker_pids()) == 2
    assert "built-in scikit-learn model (sklearn.ensemble.RandomForestClassifier, 3 features)" in classifier.log_text()


def test_csv_in_csv_out_through_the_pipeline(classifier):
    status, headers, body = classifier.invoke("2.0,blue,0.1\n-2.0,blue,0.3\n-2.0,red,0\n", accept="text/csv")
    assert status == 200, body
    assert headers["content-type"] == "text/csv"
    assert body.decode().splitlines() == ["big", "small", "big"]


def test_json_in_json_out_with_instances_lists_and_objects(classifier):
    status, headers, body = classifier.invoke(json.dumps({"instances": [[2.0, "blue", 0.1], [-2.0, "blue", 0]]}),
                                              content_type="application/json", accept="application/json")
    assert status == 200, body
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"predictions": ["big", "small"]}
    # A bare list of rows; rows as objects keyed by the training data's header; Accept by quality.
    status, _, body = classifier.invoke(json.dumps([{"size": -2, "colour": "red", "noise": 0}]),
                                        content_type="application/json; charset=utf-8",
                                        accept="text/csv;q=0.5, application/json")
    assert status == 200 and json.loads(body) == {"predictions": ["big"]}
    # No Accept (or */*): JSON; CSV in, JSON out.
    status, headers, body = classifier.invoke("-2.0,blue,0.3\n", accept="*/*")
    assert status == 200 and json.loads(body) == {"predictions": ["small"]}


def test_missing_values_are_imputed(classifier):
    status, _, body = classifier.invoke("2.0,,0.1\n", accept="text/csv")
    assert status == 200 and body.decode().strip() in ("big", "small")


@pytest.mark.parametrize("body, content_type, accept, status, words", [
    ("1,2\n", "text/csv", None, 400, "row 1 has 2 values; the model takes 3 features"),
    ("abc,blue,0\n", "text/csv", None, 400, "row 1, feature 1 (size): 'abc' is not a number"),
    ('{"rows": []}', "application/json", None, 400, '"instances"'),
    ("[[1, ", "application/json", None, 400, "not valid JSON"),
    ("1,blue,0\n", "application/xml", None, 415, "cannot read Content-Type application/xml"),
    ("1,blue,0\n", "text/csv", "image/png", 406, "cannot answer in image/png"),
])
def test_bad_requests_get_a_4xx_with_a_message(classifier, body, content_type, accept, status, words):
    got, headers, answer = classifier.invoke(body, content_type=content_type, accept=accept)
    assert got == status, answer
    assert headers["content-type"].startswith("text/plain")
    assert words in answer.decode()


def test_a_body_over_6_mb_is_refused(classifier):
    row = b"1.0,blue,0.5\n"
    status, _, answer = classifier.invoke(row * (6 * 1024 * 1024 // len(row) + 1))
    assert status == 413 and b"6 MB" in answer
    status, _, _ = classifier.invoke(row * 10_000, accept="text/csv")   # well under: served
    assert status == 200


def test_other_paths_and_methods(classifier):
    assert classifier.request("GET", "/nothing")[0] == 404
    status, headers, _ = classifier.request("GET", "/invocations")
    assert status == 405 and headers["allow"] == "POST"
    status, _, body = classifier.request("GET", "/execution-parameters")
    assert status == 200 and json.loads(body)["MaxPayloadInMB"] == 6


def test_headerless_regressor_answers_numbers(tmp_path):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(150, 2))
    y = 3 * x[:, 0] - 2 * x[:, 1] + 1
    rows = "\n".join(",".join(f"{v:.5f}" for v in row) for row in np.column_stack([y, x])) + "\n"
    base = layout(tmp_path / "ml", {"algorithm": "ridge", "alpha": "0.01"}, channels={"train": {"t.csv": rows}})
    result = run_train(base, **SKLEARN)
    assert result.returncode == 0, result.stderr
    served = Served(base / "model", tmp_path / "serve.log", workers=1)
    try:
        served.wait_ping()
        status, _, body = served.invoke("1,1\n0,0\n", accept="application/json")
        assert status == 200, body
        predictions = json.loads(body)["predictions"]
        assert predictions == pytest.approx([2.0, 1.0], abs=0.1)
        buffer = io.BytesIO()
        np.save(buffer, np.array([[1.0, 1.0]]))
        status, headers, body = served.invoke(buffer.getvalue(), content_type="application/x-npy",
                                              accept="application/x-npy")
        assert status == 200 and headers["content-type"] == "application/x-npy"
        assert np.load(io.BytesIO(body))[0] == pytest.approx(2.0, abs=0.1)
    finally:
        assert served.stop() == 0


def test_a_model_that_fails_to_load_answers_ping_500_with_the_reason(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.joblib").write_bytes(b"not a joblib file")
    served = Served(model, tmp_path / "serve.log", workers=1)
    try:
        status, body = served.wait_ping(500)
        assert b"the model failed to load" in body
        status, _, answer = served.invoke("1,2\n")
        assert status == 500 and b"the model failed to load" in answer
        assert "the model failed to load" in served.log_text() and "Traceback" in served.log_text()
    finally:
        served.stop()


def test_an_empty_model_folder_says_what_it_needs(tmp_path):
    (tmp_path / "model").mkdir()
    served = Served(tmp_path / "model", tmp_path / "serve.log", workers=1)
    try:
        status, body = served.wait_ping(500)
        assert b"holds no model.joblib" in body and b"SAGEMAKER_PROGRAM" in body
    finally:
        served.stop()


def test_sigterm_stops_gracefully(classifier_dir, tmp_path):
    served = Served(classifier_dir, tmp_path / "serve.log", workers=1)
    served.wait_ping()
    started = time.monotonic()
    assert served.stop() == 0
    assert time.monotonic() - started < 15
    assert "Shutting down" in served.log_text() or "Handling signal: term" in served.log_text()


def test_accept_negotiation():
    assert negotiate(None) == "application/json"
    assert negotiate("text/csv") == "text/csv"
    assert negotiate("text/*") == "text/csv"
    assert negotiate("application/json;q=0.2, text/csv;q=0.9") == "text/csv"
    with pytest.raises(RequestError) as raised:
        negotiate("image/png, text/html")
    assert raised.value.status == 406


def test_configuration_from_the_environment(tmp_path):
    config = ServingConfig.from_environ({"SM_BASE_DIR": str(tmp_path)})
    assert (config.bind_address, config.port, config.timeout) == ("0.0.0.0", 8080, 60)
    assert config.model_dir == tmp_path / "model" and config.workers >= 1 and config.max_payload == 6 * 1024 * 1024
    config = ServingConfig.from_environ({"SM_MODEL_DIR": "/m", "PORT": "9000", "BIND_ADDRESS": "127.0.0.1",
                                         "SAGEMAKER_MODEL_SERVER_WORKERS": "3",
                                         "SAGEMAKER_MODEL_SERVER_TIMEOUT": "5"})
    assert (str(config.model_dir), config.port, config.workers, config.timeout) == ("/m", 9000, 3, 5)
    with pytest.raises(ValueError, match="SAGEMAKER_MODEL_SERVER_WORKERS='many'"):
        ServingConfig.from_environ({"SAGEMAKER_MODEL_SERVER_WORKERS": "many"})
