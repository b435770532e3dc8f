"""
Decoding cost against input size, on adversarial input: it must grow linearly.

For each shape of bad (or merely odd) input, the script builds documents of
about 10 KB, 100 KB and 1 MB, decodes each (``from_data`` for betastate
JSON, ``load_portfolio`` on a ``_startups`` folder holding the one file for
front matter, ``load_jsonapi`` for the site's JSON:API) and prints the time
per kilobyte. Target (issue "Zero escapes"): for every shape, the µs per KB
of the largest input over that of the smallest is at most 2 (the largest
growth between two sizes is printed too, as "step"). Peak memory
(tracemalloc) per KB is printed too. A product file listing more than
1,000 phases or events is refused once parsed, so the larger front
matters measure the parse and that refusal. Times are the best of a few rounds of
process CPU time, so that a busy machine disturbs them as little as possible.

Run: ``python benchmarks/decode.py``
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import betastate as bs


SIZES = (10_000, 100_000, 1_000_000)
ROUNDS = 3
TARGET = 2.0


def repeat_to(size: int, head: str, unit: Callable[[int], str], tail: str) -> str:
    """``head`` + ``unit(0)`` + ``unit(1)``... + ``tail``, about ``size`` characters."""
    parts = [head]
    total = len(head) + len(tail)
    index = 0
    while total < size:
        piece = unit(index)
        parts.append(piece)
        total += len(piece)
        index += 1
    parts.append(tail)
    return "".join(parts)


# -- betastate JSON (from_data) --------------------------------------------------------


def json_list(size: int, item: Callable[[int], object]) -> str:
    return repeat_to(size, "[", lambda i: json.dumps(item(i)) + ",", json.dumps(item(-1)) + "]")


def startup_with(key: str, value_json: str) -> str:
    return '{"slug": "p", "title": "P", "' + key + '": ' + value_json + "}"


FROM_DATA: dict[str, Callable[[int], str]] = {
    "string where a list goes": lambda n: startup_with("sponsors", json.dumps("a" * n)),
    "one bad type per item": lambda n: startup_with("sponsors", json_list(n, lambda i: i)),
    "unknown event tags": lambda n: startup_with("history", json_list(n, lambda i: {"_type": i})),
    "good events, bad last": lambda n: startup_with(
        "history",
        json_list(n, lambda i: {"_type": "Note", "on": "2024-01-01"} if i >= 0 else {"on": 1}),
    ),
    "wide free data": lambda n: startup_with(
        "extra", '{"a": ' + json_list(n, lambda i: {"k": [i, "x", None]}) + "}"
    ),
    "huge title": lambda n: '{"slug": "p", "title": ' + json.dumps("t" * n) + "}",
}


def decode_json(text: str) -> None:
    with contextlib.suppress(bs.InvalidData):
        bs.from_data(json.loads(text), bs.Startup)


# -- front matter (load_portfolio) -----------------------------------------------------

HEAD = "---\ntitle: P\nmission: m\nincubator: i\ncontact: c@example.org\n"


def phases(unit: Callable[[int], str], extra: str = "") -> Callable[[int], str]:
    return lambda n: repeat_to(n, HEAD + extra + "phases:\n", unit, "---\n")


def day(i: int) -> str:
    return f"{2000 + i % 100}-{1 + i % 12:02d}-{1 + i % 28:02d}"


FRONT_MATTER: dict[str, Callable[[int], str]] = {
    "one phase name repeated, with ends": phases(
        lambda i: f"  - name: investigation\n    start: {day(i)}\n    end: {day(i + 1)}\n"
    ),
    "unknown phase names, flow style": phases(lambda i: f"  - {{name: p{i}, start: {day(i)}}}\n"),
    "overlapping phases": phases(
        lambda i: f"  - name: construction\n    start: {day(i)}\n    end: 2100-01-01\n"
    ),
    "phases out of order, stages inverted": phases(
        lambda i: (
            f"  - name: {('acceleration', 'investigation', 'abandon')[i % 3]}\n"
            f"    start: {day(-i)}\n"
        )
    ),
    "many committees": lambda n: repeat_to(
        n,
        HEAD + "phases:\n  - name: investigation\n    start: 2000-01-01\nevents:\n",
        lambda i: f"  - name: committee\n    date: {day(i)}\n    comment: c{i}\n",
        "---\n",
    ),
    "many unknown keys": lambda n: repeat_to(n, HEAD, lambda i: f"key{i}: [a, {i}, x]\n", "---\n"),
    "huge text value": lambda n: HEAD + "pitch: " + "x" * n + "\n---\n",
}


def load_front_matter(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        startups = Path(folder) / "_startups"
        startups.mkdir()
        (startups / "produit.md").write_text(text, encoding="utf-8")
        bs.load_portfolio(startups, missions=False)


# -- the site's JSON:API ---------------------------------------------------------------


def jsonapi(size: int) -> str:
    def item(i: int) -> dict[str, object]:
        return {
            "id": f"p{i}",
            "type": "startup",
            "attributes": {
                "name": f"P{i}",
                "phases": [{"name": "investigation", "start": day(i), "end": ""}],
                "events": [{"name": "committee", "date": day(i + 1), "comment": ""}],
            },
        }

    return '{"data": ' + json_list(size, item) + "}"


def load_jsonapi(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "startups.json"
        path.write_text(text, encoding="utf-8")
        with contextlib.suppress(bs.DataFileError):  # the last item repeats an id
            bs.load_jsonapi(path)


# -- measuring -------------------------------------------------------------------------


def cost(function: Callable[[str], None], text: str) -> tuple[float, int]:
    """(best CPU seconds, peak traced bytes) of ``function(text)``."""
    times = []
    for _ in range(ROUNDS):
        gc.collect()
        start = time.process_time()
        function(text)
        times.append(time.process_time() - start)
    gc.collect()
    tracemalloc.start()
    function(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return min(times), peak


def main() -> None:
    shapes = [
        *((f"from_data: {name}", build, decode_json) for name, build in FROM_DATA.items()),
        *(
            (f"front matter: {name}", build, load_front_matter)
            for name, build in FRONT_MATTER.items()
        ),
        ("JSON:API: many products", jsonapi, load_jsonapi),
    ]
    decode_json(FROM_DATA["huge title"](10))  # warm up: imports, the converter, the rulebook
    load_front_matter(FRONT_MATTER["many unknown keys"](10))
    print(
        f"{'us per KB of input':<50} {'10 KB':>9} {'100 KB':>9} {'1 MB':>9}"
        "  ratio   step  peak KB/KB"
    )
    worst = 0.0
    for label, build, function in shapes:
        per_kb = []
        memory = []
        for size in SIZES:
            text = build(size)
            seconds, peak = cost(function, text)
            kilobytes = len(text.encode("utf-8")) / 1000
            per_kb.append(seconds * 1e6 / kilobytes)
            memory.append(peak / 1000 / kilobytes)
        ratio = per_kb[-1] / per_kb[0]
        step = max(later / earlier for earlier, later in itertools.pairwise(per_kb))
        worst = max(worst, ratio)
        print(
            f"{label:<50} "
            + " ".join(f"{value:9.1f}" for value in per_kb)
            + f"  {ratio:5.2f}  {step:5.2f}  "
            + " ".join(f"{value:5.1f}" for value in memory)
        )
    verdict = "met" if worst <= TARGET else "NOT met"
    print(f"worst ratio (1 MB over 10 KB, us per KB): {worst:.2f} (target <= {TARGET}: {verdict})")
    print("(step: the largest growth from one size to the next; peak: traced memory per KB)")


if __name__ == "__main__":
    main()
