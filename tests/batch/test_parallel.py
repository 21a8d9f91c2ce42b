"""Extraction on worker processes or a Dask cluster gives the tables of a run in one process."""

import os

from pipeline.batch.parallel import DaskExecutor, PoolExecutor
from pipeline.batch.reading import iter_inputs
from pipeline.batch.run import run_articles, run_into_store
from pipeline.batch.store import Store
from pipeline.stages.extraction import ExtractionJob
from tests.conftest import REPO

SAMPLES = REPO / "data" / "raw"


def test_two_worker_processes_give_the_tables_of_one_process():
    inline = run_articles(iter_inputs([SAMPLES]), use_ner=True, workers=1)
    pooled = run_articles(iter_inputs([SAMPLES]), use_ner=True, workers=2)
    assert pooled.processed == inline.processed == 11
    assert pooled.tables == inline.tables


def test_a_local_dask_cluster_with_two_workers_gives_the_same_tables_and_the_client_writes_the_store(tmp_path):
    inline = run_articles(iter_inputs([SAMPLES]), use_ner=True, workers=1)
    executor = DaskExecutor("local", workers=2, job=ExtractionJob.here(use_ner=True))
    try:
        worker_pids = executor.client.run(os.getpid)
        assert len(worker_pids) == 2 and os.getpid() not in worker_pids.values()
        with Store.open(tmp_path) as store:
            result = run_into_store(iter_inputs([SAMPLES]), store, use_ner=True, executor=executor)
            stored = store.tables()
    finally:
        executor.close()
    assert result.processed == 11
    assert {name: sorted(rows, key=repr) for name, rows in stored.items()} == \
        {name: sorted(rows, key=repr) for name, rows in inline.tables.items()}


class ExitOnBoom(ExtractionJob):
    """A job whose worker dies outright on the article 'boom', as the OOM killer would do it."""

    def __call__(self, article):
        if article.article_id == "boom":
            os._exit(3)
        return super().__call__(article)


def test_a_worker_that_dies_fails_only_its_own_article(tmp_path):
    batch = tmp_path / "batch.jsonl"
    text = "北浜市は6月3日、市民32人分の氏名を誤送信したと発表した。"
    batch.write_text("".join(f'{{"id": "{i}", "text": "{text}"}}\n' for i in ("a", "b", "boom", "c", "d", "e")),
                     encoding="utf-8")
    executor = PoolExecutor(2, ExitOnBoom(use_ner=False))
    try:
        with Store.open(tmp_path / "out") as store:
            result = run_into_store(iter_inputs([batch]), store, use_ner=False, executor=executor)
            rows = {row.article_id: row for row in store.tables()["articles.csv"]}
    finally:
        executor.close()
    assert (result.processed, result.failed) == (5, 1)
    assert rows["boom"].status == "failed" and "worker died on this article twice" in rows["boom"].error
    assert {aid for aid, row in rows.items() if row.status == "ok"} == {"a", "b", "c", "d", "e"}
