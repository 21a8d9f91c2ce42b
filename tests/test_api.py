"""`pipeline.extract` for notebook users: texts or records in, the six tables as DataFrames out."""

import pandas as pd

import pipeline
from pipeline.records import TABLES, column_names

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
