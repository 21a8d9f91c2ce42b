"""The gold store keeps every correction: append-only, the latest record of an article wins, and
nothing an analyst saved is undone by adding an older file or by a crash mid-save."""

import json

import pytest

from pipeline.learning.gold import GoldError
from pipeline.learning.gold_store import GoldStore
from pipeline.records import Article


def gold(article_id: str, victim: str, **fields) -> dict:
    return {"id": article_id, "reference_date": "2025-04-02", "is_incident": True, "victim": [victim],
            "cause": ["misdelivery"], "affected_total": [58], "organizations": [[victim]],
            "organizations_optional": [], "dates": ["2025-04-01"], "dates_optional": [],
            "counts": [[58, "人"]], "counts_optional": [], "categories": {"name": True},
            "categories_optional": [], **fields}


def test_the_latest_record_of_an_article_wins_and_the_earlier_ones_stay_in_the_history(tmp_path):
    store = GoldStore(tmp_path / "gold")
    text = Article("m1", "南原町は1日、町民58人分の氏名を記載した書類を誤送付したと発表した。", "m1.txt")
    store.add([gold("m1", "南原町役場")], "draft.gold.jsonl", [text])
    store.add([gold("m1", "南原町")], "serve")
    assert store.latest()["m1"]["victim"] == ["南原町"]
    history = store.history("m1")
    assert [h["victim"] for h in history] == [["南原町役場"], ["南原町"]]
    assert [h["saved_from"] for h in history] == ["draft.gold.jsonl", "serve"]
    assert history[0]["saved_at"] <= history[1]["saved_at"]
    assert "saved_at" not in store.records()[0], "the gold itself is in SPEC format"
    assert store.texts()["m1"] == text


def test_adding_the_same_file_again_does_not_undo_a_later_correction(tmp_path):
    store = GoldStore(tmp_path / "gold")
    original = [gold("m1", "南原町役場"), gold("m2", "東雲信用金庫")]
    assert len(store.add(original, "a.gold.jsonl")) == 2
    store.add([gold("m1", "南原町")], "serve")
    assert store.add(original, "a.gold.jsonl") == []
    assert store.latest()["m1"]["victim"] == ["南原町"]


def test_a_save_cut_short_loses_only_itself(tmp_path, caplog):
    store = GoldStore(tmp_path / "gold")
    store.add([gold("m1", "南原町")], "serve")
    with store.records_path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(gold("m2", "東雲信用金庫"), ensure_ascii=False)[:40])  # the power went out
    assert list(store.latest()) == ["m1"]
    assert "torn line" in caplog.text
    store.add([gold("m3", "北浜市")], "serve")
    assert list(store.latest()) == ["m1", "m3"]


def test_a_malformed_record_is_refused_whole_with_the_reason(tmp_path):
    store = GoldStore(tmp_path / "gold")
    for bad, reason in [({"victim": ["x"]}, "'id'"), (gold("m1", "南原町", cause=["spam"]), "unknown cause"),
                        (gold("m1", "南原町", counts=[[58]]), "[number, unit]"),
                        (gold("m1", "南原町", categories={"name": "yes"}), "true or false")]:
        with pytest.raises(GoldError, match=reason):
            store.add([gold("m0", "北浜市"), bad], "serve")
    assert store.history() == []


def test_a_gold_file_does_not_replace_a_correction_saved_in_serve_unless_asked(tmp_path):
    from pipeline.learning.gold_store import SERVE

    store = GoldStore(tmp_path / "gold")
    older = [gold("m1", "南原町役場"), gold("m2", "東雲信用金庫")]
    store.add(older, "a.gold.jsonl")
    store.add([gold("m1", "南原町", cause=["loss"])], SERVE)
    file_again = [gold("m1", "南原町役場"), gold("m2", "東雲信用金庫", cause=["theft"])]
    assert store.differing_corrections(file_again) == ["m1"], "m2 was never corrected in serve"
    added = store.add(file_again, "b.gold.jsonl", keep_corrections=True)
    assert [r["id"] for r in added] == ["m2"]
    assert store.latest()["m1"]["cause"] == ["loss"] and store.latest()["m2"]["cause"] == ["theft"]
    store.add(file_again, "b.gold.jsonl", replace_corrections=True)
    assert store.latest()["m1"]["victim"] == ["南原町役場"], "asked to, the file's record wins"


def test_an_analyst_who_changes_a_value_back_is_heard(tmp_path):
    from pipeline.learning.gold_store import SERVE

    store = GoldStore(tmp_path / "gold")
    for cause in ("loss", "theft", "loss"):
        store.add([gold("m1", "南原町", cause=[cause])], SERVE)
    assert store.latest()["m1"]["cause"] == ["loss"] and len(store.history("m1")) == 3


def test_a_correction_remembers_the_text_it_was_made_on_and_its_date_roles(tmp_path):
    from pipeline.batch.corrections import TEXT_DIGEST, text_digest

    store = GoldStore(tmp_path / "gold")
    text = Article("m1", "南原町は1日、町民58人分の氏名を記載した書類を誤送付したと発表した。", "m1.txt")
    store.add([gold("m1", "南原町", date_roles={"2025-04-01": "announced"})], "serve", [text])
    assert store.saved()["m1"][TEXT_DIGEST] == text_digest(text.text)
    assert TEXT_DIGEST not in store.latest()["m1"] and store.latest()["m1"]["date_roles"] == {"2025-04-01": "announced"}
    with pytest.raises(GoldError, match="date_roles"):
        store.add([gold("m1", "南原町", date_roles={"2025-04-01": "published"})], "serve")
