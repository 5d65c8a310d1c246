"""`serve` in script mode: a real inference.py beside a real fitted model, real gunicorn on 127.0.0.1."""

from __future__ import annotations

import io
import json
import textwrap
import threading
import time

import numpy as np

from serve_helpers import Served

INFERENCE = textwrap.dedent("""
    import json, os
    import joblib
    import helper   # a module beside the script imports

    def model_fn(model_dir):
        return joblib.load(os.path.join(model_dir, "classifier.pkl"))

    def input_fn(request_body, request_content_type):
        if request_content_type != "application/json":
            raise ValueError("this model reads JSON only")
        return json.loads(request_body)["features"]

    def predict_fn(input_data, model):
        return {"labels": model.predict(input_data).tolist(),
                "probability": model.predict_proba(input_data)[:, 1].round(3).tolist()}

    def output_fn(prediction, accept):
        if accept == "text/plain":
            return " ".join(str(l) for l in prediction["labels"]), "text/plain"
        return json.dumps({**prediction, "by": helper.NAME})
""")


#: A module beside the script, which it imports.
CODE_FILES = {"helper.py": "NAME = 'inference.py'\n"}
SERVE_WORKERS = 2


def test_the_scripts_functions_answer(served):
    status, headers, body = served.invoke(json.dumps({"features": [[3, 0], [-3, 0]]}),
                                          content_type="application/json", accept="application/json")
    assert status == 200, body
    answer = json.loads(body)
    assert answer["labels"] == [1, 0] and answer["by"] == "inference.py"
    assert answer["probability"][0] > 0.9 > 0.1 > answer["probability"][1]
    assert headers["content-type"] == "application/json"
    # output_fn's own content type, for an Accept the defaults would refuse.
    status, headers, body = served.invoke(json.dumps({"features": [[3, 0]]}), content_type="application/json",
                                          accept="text/plain")
    assert (status, headers["content-type"], body) == (200, "text/plain", b"1")
    assert "script mode" in served.log_text() and "model_fn, input_fn, predict_fn, output_fn" in served.log_text()


def test_an_error_in_the_script_is_a_500_with_its_message(served):
    status, _, body = served.invoke("3,0\n", content_type="text/csv")
    assert status == 500
    assert b"ValueError: this model reads JSON only" in body
    assert "Traceback" in served.log_text()


def test_the_defaults_when_the_script_only_loads_the_model(model_dir, tmp_path):
    code = tmp_path / "src"
    code.mkdir()
    (code / "serve_me.py").write_text("import joblib, os\n"
                                      "def model_fn(model_dir):\n"
                                      "    return joblib.load(os.path.join(model_dir, 'classifier.pkl'))\n")
    # The script from SAGEMAKER_SUBMIT_DIRECTORY (a local folder), the model without code/ in it.
    bare = tmp_path / "model"
    bare.mkdir()
    (bare / "classifier.pkl").write_bytes((model_dir / "classifier.pkl").read_bytes())
    server = Served(bare, tmp_path / "serve.log", workers=1, SAGEMAKER_PROGRAM="serve_me.py",
                    SAGEMAKER_SUBMIT_DIRECTORY=f"file://{code}")
    try:
        server.wait_ping()
        status, headers, body = server.invoke("3,0\n-3,0\n", content_type="text/csv", accept="text/csv")
        assert (status, headers["content-type"], body) == (200, "text/csv", b"1\n0\n")
        status, _, body = server.invoke("[[3, 0]]", content_type="application/json")
        assert status == 200 and json.loads(body) == [1]   # the framework containers' JSON: the plain list
        buffer = io.BytesIO()
        np.save(buffer, np.array([[-3.0, 0.0]]))
        status, _, body = server.invoke(buffer.getvalue(), content_type="application/x-npy", accept="application/x-npy")
        assert status == 200 and np.load(io.BytesIO(body)).tolist() == [0]
        assert server.invoke("3,0\n", content_type="image/png")[0] == 415
        assert server.invoke("3,0\n", accept="image/png")[0] == 406
        assert server.invoke("3,x\n")[0] == 400
    finally:
        assert server.stop() == 0


def test_a_missing_script_makes_ping_say_where_it_looked(tmp_path):
    (tmp_path / "model").mkdir()
    server = Served(tmp_path / "model", tmp_path / "serve.log", workers=1, SAGEMAKER_PROGRAM="inference.py")
    try:
        _, body = server.wait_ping(500)
        assert b"SAGEMAKER_PROGRAM=inference.py is in none of" in body
        assert str(tmp_path / "model" / "code").encode() in body
    finally:
        server.stop()


def test_a_slow_model_loads_without_blocking_ping_and_sigterm_lets_requests_finish(tmp_path):
    code = tmp_path / "model" / "code"
    code.mkdir(parents=True)
    (code / "inference.py").write_text(textwrap.dedent("""
        import time
        def model_fn(model_dir):
            time.sleep(2)
            return "slow"
        def transform_fn(model, body, content_type, accept):
            time.sleep(1.5)
            return body.upper(), "text/plain"
    """))
    server = Served(tmp_path / "model", tmp_path / "serve.log", workers=1, SAGEMAKER_PROGRAM="inference.py")
    try:
        status, _ = server.wait_ping(503, timeout=30)   # loading
        server.wait_ping(200, timeout=30)
        answers = []
        worker = threading.Thread(target=lambda: answers.append(server.invoke("abc", content_type="text/plain")))
        worker.start()
        time.sleep(0.5)   # the request is in the worker
        server.proc.send_signal(15)
        worker.join(30)
        assert answers and answers[0][0] == 200 and answers[0][2] == b"ABC"
        assert server.proc.wait(30) == 0
    finally:
        server.stop()
