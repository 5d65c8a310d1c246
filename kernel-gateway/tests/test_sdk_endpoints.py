"""Model, Predictor, the serializers and %%atelier_invoke against a fake Atelier API (request shapes
of the endpoints API)."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from atelier import EndpointFailed, Model, ModelError, Predictor, TrainingJob
from atelier.api import AtelierError
from atelier.deserializers import CSVDeserializer, JSONDeserializer, NumpyDeserializer, StringDeserializer
from atelier.serializers import CSVSerializer, IdentitySerializer, JSONSerializer, NumpySerializer

from sdk_fake import Reply, env, error, fake  # noqa: F401 - fixtures


def endpoint(name: str, status: str, **extra) -> Reply:
    body = {"EndpointName": name, "EndpointArn": f"arn:atelier:sagemaker:local:000000000000:endpoint/{name}",
            "EndpointConfigName": name, "EndpointStatus": status,
            "ProductionVariants": [{"VariantName": "AllTraffic", "CurrentWeight": 1.0, "DesiredInstanceCount": 1,
                                    "Instances": [{"Id": "i-1", "Healthy": status == "InService"}]}]}
    body.update(extra)
    return Reply(200, body)


def created(kind: str, name_field: str):
    return lambda rec: Reply(201, {f"{kind}Arn": f"arn:atelier:sagemaker:local:000000000000:x/{rec.json()[name_field]}"})


@pytest.fixture
def api(env):
    env.route("POST", "models", created("Model", "ModelName"))
    env.route("POST", "endpoint-configs", created("EndpointConfig", "EndpointConfigName"))
    env.route("POST", "endpoints", created("Endpoint", "EndpointName"))
    return env


def test_training_job_deploy_creates_model_config_endpoint_and_waits(api, capsys):
    api.route("GET", "endpoints/iris-ep", endpoint("iris-ep", "Creating"), endpoint("iris-ep", "InService"))
    predictor = TrainingJob("iris-job").deploy(instance_type="ml.m5.large", endpoint_name="iris-ep")
    (model,) = api.calls("POST", "models")
    assert model.json()["FromTrainingJob"] == "iris-job"
    assert model.json()["ModelName"].startswith("iris-job-")
    (config,) = api.calls("POST", "endpoint-configs")
    assert config.json() == {"EndpointConfigName": "iris-ep", "ProductionVariants": [{
        "VariantName": "AllTraffic", "ModelName": model.json()["ModelName"], "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1, "InitialVariantWeight": 1.0}]}
    (created_endpoint,) = api.calls("POST", "endpoints")
    assert created_endpoint.json() == {"EndpointName": "iris-ep", "EndpointConfigName": "iris-ep"}
    assert len(api.calls("GET", "endpoints/iris-ep")) == 2
    assert isinstance(predictor, Predictor) and predictor.endpoint_name == "iris-ep"
    out = capsys.readouterr().out
    assert "iris-ep: Creating" in out and "iris-ep: InService - AllTraffic: 1/1 healthy" in out


def test_model_from_an_image_with_environment_and_a_failed_endpoint(api):
    api.route("GET", "endpoints/broken", endpoint("broken", "Failed", FailureReason="ping answered 500: no model"))
    model = Model(image="atelier/datascience:latest", model_data="s3://bucket1/m/model.tar.gz",
                  env={"SAGEMAKER_PROGRAM": "inference.py", "WORKERS": 2}, name="my-model")
    with pytest.raises(EndpointFailed, match="ping answered 500: no model"):
        model.deploy(instance_type="ml.c5.large", initial_instance_count=2, endpoint_name="broken", poll=0.01)
    (call,) = api.calls("POST", "models")
    assert call.json() == {"ModelName": "my-model", "PrimaryContainer": {
        "Image": "atelier/datascience:latest", "ModelDataUrl": "s3://bucket1/m/model.tar.gz",
        "Environment": {"SAGEMAKER_PROGRAM": "inference.py", "WORKERS": "2"}}}
    assert api.calls("POST", "endpoint-configs")[0].json()["ProductionVariants"][0]["InitialInstanceCount"] == 2


def test_deploy_without_waiting_and_bad_arguments(api):
    predictor = Model(image="atelier/sklearn:latest").deploy(wait=False)
    assert predictor.endpoint_name.startswith("sklearn-")
    assert not api.calls("GET", f"endpoints/{predictor.endpoint_name}")
    with pytest.raises(ValueError, match="initial_instance_count"):
        Model(image="x").deploy(initial_instance_count=0)
    with pytest.raises(ValueError, match="endpoint name 'no spaces'"):
        Model(image="x").deploy(endpoint_name="no spaces")
    with pytest.raises(ValueError, match="model_data must be the S3 URI"):
        Model(image="x", model_data="/tmp/model.tar.gz")
    with pytest.raises(ValueError, match="image is required"):
        Model()


def test_a_server_error_is_an_atelier_error_with_its_message(api):
    api.route("POST", "models", error(409, "model my-model exists already", "Conflict"))
    with pytest.raises(AtelierError, match="model my-model exists already") as raised:
        Model(image="x", name="my-model").deploy(wait=False)
    assert raised.value.status == 409


def test_predict_serializes_sends_the_headers_and_deserializes(env):
    def answer(rec):
        return Reply(200, {"predictions": ["setosa", "virginica"]},
                     {"Content-Type": "application/json", "X-Amzn-Invoked-Production-Variant": "Canary",
                      "X-Amzn-SageMaker-Custom-Attributes": "seen=trace-1"})
    env.route("POST", "endpoints/iris-ep/invocations", answer)
    predictor = Predictor("iris-ep")
    assert predictor.predict([[5.1, 3.5, 1.4], [6.7, 3.0, 5.2]], target_variant="Canary",
                             custom_attributes="trace-1") == {"predictions": ["setosa", "virginica"]}
    (call,) = env.calls("POST", "endpoints/iris-ep/invocations")
    assert call.body == b"5.1,3.5,1.4\n6.7,3.0,5.2\n"
    assert call.headers["content-type"] == "text/csv" and call.headers["accept"] == "application/json"
    assert call.headers["x-amzn-sagemaker-target-variant"] == "Canary"
    assert call.headers["x-amzn-sagemaker-custom-attributes"] == "trace-1"
    assert predictor.last_variant == "Canary" and predictor.last_custom_attributes == "seen=trace-1"


def test_a_model_error_carries_the_containers_status_and_message(env):
    env.route("POST", "endpoints/iris-ep/invocations", Reply(424, {
        "ErrorCode": "ModelError", "OriginalStatusCode": 400, "message": "Received client error (400)",
        "OriginalMessage": "row 1 has 2 values; the model takes 3 features\n"}))
    with pytest.raises(ModelError) as raised:
        Predictor("iris-ep").predict([[1, 2]])
    assert raised.value.original_status == 400
    assert str(raised.value) == "the model of endpoint iris-ep answered 400: row 1 has 2 values; the model takes 3 features"
    env.route("POST", "endpoints/gone/invocations", error(404, "no endpoint is called gone", "Not Found"))
    with pytest.raises(AtelierError, match="no endpoint is called gone") as other:
        Predictor("gone").predict("1,2")
    assert not isinstance(other.value, ModelError)


def test_update_weights_describe_and_delete(env):
    env.route("POST", "endpoints/ab/weights-and-capacities", Reply(200, {"EndpointArn": "arn"}))
    env.route("GET", "endpoints/ab", endpoint("ab", "Updating"), endpoint("ab", "InService"))
    env.route("GET", "endpoint-configs/ab", Reply(200, {"EndpointConfigName": "ab", "ProductionVariants": [
        {"VariantName": "A", "ModelName": "model-a"}, {"VariantName": "B", "ModelName": "model-b"}]}))
    for path in ("endpoints/ab", "endpoint-configs/ab", "models/model-a", "models/model-b"):
        env.route("DELETE", path, Reply(204 if path.startswith("models") else 202))
    predictor = Predictor("ab")
    predictor.update_weights({"A": 0.9, "B": 0.1})
    (call,) = env.calls("POST", "endpoints/ab/weights-and-capacities")
    assert call.json() == {"DesiredWeightsAndCapacities": [{"VariantName": "A", "DesiredWeight": 0.9},
                                                            {"VariantName": "B", "DesiredWeight": 0.1}]}
    assert predictor.describe()["EndpointStatus"] == "InService"
    predictor.delete_endpoint()
    predictor.delete_model()
    deleted = [r.path for r in env.calls("DELETE")]
    assert deleted == ["endpoints/ab", "endpoint-configs/ab", "models/model-a", "models/model-b"]
    with pytest.raises(ValueError, match="weight of variant 'A'"):
        predictor.update_weights({"A": -1})


def test_serializers():
    assert CSVSerializer().serialize([1, 2.5, "x"]) == "1,2.5,x\n"
    assert CSVSerializer().serialize(np.array([[1, 2], [3, 4]])) == "1,2\n3,4\n"
    assert CSVSerializer().serialize(pd.DataFrame({"a": [1, 2], "b": ["u", "v"]})) == "1,u\n2,v\n"
    assert CSVSerializer().serialize("1,2\n") == "1,2\n" and CSVSerializer().CONTENT_TYPE == "text/csv"
    assert json.loads(JSONSerializer().serialize({"instances": np.array([[1, 2]])})) == {"instances": [[1, 2]]}
    assert json.loads(JSONSerializer().serialize([np.float32(1.5)])) == [1.5]
    array = np.load(io.BytesIO(NumpySerializer(dtype="float32").serialize([[1, 2]])))
    assert array.dtype == np.float32 and array.tolist() == [[1.0, 2.0]]
    assert NumpySerializer().CONTENT_TYPE == "application/x-npy"
    assert IdentitySerializer("text/plain").serialize(b"abc") == b"abc"
    with pytest.raises(TypeError):
        CSVSerializer().serialize(object())


def test_deserializers():
    assert JSONDeserializer().deserialize(io.BytesIO(b'{"predictions": [1]}'), "application/json") == {"predictions": [1]}
    assert CSVDeserializer().deserialize(io.BytesIO(b"a,1\nb,2\n"), "text/csv") == [["a", "1"], ["b", "2"]]
    assert StringDeserializer().deserialize(io.BytesIO(b"hi"), "text/plain") == "hi"
    buffer = io.BytesIO()
    np.save(buffer, np.array([1, 2]))
    numpy = NumpyDeserializer()
    assert numpy.deserialize(io.BytesIO(buffer.getvalue()), "application/x-npy").tolist() == [1, 2]
    assert numpy.deserialize(io.BytesIO(b"1,2\n3,4\n"), "text/csv").tolist() == [[1, 2], [3, 4]]
    assert numpy.deserialize(io.BytesIO(b"[[1, 2]]"), "application/json").tolist() == [[1, 2]]
    assert numpy.ACCEPT == ("application/x-npy",) and CSVDeserializer().ACCEPT == ("text/csv",)


def test_invoke_magic_sends_the_cell_and_shows_the_variant(env):
    IPython = pytest.importorskip("IPython")
    from IPython.core.error import UsageError
    from IPython.core.interactiveshell import InteractiveShell

    env.route("POST", "endpoints/iris-ep/invocations",
              Reply(200, b"setosa\nvirginica\n", {"Content-Type": "text/csv",
                                                    "X-Amzn-Invoked-Production-Variant": "Blue"}))
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "atelier")
    result = shell.run_cell_magic("atelier_invoke", "iris-ep --accept text/csv --variant Blue",
                                  "5.1,3.5,1.4\n6.7,3.0,5.2")
    (call,) = env.calls("POST", "endpoints/iris-ep/invocations")
    assert call.body == b"5.1,3.5,1.4\n6.7,3.0,5.2\n"
    assert call.headers["content-type"] == "text/csv" and call.headers["accept"] == "text/csv"
    assert call.headers["x-amzn-sagemaker-target-variant"] == "Blue"
    assert result.text == "setosa\nvirginica\n" and shell.user_ns["_atelier_invocation"] is result
    assert result.variant == "Blue" and "variant <b>Blue</b>" in result._repr_html_()
    assert "<td style='text-align:left'>virginica</td>" in result._repr_html_()
    shell.run_cell_magic("atelier_invoke", "iris-ep", '{"instances": [[1, 2, 3]]}')
    assert env.calls("POST", "endpoints/iris-ep/invocations")[1].headers["content-type"] == "application/json"
    with pytest.raises(UsageError, match="is a cell magic"):
        shell.run_line_magic("atelier_invoke", "iris-ep")
    with pytest.raises(UsageError, match="the cell is empty"):
        shell.run_cell_magic("atelier_invoke", "iris-ep", "  \n")
