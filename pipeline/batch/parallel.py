"""Where extraction runs: in this process, in a pool of worker processes, or on a Dask cluster.

Each executor has `submit(article) -> future` (`future.result()` gives an `Extracted`) and
`close()`. Workers load the models once (module-level caches in each worker process) and
return rows; only the calling process touches the store.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Protocol

from pipeline.records import Article, Extraction
from pipeline.rules import RuleError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    """The result of extracting one article: rows and reference date, or the error."""

    extraction: Extraction | None
    reference_date: str
    error: str = ""


def extract_safely(article: Article, use_ner: bool, model: str | None = None) -> Extracted:
    """Extract one article; a bug in one article becomes its error, a broken rule file stops all.

    `model` names the NER model the caller uses, so that a worker on another machine (or in
    another folder) uses the same one rather than its own choice.
    """
    from pipeline.ner import current_model, use_model
    from pipeline.run import extract

    if model and model != current_model():
        use_model(model)
    try:
        extraction, reference_date = extract(article, use_ner)
    except RuleError:
        raise  # the rules are broken for every article, not this one
    except Exception as exc:  # one article's bug must not stop the batch
        log.exception("%s: extraction failed", article.source)
        return Extracted(None, article.reference_date, f"extraction failed: {type(exc).__name__}: {exc}")
    return Extracted(extraction, reference_date)


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


def start_worker(use_ner: bool) -> None:
    """Initializer of a pool worker."""
    _die_with_parent()
    warm_up(use_ner)


def warm_up(use_ner: bool) -> None:
    """Load the rules (and the NER model) now, once per process, not inside the first article."""
    from pipeline.run import check_rules

    check_rules()
    if use_ner:
        from pipeline.ner import load_model

        load_model()


class Executor(Protocol):
    def submit(self, article: Article) -> Future: ...

    def close(self) -> None: ...


class InlineExecutor:
    """Extraction in this process, one article at a time (`--workers 1`)."""

    def __init__(self, use_ner: bool):
        self.use_ner = use_ner

    def submit(self, article: Article) -> Future:
        future: Future = Future()
        try:
            future.set_result(extract_safely(article, self.use_ner))
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

    def __init__(self, workers: int, use_ner: bool):
        self.workers = workers
        self.use_ner = use_ner
        self.pool: ProcessPoolExecutor | None = None

    def _start(self) -> ProcessPoolExecutor:
        warm_up(self.use_ner)
        # Objects made so far (the model above all) are never collected: freezing them keeps the
        # garbage collector from writing to their pages, which would copy them into each worker.
        gc.freeze()
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method),
                                   initializer=start_worker, initargs=(self.use_ner,))

    def submit(self, article: Article) -> Future:
        if self.pool is None:
            self.pool = self._start()
        try:
            return self.pool.submit(extract_safely, article, self.use_ner)
        except BrokenProcessPool:
            log.warning("a worker process died; starting a new pool")
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._start()
            return self.pool.submit(extract_safely, article, self.use_ner)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


class DaskExecutor:
    """Articles spread over a Dask distributed cluster (`--dask ADDRESS`, or `--dask local`).

    Each Dask worker process loads the models once (warmed up when the client connects); the
    results come back to this process, which alone writes the store.
    """

    def __init__(self, address: str, workers: int, use_ner: bool):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise RuntimeError("--dask needs Dask: pip install -e '.[dask]'") from exc
        self.use_ner = use_ner
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
        from pipeline.ner import current_model

        self.model = current_model()
        self.client.run(warm_up, use_ner)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def submit(self, article: Article) -> Future:
        return self.client.submit(extract_safely, article, self.use_ner, self.model, pure=False)

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


def make_executor(workers: int, use_ner: bool, dask: str | None = None) -> Executor:
    if dask:
        return DaskExecutor(dask, workers, use_ner)
    if workers <= 1:
        return InlineExecutor(use_ner)
    return PoolExecutor(workers, use_ner)
