"""A runaway article fails with a clear error after its time limit, in every executor; the batch goes on."""

import re

from pipeline.batch.parallel import DaskExecutor, InlineExecutor, PoolExecutor
from pipeline.batch.reading import iter_inputs
from pipeline.batch.run import run_into_store
from pipeline.batch.store import Store
from pipeline.stages.extraction import ExtractionJob

TEXT = "北浜市は6月3日、市民32人分の氏名を誤送信したと発表した。"


class RunawayJob(ExtractionJob):
    """Extraction that never ends on the article 'runaway', as a pattern that backtracks forever would."""

    def extract(self, article):
        if article.article_id == "runaway":
            while True:
                pass
        if article.article_id == "backtracking":
            re.search(r"(a*)*b", "a" * 64)  # one native call of astronomical length
        return super().extract(article)


def _batch(tmp_path, ids):
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(f'{{"id": "{i}", "text": "{TEXT}"}}\n' for i in ids), encoding="utf-8")
    return batch


def _run(tmp_path, executor, ids=("a", "runaway", "b")):
    try:
        with Store.open(tmp_path / "out") as store:
            result = run_into_store(iter_inputs([_batch(tmp_path, ids)]), store, use_ner=False, executor=executor)
            rows = {row.article_id: row for row in store.tables()["articles.csv"]}
    finally:
        executor.close()
    return result, rows


def test_in_process_a_runaway_article_and_a_backtracking_match_fail_alone(tmp_path):
    result, rows = _run(tmp_path, InlineExecutor(RunawayJob(use_ner=False, time_limit=0.5)),
                        ("a", "runaway", "backtracking", "b"))
    assert (result.processed, result.failed) == (2, 2)
    for article_id in ("runaway", "backtracking"):
        assert rows[article_id].status == "failed"
        assert "longer than the 0.5 s limit per article" in rows[article_id].error


def test_in_a_worker_pool_the_runaway_fails_without_killing_its_worker(tmp_path):
    result, rows = _run(tmp_path, PoolExecutor(2, RunawayJob(use_ner=False, time_limit=1)))
    assert (result.processed, result.failed) == (2, 1)
    assert "longer than the 1 s limit" in rows["runaway"].error
    assert "worker died" not in rows["runaway"].error


def test_on_a_dask_worker_thread_the_runaway_fails_too(tmp_path):
    executor = DaskExecutor("local", workers=1, job=RunawayJob(use_ner=False, time_limit=1))
    result, rows = _run(tmp_path, executor)
    assert (result.processed, result.failed) == (2, 1)
    assert "longer than the 1 s limit" in rows["runaway"].error


def test_no_limit_leaves_an_ordinary_article_alone(tmp_path):
    result, rows = _run(tmp_path, InlineExecutor(RunawayJob(use_ner=False, time_limit=0)), ("a", "b"))
    assert (result.processed, result.failed) == (2, 0)
