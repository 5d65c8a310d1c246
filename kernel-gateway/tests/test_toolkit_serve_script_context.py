"""`serve` in script mode with functions that take the request context: the request's
X-Amzn-SageMaker-Custom-Attributes in, the answer's out (real gunicorn on 127.0.0.1)."""

from __future__ import annotations

import json
import textwrap

import pytest

from atelier.toolkit.serving.context import RequestHeaders, takes_context
from serve_helpers import Served

CUSTOM = "X-Amzn-SageMaker-Custom-Attributes"

INFERENCE = textwrap.dedent("""
    import json, os
    import joblib

    def model_fn(model_dir, context):
        assert context.request_processor == [] and context.custom_attributes is None
        model = joblib.load(os.path.join(model_dir, "classifier.pkl"))
        model.loaded_with = context.system_properties["model_dir"]
        return model

    def input_fn(request_body, request_content_type, context):
        # As the sagemaker-inference toolkit's handlers read them.
        properties = context.request_processor[0].get_request_properties()
        attributes = dict(p.split("=", 1) for p in (properties.get("X-Amzn-SageMaker-Custom-Attributes") or "").split(";") if p)
        return {"rows": json.loads(request_body)["features"], "attributes": attributes}

    def predict_fn(input_data, model):
        return {"labels": model.predict(input_data["rows"]).tolist(), "attributes": input_data["attributes"]}

    def output_fn(prediction, accept, context):
        attributes = prediction["attributes"]
        if attributes.get("status") == "teapot":
            context.set_response_status(418, "I'm a teapot")
        if attributes.get("header") == "broken":
            context.set_custom_attributes("line\\r\\nSet-Cookie: x=1")
        if "trace" in attributes:
            context.set_response_header(0, "X-Amzn-SageMaker-Custom-Attributes",
                                        f"trace={attributes['trace']};labels={len(prediction['labels'])}")
        return json.dumps({"labels": prediction["labels"],
                           "seen": context.custom_attributes,
                           "lowercase": context.get_request_header(0, "x-amzn-sagemaker-custom-attributes"),
                           "inference_id": context.get_request_id(0),
                           "content_type": context.request_content_type,
                           "accept": context.accept_header})
""")

TRANSFORM = textwrap.dedent("""
    def model_fn(model_dir):
        return "upper"

    def transform_fn(model, request_body, content_type, accept, context):
        attributes = context.custom_attributes or ""
        context.set_custom_attributes("echo=" + attributes)
        return request_body.upper()   # no content type of its own: the one set on the context
""")


def invoke(server: Served, attributes: str | None = None, **extra: str):
    headers = {"Content-Type": "application/json", "Accept": "application/json", **extra}
    if attributes is not None:
        headers[CUSTOM] = attributes
    return server.request("POST", "/invocations", json.dumps({"features": [[3, 0], [-3, 0]]}).encode(), headers)


def test_the_functions_get_the_requests_custom_attributes_and_answer_with_their_own(served):
    status, headers, body = invoke(served, "trace=abc-1;tenant=7", **{"X-Amzn-SageMaker-Inference-Id": "req-9"})
    assert status == 200, body
    answer = json.loads(body)
    assert answer == {"labels": [1, 0], "seen": "trace=abc-1;tenant=7", "lowercase": "trace=abc-1;tenant=7",
                      "inference_id": "req-9", "content_type": "application/json", "accept": "application/json"}
    assert headers[CUSTOM.lower()] == "trace=abc-1;labels=2"
    assert headers["content-type"] == "application/json"
    log = served.log_text()
    assert "model_fn (with context), input_fn (with context), predict_fn, output_fn (with context)" in log


def test_without_custom_attributes_the_context_has_none_and_the_answer_carries_none(served):
    status, headers, body = invoke(served)
    assert status == 200, body
    answer = json.loads(body)
    assert answer["seen"] is None and answer["lowercase"] is None
    assert answer["inference_id"]   # a generated one when the request named none
    assert CUSTOM.lower() not in headers


def test_the_context_sets_the_answers_status(served):
    status, _, body = invoke(served, "status=teapot")
    assert status == 418
    assert json.loads(body)["labels"] == [1, 0]


def test_a_header_the_answer_cannot_carry_is_a_500_naming_it(served):
    status, headers, body = invoke(served, "header=broken")
    assert status == 500
    assert b"the answer's header X-Amzn-SageMaker-Custom-Attributes holds a line break" in body
    assert "set-cookie" not in headers


def test_transform_fn_with_the_context(tmp_path):
    (tmp_path / "model" / "code").mkdir(parents=True)
    (tmp_path / "model" / "code" / "inference.py").write_text(TRANSFORM)
    server = Served(tmp_path / "model", tmp_path / "serve.log", workers=1, SAGEMAKER_PROGRAM="inference.py")
    try:
        server.wait_ping()
        status, headers, body = server.request("POST", "/invocations", b"abc",
                                               {"Content-Type": "text/plain", "Accept": "text/plain", CUSTOM: "k=v"})
        assert (status, body, headers[CUSTOM.lower()], headers["content-type"]) == (200, b"ABC", "echo=k=v", "text/plain")
    finally:
        assert server.stop() == 0


def test_a_function_with_too_many_parameters_fails_the_load_naming_it(tmp_path):
    (tmp_path / "model" / "code").mkdir(parents=True)
    (tmp_path / "model" / "code" / "inference.py").write_text(
        "def model_fn(model_dir):\n    return 1\n"
        "def predict_fn(data, model, context, extra):\n    return data\n")
    server = Served(tmp_path / "model", tmp_path / "serve.log", workers=1, SAGEMAKER_PROGRAM="inference.py")
    try:
        _, body = server.wait_ping(500)
        assert b"predict_fn takes 4 argument(s); it is called with 2 (or 3, the last one the request context)" in body
    finally:
        server.stop()


def test_request_headers_are_read_in_any_spelling():
    headers = RequestHeaders({"X-Amzn-SageMaker-Custom-Attributes": "a=1", "Content-Type": "text/csv"})
    assert headers.get("x-amzn-sagemaker-custom-attributes") == "a=1"
    assert headers["CONTENT-TYPE"] == "text/csv" and "content-type" in headers
    assert headers.get("Accept") is None and "Accept" not in headers
    assert list(headers) == ["X-Amzn-SageMaker-Custom-Attributes", "Content-Type"]


def test_which_functions_take_the_context():
    assert takes_context(lambda data, model, context: None, 2)
    assert takes_context(lambda data, model, context=None: None, 2)
    assert not takes_context(lambda data, model: None, 2)
    assert not takes_context(lambda *args: None, 2)
    with pytest.raises(TypeError, match="takes 1 argument"):
        takes_context(lambda data: None, 2)


def test_the_answers_headers_are_checked():
    from atelier.toolkit.serving.context import Context, answer_from

    def answer(name, value):
        context = Context("/opt/ml/model", request=RequestHeaders({CUSTOM: "a=1"}))
        context.set_response_header(0, name, value)
        return answer_from(context, b"{}", "application/json", returned_type=True)

    assert answer(CUSTOM, "x" * 1024).headers == [(CUSTOM, "x" * 1024)]
    with pytest.raises(ValueError, match="at most 1024 visible US-ASCII characters \\(it has 1025\\)"):
        answer(CUSTOM, "x" * 1025)
    with pytest.raises(ValueError, match="Content-Length is the model server's own"):
        answer("Content-Length", "3")
    with pytest.raises(ValueError, match="is not an HTTP token"):
        answer("Bad Name", "1")
    # A content type set on the context is the answer's only when the function returned none.
    assert answer("Content-Type", "text/plain").content_type == "application/json"
