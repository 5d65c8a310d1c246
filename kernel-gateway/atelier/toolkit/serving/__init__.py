"""Serving: the ``serve`` program of Atelier's images (SageMaker's hosting contract).

A model runs as a container of its image with the command ``serve``, the model's
``model.tar.gz`` unpacked at ``/opt/ml/model`` (``$SM_MODEL_DIR``, or ``$SM_BASE_DIR/model``).
``serve`` starts gunicorn (:mod:`.server`) on ``$BIND_ADDRESS:$PORT`` (``0.0.0.0:8080``) with
``$SAGEMAKER_MODEL_SERVER_WORKERS`` workers (one per CPU) and ``$SAGEMAKER_MODEL_SERVER_TIMEOUT``
(60 s) per request; each worker runs the WSGI application of :mod:`.app`:

- ``GET /ping``: 200 once the model loaded, 503 while it loads, 500 with the reason when it failed;
- ``POST /invocations``: at most 6 MB; the answer in the type ``Accept`` asks for.

The model is the user's inference script when ``$SAGEMAKER_PROGRAM`` names one (script mode,
:mod:`.script_mode`), else a scikit-learn ``model.joblib`` (:mod:`.builtin`).
"""

from .app import MAX_PAYLOAD, ModelServer, ServingConfig, load_handler
from .codecs import RequestError

__all__ = ["MAX_PAYLOAD", "ModelServer", "RequestError", "ServingConfig", "load_handler"]
