"""Time the hostile inputs of issue 11, and show that extraction time grows linearly with the text.

    python bench/hostile.py [--skip-run] [--workers 2]

Prints, for each row of the issue's table, how the input ends (ok, or its error) and the time of
reading + extraction (NER included) in one warmed-up process, with characters per second; then the
time per character of random Japanese-looking text at several lengths (a flat column is linear
time); then the wall time of one `pipeline run --workers N` over all the inputs together, start-up,
model loading and CSV export included (the issue's goal: under 4 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.batch.reading import iter_inputs  # noqa: E402
from pipeline.records import Article  # noqa: E402
from pipeline.stages.extraction import ExtractionJob  # noqa: E402

KATAKANA = [chr(c) for c in range(0x30A1, 0x30F7)]
# Kanji, kana, digits and brackets, as in the random input.
MIXED = ([chr(c) for c in range(0x4E00, 0x4E00 + 3000)] + [chr(c) for c in range(0x3041, 0x3097)] + KATAKANA
         + list("0123456789()「」【】（）"))
PAGE = "<html><body><nav>トップ</nav><p>{}は11月8日、会員{}人分の氏名を誤送信したと発表した。</p></body></html>"


def random_text(length: int, alphabet: list[str], seed: int = 0) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(length))


def make_inputs(folder: Path) -> list[tuple[str, Path]]:
    """The issue's table, one file each (the two saved pages in one folder of their own)."""
    rows = [
        ("200,000 chars without a sentence end (株式会社 x 50,000)", "kaisha.txt", "株式会社" * 50_000),
        ("200,000 katakana without a break", "katakana.txt", random_text(200_000, KATAKANA, 1)),
        ("`1,` x 100,000 then 件", "digits.txt", "1," * 100_000 + "件"),
        ("300,000 random kanji, kana, digits, brackets", "random.txt", random_text(300_000, MIXED, 2)),
    ]
    made = []
    for label, name, text in rows:
        (folder / name).write_text(text, encoding="utf-8")
        made.append((label, folder / name))
    for month, city, count in (("2024-10", "北浜市", 32), ("2024-11", "南浜町", 17)):
        (folder / "pages" / month).mkdir(parents=True)
        (folder / "pages" / month / "index.html").write_text(PAGE.format(city, count), encoding="utf-8")
    made.append(("2024-10/index.html and 2024-11/index.html", folder / "pages"))
    shutil.copy(REPO / "tests" / "fixtures" / "pdf" / "press_release.pdf", folder / "press_release.pdf")
    made.append(("a press release as .pdf", folder / "press_release.pdf"))
    return made


def time_input(job: ExtractionJob, path: Path) -> tuple[float, int, str]:
    started = time.perf_counter()
    characters, outcomes = 0, []
    for item in iter_inputs([path]):
        if isinstance(item, Article):
            result = job(item)
            characters += len(item.text)
            outcomes.append(f"{item.article_id}: " + (result.error or "ok"))
        else:
            outcomes.append(f"{item.article_id}: {item.error}")
    return time.perf_counter() - started, characters, "; ".join(outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-run", action="store_true", help="Leave out the whole `pipeline run`.")
    options = parser.parse_args()
    job = ExtractionJob.here(use_ner=True)
    job.warm_up()
    with tempfile.TemporaryDirectory(prefix="hostile-") as scratch:
        folder = Path(scratch) / "in"
        folder.mkdir()
        print("| input | outcome | time | chars/s |\n|---|---|---|---|")
        for label, path in make_inputs(folder):
            seconds, characters, outcome = time_input(job, path)
            print(f"| {label} | {outcome[:90]} | {seconds:.1f} s | {characters / seconds:,.0f} |", flush=True)

        print("\none article of each length: random text (kanji, kana, digits, brackets), and ordinary text "
              "(the sample articles of data/raw/ one after another):")
        print("| characters | random: time | µs per character | ordinary: time | µs per character |\n"
              "|---|---|---|---|---|")
        samples = "\n".join(a.text for a in iter_inputs([REPO / "data" / "raw"]) if isinstance(a, Article))
        for length in (1_000, 10_000, 30_000, 100_000, 300_000):
            figures = []
            for text in (random_text(length, MIXED, length), (samples * (length // len(samples) + 1))[:length]):
                started = time.perf_counter()
                job(Article("bench", text, "bench"))
                seconds = time.perf_counter() - started
                figures.append(f"{seconds:.2f} s | {seconds / length * 1e6:.0f}")
            print(f"| {length:,} | {' | '.join(figures)} |", flush=True)

        if not options.skip_run:
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "pipeline", "run", str(folder), "--out",
                                   str(Path(scratch) / "out"), "--workers", str(options.workers), "--quiet"],
                                  cwd=REPO, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            print(f"\n`pipeline run --workers {options.workers}` over all of them: {seconds:.1f} s "
                  f"(exit {done.returncode}){' ' + done.stderr.strip() if done.returncode else ''}")


if __name__ == "__main__":
    main()
