"""Models and endpoints from notebook code, shaped like the sagemaker SDK's ``Model`` and ``Predictor``.

    job = TrainingJob("iris-2026-01-01-00-00-00-000")      # or estimator.fit(...)
    predictor = job.deploy(instance_type="ml.m5.large")    # Model, endpoint config, endpoint; waits
    predictor.predict([[5.1, 3.5, 1.4]])                   # {"predictions": ["setosa"]}
    predictor.delete_endpoint(); predictor.delete_model()

``Model(image=..., model_data=..., env=...)`` deploys any image whose ``serve`` answers SageMaker's
hosting contract (every Atelier image does). Errors are ``AtelierError`` with the server's message;
an answer of the model that is not a success is a ``ModelError`` (the container's status and text);
an endpoint that fails to come up is ``EndpointFailed`` (its FailureReason).
"""

from __future__ import annotations

import io
import re
import time
import urllib.parse
from typing import Any, Mapping

from .api import AtelierError, Session
from .deserializers import BaseDeserializer, JSONDeserializer
from .display import EndpointStatusBlock
from .job import base_name_from_image, name_from_base, string_map, tag_list
from .serializers import BaseSerializer, CSVSerializer

__all__ = ["EndpointFailed", "Model", "ModelError", "Predictor", "list_endpoints"]

DEFAULT_VARIANT = "AllTraffic"
_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_SETTLED = frozenset({"InService", "Failed", "OutOfService"})


class EndpointFailed(Exception):
    """An endpoint ended Failed; ``reason`` is its FailureReason."""

    def __init__(self, name: str, reason: str | None):
        self.name = name
        self.reason = reason or "no reason given"
        super().__init__(f"endpoint {name} failed: {self.reason}")

    def _render_traceback_(self) -> list[str]:
        return [f"EndpointFailed: {self}"]


class ModelError(AtelierError):
    """The model's container answered an invocation with an error: ``original_status`` (its HTTP
    status) and ``original_message`` (its body), as SageMaker's ModelError."""

    def __init__(self, endpoint: str, error: AtelierError):
        details = error.details
        self.endpoint = endpoint
        self.original_status = details.get("OriginalStatusCode")
        self.original_message = str(details.get("OriginalMessage") or "").strip()
        message = f"the model of endpoint {endpoint} answered {self.original_status}: {self.original_message}" \
            if self.original_message else error.message
        super().__init__(error.status, message, error.reason, details)


def check_name(kind: str, name: str) -> str:
    """``name`` when it is a valid name of a model, endpoint config or endpoint; a ``ValueError`` otherwise."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{kind} name {name!r} is not valid: 1 to 63 letters, digits and hyphens, "
                         "starting and ending with a letter or digit")
    return name


def _quoted(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def wait_for_endpoint(session: Session, name: str, poll: float = 2.0, timeout: float | None = None,
                      show: bool = True) -> dict:
    """Wait until the endpoint is InService (its description), showing its progress; ``EndpointFailed``
    when it ends Failed, ``TimeoutError`` past ``timeout`` seconds."""
    block = EndpointStatusBlock(name) if show else None
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        desc = session.get(f"endpoints/{_quoted(name)}") or {}
        status = desc.get("EndpointStatus")
        if block is not None:
            block.show(desc)
        if status == "Failed":
            raise EndpointFailed(name, desc.get("FailureReason"))
        if status in _SETTLED:
            return desc
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"endpoint {name} is still {status} after {timeout:g}s")
        time.sleep(poll)


class Model:
    """A model for the server to serve: an image, its ``model.tar.gz`` and environment variables.

    ``Model.from_training_job(name)`` is the model of a Completed training job (the server takes
    its image, artifacts and script-mode settings). ``deploy`` creates the model on the server
    (once), an endpoint config with one variant, and the endpoint.
    """

    def __init__(self, image: str | None = None, model_data: str | None = None, env: Mapping[str, Any] | None = None,
                 name: str | None = None, tags: Any = None, session: Session | None = None,
                 image_uri: str | None = None, training_job: str | None = None):
        image = image or image_uri
        if not image and not training_job:
            raise ValueError("image is required, e.g. Model(image='atelier/sklearn:latest', model_data='s3://...')")
        if model_data is not None and not str(model_data).startswith("s3://"):
            raise ValueError(f"model_data must be the S3 URI of a model.tar.gz, not {model_data!r}")
        self.image = image
        self.model_data = model_data
        self.env = dict(env or {})
        self.name = check_name("model", name) if name else None
        self.tags = tags
        self.training_job = training_job
        self._session = session
        self.created = False
        self.endpoint_name: str | None = None

    @classmethod
    def from_training_job(cls, job_name: str, name: str | None = None, session: Session | None = None) -> "Model":
        return cls(training_job=job_name, name=name, session=session)

    def __repr__(self) -> str:
        what = f"training_job={self.training_job!r}" if self.training_job else f"image={self.image!r}"
        return f"Model({what}, name={self.name!r})"

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = Session()
        return self._session

    def _base_name(self) -> str:
        return self.training_job or base_name_from_image(self.image or "model")

    def create(self) -> str:
        """Create the model on the server (once); its name."""
        if self.created:
            return self.name
        self.name = self.name or name_from_base(self._base_name())
        request: dict[str, Any] = {"ModelName": self.name}
        if self.training_job:
            request["FromTrainingJob"] = self.training_job
        else:
            container: dict[str, Any] = {"Image": self.image}
            if self.model_data:
                container["ModelDataUrl"] = self.model_data
            if self.env:
                container["Environment"] = string_map(self.env)
            request["PrimaryContainer"] = container
        tags = tag_list(self.tags)
        if tags:
            request["Tags"] = tags
        self.session.post("models", request)
        self.created = True
        return self.name

    def describe(self) -> dict:
        if not self.name:
            raise ValueError("the model has no name yet: create() or deploy() it first")
        return self.session.get(f"models/{_quoted(self.name)}") or {}

    def deploy(self, instance_type: str = "ml.m5.large", initial_instance_count: int = 1,
               endpoint_name: str | None = None, wait: bool = True, variant_name: str = DEFAULT_VARIANT,
               serializer: BaseSerializer | None = None, deserializer: BaseDeserializer | None = None,
               tags: Any = None, poll: float = 2.0) -> "Predictor":
        """Create the model, an endpoint config with one variant (all the traffic) and the endpoint;
        with ``wait``, wait until it is InService. The endpoint config has the endpoint's name."""
        if not isinstance(initial_instance_count, int) or initial_instance_count < 1:
            raise ValueError(f"initial_instance_count must be a whole number of at least 1, "
                             f"not {initial_instance_count!r}")
        if not instance_type:
            raise ValueError("instance_type is required, e.g. 'ml.m5.large'")
        endpoint = check_name("endpoint", endpoint_name) if endpoint_name else name_from_base(self._base_name())
        model = self.create()
        config: dict[str, Any] = {
            "EndpointConfigName": endpoint,
            "ProductionVariants": [{
                "VariantName": variant_name, "ModelName": model, "InstanceType": instance_type,
                "InitialInstanceCount": initial_instance_count, "InitialVariantWeight": 1.0,
            }],
        }
        tags = tag_list(tags if tags is not None else self.tags)
        if tags:
            config["Tags"] = tags
        self.session.post("endpoint-configs", config)
        request: dict[str, Any] = {"EndpointName": endpoint, "EndpointConfigName": endpoint}
        if tags:
            request["Tags"] = tags
        self.session.post("endpoints", request)
        self.endpoint_name = endpoint
        predictor = Predictor(endpoint, session=self.session, serializer=serializer, deserializer=deserializer)
        predictor.model_names = [model]
        if wait:
            wait_for_endpoint(self.session, endpoint, poll=poll)
        return predictor

    def delete_model(self) -> None:
        if not self.name:
            raise ValueError("the model has no name: it was never created")
        self.session.delete(f"models/{_quoted(self.name)}")
        self.created = False


class Predictor:
    """Invokes an endpoint, like ``sagemaker.predictor.Predictor``.

    ``serializer`` turns ``predict``'s data into the request (default CSV), ``deserializer`` the
    answer into data (default JSON): see ``atelier.serializers`` and ``atelier.deserializers``.
    ``last_variant`` is the variant that answered the last ``predict``, ``last_custom_attributes``
    the ``X-Amzn-SageMaker-Custom-Attributes`` its model answered with (None without one).
    """

    def __init__(self, endpoint_name: str, session: Session | None = None, serializer: BaseSerializer | None = None,
                 deserializer: BaseDeserializer | None = None):
        self.endpoint_name = check_name("endpoint", endpoint_name)
        self._session = session
        self.serializer = serializer or CSVSerializer()
        self.deserializer = deserializer or JSONDeserializer()
        self.last_variant: str | None = None
        self.last_custom_attributes: str | None = None
        self.model_names: list[str] | None = None

    def __repr__(self) -> str:
        return f"Predictor({self.endpoint_name!r})"

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = Session()
        return self._session

    @property
    def path(self) -> str:
        return f"endpoints/{_quoted(self.endpoint_name)}"

    def invoke(self, body: bytes | str, content_type: str, accept: str | None = None,
               target_variant: str | None = None, inference_id: str | None = None,
               custom_attributes: str | None = None) -> tuple[bytes, str, str | None]:
        """Send a body as it is; the answer's body, content type and the variant that served it."""
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        headers = {"Content-Type": content_type, "Accept": accept or "*/*"}
        if target_variant:
            headers["X-Amzn-SageMaker-Target-Variant"] = target_variant
        if inference_id:
            headers["X-Amzn-SageMaker-Inference-Id"] = inference_id
        if custom_attributes:
            headers["X-Amzn-SageMaker-Custom-Attributes"] = custom_attributes
        try:
            with self.session.open("POST", f"{self.path}/invocations", data=data, headers=headers) as response:
                answer = response.read()
                answer_type = response.headers.get("Content-Type") or ""
                variant = response.headers.get("X-Amzn-Invoked-Production-Variant")
                attributes = response.headers.get("X-Amzn-SageMaker-Custom-Attributes")
        except AtelierError as e:
            if e.details.get("ErrorCode") == "ModelError" or "OriginalStatusCode" in e.details:
                raise ModelError(self.endpoint_name, e) from None
            raise
        self.last_variant = variant
        self.last_custom_attributes = attributes
        return answer, answer_type, variant

    def predict(self, data: Any, target_variant: str | None = None, inference_id: str | None = None,
                custom_attributes: str | None = None) -> Any:
        """Serialize ``data``, invoke the endpoint (the variant ``target_variant`` when given), and
        deserialize the answer."""
        body = self.serializer.serialize(data)
        answer, answer_type, _ = self.invoke(body, self.serializer.CONTENT_TYPE, ", ".join(self.deserializer.ACCEPT),
                                             target_variant, inference_id, custom_attributes)
        return self.deserializer.deserialize(io.BytesIO(answer), answer_type)

    def describe(self) -> dict:
        """DescribeEndpoint: status, variants (weights, instances), FailureReason."""
        return self.session.get(self.path) or {}

    @property
    def endpoint_status(self) -> str | None:
        return self.describe().get("EndpointStatus")

    def wait(self, poll: float = 2.0, timeout: float | None = None) -> dict:
        """Wait until the endpoint is InService (after a create or an update)."""
        return wait_for_endpoint(self.session, self.endpoint_name, poll=poll, timeout=timeout)

    def update_weights(self, weights: Mapping[str, float], wait: bool = True, poll: float = 2.0) -> dict | None:
        """Shift traffic between variants in place: ``{"AllTraffic": 1, "Canary": 0.1}``."""
        if not weights:
            raise ValueError("weights must name at least one variant: {variant name: weight}")
        entries = []
        for variant, weight in weights.items():
            if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
                raise ValueError(f"the weight of variant {variant!r} must be a number of at least 0, not {weight!r}")
            entries.append({"VariantName": str(variant), "DesiredWeight": float(weight)})
        self.session.post(f"{self.path}/weights-and-capacities", {"DesiredWeightsAndCapacities": entries})
        return self.wait(poll=poll) if wait else None

    def metrics(self, minutes: int = 60) -> dict:
        """Per-minute invocations, errors and latencies of each variant over the last ``minutes``."""
        return self.session.get(f"{self.path}/metrics", {"minutes": int(minutes)}) or {}

    def _config_models(self, config_name: str | None) -> list[str]:
        if not config_name:
            return []
        config = self.session.get(f"endpoint-configs/{_quoted(config_name)}") or {}
        return [v["ModelName"] for v in config.get("ProductionVariants") or [] if v.get("ModelName")]

    def delete_endpoint(self, delete_endpoint_config: bool = True) -> None:
        """Delete the endpoint (and, by default, its endpoint config). Its models stay: ``delete_model()``."""
        config_name = self.describe().get("EndpointConfigName")
        if self.model_names is None:
            self.model_names = self._config_models(config_name)
        self.session.delete(self.path)
        if delete_endpoint_config and config_name:
            self.session.delete(f"endpoint-configs/{_quoted(config_name)}")

    def delete_model(self) -> None:
        """Delete the models the endpoint serves (found before the endpoint was deleted)."""
        if self.model_names is None:
            self.model_names = self._config_models(self.describe().get("EndpointConfigName"))
        for name in self.model_names:
            try:
                self.session.delete(f"models/{_quoted(name)}")
            except AtelierError as e:
                if e.status != 404:
                    raise
        self.model_names = []


def list_endpoints(session: Session | None = None) -> list[dict]:
    """Every endpoint: ``{EndpointName, EndpointArn, EndpointStatus, CreationTime, LastModifiedTime}``."""
    session = session or Session()
    return list((session.get("endpoints") or {}).get("Endpoints") or [])
