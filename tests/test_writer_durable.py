"""Saving a front-matter file: atomic, durable, in place; mode, links, nulls, CRLF, BOM kept."""

from __future__ import annotations

import datetime as dt
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import pytest

import betastate
from betastate import CommitteeHeld, Startup, write_frontmatter

from .utils import invented_checkout


DATA = invented_checkout() / "content" / "_startups"
NAME = "potager-numerique.md"
COMMITTEE = CommitteeHeld(on=dt.date(2024, 5, 2), comment="Comité de printemps")


def copy(folder: Path, name: str = NAME) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    shutil.copyfile(DATA / name, path)
    return path


def load(path: Path) -> Startup:
    return betastate.load_portfolio(path.parent, missions=False)[path.stem]


def with_committee(startup: Startup) -> Startup:
    return attrs.evolve(startup, history=sorted((*startup.history, COMMITTEE), key=lambda e: e.on))


def temporaries(folder: Path, name: str = NAME) -> list[str]:
    """Files a save in progress leaves next to ``name`` (everything hidden but the sidecar)."""
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name.startswith(f".{name}.") and not p.name.endswith(".betastate.json")
    )


class TestInPlace:
    """The file keeps its mode and its links."""

    def test_mode_is_kept(self, tmp_path: Path) -> None:
        """A 0640 file is still 0640 after a save (a temporary file is born 0600)."""
        path = copy(tmp_path / "_startups")
        path.chmod(0o640)

        betastate.save_startup(path, with_committee(load(path)))

        assert 0o640 == stat.S_IMODE(path.stat().st_mode)
        assert COMMITTEE in load(path).history

    def test_symlink_target_is_written(self, tmp_path: Path) -> None:
        """Saving through a symlink writes its target; the link stays a link."""
        real = copy(tmp_path / "elsewhere")
        folder = tmp_path / "_startups"
        folder.mkdir()
        link = folder / NAME
        link.symlink_to(real)

        betastate.save_startup(link, with_committee(load(link)))

        assert link.is_symlink()
        assert real == link.resolve()
        assert "Comité de printemps" in real.read_text(encoding="utf-8")
        assert [] == temporaries(folder)
        assert [] == temporaries(real.parent)


class TestDurable:
    """The new bytes reach the disk before the name points at them."""

    def test_fsync_file_then_folder(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """fsync runs on the new file before the rename, then on its folder after it."""
        path = copy(tmp_path / "_startups")
        startup = with_committee(load(path))
        calls: list[str] = []
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd: int) -> None:
            calls.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
            real_fsync(fd)

        def replace(src: object, dst: object) -> None:
            calls.append("rename")
            real_replace(src, dst)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)
        betastate.save_startup(path, startup)

        assert ["fsync file", "rename", "fsync folder"] == calls

    def test_failed_write_leaves_the_old_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A disk error during the save is a DataFileError; old bytes and no temporary stay."""
        folder = tmp_path / "_startups"
        path = copy(folder)
        before = path.read_bytes()
        startup = with_committee(load(path))

        def full(fd: int) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(betastate.DataFileError, match="cannot write: No space left"):
            betastate.save_startup(path, startup)

        assert before == path.read_bytes()
        assert [] == temporaries(folder)

    def test_unchanged_file_is_not_touched(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Saving what the file already says writes nothing at all."""
        path = copy(tmp_path / "_startups")
        before = path.stat()
        monkeypatch.setattr(os, "fsync", lambda fd: pytest.fail(f"fsync({fd}) for no change"))

        betastate.save_startup(path, load(path))

        assert (before.st_ino, before.st_mtime_ns) == (path.stat().st_ino, path.stat().st_mtime_ns)


CHILD = textwrap.dedent(
    """
    import os, pathlib, sys, time
    import attrs, betastate

    path = pathlib.Path(sys.argv[1])
    startup = betastate.load_portfolio(path.parent, missions=False)[path.stem]
    committee = betastate.CommitteeHeld(on=__import__("datetime").date(2024, 5, 2))
    new = attrs.evolve(startup, history=sorted((*startup.history, committee), key=lambda e: e.on))

    def hang(*args, **kwargs):
        # The new text is in the temporary file; the rename has not happened.
        print("ready", flush=True)
        time.sleep(60)

    os.replace = hang
    pathlib.Path.replace = hang
    betastate.save_startup(path, new)
    """
)


class TestKilled:
    """A writer killed mid-save leaves the old file, and the next save sweeps its leftovers."""

    def test_sigkill_then_next_save_cleans(self, tmp_path: Path) -> None:
        """SIGKILL between write and rename: old bytes intact; the next save removes the temp."""
        folder = tmp_path / "_startups"
        path = copy(folder)
        before = path.read_bytes()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            ready, _, _ = select.select([child.stdout], [], [], 60)
            assert ready, "the child never reached the rename"
            assert "ready" == child.stdout.readline().strip()  # type: ignore[union-attr]
            os.kill(child.pid, signal.SIGKILL)
            assert -signal.SIGKILL == child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(timeout=30)
            child.stdout.close()  # type: ignore[union-attr]
            child.stderr.close()  # type: ignore[union-attr]

        assert before == path.read_bytes()
        assert 1 == len(temporaries(folder)), "the kill should leave the temporary file"

        betastate.save_startup(path, attrs.evolve(load(path), title="Potager encore"))

        assert [] == temporaries(folder)
        assert "Potager encore" == load(path).title

    def test_a_live_writers_temporary_is_left_alone(self, tmp_path: Path) -> None:
        """A temporary file still locked by a running save is not swept."""
        fcntl = pytest.importorskip("fcntl")
        folder = tmp_path / "_startups"
        path = copy(folder)
        busy = folder / f".{NAME}.busy.tmp"
        busy.write_text("being written", encoding="utf-8")
        with busy.open("rb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            betastate.save_startup(path, attrs.evolve(load(path), title="Potager encore"))

            assert busy.exists()


class TestKeptAsWritten:
    """What the file holds survives a save: null extras, CRLF line ends, a BOM."""

    def test_null_extra_is_kept(self, tmp_path: Path) -> None:
        """An extra key whose value is null is written as null and reads back."""
        path = copy(tmp_path / "_startups")
        startup = load(path)
        new = attrs.evolve(startup, extra={**startup.extra, "dashlord_url": None})

        betastate.save_startup(path, new)

        assert "dashlord_url" in load(path).extra
        assert load(path).extra["dashlord_url"] is None
        assert new == load(path)

    def test_crlf_stays_crlf(self, tmp_path: Path) -> None:
        """A CRLF file gets CRLF lines only, and reads back as the startup written."""
        path = copy(tmp_path / "_startups")
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
        new = attrs.evolve(
            with_committee(load(path)), title="Potager CRLF", link="https://p.example"
        )

        betastate.save_startup(path, new)
        raw = path.read_bytes()

        assert raw.count(b"\n") == raw.count(b"\r\n")
        assert new == load(path)

    def test_bom_is_read_and_kept(self, tmp_path: Path) -> None:
        """A file starting with a UTF-8 BOM loads, writes back identical, and keeps its BOM."""
        path = copy(tmp_path / "_startups")
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
        text = path.read_text(encoding="utf-8")
        startup = load(path)

        assert "Potager numérique" == startup.title
        assert text == _text(write_frontmatter(text, startup))

        betastate.save_startup(path, with_committee(startup))

        assert path.read_bytes().startswith(b"\xef\xbb\xbf---")
        assert COMMITTEE in load(path).history


def _text(written: object) -> str:
    """The text of a write (a str before the writer returned what it left out)."""
    return written if isinstance(written, str) else written.text  # type: ignore[attr-defined]
