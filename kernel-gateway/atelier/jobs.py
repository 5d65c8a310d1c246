"""The names this module held before the SDK was split by what users do; kept so that
``from atelier.jobs import Estimator, TrainingJob, list_jobs, ...`` goes on working.

New code imports from the modules that own them (or simply ``from atelier import ...``):

- ``atelier.training``: ``Estimator``, ``TrainingJob``, ``TrainingInput``, ``Metrics``
- ``atelier.processing``: ``Processor``, ``ScriptProcessor``, ``ProcessingJob``,
  ``ProcessingInput``, ``ProcessingOutput``
- ``atelier.job``: what every job shares: ``JobFailed``, ``list_jobs``, ``job_by_name``,
  ``name_from_base``, ``base_name_from_image``
- ``atelier.display``: the status block shown while a job runs
- ``atelier.api``: ``Session``, ``AtelierError``, ``parse_s3_uri``
"""

from __future__ import annotations

# Also importable from here as before, though not in ``__all__``: AtelierError, Session,
# parse_s3_uri, ScriptProcessor, base_name_from_image, job_by_name.
from .api import AtelierError, Session, parse_s3_uri  # noqa: F401
from .job import JobFailed, base_name_from_image, job_by_name, list_jobs, name_from_base  # noqa: F401
from .processing import ProcessingInput, ProcessingJob, ProcessingOutput, Processor, ScriptProcessor  # noqa: F401
from .training import Estimator, Metrics, TrainingInput, TrainingJob

__all__ = [
    "Estimator",
    "JobFailed",
    "Metrics",
    "ProcessingInput",
    "ProcessingJob",
    "ProcessingOutput",
    "Processor",
    "TrainingInput",
    "TrainingJob",
    "list_jobs",
    "name_from_base",
]
