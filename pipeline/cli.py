"""The `pipeline` command: run the extraction, evaluate it against gold records."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from pipeline.batch.config import ConfigError, Settings, load_settings, parse_size
from pipeline.batch.corrections import export_tables
from pipeline.batch.parallel import Executor, default_workers, make_executor
from pipeline.batch.progress import Progress, run_summary
from pipeline.batch.reading import READ_SUFFIXES, iter_inputs, unreadable_file_type
from pipeline.batch.run import default_out_dir, run_into_store
from pipeline.batch.store import STORE_NAME, RunLock, Store, StoreError, stored_articles
from pipeline.batch.writing import write_tables
from pipeline.learning.evaluate import evaluate
from pipeline.report.review import write_review
from pipeline.stages.extraction import ExtractionJob
from pipeline.stages.rules import RuleError, set_data_dir

MOVED_SHOWN = 20  # changed rows listed after a run; more are counted


class FullSummaryGroup(click.Group):
    """A command group whose help lists each command's whole summary, wrapped, never cut with "..."."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, command.get_short_help_str(limit=1000)) for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=FullSummaryGroup)
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
@click.option("--time-limit", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="An article that takes longer fails with an error saying so (default: 60; 0: no limit).")
@click.option("--rebuild", is_flag=True, help="Reprocess every input, even those already current in the store.")
@click.option("--prune", is_flag=True, help="Drop stored articles that are not among these inputs.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary (failures are still reported).")
def run(inputs: tuple[Path, ...], out_dir: Path | None, config_path: Path | None, ner: bool | None,
        max_bytes: int | None, workers: int | None, dask_address: str | None, time_limit: float | None,
        rebuild: bool, prune: bool, quiet: bool) -> None:
    """Process INPUT files and folders (.txt, .html/.htm, .pdf, .jsonl; default: data/raw/) into the tables.

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
    if all(unreadable_file_type(p) for p in inputs):
        # Named alone, a .docx would otherwise give "0 articles processed" and exit 0.
        raise click.UsageError(f"{', '.join(map(str, inputs))}: unsupported file type; the pipeline reads "
                               f"{READ_SUFFIXES} (save the article as .txt or .pdf)")
    out_dir = out_dir or settings.out
    use_ner = settings.ner if ner is None else ner
    with RunLock(out_dir), Store.open(out_dir) as store:
        for interrupted in store.interrupted_runs():
            click.echo(f"note: run {interrupted.run_id} (started {interrupted.started_at}) was interrupted; "
                       "its saved articles are kept and the rest are processed now", err=True)
        items = iter_inputs(list(inputs), max_bytes or settings.max_bytes)
        limit = settings.time_limit if time_limit is None else time_limit
        executor = _executor(workers or settings.workers or default_workers(), ExtractionJob.here(use_ner, limit),
                             dask_address)
        progress = Progress(list(inputs), enabled=not quiet and sys.stderr.isatty())
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
        saved = _saved_corrections()
        stored_ids = set(store.article_ids())
        write_tables(out_dir, export_tables(store, saved))
    if not quiet:
        click.echo(run_summary(result, out_dir), err=True)
    elif prune:
        click.echo(f"{result.pruned} stored article(s) pruned (not among the inputs)", err=True)
    for row in result.rejected:
        click.echo(f"rejected: {row.source}: {row.error}; it is in no table", err=True)
    moved = [m for m in result.moved if m[0] not in saved]  # a corrected article shows its correction anyway
    if moved and not quiet:
        articles = sorted({m[0] for m in moved})
        click.echo(f"{len(articles)} re-extracted article(s) now say another victim, cause or total:", err=True)
        for article_id, name, before, now in moved[:MOVED_SHOWN]:
            click.echo(f"  {article_id}: {name} {before or '(none)'} -> {now or '(none)'}", err=True)
        if len(moved) > MOVED_SHOWN:
            click.echo(f"  … and {len(moved) - MOVED_SHOWN} more changes", err=True)
    applied = sum(1 for aid in saved if aid in stored_ids)
    if applied and not quiet:
        click.echo(f"{applied} corrected article(s): their rows show the corrections (incidents.csv column "
                   "`corrected`; added rows have source/rule `correction`)", err=True)
    if result.failed:
        click.echo(f"{result.failed} article(s) failed: see the status and error columns of "
                   f"{out_dir / 'articles.csv'}", err=True)
    if result.failed or result.rejected:
        sys.exit(1)


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding the store (default: data/out/).")
def review(out_dir: Path | None) -> None:
    """Write OUT/review/index.html: incidents, a chart, and each article with its spans highlighted."""
    out_dir = _existing_store(out_dir)
    with Store.open(out_dir) as store:
        page = write_review(out_dir, store, _saved_corrections())
    click.echo(f"review page: {page} (open it in a browser; no server needed)", err=True)


@cli.command()
@click.argument("article_id")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding the store (default: data/out/).")
def text(article_id: str, out_dir: Path | None) -> None:
    """Print the decoded text of ARTICLE_ID from the store: what the start/end offsets of its rows count in
    (the visible text of an HTML page, the text layer of a PDF), exactly, without a newline added."""
    out_dir = _existing_store(out_dir)
    with Store.open(out_dir) as store:
        article_text = store.article_text(article_id)
    if article_text is None:
        raise click.UsageError(f"no article '{article_id}' in {out_dir / STORE_NAME} (ids are in articles.csv)")
    if not article_text:
        raise click.UsageError(f"article '{article_id}' has no text in the store: it failed to read "
                               "(see its error in articles.csv)")
    sys.stdout.write(article_text)
    if sys.stdout.isatty():
        sys.stdout.write("\n")


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding the store (default: data/out/).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (another than 127.0.0.1 lets other machines in, with the token).")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8765, show_default=True,
              help="Port (0: any free port).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Settings file (default: ./pipeline.toml when present).")
def serve(out_dir: Path | None, host: str, port: int, config_path: Path | None) -> None:
    """Serve the review page from the store, where corrections are made and saved to the gold store."""
    from pipeline.learning.gold_store import GoldStore
    from pipeline.report.server import ReviewServer
    from pipeline.stages.rules import gold_dir

    settings = _settings(config_path)
    out_dir = _existing_store(out_dir or settings.out)
    try:
        server = ReviewServer(out_dir, GoldStore(gold_dir()), host, port)
    except OSError as exc:
        raise click.UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    click.echo(f"review and correct at {server.url}\n(corrections go to {server.state.gold.records_path}; "
               "Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding the store (default: data/out/).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many victims to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def stats(out_dir: Path | None, top: int, as_json: bool) -> None:
    """Summarize the store: incidents by cause and year, top victims, affected totals, data categories."""
    from pipeline.report.stats import summarize  # pandas: imported only by the commands that use it

    out_dir = _existing_store(out_dir)
    with Store.open(out_dir) as store:
        summary = summarize(store, top, _saved_corrections())
    click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=1) if as_json else summary.format())


@cli.command(name="draft-gold")
@click.argument("article_ids", nargs=-1)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding the store (default: data/out/).")
@click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("data/gold/draft.gold.jsonl"), show_default=True, help="Where to write the drafts.")
@click.option("--force", is_flag=True, help="Overwrite --to if it exists (it may hold your corrections).")
def draft_gold(article_ids: tuple[str, ...], out_dir: Path | None, target: Path, force: bool) -> None:
    """Write gold records pre-filled from the output, for ARTICLE_IDS (default: all), to correct by hand."""
    from pipeline.learning.gold import draft_records, write_records

    out_dir = _existing_store(out_dir)
    if target.exists() and not force:
        raise click.UsageError(f"{target} exists and may hold corrections; pass --force to overwrite it")
    with Store.open(out_dir) as store:
        try:
            records = draft_records(store, article_ids)
        except KeyError as exc:
            raise click.UsageError(str(exc.args[0])) from exc
    write_records(target, records)
    click.echo(f"{len(records)} draft gold records in {target}: correct them, keep them in data/gold/, "
               "then run `pipeline retrain`", err=True)


@cli.command()
@click.argument("gold_files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--articles", "article_inputs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Where the gold articles' texts are (folders or .jsonl); default: the gold store, then the store "
                   "in --out.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding the store, for texts when --articles is not given (default: data/out/).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Settings file (default: ./pipeline.toml when present).")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True, help="Cross-validation folds.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the folds and the NER training.")
@click.option("--epochs", type=click.IntRange(min=0), default=8, show_default=True,
              help="NER fine-tuning epochs (0: learn the rules only).")
@click.option("--ner/--no-ner", default=True, help="Run and fine-tune the NER stage (default: on).")
@click.option("--force", is_flag=True, help="Write what was learned even if the cross-validated score drops.")
@click.option("--replace-corrections", is_flag=True,
              help="Let GOLD_FILES replace corrections saved in `pipeline serve` (default: those are kept).")
def retrain(gold_files: tuple[Path, ...], article_inputs: tuple[Path, ...], out_dir: Path | None,
            config_path: Path | None, folds: int, seed: int, epochs: int, ner: bool, force: bool,
            replace_corrections: bool) -> None:
    """Learn lexicons, gazetteer, rule switches and the NER from the whole gold store; report k-fold scores.

    GOLD_FILES are first added to the gold store (DATA/gold/), with their articles' texts; then
    everything in the store is learned from, so no retrain forgets an earlier correction.
    Refuses to write anything when the cross-validated score drops (exit 1), unless --force.
    """
    from pipeline.learning.gold import GoldError, read_gold_files
    from pipeline.learning.gold_store import GoldStore
    from pipeline.learning.retrain import retrain as run_retrain
    from pipeline.stages.rules import gold_dir

    _settings(config_path)
    store = GoldStore(gold_dir())
    try:
        added = read_gold_files(gold_files)
        kept = store.texts()
        texts = _gold_texts([r for r in added if r["id"] not in kept], article_inputs, out_dir)
        for path in gold_files:
            from_file = read_gold_files([path])
            differing = store.differing_corrections(from_file)
            new = store.add(from_file, str(path), [texts.get(r["id"]) or kept[r["id"]] for r in from_file],
                            keep_corrections=not replace_corrections, replace_corrections=replace_corrections)
            click.echo(f"{path}: {len(new)} of {len(from_file)} records added to the gold store "
                       f"({len(from_file) - len(new) - (0 if replace_corrections else len(differing))} already there)",
                       err=True)
            if differing and replace_corrections:
                click.echo(f"{path}: replaced the corrections saved in `pipeline serve` of {len(differing)} "
                           f"article(s): {', '.join(differing)}", err=True)
            elif differing:
                click.echo(f"{path}: kept the corrections saved in `pipeline serve` of {len(differing)} article(s) "
                           f"where this file says otherwise: {', '.join(differing)} "
                           "(--replace-corrections makes the file's records the gold)", err=True)
        gold = store.records()
        kept = store.texts()
        texts = {**_gold_texts([r for r in gold if r["id"] not in kept], article_inputs, out_dir), **kept}
    except GoldError as exc:
        raise click.UsageError(str(exc)) from exc
    if not gold:
        raise click.UsageError(f"the gold store {store.folder} holds no correction yet: save one with "
                               "`pipeline serve`, or pass GOLD files")
    click.echo(f"learning from the gold store {store.folder}: {len(gold)} articles, with the shipped stock gold",
               err=True)
    report = run_retrain(gold, texts, folds=folds, seed=seed, epochs=epochs, use_ner=ner, force=force,
                         sources=[f"the gold store, {len(gold)} articles, and the stock gold"],
                         progress=lambda message: click.echo(message, err=True))
    click.echo(report.format())
    if not report.written:
        click.echo(f"refused: on articles it never saw, the retrained pipeline would do worse "
                   f"({report.before.score:.3f} -> {report.chosen.score:.3f}); nothing written, what was learned "
                   "before stays. --force writes it anyway.", err=True)
        sys.exit(1)


def _gold_texts(gold: list[dict], inputs: tuple[Path, ...], out_dir: Path | None) -> dict:
    from pipeline.records import Article

    wanted = {record["id"] for record in gold}
    texts: dict[str, Article] = {}
    if not wanted:
        return texts
    if inputs:
        for item in iter_inputs(list(inputs)):
            if isinstance(item, Article) and item.article_id in wanted:
                texts.setdefault(item.article_id, item)
    else:
        out_dir = _existing_store(out_dir)
        with Store.open(out_dir) as store:
            texts = stored_articles(store, wanted)
    missing = sorted(wanted - set(texts))
    if missing:
        raise click.UsageError(f"no text for gold article(s) {', '.join(missing[:10])}"
                               f"{' …' if len(missing) > 10 else ''}: pass --articles with their files")
    return texts


def _saved_corrections() -> dict[str, dict]:
    """Article id -> its latest record in the gold store (of the data folder set by now)."""
    from pipeline.learning.gold_store import GoldStore
    from pipeline.stages.rules import gold_dir

    return GoldStore(gold_dir()).saved()


def _existing_store(out_dir: Path | None) -> Path:
    out_dir = out_dir or default_out_dir()
    if not (out_dir / STORE_NAME).exists():
        raise click.UsageError(f"no store in {out_dir} (expected {out_dir / STORE_NAME}); run `pipeline run` first")
    return out_dir


def _executor(workers: int, job: ExtractionJob, dask_address: str | None) -> Executor:
    try:
        return make_executor(workers, job, dask_address)
    except (RuntimeError, OSError) as exc:
        raise click.UsageError(f"--dask {dask_address}: {exc}") from exc


def _settings(config_path: Path | None) -> Settings:
    try:
        settings = load_settings(config_path)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    if settings.data is not None:
        set_data_dir(settings.data)
    return settings


@cli.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder holding the pipeline's tables (default: data/out/).")
@click.option("--errors", is_flag=True, help="List what was extra and what was missing, per article.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_command(gold: Path, out_dir: Path | None, errors: bool, as_json: bool) -> None:
    """Score the tables in --out against GOLD, a gold JSONL file (the SPEC's scoring: F1 per table, the score)."""
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
