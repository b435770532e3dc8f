"""Every subcommand, in a real process: quiet on a closed pipe, one line and exit 2 on failure."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import betastate as bs

from .utils import invented_checkout, unprivileged_command


CHECKOUT = invented_checkout()
PRESET = Path(bs.__file__).parent / "_rules" / "presets" / "govuk.toml"
SUBCOMMANDS = {
    "schema": ["schema"],
    "report": ["report", "--format", "json"],
    "lint": ["lint", str(CHECKOUT)],
    "lint-json": ["lint", str(CHECKOUT), "--format", "json"],
    "rules-list": ["rules", "list"],
    "rules-lint": ["rules", "lint", str(PRESET), "--fail-on", "never"],
    "rules-diagram": ["rules", "diagram"],
    "lessons": ["lessons"],
    "forecast": ["forecast", "--start", "2024-01-01", "--runs", "20", "--months", "6"],
    "journal-show": ["journal", "show", "{journal}", "{slug}"],
}
"""Every subcommand (lint in both formats: its JSON is the largest output)."""
TIMEOUT = 120
"""Seconds any one process may take (a hang fails the test instead of stalling the suite)."""


@functools.cache
def _journal() -> tuple[str, str]:
    """A SQLite journal holding the invented checkout, and one of its slugs (made once)."""
    folder = Path(tempfile.mkdtemp(prefix="betastate-cli-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{folder / 'journal.db'}"
    result = betastate("journal", "import", str(CHECKOUT), url, stdout=subprocess.DEVNULL)
    assert 0 == result.returncode, result.stderr
    return url, bs.load_portfolio(CHECKOUT).startups[0].slug


def command(name: str) -> list[str]:
    """The arguments of subcommand ``name``, with a journal made for those that read one."""
    args = SUBCOMMANDS[name]
    if "{journal}" in args:
        url, slug = _journal()
        args = [arg.replace("{journal}", url).replace("{slug}", slug) for arg in args]
    return args


def betastate(
    *args: str, prefix: tuple[str, ...] = (), **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m betastate args`` to completion, bounded in time."""
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [*prefix, sys.executable, "-m", "betastate", *args],
        text=True,
        timeout=TIMEOUT,
        check=False,
        **{"stderr": subprocess.PIPE, **kwargs},
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a failed run printed, checked to be a betastate error."""
    lines = result.stderr.splitlines()

    assert 2 == result.returncode, result.stderr
    assert 1 == len(lines), result.stderr
    assert lines[0].startswith("betastate: error: ")
    return lines[0]


class TestClosedPipe:
    """A reader that leaves (`betastate schema | head`) ends the command quietly."""

    @pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
    def test_reader_gone_before_the_first_write(self, name: str) -> None:
        """The pipe is closed before the command writes: no traceback, no message."""
        read, write = os.pipe()
        os.close(read)
        try:
            result = betastate(*command(name), stdout=write)
        finally:
            os.close(write)

        assert "" == result.stderr
        assert result.returncode in {0, 1}  # lint's own code for findings

    @pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
    def test_reader_reads_one_line(self, name: str) -> None:
        """Like `| head -1`: the reader takes one line and closes the pipe."""
        with subprocess.Popen(
            [sys.executable, "-m", "betastate", *command(name)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            assert process.stdout is not None
            assert process.stderr is not None
            first = process.stdout.readline()
            process.stdout.close()
            err = process.stderr.read()
            code = process.wait(timeout=TIMEOUT)

        assert first
        assert "" == err
        assert code in {0, 1}


class TestUnwritableOutput:
    """A full disk, a special file or a permission: one line, exit code 2."""

    @pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
    def test_stdout_is_dev_full(self, name: str) -> None:
        """`> /dev/full`: every subcommand says it cannot write, in one line."""
        with Path("/dev/full").open("w") as full:
            result = betastate(*command(name), stdout=full)

        assert "No space left on device" in one_error_line(result)

    def test_help_to_dev_full(self) -> None:
        """Even --help reports a failed write instead of exiting 0 silently."""
        with Path("/dev/full").open("w") as full:
            result = betastate("--help", stdout=full)

        assert "cannot write" in one_error_line(result)

    def test_stderr_is_dev_full(self, tmp_path: Path) -> None:
        """With standard error gone too, the exit code still says it failed (no crash loop)."""
        with Path("/dev/full").open("w") as full:
            result = betastate("lint", str(tmp_path / "nope"), stderr=full)

        assert 2 == result.returncode

    @pytest.mark.parametrize("target", ["/dev/full", "/dev/null", "fifo", "folder"])
    def test_output_is_a_special_file(self, tmp_path: Path, target: str) -> None:
        """--output to a device, a FIFO nobody reads or a folder is refused before it is opened."""
        if target == "fifo":
            target = str(tmp_path / "fifo")
            os.mkfifo(target)
        elif target == "folder":
            target = str(tmp_path)

        result = betastate("report", "--output", target, stdout=subprocess.DEVNULL)

        assert "not a regular file" in one_error_line(result)

    def test_output_permission(self, tmp_path: Path) -> None:
        """--output into a folder the user may not write to."""
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)

        result = betastate(
            "report",
            "--output",
            str(locked / "report.txt"),
            prefix=tuple(unprivileged_command()),
            stdout=subprocess.DEVNULL,
        )

        assert "Permission denied" in one_error_line(result)


class TestUnreadableInput:
    """Inputs that cannot be read: one line, exit code 2, never a hang."""

    @pytest.mark.parametrize("command", ["lint", "report"])
    def test_fifo(self, tmp_path: Path, command: str) -> None:
        """A FIFO given as the input is not a checkout nor a file; it is never opened."""
        fifo = tmp_path / "portfolio.json"
        os.mkfifo(fifo)

        result = betastate(command, str(fifo), stdout=subprocess.DEVNULL)

        assert "not a beta.gouv.fr checkout" in one_error_line(result)

    @pytest.mark.parametrize("command", ["lint", "report"])
    def test_unreadable_file(self, tmp_path: Path, command: str) -> None:
        """A betastate JSON file the user may not read."""
        path = tmp_path / "portfolio.json"
        path.write_text("{}", encoding="utf-8")
        path.chmod(0)

        result = betastate(
            command, str(path), prefix=tuple(unprivileged_command()), stdout=subprocess.DEVNULL
        )

        assert "Permission denied" in one_error_line(result)

    @pytest.mark.parametrize("command", ["lint", "report"])
    def test_unreadable_startups_folder(self, tmp_path: Path, command: str) -> None:
        """A checkout whose _startups folder the user may not list."""
        root = tmp_path / "checkout"
        shutil.copytree(CHECKOUT, root)
        (root / "content" / "_startups").chmod(0)

        result = betastate(
            command, str(root), prefix=tuple(unprivileged_command()), stdout=subprocess.DEVNULL
        )
        (root / "content" / "_startups").chmod(0o755)

        assert "Permission denied" in one_error_line(result)
