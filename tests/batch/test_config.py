"""Settings come from pipeline.toml; a bad file is reported with its name and the problem."""

from pathlib import Path

import pytest

from pipeline.batch.config import ConfigError, Settings, load_settings, parse_size


def test_sizes_read_as_bytes():
    assert parse_size(5242880) == 5 * 1024 * 1024
    assert parse_size("5MB") == parse_size("5 MiB") == 5 * 1024 * 1024
    assert parse_size("512kb") == 512 * 1024
    for bad in ("five", "-1", 0, True, "5 parsecs"):
        with pytest.raises(ValueError):
            parse_size(bad)


def test_settings_come_from_the_file_and_default_otherwise(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings() == Settings()
    (tmp_path / "pipeline.toml").write_text('[run]\nout = "tables"\nmax_bytes = "1MB"\nner = false\ntime_limit = 5\n')
    assert load_settings() == Settings(out=Path("tables"), max_bytes=1024 * 1024, ner=False, time_limit=5.0)
    (tmp_path / "pipeline.toml").write_text('[run]\ndata = "project-data"\n')
    assert load_settings().data == Path("project-data")


def test_bad_config_files_name_the_file_and_the_setting(tmp_path):
    path = tmp_path / "pipeline.toml"
    cases = {
        "[run]\nmax_bytes = \"lots\"\n": "[run] not a size: 'lots'",
        "[run]\nmax_byte = 100\n": "unknown setting(s) ['max_byte'] in [run]",
        "[runs]\nner = true\n": "unknown table(s) ['runs']",
        "[run]\nner = \"yes\"\n": "ner must be true or false",
        "[run]\ntime_limit = -1\n": "time_limit must be a number of seconds",
        "[run]\ndata = 3\n": "data must be a folder path string",
        "[run\n": "not valid TOML",
    }
    for text, message in cases.items():
        path.write_text(text)
        with pytest.raises(ConfigError) as error:
            load_settings(path)
        assert str(error.value).startswith(f"{path}: ") and message in str(error.value), text
