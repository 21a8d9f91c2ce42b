"""Where extraction runs: in this process, in a pool of worker processes, or on a Dask cluster.

Each executor runs a job (pipeline.stages.extraction.ExtractionJob) on articles:
`submit(article) -> future` (`future.result()` is what the job returned) and `close()`. Workers
load the models once (module-level caches in each worker process) and return rows; only the
calling process touches the store.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from pipeline.records import Article

log = logging.getLogger(__name__)


class Job(Protocol):
    """What an executor runs for each article (pipeline.stages.extraction.ExtractionJob): picklable,
    so that a worker process or a Dask worker can run it, and warmed up once per process."""

    def __call__(self, article: Article) -> Any: ...

    def warm_up(self) -> None: ...


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the process that started it dies (even by `kill -9`),
    so that no orphan goes on extracting for a run that no longer exists."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers end when their pipe closes
        pass


def start_worker(job: Job) -> None:
    """Initializer of a pool worker."""
    _die_with_parent()
    job.warm_up()


def _warm_up(job: Job) -> None:
    job.warm_up()


class Executor(Protocol):
    def submit(self, article: Article) -> Future: ...

    def close(self) -> None: ...


class InlineExecutor:
    """Extraction in this process, one article at a time (`--workers 1`)."""

    def __init__(self, job: Job):
        self.job = job

    def submit(self, article: Article) -> Future:
        future: Future = Future()
        try:
            future.set_result(self.job(article))
        except BaseException as exc:  # RuleError and KeyboardInterrupt reach the caller via result()
            future.set_exception(exc)
        return future

    def close(self) -> None:
        pass


class PoolExecutor:
    """A pool of worker processes on this machine (`--workers N`).

    The workers are forked after this process has loaded the model, so the model's memory is
    shared between them rather than copied. A worker that dies (killed, out of memory) breaks
    the pool; the next submission starts a new one (`run.process` retries, one at a time, the
    articles that were in flight).
    """

    def __init__(self, workers: int, job: Job):
        self.workers = workers
        self.job = job
        self.pool: ProcessPoolExecutor | None = None

    def _start(self) -> ProcessPoolExecutor:
        self.job.warm_up()
        # Objects made so far (the model above all) are never collected: freezing them keeps the
        # garbage collector from writing to their pages, which would copy them into each worker.
        gc.freeze()
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method),
                                   initializer=start_worker, initargs=(self.job,))

    def submit(self, article: Article) -> Future:
        if self.pool is None:
            self.pool = self._start()
        try:
            return self.pool.submit(self.job, article)
        except BrokenProcessPool:
            log.warning("a worker process died; starting a new pool")
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._start()
            return self.pool.submit(self.job, article)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


class DaskExecutor:
    """Articles spread over a Dask distributed cluster (`--dask ADDRESS`, or `--dask local`).

    Each Dask worker process loads the models once (warmed up when the client connects); the
    results come back to this process, which alone writes the store.
    """

    def __init__(self, address: str, workers: int, job: Job):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise RuntimeError("--dask needs Dask: pip install -e '.[dask]'") from exc
        self.job = job
        self.cluster = None
        # Dask reports every connection at INFO; a batch run only wants its warnings.
        logging.getLogger("distributed").setLevel(logging.WARNING)
        if address == "local":
            import dask

            dask.config.set({"logging.distributed": "warning"})
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=":0")
            self.client = Client(self.cluster)
        else:
            self.client = Client(address, timeout=30)
        self.client.run(_warm_up, job)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def submit(self, article: Article) -> Future:
        return self.client.submit(job_call, self.job, article, pure=False)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def job_call(job: Job, article: Article) -> Any:
    return job(article)


def make_executor(workers: int, job: Job, dask: str | None = None) -> Executor:
    if dask:
        return DaskExecutor(dask, workers, job)
    if workers <= 1:
        return InlineExecutor(job)
    return PoolExecutor(workers, job)
