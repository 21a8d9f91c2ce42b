"""The `pipeline` command: run the extraction, evaluate it against gold records."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from pipeline.config import ConfigError, Settings, load_settings, parse_size
from pipeline.evaluate import evaluate
from pipeline.parallel import Executor, default_workers, make_executor
from pipeline.progress import Progress, count_inputs, run_summary
from pipeline.reading import iter_inputs
from pipeline.records import TABLES
from pipeline.review import write_review
from pipeline.rules import RuleError
from pipeline.run import default_out_dir, run_into_store
from pipeline.store import STORE_NAME, RunLock, Store, StoreError
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
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Extraction processes on this machine (default: one per core).")
@click.option("--dask", "dask_address", metavar="ADDRESS", default=None,
              help="Spread articles over a Dask cluster: a scheduler address, or 'local' for a local cluster.")
@click.option("--rebuild", is_flag=True, help="Reprocess every input, even those already current in the store.")
@click.option("--prune", is_flag=True, help="Drop stored articles that are not among these inputs.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary (failures are still reported).")
def run(inputs: tuple[Path, ...], out_dir: Path | None, config_path: Path | None, ner: bool | None,
        max_bytes: int | None, workers: int | None, dask_address: str | None, rebuild: bool, prune: bool,
        quiet: bool) -> None:
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
        executor = _executor(workers or settings.workers or default_workers(), use_ner, dask_address)
        progress = Progress(count_inputs(list(inputs)), enabled=not quiet and sys.stderr.isatty())
        try:
            result = run_into_store(items, store, use_ner=use_ner, rebuild=rebuild, prune=prune, executor=executor,
                                    on_outcome=progress.advance)
        except KeyboardInterrupt:
            progress.close()
            click.echo(f"interrupted: the articles finished so far are saved in {store.path}; "
                       "run the same command again to process the rest", err=True)
            sys.exit(130)
        finally:
            executor.close()
            progress.close()
        write_tables(out_dir, {name: store.iter_table(name) for name in TABLES})
    if not quiet:
        click.echo(run_summary(result, out_dir), err=True)
    if result.failed:
        click.echo(f"{result.failed} article(s) failed: see the status and error columns of "
                   f"{out_dir / 'articles.csv'}", err=True)
        sys.exit(1)


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding the store (default: data/out/).")
def review(out_dir: Path | None) -> None:
    """Write OUT/review/index.html: incidents, a chart, and each article with its spans highlighted."""
    out_dir = _existing_store(out_dir)
    with Store.open(out_dir) as store:
        page = write_review(out_dir, store)
    click.echo(f"review page: {page} (open it in a browser; no server needed)", err=True)


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding the store (default: data/out/).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many victims to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def stats(out_dir: Path | None, top: int, as_json: bool) -> None:
    """Summarize the store: incidents by cause and year, top victims, affected totals, data categories."""
    from pipeline.stats import summarize  # pandas: imported only by the commands that use it

    out_dir = _existing_store(out_dir)
    with Store.open(out_dir) as store:
        summary = summarize(store, top)
    click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=1) if as_json else summary.format())


def _existing_store(out_dir: Path | None) -> Path:
    out_dir = out_dir or default_out_dir()
    if not (out_dir / STORE_NAME).exists():
        raise click.UsageError(f"no store in {out_dir} (expected {out_dir / STORE_NAME}); run `pipeline run` first")
    return out_dir


def _executor(workers: int, use_ner: bool, dask_address: str | None) -> Executor:
    try:
        return make_executor(workers, use_ner, dask_address)
    except (RuntimeError, OSError) as exc:
        raise click.UsageError(f"--dask {dask_address}: {exc}") from exc


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
