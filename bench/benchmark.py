"""Time the pipeline against plain GiNZA and plain fugashi on the same texts.

    python bench/benchmark.py [CORPUS] [--workers N] [--size-mb 1.0]

CORPUS is a folder of articles or a .jsonl file (default: data/raw/ repeated to about
--size-mb megabytes of UTF-8 text). Prints characters per second for
  (a) the full `pipeline run` (a fresh store; reading, model loading and writing included),
  (b) a plain `spacy.load("ja_ginza")` + `nlp.pipe` pass over the texts,
  (c) fugashi tokenization alone,
each timed as a whole process from start to exit, so that all three pay their start-up
(the rate of (b) and (c) without it is shown beside them); the ratios a/b and a/c; and the
peak memory of (a) over its whole process tree, both as the sum of proportional set sizes
(pages shared between processes split between them: the memory the run really takes) and as
the sum of resident set sizes (shared pages counted once per process: an upper bound).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.batch.reading import iter_inputs  # noqa: E402
from pipeline.records import Article  # noqa: E402

PLAIN_GINZA = """
import json, sys, time
import spacy
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
nlp = spacy.load("ja_ginza")
started = time.perf_counter()
for _ in nlp.pipe(texts):
    pass
print(time.perf_counter() - started)
"""

FUGASHI_ONLY = """
import json, sys, time
import fugashi
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
tagger = fugashi.Tagger()
started = time.perf_counter()
for text in texts:
    for word in tagger(text):
        word.feature
print(time.perf_counter() - started)
"""


def corpus_records(corpus: Path | None, size_mb: float) -> list[dict]:
    """The texts to time, as JSONL records with distinct ids."""
    if corpus is not None:
        articles = [a for a in iter_inputs([corpus]) if isinstance(a, Article)]
        return [{"id": a.article_id, "text": a.text, "title": a.title, "reference_date": a.reference_date}
                for a in articles]
    samples = [a for a in iter_inputs([REPO / "data" / "raw"]) if isinstance(a, Article)]
    records, size, copy = [], 0, 0
    while size < size_mb * 1_000_000:
        for article in samples:
            records.append({"id": f"{article.article_id}-{copy:04d}", "text": article.text})
            size += len(article.text.encode("utf-8"))
        copy += 1
    return records


class TreeMemory:
    """Peak memory of a process and its children, sampled every 500 ms (light enough not to slow it)."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.peak_rss = self.peak_pss = 0
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while self.running:
            rss = pss = 0
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for process in processes:
                try:
                    info = process.memory_full_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            time.sleep(0.5)

    def stop(self) -> None:
        self.running = False
        self.thread.join()


def time_pipeline(batch: Path, out: Path, workers: int | None) -> tuple[float, TreeMemory]:
    command = [sys.executable, "-m", "pipeline", "run", str(batch), "--out", str(out), "--rebuild"]
    if workers:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(process.pid)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    memory.stop()
    if process.returncode not in (0, 1):
        sys.exit(f"pipeline run failed ({process.returncode}):\n{stderr}")
    return seconds, memory


def time_script(script: str, batch: Path) -> tuple[float, float]:
    """(seconds from process start to exit, seconds of the timed loop inside)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", script, str(batch)], capture_output=True, text=True, check=True)
    return time.perf_counter() - started, float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, help="folder of articles or .jsonl (default: samples)")
    parser.add_argument("--workers", type=int, default=None, help="passed to pipeline run (default: its own)")
    parser.add_argument("--size-mb", type=float, default=1.0, help="size of the default corpus, MB of UTF-8")
    parser.add_argument("--skip-ginza", action="store_true", help="skip (b), the slowest part")
    args = parser.parse_args()

    records = corpus_records(args.corpus, args.size_mb)
    chars = sum(len(r["text"]) for r in records)
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        batch = Path(scratch) / "batch.jsonl"
        batch.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        print(f"corpus: {len(records)} articles, {chars:,} characters, "
              f"{batch.stat().st_size / 1e6:.2f} MB as JSONL ({args.corpus or 'data/raw repeated'})")
        seconds_a, memory = time_pipeline(batch, Path(scratch) / "out", args.workers)
        seconds_c = time_script(FUGASHI_ONLY, batch)
        seconds_b = None if args.skip_ginza else time_script(PLAIN_GINZA, batch)

    rate_a, rate_c = chars / seconds_a, chars / seconds_c[0]
    print(f"(a) pipeline run          {rate_a:10,.0f} chars/s  {seconds_a:7.1f} s")
    if seconds_b is not None:
        rate_b = chars / seconds_b[0]
        print(f"(b) plain ja_ginza pipe   {rate_b:10,.0f} chars/s  {seconds_b[0]:7.1f} s   "
              f"({chars / seconds_b[1]:,.0f} chars/s without start-up)")
    print(f"(c) fugashi tokens alone  {rate_c:10,.0f} chars/s  {seconds_c[0]:7.1f} s   "
          f"({chars / seconds_c[1]:,.0f} chars/s without start-up)")
    if seconds_b is not None:
        print(f"a/b = {rate_a / rate_b:.2f}")
    print(f"a/c = {rate_a / rate_c:.3f}")
    print(f"peak memory of (a): {memory.peak_pss / 2**20:,.0f} MiB proportional (PSS), "
          f"{memory.peak_rss / 2**20:,.0f} MiB summed resident (RSS)")


if __name__ == "__main__":
    main()
