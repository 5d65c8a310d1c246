"""Atelier's container toolkit: the ``train`` and ``serve`` programs of Atelier's images.

A training job runs as a container of its image with the command ``train`` and the SageMaker
layout under ``/opt/ml`` (``input/config/*.json``, ``input/data/<channel>/``, ``model/``,
``output/``, ``code/``). ``train`` then runs, in this order of preference:

- script mode, when the hyperparameter ``sagemaker_program`` (or the environment variable
  ``SAGEMAKER_PROGRAM``) names the entry point: the user's script in ``/opt/ml/code``, with the
  other hyperparameters as ``--name value`` arguments (:mod:`atelier.toolkit.script`);
- the image's built-in algorithm, named by ``ATELIER_BUILTIN_ALGORITHM`` (``sklearn``:
  :mod:`atelier.toolkit.sklearn_builtin`);
- otherwise it fails (exit code 2), saying how to use the image.

Paths are under ``/opt/ml`` unless ``SM_BASE_DIR`` names another directory.

A model runs as a container with the command ``serve`` (:mod:`atelier.toolkit.serving`): gunicorn
answering ``GET /ping`` and ``POST /invocations`` for the model in ``/opt/ml/model``.
``python -m atelier.toolkit serve`` is the same outside an image.
"""

from .environment import TrainingEnvironment, UserError, write_failure

__all__ = ["TrainingEnvironment", "UserError", "write_failure"]
