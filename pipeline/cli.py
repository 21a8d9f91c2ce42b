"""The `pipeline` command: run the extraction, evaluate it against gold records."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from pipeline.evaluate import evaluate
from pipeline.reading import DEFAULT_MAX_BYTES, iter_inputs
from pipeline.rules import RuleError
from pipeline.run import default_out_dir, run_articles
from pipeline.writing import write_tables


@click.group()
@click.version_option(package_name="leak-pipeline")
def cli() -> None:
    """Extract dates, counts, organizations, data categories and incidents from Japanese leak articles."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output folder for the CSV tables (default: data/out/).")
@click.option("--no-ner", is_flag=True, help="Skip the GiNZA NER stage (faster, fewer organizations).")
@click.option("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, show_default=True,
              help="Files larger than this fail instead of being read.")
def run(inputs: tuple[Path, ...], out_dir: Path | None, no_ner: bool, max_bytes: int) -> None:
    """Process INPUT folders of .txt/.html files or .jsonl files into the six tables."""
    missing = [str(p) for p in inputs if not p.exists() and not p.is_symlink()]
    if missing:
        raise click.UsageError(f"input not found: {', '.join(missing)}")
    out_dir = out_dir or default_out_dir()
    result = run_articles(iter_inputs(list(inputs), max_bytes), use_ner=not no_ner)
    write_tables(out_dir, result.tables)
    rate = result.characters / result.seconds if result.seconds else 0.0
    click.echo(f"{result.processed} articles processed, {result.failed} failed, "
               f"{result.seconds:.1f} s ({rate:,.0f} chars/s); tables in {out_dir}", err=True)
    if result.failed:
        click.echo(f"{result.failed} article(s) failed: see the status and error columns of "
                   f"{out_dir / 'articles.csv'}", err=True)
        sys.exit(1)


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
