import pytest

from pipeline.stages.rules import RuleError, load, read_rule_file, rules_version, section


def test_every_packaged_rule_file_loads():
    for name in ("dates.yaml", "counts.yaml", "categories.yaml", "organizations.yaml", "gazetteer.yaml",
                 "incident.yaml"):
        assert load(name)


def test_malformed_yaml_names_the_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("patterns:\n  - id: a\n    pattern: [unclosed\n", encoding="utf-8")
    with pytest.raises(RuleError) as error:
        read_rule_file(path)
    assert error.value.path == str(path) and error.value.line is not None
    assert "not valid YAML" in str(error.value)


def test_duplicate_ids_and_missing_keys_are_reported_with_their_line(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("patterns:\n  - {id: a, pattern: x}\n  - {id: a, pattern: y}\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"dup.yaml:3: duplicate rule id 'a' \(first on line 2\)"):
        read_rule_file(path)
    path.write_text("patterns:\n  - {id: a}\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r":2: rule 'a' lacks 'pattern'"):
        section(read_rule_file(path), "patterns", path, ["pattern"])


def test_the_rules_version_changes_with_the_rules():
    assert len(rules_version()) == 16
