"""The `pipeline` command: run the extraction, evaluate it against gold records."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from pipeline.config import ConfigError, Settings, load_settings, parse_size
from pipeline.evaluate import evaluate
from pipeline.reading import iter_inputs
from pipeline.records import TABLES
from pipeline.rules import RuleError
from pipeline.run import default_out_dir, run_into_store
from pipeline.store import RunLock, Store, StoreError
from pipeline.writing import write_tables


@click.group()
@click.version_option(package_name="leak-pipeline")
def cli() -> None:
    """Extract dates, counts, organizations, data categories and incidents from Japanese leak articles."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")


class SizeType(click.ParamType):
    name = "size"

    def convert(self, value, param, ctx):  # noqa: D102 - click hook
        try:
            return parse_size(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the store and the CSV tables (default: data/out/, or `out` in the config).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Settings file (default: ./pipeline.toml when present).")
@click.option("--ner/--no-ner", default=None, help="Run the GiNZA NER stage (default: on).")
@click.option("--max-bytes", type=SizeType(), default=None,
              help="Files (or JSONL records) larger than this fail instead of being read (default: 5MB).")
@click.option("--rebuild", is_flag=True, help="Reprocess every input, even those already current in the store.")
@click.option("--prune", is_flag=True, help="Drop stored articles that are not among these inputs.")
def run(inputs: tuple[Path, ...], out_dir: Path | None, config_path: Path | None, ner: bool | None,
        max_bytes: int | None, rebuild: bool, prune: bool) -> None:
    """Process INPUT folders of .txt/.html files or .jsonl files (default: data/raw/) into the tables.

    Only articles that are new, changed, or extracted by other rules are processed; the rest are
    skipped. The store (OUT/pipeline.sqlite) keeps every article; the CSV tables are exported
    from it at the end of the run.
    """
    settings = _settings(config_path)
    if not inputs:
        inputs = (Path("data/raw"),)
    missing = [str(p) for p in inputs if not p.exists() and not p.is_symlink()]
    if missing:
        raise click.UsageError(f"input not found: {', '.join(missing)}")
    out_dir = out_dir or settings.out
    use_ner = settings.ner if ner is None else ner
    with RunLock(out_dir), Store.open(out_dir) as store:
        for interrupted in store.interrupted_runs():
            click.echo(f"note: run {interrupted.run_id} (started {interrupted.started_at}) was interrupted; "
                       "its saved articles are kept and the rest are processed now", err=True)
        items = iter_inputs(list(inputs), max_bytes or settings.max_bytes)
        try:
            result = run_into_store(items, store, use_ner=use_ner, rebuild=rebuild, prune=prune)
        except KeyboardInterrupt:
            click.echo(f"interrupted: the articles finished so far are saved in {store.path}; "
                       "run the same command again to process the rest", err=True)
            sys.exit(130)
        write_tables(out_dir, {name: store.iter_table(name) for name in TABLES})
    rate = result.characters / result.seconds if result.seconds else 0.0
    click.echo(f"{result.processed} articles processed, {result.skipped} skipped (unchanged), "
               f"{result.failed} failed, {result.seconds:.1f} s ({rate:,.0f} chars/s); tables in {out_dir}",
               err=True)
    if result.failed:
        click.echo(f"{result.failed} article(s) failed: see the status and error columns of "
                   f"{out_dir / 'articles.csv'}", err=True)
        sys.exit(1)


def _settings(config_path: Path | None) -> Settings:
    try:
        return load_settings(config_path)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


@cli.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder holding the pipeline's tables (default: data/out/).")
@click.option("--errors", is_flag=True, help="List what was extra and what was missing, per article.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_command(gold: Path, out_dir: Path | None, errors: bool, as_json: bool) -> None:
    """Score the tables in --out against GOLD (the figures of ../shared/eval/score.py)."""
    report = evaluate(gold, out_dir or default_out_dir())
    click.echo(json.dumps(report.as_dict(), ensure_ascii=False) if as_json else report.format(errors))


def main() -> None:
    try:
        cli(standalone_mode=True)
    except RuleError as exc:
        click.echo(f"error: malformed rule file: {exc}", err=True)
        sys.exit(2)
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
