"""
Fuzzing betastate's readers: seeds, real-format mutations, targets and what they count.

Every reader gets mutations of real input: front matter files (alone, and in
checkouts holding folders, FIFOs, dangling links, link loops and unreadable
files), the site's JSON:API, betastate JSON (as text and as data given to
``from_data``) and rulebook TOML files. Mutations are those real files
suffer or an attacker tries: byte flips, truncations, spliced syntax, YAML
tags swapped in, deep nesting, huge strings, non-UTF-8 bytes, a BOM, CRLF
line endings, extreme dates and numbers, and values of the wrong type.

Each target runs one input and records what matters in a :class:`Tally`:
exceptions that are not the betastate error the reader promises, import-mode
loads that raised, files neither loaded nor reported, and (for the long
profile) inputs over a second and the peak memory of an input. Seeds are
read in place: the invented fixtures, and the real snapshot when present.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import gc
import json
import os
import shutil
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import strategies as st

import betastate as bs

from .conftest import PROJECT_ROOT, snapshot_path
from .utils import INVENTED, invented_checkout, permissions_apply


# -- seeds ---------------------------------------------------------------------------------

SNAPSHOT_SEEDS = 60
"""Real files taken from each snapshot folder (evenly spaced, by name) besides the fixtures."""


def _spread(paths: Sequence[Path], count: int) -> list[Path]:
    paths = sorted(paths)
    step = max(1, len(paths) // count)
    return list(paths[::step][:count])


def _read(paths: Sequence[Path]) -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8") for path in paths)


@functools.cache
def product_seeds() -> tuple[str, ...]:
    """Product front matters: the invented ones, then real ones."""
    paths = sorted((INVENTED / "startups").glob("*.md"))
    snapshot = snapshot_path()
    if snapshot is not None:
        paths += _spread(list((snapshot / "content" / "_startups").glob("*.md")), SNAPSHOT_SEEDS)
    return _read(paths)


@functools.cache
def record_seeds() -> tuple[str, ...]:
    """Incubators, organisations and members, invented and real."""
    paths = [
        *sorted((INVENTED / "incubators").iterdir()),
        *sorted((INVENTED / "organisations").iterdir()),
        *sorted((INVENTED / "members").iterdir()),
    ]
    snapshot = snapshot_path()
    if snapshot is not None:
        paths += _spread(list((snapshot / "content" / "_incubators").iterdir()), 10)
        paths += _spread(list((snapshot / "content" / "_organisations").iterdir()), 20)
        paths += _spread(list((snapshot / "missions").iterdir()), 30)
    return _read(paths)


@functools.cache
def jsonapi_seeds() -> tuple[dict[str, Any], ...]:
    """JSON:API documents: the invented export, and slices of the real one."""
    seeds = [
        json.loads((PROJECT_ROOT / "tests" / "data" / "jsonapi" / "startups.json").read_text())
    ]
    real = PROJECT_ROOT.parent / "shared" / "data" / "betagouv-api" / "startups.json"
    if real.is_file():
        document = json.loads(real.read_text(encoding="utf-8"))
        items = document["data"]
        step = max(1, len(items) // 20)
        seeds.extend({**document, "data": items[i : i + 3]} for i in range(0, len(items), step))
    return tuple(seeds)


@functools.cache
def members_space_seeds() -> tuple[list[Any], ...]:
    """Answers of the members' space (GET /api/protected/startups): the invented one."""
    path = PROJECT_ROOT / "tests" / "data" / "members_space" / "startups.json"
    return (json.loads(path.read_text(encoding="utf-8")),)


@functools.cache
def data_seeds() -> tuple[tuple[Any, type], ...]:
    """betastate JSON data with the kind it describes."""
    sample = bs.sample_portfolio()
    lifecycle = bs.Lifecycle()
    seeds: list[tuple[Any, type]] = [
        (bs.to_data(startup), bs.Startup) for startup in list(sample)[:8]
    ]
    seeds += [(bs.to_data(event), bs.Event) for s in list(sample)[:4] for event in s.history[:6]]
    seeds += [(bs.to_data(finding), bs.Finding) for finding in sample.findings[:5]]
    seeds += [(bs.to_data(member), bs.Member) for member in sample.members[:3]]
    seeds += [(bs.to_data(i), bs.Incubator) for i in sample.incubators[:2]]
    seeds += [(bs.to_data(o), bs.Organisation) for o in sample.organisations[:2]]
    day = dt.date(2025, 3, 10)
    commands: list[bs.Command] = [
        bs.Advance(on=day, to="construction", by="sponsor", sponsor_budget_line=Decimal(180000)),
        bs.HoldCommittee(
            on=day,
            by="sponsor",
            decision="continue",
            attendees=[bs.Actor(role="intrapreneur")],
            grants=[bs.Grant(source="sponsor", amount=Decimal("120000.50"))],
            impact=bs.ImpactReading(monthly_active_users=10, cost_per_use=Decimal("1.5")),
        ),
        bs.Spend(on=day, by="intrapreneur", amount=Decimal(12), label="bon"),
        bs.Stop(
            on=day,
            by="sponsor",
            post_mortem=bs.PostMortem(learnings="l", reasons=["no_funding"]),
        ),
    ]
    seeds += [(bs.to_data(command), bs.Command) for command in commands]
    seeds.append((bs.to_data(lifecycle.state(next(iter(sample)))), bs.StartupState))
    small = bs.Portfolio(startups=list(sample)[:3], findings=sample.findings[:3])
    seeds.append((bs.to_data(small), bs.Portfolio))
    return tuple(seeds)


@functools.cache
def rulebook_seeds() -> tuple[str, ...]:
    """Rulebook files: the two presets and the test rulebook of another incubator."""
    presets = Path(bs.__file__).parent / "_rules" / "presets"
    atelier = PROJECT_ROOT / "tests" / "data" / "rulebooks" / "atelier.toml"
    return _read([presets / "betagouv.toml", presets / "govuk.toml", atelier])


# -- mutations of text ---------------------------------------------------------------------

TAGS = (
    "!!bool ",
    "!!int ",
    "!!float ",
    "!!timestamp ",
    "!!binary ",
    "!!set ",
    "!!omap ",
    "!!pairs ",
    "!!str ",
    "!!null ",
    "!!map ",
    "!!seq ",
    "!!python/object/apply:os.system ",
    "!custom ",
    "&anchor ",
    "*anchor ",
)
PIECES = (
    *":-[]{}&*!|>'\"#%@`, \n\t\r\x00\\",
    "---",
    "\n---\n",
    "\n  - ",
    "\n  - name: ",
    "start: ",
    "date: ",
    "end: ",
    "9999-12-31",
    "0001-01-01",
    "2021-02-30",
    "1899-12-31",
    "2999-12-31",
    "2020-01-01 10:00:00+02:00",
    ".nan",
    ".inf",
    "-.inf",
    "1e999999",
    "0x1F",
    "~",
    "null",
    "true",
    "[]",
    "{}",
    '""',
    "<<: *anchor",
    "é",
    "\u202e",
    "\ufeff",
)
HUGE = (10, 1_000, 100_000, 2_000_000)
"""Lengths of the strings and nestings mutations insert (the largest ones rarely)."""


def _position(draw: st.DrawFn, data: bytes) -> int:
    return draw(st.integers(0, len(data)))


def flip(draw: st.DrawFn, data: bytes) -> bytes:
    """Flip a few bits here and there."""
    if not data:
        return data
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        index = draw(st.integers(0, len(out) - 1))
        out[index] ^= 1 << draw(st.integers(0, 7))
    return bytes(out)


def truncate(draw: st.DrawFn, data: bytes) -> bytes:
    """Cut the file short (an interrupted write)."""
    return data[: _position(draw, data)]


def splice(draw: st.DrawFn, data: bytes) -> bytes:
    """Replace a slice with syntax tokens, dates, numbers (or delete or repeat it)."""
    start = _position(draw, data)
    end = draw(st.integers(start, min(len(data), start + 60)))
    kind = draw(st.sampled_from(("replace", "delete", "repeat")))
    if kind == "delete":
        return data[:start] + data[end:]
    if kind == "repeat":
        return data[:end] + data[start:end] * draw(st.integers(1, 50)) + data[end:]
    insert = "".join(draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6)))
    return data[:start] + insert.encode("utf-8") + data[end:]


def tag(draw: st.DrawFn, data: bytes) -> bytes:
    """Put a YAML tag (or an anchor or alias) in front of a value."""
    places = [i + 2 for i in range(len(data) - 1) if data[i : i + 2] in {b": ", b"- "}]
    if not places:
        return data
    at = draw(st.sampled_from(places[:500]))
    return data[:at] + draw(st.sampled_from(TAGS)).encode() + data[at:]


def nest(draw: st.DrawFn, data: bytes) -> bytes:
    """Wrap a place in deep brackets (flow YAML, JSON or TOML arrays and tables)."""
    depth = draw(st.sampled_from((10, 100, 1_000, 10_000, 100_000)))
    opening, closing = draw(st.sampled_from((("[", "]"), ("{a: ", "}"), ('{"a": ', "}"))))
    at = _position(draw, data)
    return data[:at] + (opening * depth + closing * depth).encode() + data[at:]


def huge(draw: st.DrawFn, data: bytes) -> bytes:
    """Insert a huge string (a pasted log, a binary blob)."""
    size = draw(st.sampled_from(HUGE))
    at = _position(draw, data)
    return data[:at] + draw(st.sampled_from((b"x", b"\xc3\xa9", b"1", b" "))) * size + data[at:]


def non_utf8(draw: st.DrawFn, data: bytes) -> bytes:
    """Latin-1 bytes, a stray continuation byte or an overlong encoding."""
    at = _position(draw, data)
    return (
        data[:at] + draw(st.sampled_from((b"\xe9", b"\xff\xfe", b"\x80", b"\xc0\xaf"))) + data[at:]
    )


def bom(_draw: st.DrawFn, data: bytes) -> bytes:
    """A UTF-8 byte-order mark first (what some editors write)."""
    return b"\xef\xbb\xbf" + data


def crlf(draw: st.DrawFn, data: bytes) -> bytes:
    """Windows line endings, everywhere or from some point on."""
    at = _position(draw, data)
    return data[:at] + data[at:].replace(b"\n", b"\r\n")


TEXT_MUTATIONS: tuple[Callable[[st.DrawFn, bytes], bytes], ...] = (
    flip,
    truncate,
    splice,
    splice,
    tag,
    tag,
    nest,
    huge,
    non_utf8,
    bom,
    crlf,
)


@st.composite
def mutated_text(draw: st.DrawFn, seeds: Sequence[str]) -> bytes:
    """One seed with one to three mutations."""
    data = draw(st.sampled_from(seeds)).encode("utf-8")
    for mutation in draw(st.lists(st.sampled_from(TEXT_MUTATIONS), min_size=1, max_size=3)):
        data = mutation(draw, data)
    return data


# -- mutations of data ---------------------------------------------------------------------


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(
        ["", " ", "2025-01-06", "9999-12-31", "2021-02-30", "NaN", "1e999999", "x" * 10**5]
    ),
    st.sampled_from(
        [[], {}, {"_type": "Note"}, {"_type": "Nope"}, {"$date": 5}, {"$date": "x"}, {"": 1}]
    ).map(copy.deepcopy),
    st.sampled_from([1, 100, 500]).map(_deep),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
"""Replacement values JSON can hold (each drawn fresh: mutations change them in place)."""

PYTHON_VALUES = st.one_of(
    JSON_VALUES,
    st.sampled_from([b"bytes", Decimal("1.5"), dt.datetime(2025, 1, 6, 10), (1, 2)]),
    st.builds(lambda: {1, 2}),
    st.builds(lambda: 10**5000),
    st.builds(lambda: _deep(10_000)),
    st.builds(object),
    st.dictionaries(st.integers(), st.integers(), min_size=1, max_size=2),
)
"""Any Python value an app may hand to from_data."""


def dumps(value: Any) -> bytes:
    """JSON text of ``value`` (non-JSON values as their str), as UTF-8 bytes."""
    return json.dumps(value, default=str, ensure_ascii=False).encode("utf-8")


def _places(value: Any, limit: int = 400) -> list[tuple[Any, Any]]:
    """(container, key) of the nodes of ``value``, breadth first, at most ``limit``."""
    places: list[tuple[Any, Any]] = []
    queue = [value]
    while queue and len(places) < limit:
        node = queue.pop(0)
        if isinstance(node, dict):
            for key, child in node.items():
                places.append((node, key))
                queue.append(child)
        elif isinstance(node, list):
            for index, child in enumerate(node):
                places.append((node, index))
                queue.append(child)
    return places


def _as_text(value: Any) -> str:
    """``value`` written as JSON text inside a string (what a double encoding does)."""
    try:
        return json.dumps(value, default=str)
    except (ValueError, RecursionError):  # a huge int, or data nested past the encoder
        return f"<{type(value).__name__}>"


@st.composite
def mutated_data(draw: st.DrawFn, seed: Any, values: st.SearchStrategy[Any] = JSON_VALUES) -> Any:
    """``seed`` with one to four nodes replaced, deleted, wrapped, stringified or added to."""
    data = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, 4))):
        places = _places(data)
        if not places:
            return draw(values)
        container, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(("replace", "replace", "delete", "wrap", "text", "extra")))
        if action == "replace":
            container[key] = draw(values)
        elif action == "delete":
            del container[key]
        elif action == "wrap":
            container[key] = [container[key]]
        elif action == "text":
            container[key] = _as_text(container[key])
        elif isinstance(container, dict):
            container[draw(st.sampled_from(["zz", "_type", "extra", "history", ""]))] = draw(values)
    return data


# -- the tally -----------------------------------------------------------------------------

_T = TypeVar("_T")
_TRACED_SIZE = 64 * 1024
_MEMORY = 200e6
"""Peak memory (bytes) one input may take."""


@dataclasses.dataclass
class Tally:
    """What the inputs of one run did."""

    measure: bool = False
    inputs: Counter[str] = dataclasses.field(default_factory=Counter)
    escapes: Counter[tuple[str, str]] = dataclasses.field(default_factory=Counter)
    aborted: Counter[str] = dataclasses.field(default_factory=Counter)
    unreported: Counter[str] = dataclasses.field(default_factory=Counter)
    differs: Counter[str] = dataclasses.field(default_factory=Counter)
    slow: Counter[str] = dataclasses.field(default_factory=Counter)
    peak: dict[str, int] = dataclasses.field(default_factory=dict)
    slowest: dict[str, float] = dataclasses.field(default_factory=dict)
    examples: dict[str, str] = dataclasses.field(default_factory=dict)

    def escape(self, target: str, error: BaseException) -> None:
        where = f"{type(error).__name__}: {str(error)[:120]}"
        self.escapes[target, type(error).__name__] += 1
        self.examples.setdefault(f"{target} {type(error).__name__}", where)

    def run(self, target: str, size: int, attempt: Callable[[Tally], _T]) -> _T:
        """
        Count one input of ``target`` and return ``attempt(self)``.

        In measure mode the attempt is timed in CPU seconds (other processes
        on a shared machine do not count), and its peak memory is measured by
        running it again under tracemalloc, which slows allocation-heavy code
        several times: for every input over 64 KB and one in ten of the rest
        (that second run counts nothing). An input over a second is timed
        again after a garbage collection, and the shorter time counts.
        """
        self.inputs[target] += 1
        if not self.measure:
            return attempt(self)
        started = time.process_time()
        result = attempt(self)
        elapsed = time.process_time() - started
        if elapsed > 1:
            # A full collection of the harness's own heap (hypothesis keeps much) may land
            # in one input: time it again after a collection, and keep the shorter time.
            # A slow input is slow both times.
            gc.collect()
            started = time.process_time()
            attempt(Tally())
            elapsed = min(elapsed, time.process_time() - started)
        self.slowest[target] = max(self.slowest.get(target, 0.0), elapsed)
        if elapsed > 1:
            self.slow[target] += 1
        if size > _TRACED_SIZE or self.inputs[target] % 10 == 0:
            tracemalloc.start()
            try:
                attempt(Tally())
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            self.peak[target] = max(self.peak.get(target, 0), peak)
        return result

    def problems(self, *, besides: tuple[str, ...] = ()) -> list[str]:
        """Everything that is not as promised, one line each (``besides`` some targets)."""
        lines = [
            f"{n} x {kind} escaped from {target}"
            for (target, kind), n in self.escapes.items()
            if target not in besides
        ]
        lines += [f"{n} import-mode loads of {t} aborted" for t, n in self.aborted.items()]
        lines += [
            f"{n} files of {t} neither loaded nor reported" for t, n in self.unreported.items()
        ]
        lines += [
            f"{n} inputs of {t} stored other than the engine decided"
            for t, n in self.differs.items()
        ]
        lines += [f"{n} inputs of {t} over 1 s" for t, n in self.slow.items() if t not in besides]
        lines += [
            f"{target} peaked at {peak / 1e6:.0f} MB"
            for target, peak in self.peak.items()
            if peak > _MEMORY and target not in besides
        ]
        return lines

    def report(self) -> str:
        """A table of the counts, per target."""
        rows = [
            (
                f"{'target':<16} {'inputs':>8} {'escapes':>8} {'aborted':>8} {'unreported':>10} "
                f"{'over 1 s':>8} {'slowest s':>9} {'peak MB':>8}"
            )
        ]
        for target in sorted(self.inputs):
            escapes = sum(n for (t, _), n in self.escapes.items() if t == target)
            rows.append(
                f"{target:<16} {self.inputs[target]:>8} {escapes:>8} {self.aborted[target]:>8} "
                f"{self.unreported[target]:>10} {self.slow[target]:>8} "
                f"{self.slowest.get(target, 0):>9.2f} {self.peak.get(target, 0) / 1e6:>8.1f}"
            )
        total = sum(self.inputs.values())
        rows.append(f"{'total':<16} {total:>8}")
        rows += [f"  e.g. {key}: {text}" for key, text in sorted(self.examples.items())]
        return "\n".join(rows)


# -- targets -------------------------------------------------------------------------------


def _allowed(tally: Tally, target: str, run: Callable[[], object], allowed: type) -> Any:
    """``run()``, counting any exception that is not ``allowed`` as an escape."""
    try:
        return run()
    except allowed:
        return None
    except Exception as error:  # noqa: BLE001  (what the fuzz is here to count)
        tally.escape(target, error)
        return None


def _import(tally: Tally, target: str, load: Callable[[], bs.Portfolio]) -> bs.Portfolio | None:
    """An import-mode load: any exception is an aborted load (and an escape if not ours)."""
    try:
        return load()
    except Exception as error:  # noqa: BLE001  (what the fuzz is here to count)
        tally.aborted[target] += 1
        if not isinstance(error, bs.BetastateError):
            tally.escape(target, error)
        return None


def run_product(tally: Tally, data: bytes, folder: Path) -> None:
    """One product file in a ``_startups`` folder: both modes, then the writer on what loaded."""
    path = folder / "produit.md"
    path.write_bytes(data)

    def attempt(counts: Tally) -> bs.Portfolio | None:
        _allowed(
            counts,
            "front matter",
            lambda: bs.load_portfolio(folder, mode="strict", missions=False),
            bs.DataFileError,
        )
        return _import(counts, "front matter", lambda: bs.load_portfolio(folder, missions=False))

    portfolio = tally.run("front matter", len(data), attempt)
    if portfolio is None:
        return
    reported = [f for f in portfolio.findings if f.code == "invalid-file" and f.file == str(path)]
    if ("produit" in portfolio) == bool(reported):
        tally.unreported["front matter"] += 1
    if "produit" in portfolio:
        text, startup = data.decode("utf-8"), portfolio["produit"]
        tally.run(
            "writer",
            len(data),
            lambda counts: _allowed(
                counts, "writer", lambda: bs.write_frontmatter(text, startup), bs.BetastateError
            ),
        )


SPECIAL = ("fifo", "dangling", "loop", "folder", "unreadable")


def _make_special(path: Path, kind: str) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dangling":
        path.symlink_to(path.with_name("nowhere"))
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.write_text("---\ntitle: x\n---\n", encoding="utf-8")
        path.chmod(0)


RECORD_FOLDERS = {
    "content/_startups": ".md",
    "content/_incubators": ".md",
    "content/_organisations": None,
    "missions": ".yml",
}


@st.composite
def checkouts(draw: st.DrawFn) -> tuple[list[tuple[str, bytes]], list[tuple[str, str]]]:
    """Mutated files of the invented checkout, and entries turned into special files."""
    root = invented_checkout()
    names = sorted(
        str(path.relative_to(root))
        for folder in (*RECORD_FOLDERS, "schema")
        for path in (root / folder).iterdir()
    )
    files = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    contents = [
        (name, draw(mutated_text(product_seeds() if "_startups" in name else record_seeds())))
        for name in files
    ]
    specials = draw(
        st.lists(
            st.tuples(st.sampled_from(names), st.sampled_from(SPECIAL)),
            max_size=2,
            unique_by=lambda item: item[0],
        )
    )
    return contents, specials


def _loaded(portfolio: bs.Portfolio, folder: str, path: Path) -> bool:
    if folder == "content/_startups":
        return path.stem in portfolio
    if folder == "content/_incubators":
        return any(i.id == path.stem for i in portfolio.incubators)
    if folder == "content/_organisations":
        stem = path.stem if path.suffix == ".md" else path.name
        return any(o.id == f"/organisations/{stem}" for o in portfolio.organisations)
    return any(m.id == path.stem for m in portfolio.members)


def run_checkout(
    tally: Tally, case: tuple[list[tuple[str, bytes]], list[tuple[str, str]]], workdir: Path
) -> None:
    """A checkout with mutated and special files: nothing aborts, every file is accounted for."""
    contents, specials = case
    root = workdir / "checkout"
    if root.exists():
        for path in root.rglob("*"):
            if not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(root)
    shutil.copytree(invented_checkout(), root)
    for name, data in contents:
        (root / name).write_bytes(data)
    for name, kind in specials:
        _make_special(root / name, kind)

    def attempt(counts: Tally) -> bs.Portfolio | None:
        with permissions_apply():
            _allowed(
                counts, "checkout", lambda: bs.load_portfolio(root, mode="strict"), bs.DataFileError
            )
            return _import(counts, "checkout", lambda: bs.load_portfolio(root))

    portfolio = tally.run("checkout", sum(len(data) for _, data in contents), attempt)
    if portfolio is None:
        return
    named = {f.file for f in portfolio.findings}
    for folder, suffix in RECORD_FOLDERS.items():
        for path in (root / folder).iterdir():
            if path.name.startswith(".") or (suffix is not None and path.suffix != suffix):
                continue
            if not _loaded(portfolio, folder, path) and str(path) not in named:
                tally.unreported["checkout"] += 1


def run_jsonapi(tally: Tally, data: bytes, folder: Path) -> None:
    """The site's JSON:API export: a DataFileError or a portfolio."""
    path = folder / "startups.json"
    path.write_bytes(data)
    tally.run(
        "JSON:API",
        len(data),
        lambda counts: _allowed(
            counts, "JSON:API", lambda: bs.load_jsonapi(path), bs.DataFileError
        ),
    )


def run_members_space(tally: Tally, data: bytes, folder: Path) -> None:
    """The members' space's answer: a DataFileError or a portfolio."""
    path = folder / "members.json"
    path.write_bytes(data)
    tally.run(
        "members' space",
        len(data),
        lambda counts: _allowed(
            counts, "members' space", lambda: bs.load_members_space(path), bs.DataFileError
        ),
    )


def run_betastate_json(tally: Tally, data: bytes) -> None:
    """betastate JSON text: a DataFileError or a portfolio."""
    tally.run(
        "betastate JSON",
        len(data),
        lambda counts: _allowed(
            counts, "betastate JSON", lambda: bs.portfolio_from_json(data), bs.DataFileError
        ),
    )


def run_from_data(tally: Tally, data: Any, kind: type) -> None:
    """Any data given to from_data: InvalidData (its one documented error) or a value."""
    tally.run(
        "from_data",
        0,
        lambda counts: _allowed(
            counts, "from_data", lambda: bs.from_data(data, kind), bs.InvalidData
        ),
    )


def run_rulebook(tally: Tally, data: bytes, folder: Path) -> None:
    """A rulebook TOML file: a RulebookError or a rulebook."""
    path = folder / "mine.toml"
    path.write_bytes(data)
    tally.run(
        "rulebook",
        len(data),
        lambda counts: _allowed(counts, "rulebook", lambda: bs.rulebook(path), bs.RulebookError),
    )


JOURNAL_STARTUP = bs.Startup(slug="guichet", title="Guichet")
"""The startup journal inputs apply to: new, so that the seed commands are accepted."""


@functools.cache
def journal_seeds() -> tuple[Any, ...]:
    """Command data the engine accepts on :data:`JOURNAL_STARTUP` (mutations make the rest)."""
    day = dt.date(2025, 3, 10)
    commands = [
        bs.Advance(on=day, to="investigation", by="sponsor", co_deciders=["incubator"]),
        bs.Advance(
            on=day,
            to="investigation",
            by=bs.Actor(role="sponsor", name="Direction", organisation="/organisations/x"),
            co_deciders=[bs.Actor(role="incubator")],
            comment="Lancement",
        ),
    ]
    return tuple(bs.to_data(command) for command in commands)


def run_journal(tally: Tally, data: Any) -> None:
    """
    Command data decoded then applied through a journal: only betastate errors.

    What the journal stores must read back as the startup the engine made:
    a journal never persists what the engine did not accept.
    """

    def attempt(counts: Tally) -> None:
        command = _allowed(
            counts, "journal", lambda: bs.from_data(data, bs.Command), bs.InvalidData
        )
        if command is None:
            return
        startup = JOURNAL_STARTUP
        with bs.open_journal("sqlite://") as journal:
            journal.create(startup)
            outcome = _allowed(
                counts,
                "journal",
                lambda: bs.Lifecycle().apply(startup, command),
                bs.BetastateError,
            )
            stored = _allowed(
                counts, "journal", lambda: journal.apply(startup.slug, command), bs.BetastateError
            )
            if (outcome is None) != (stored is None) or (
                outcome is not None and journal.get(startup.slug) != outcome.startup
            ):
                counts.differs["journal"] += 1

    tally.run("journal", 0, attempt)


def workdir() -> Path:
    """A scratch folder for one test (removed at exit)."""
    folder = Path(tempfile.mkdtemp(prefix="betastate-fuzz-"))
    (folder / "_startups").mkdir()
    return folder
