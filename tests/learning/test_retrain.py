"""`pipeline retrain` learns from corrected gold, measures itself, refuses to make things worse,
and gives the same result twice. Each test works on its own copy of the rule files."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "retrain"
ARTICLES = FIXTURES / "gold_articles.jsonl"
GOLD = FIXTURES / "gold.jsonl"
NEW_ARTICLE = FIXTURES / "new_article.txt"


@pytest.fixture
def workspace(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "pipeline" / "stages" / "rules", rules)
    env = {**os.environ, "PIPELINE_RULES_DIR": str(rules), "PIPELINE_DATA_DIR": str(tmp_path / "data")}
    return tmp_path, env


def pipeline(env, *args):
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=900)


def rows(path):
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_tiny_gold_teaches_a_new_organisation_and_a_new_category_phrase(workspace):
    tmp, env = workspace
    before = pipeline(env, "run", NEW_ARTICLE, "--out", tmp / "before")
    assert before.returncode == 0, before.stderr
    assert "ハルカゼ調剤" not in {r["name"] for r in rows(tmp / "before" / "organizations.csv")}
    assert "health" not in {r["category"] for r in rows(tmp / "before" / "data_categories.csv")}

    result = pipeline(env, "retrain", GOLD, "--articles", ARTICLES, "--epochs", "0")
    assert result.returncode == 0, result.stderr
    overall = next(line for line in result.stdout.splitlines() if line.startswith("overall"))
    stock, retrained = map(float, overall.split()[1:3])
    assert retrained > stock, result.stdout  # held out, what was learned helps
    assert "(3 from your gold store)" in result.stdout and re.search(r"gazetteer +KEPT", result.stdout)

    after = pipeline(env, "run", NEW_ARTICLE, "--out", tmp / "after")
    assert after.returncode == 0, after.stderr
    orgs = {r["name"]: r["source"] for r in rows(tmp / "after" / "organizations.csv")}
    assert orgs["ハルカゼ調剤"].startswith("learned.gaz.")
    categories = {r["text"]: (r["category"], r["rule"]) for r in rows(tmp / "after" / "data_categories.csv")}
    assert categories["処方薬情報"][0] == "health" and categories["処方薬情報"][1].startswith("learned.cat.")
    learned = (tmp / "data" / "learned" / "gazetteer.yaml").read_text(encoding="utf-8")
    assert "name: ハルカゼ調剤" in learned and "kind: company" in learned


def test_a_learned_part_that_makes_held_out_articles_worse_is_dropped_unless_forced(workspace):
    tmp, env = workspace
    judged = pipeline(env, "retrain", GOLD, "--articles", ARTICLES, "--epochs", "0")
    assert judged.returncode == 0, judged.stderr
    # Refitted on three articles of one pharmacy, the organisation choice reads held-out ones worse.
    verdict = re.search(r"organisations +dropped +\d+ learned: (.*)", judged.stdout)
    assert verdict and "organizations -" in verdict.group(1), judged.stdout
    learned = tmp / "data" / "learned"
    assert not (learned / "organizations.json").exists()
    assert "learned.gaz." in (learned / "gazetteer.yaml").read_text(encoding="utf-8"), "a part that helps is kept"

    forced = pipeline(env, "retrain", "--epochs", "0", "--force")
    assert forced.returncode == 0, forced.stderr
    assert (learned / "organizations.json").exists()


def test_one_correction_is_enough_to_retrain_and_an_older_gold_file_does_not_undo_it(workspace):
    from pipeline.batch.store import Store, stored_articles
    from pipeline.learning.gold import draft_records
    from pipeline.learning.gold_store import SERVE, GoldStore

    tmp, env = workspace
    samples = REPO / "data" / "raw"
    assert pipeline(env, "run", samples, "--out", tmp / "out", "--no-ner", "--quiet").returncode == 0
    before = {r["article_id"]: r for r in rows(tmp / "out" / "incidents.csv")}
    assert before["s07_touwa_shinkin_theft"]["cause"] != "loss"
    with Store.open(tmp / "out") as store:
        draft = next(r for r in draft_records(store, ["s07_touwa_shinkin_theft"]))
        text = stored_articles(store, {"s07_touwa_shinkin_theft"})["s07_touwa_shinkin_theft"]
    draft = json.loads(json.dumps(draft, ensure_ascii=False))  # as the page sends it
    GoldStore(tmp / "data" / "gold").add([{**draft, "cause": ["loss"]}], SERVE, [text])

    once = pipeline(env, "retrain", "--epochs", "0", "--no-ner")
    assert once.returncode == 0, once.stderr
    assert "(1 from your gold store)" in once.stdout and "Next: `pipeline run`" in once.stdout
    assert pipeline(env, "run", samples, "--out", tmp / "out", "--no-ner", "--quiet").returncode == 0
    after = {r["article_id"]: r for r in rows(tmp / "out" / "incidents.csv")}
    corrected = after["s07_touwa_shinkin_theft"]
    assert (corrected["cause"], corrected["corrected"]) == ("loss", "true")
    # Refitted with one more article, the choices move a little (0.964 -> 0.958); what must not
    # happen is the collapse of a fit that forgot the stock gold (0.95 -> 0.74 on every article).
    fell = {aid: (before[aid]["confidence"], row["confidence"]) for aid, row in after.items()
            if aid != "s07_touwa_shinkin_theft" and float(row["confidence"]) < float(before[aid]["confidence"]) - 0.03}
    assert fell == {}, "the stock fit is kept: no other article became clearly less sure"

    older = pipeline(env, "retrain", REPO / "data" / "gold" / "samples.gold.jsonl", "--articles", samples,
                     "--epochs", "0", "--no-ner")
    assert older.returncode == 0, older.stderr
    assert "kept the corrections saved in `pipeline serve` of 1 article(s) where this file says otherwise: " \
           "s07_touwa_shinkin_theft" in older.stderr
    assert GoldStore(tmp / "data" / "gold").latest()["s07_touwa_shinkin_theft"]["cause"] == ["loss"]
    replaced = pipeline(env, "retrain", REPO / "data" / "gold" / "samples.gold.jsonl", "--articles", samples,
                        "--epochs", "0", "--no-ner", "--replace-corrections")
    assert replaced.returncode == 0, replaced.stderr
    assert "replaced the corrections saved in `pipeline serve` of 1 article(s): s07_touwa_shinkin_theft" \
        in replaced.stderr
    assert GoldStore(tmp / "data" / "gold").latest()["s07_touwa_shinkin_theft"]["cause"] == ["theft"]


def test_the_same_gold_and_seed_give_the_same_learned_files_and_model(workspace, tmp_path_factory):
    tmp, env = workspace
    other = tmp_path_factory.mktemp("again")
    env_again = {**env, "PIPELINE_DATA_DIR": str(other / "data")}
    for environment in (env, env_again):
        result = pipeline(environment, "retrain", GOLD, "--articles", ARTICLES, "--epochs", "2", "--seed", "7",
                          "--force")
        assert result.returncode == 0, result.stderr

    def contents(folder):
        return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    learned = contents(tmp / "data" / "learned")
    assert learned and learned == contents(other / "data" / "learned")
    models = contents(tmp / "data" / "models")
    assert any(name.endswith("ner/model") for name in models)
    assert models == contents(other / "data" / "models")


def test_the_pipeline_uses_the_newest_trained_model_and_reprocesses_for_it(workspace):
    tmp, env = workspace
    first = pipeline(env, "run", NEW_ARTICLE, "--out", tmp / "out")
    assert "1 articles processed" in first.stderr
    result = pipeline(env, "retrain", GOLD, "--articles", ARTICLES, "--epochs", "2", "--force")
    assert result.returncode == 0, result.stderr
    (model,) = (tmp / "data" / "models").glob("ner-*")
    script = "from pipeline.stages.ner import current_model; print(current_model())"
    chosen = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                            check=True).stdout.strip()
    assert chosen == str(model.resolve())
    again = pipeline(env, "run", NEW_ARTICLE, "--out", tmp / "out")
    assert "1 articles processed" in again.stderr, "new rules and a new model make stored rows stale"


def test_draft_gold_restates_the_output_and_keeps_corrections_safe(tmp_path):
    env = dict(os.environ)
    run = pipeline(env, "run", REPO / "data" / "raw", "--out", tmp_path / "out", "--no-ner")
    assert run.returncode == 0, run.stderr
    draft = tmp_path / "draft.gold.jsonl"
    made = pipeline(env, "draft-gold", "--out", tmp_path / "out", "--to", draft)
    assert made.returncode == 0, made.stderr
    records = [json.loads(line) for line in draft.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 11 and set(records[0]) >= {"id", "victim", "cause", "organizations", "categories"}
    scored = pipeline(env, "eval", draft, "--out", tmp_path / "out", "--json")
    assert json.loads(scored.stdout)["score"] == 1.0, "a draft is exactly what the pipeline said"
    again = pipeline(env, "draft-gold", "--out", tmp_path / "out", "--to", draft)
    assert again.returncode == 2 and "may hold corrections" in again.stderr
    one = pipeline(env, "draft-gold", "s02_kitahama_fax", "--out", tmp_path / "out", "--to", tmp_path / "one.jsonl")
    assert one.returncode == 0 and len((tmp_path / "one.jsonl").read_text(encoding="utf-8").splitlines()) == 1


def test_a_second_retrain_on_another_gold_file_keeps_what_the_first_taught(workspace):
    tmp, env = workspace
    first = pipeline(env, "retrain", GOLD, "--articles", ARTICLES, "--epochs", "0", "--no-ner")
    assert first.returncode == 0, first.stderr
    second = pipeline(env, "retrain", REPO / "data" / "gold" / "samples.gold.jsonl", "--articles",
                      REPO / "data" / "raw", "--epochs", "0", "--no-ner")
    assert second.returncode == 0, second.stderr
    assert "learning from the gold store" in second.stderr and ": 14 articles" in second.stderr
    learned = (tmp / "data" / "learned" / "gazetteer.yaml").read_text(encoding="utf-8")
    assert "name: ハルカゼ調剤" in learned, "the second retrain forgot the first gold file"

    from_store_alone = pipeline(env, "retrain", "--epochs", "0", "--no-ner")
    assert from_store_alone.returncode == 0, from_store_alone.stderr
    assert (tmp / "data" / "learned" / "gazetteer.yaml").read_text(encoding="utf-8") == learned
    after = pipeline(env, "run", NEW_ARTICLE, "--out", tmp / "after", "--no-ner")
    assert after.returncode == 0, after.stderr
    assert "ハルカゼ調剤" in {r["name"] for r in rows(tmp / "after" / "organizations.csv")}


def test_a_rule_is_switched_off_only_when_even_its_best_case_precision_is_poor():
    from pipeline.learning.rule_learning import Learned, RulePrecision, disable_rules

    learned = Learned()
    unlucky, bad, noisy = RulePrecision("date.a", tp=1, fp=3), RulePrecision("date.b", tp=0, fp=4), \
        RulePrecision("date.c", tp=3, fp=12)
    disable_rules([unlucky, bad, noisy], learned)
    assert unlucky.precision_upper_bound > 0.5 > bad.precision_upper_bound
    assert learned.disabled == ["date.b", "date.c"]


def test_the_data_setting_puts_the_gold_store_and_the_learned_files_in_the_project_folder(workspace):
    tmp, env = workspace
    config = tmp / "pipeline.toml"
    config.write_text(f'[run]\ndata = "{tmp / "project"}"\n', encoding="utf-8")
    result = pipeline(env, "retrain", GOLD, "--articles", ARTICLES, "--epochs", "0", "--no-ner", "--config", config)
    assert result.returncode == 0, result.stderr
    assert (tmp / "project" / "learned" / "gazetteer.yaml").exists()
    assert len((tmp / "project" / "gold" / "records.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    assert not (tmp / "data").exists() and not (REPO / "pipeline" / "stages" / "rules" / "learned").exists()
