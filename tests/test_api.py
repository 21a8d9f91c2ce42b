"""`pipeline.extract` for notebook users: texts or records in, the seven tables as DataFrames out."""

import json
import os
import subprocess
import sys

import pandas as pd

import pipeline
import pipeline.stages.rules
from pipeline.records import TABLES, column_names

from .conftest import REPO

TEXT = "北浜市は2024年6月3日、市民32人分の氏名と住所を記載したメールを誤送信したと発表した。"


def test_texts_give_the_six_tables_with_the_csv_columns_and_types():
    card = "ヨシノ珈琲は、不正アクセスによりカード情報2,418件が流出した可能性があると発表した。"
    tables = pipeline.extract([TEXT, card], use_ner=False)
    for name, record_type in TABLES.items():
        assert list(tables[name].columns) == column_names(record_type)
    assert list(tables.articles["article_id"]) == ["doc1", "doc2"]
    incidents = tables.incidents.set_index("article_id")
    assert incidents.loc["doc1", "victim"] == "北浜市" and incidents.loc["doc1", "cause"] == "misdelivery"
    assert incidents["affected_total"].dtype == "Int64" and incidents.loc["doc2", "affected_total"] == 2418
    assert tables.counts["value"].dtype == "int64" and tables.counts["possible"].dtype == "bool"
    assert tables.data_categories["negated"].dtype == "bool"
    assert set(tables.data_categories.query("article_id == 'doc1'")["category"]) == {"name", "address"}


def test_records_and_dataframes_keep_their_ids_and_bad_records_fail_alone():
    frame = pd.DataFrame([{"id": "a1", "text": TEXT, "reference_date": "2024-06-03"},
                          {"id": "a2", "text": ""}])
    tables = pipeline.extract(frame, use_ner=False)
    status = dict(zip(tables.articles["article_id"], tables.articles["status"], strict=True))
    assert status == {"a1": "ok", "a2": "failed"}
    assert tables.articles.set_index("article_id").loc["a2", "error"] == "record 'text' is empty"
    assert list(tables.dates["value"]) == ["2024-06-03"]


def test_one_text_alone_and_a_series_of_texts():
    assert len(pipeline.extract(TEXT, use_ner=False).incidents) == 1
    series = pd.Series([TEXT], index=["kitahama"])
    assert list(pipeline.extract(series, use_ner=False).incidents["article_id"]) == ["kitahama"]


def test_missing_values_are_nan_in_extract_as_in_read_csv_of_the_run(tmp_path):
    records = [{"id": "a1", "text": TEXT, "reference_date": "2024-06-03"},
               {"id": "a2", "text": "個人情報の取り扱いについてのお知らせです。", "reference_date": "2024-06-03"}]
    source = tmp_path / "news.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pipeline", "run", source, "--out", tmp_path / "out", "--no-ner",
                          "--quiet"], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    extracted = pipeline.extract(records, use_ner=False)
    for name in ("incidents", "cases", "dates", "counts"):
        from_csv = pd.read_csv(tmp_path / "out" / f"{name}.csv")
        in_memory = extracted[name]
        assert (from_csv.isna().to_numpy() == in_memory.isna().to_numpy()).all(), name
    incidents = extracted.incidents.set_index("article_id")
    assert pd.isna(incidents.loc["a2", "victim"]) and pd.isna(incidents.loc["a1", "occurred_on"])
    assert incidents.loc["a1", "victim"] == "北浜市"


def test_learned_data_comes_from_the_project_not_from_the_working_folder(tmp_path):
    # A stranger's data/learned/ in the working folder switches off the 人 count rule; the project's
    # own learned data does not, so the same text must give the same rows from both folders.
    (tmp_path / "data" / "learned").mkdir(parents=True)
    (tmp_path / "data" / "learned" / "disabled.yaml").write_text(
        "disabled_rules:\n  - {id: disabled.count.unit.nin, rule: count.unit.nin}\n", encoding="utf-8")
    script = ("import json, pipeline\n"
              f"t = pipeline.extract([{TEXT!r}], use_ner=False)\n"
              "print(json.dumps([pipeline.stages.rules.data_dir().as_posix(), t.counts['value'].tolist()]))")
    env = {key: value for key, value in os.environ.items() if key != "PIPELINE_DATA_DIR"}
    env["PYTHONPATH"] = str(REPO)
    outputs = [json.loads(subprocess.run([sys.executable, "-c", script], cwd=folder, env=env, capture_output=True,
                                         text=True, check=True).stdout) for folder in (REPO, tmp_path)]
    assert outputs[0] == outputs[1] == [(REPO / "data").as_posix(), [32]]
