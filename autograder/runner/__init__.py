"""Running checks away from the learner's kernel: jobs, isolation, the warm worker."""

from autograder.runner._client import WorkerClient
from autograder.runner._ending import Ending
from autograder.runner._isolate import interpret, run_isolated
from autograder.runner._job import Job, execute_job

__all__ = ["Ending", "Job", "WorkerClient", "execute_job", "interpret", "run_isolated"]
