"""Progress while a batch runs (tqdm, on a terminal only) and the summary at its end."""

from __future__ import annotations

import time
from pathlib import Path

from pipeline.batch.reading import HTML_SUFFIXES, JSONL_SUFFIXES, TEXT_SUFFIXES
from pipeline.batch.run import Outcome, RunResult


def count_inputs(paths: list[Path]) -> int:
    """How many articles the inputs hold, for the bar's total: files, and non-blank JSONL lines."""
    total = 0
    for path in paths:
        if path.is_dir():
            total += count_inputs(sorted(p for p in path.iterdir() if not p.name.startswith(".")))
        elif path.suffix.lower() in JSONL_SUFFIXES:
            try:
                with path.open("rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            except OSError:
                total += 1
        elif path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES:
            total += 1
    return total


class Progress:
    """A bar with articles done, rate, ETA and characters per second; silent when disabled."""

    def __init__(self, inputs: list[Path], enabled: bool):
        self.bar = None
        self.started = time.perf_counter()
        self.characters = self.failed = 0
        if enabled:  # counting reads every JSONL input once more: only worth it for a bar
            from tqdm import tqdm

            total = count_inputs(inputs)
            self.bar = tqdm(total=total or None, unit="article", dynamic_ncols=True, smoothing=0.1)

    def advance(self, outcome: Outcome) -> None:
        if self.bar is None:
            return
        if outcome.kind == "extracted":
            self.characters += outcome.row.chars
        elif outcome.kind in ("failed", "rejected"):
            self.failed += 1
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        self.bar.set_postfix_str(f"{self.characters / elapsed:,.0f} chars/s, {self.failed} failed", refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def run_summary(result: RunResult, out_dir: Path) -> str:
    rate = result.characters / result.seconds if result.seconds else 0.0
    rejected = f", {len(result.rejected)} rejected (duplicate ids)" if result.rejected else ""
    pruned = f", {result.pruned} pruned from the store" if result.pruned is not None else ""
    return (f"{result.processed} articles processed, {result.skipped} skipped (unchanged), {result.failed} failed"
            f"{rejected}{pruned} in {result.seconds:.1f} s ({result.characters:,} characters, {rate:,.0f} chars/s); "
            f"tables in {out_dir}")
