"""Which files a stream reads this run: patterns, order, uploads in progress, settling."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from connectors.errors import FatalConnectorError
from connectors.file_drop.client import DropFile, LocalFolder
from connectors.file_drop.selection import Settling, expand_braces, matches, ready_files

NOW = 1_800_000_000.0  # seconds since the epoch: "now" for the fake clock
SECOND = 1_000_000_000


def dropped(name: str, age: float, size: int = 100) -> DropFile:
    """A file last changed ``age`` seconds before NOW."""
    return DropFile(name, size, int((NOW - age) * SECOND), f"/drop/{name}")


class ScriptedFolder:
    """A fake folder whose successive listings are given up front (the last one repeats)."""

    def __init__(self, *listings: Sequence[DropFile]) -> None:
        self._listings = [list(listing) for listing in listings]
        self.looks = 0

    def list_files(self, wanted: Callable[[str], bool] = lambda name: True) -> list[DropFile]:
        listing = self._listings[min(self.looks, len(self._listings) - 1)]
        self.looks += 1
        return [f for f in listing if wanted(f.name)]

    @contextmanager
    def local_copy(self, file: DropFile) -> Iterator[Path]:
        yield Path(file.location)


class Sleeps:
    def __init__(self, action: Callable[[], None] | None = None) -> None:
        self.calls: list[float] = []
        self._action = action

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self._action is not None:
            self._action()


def settling(sleep: Callable[[float], None], *, seconds: float = 2.0, clock: float = NOW) -> Settling:
    return Settling(seconds=seconds, stale_part_seconds=3600, clock=lambda: clock, sleep=sleep)


def names(files: Sequence[DropFile]) -> list[str]:
    return [f.name for f in files]


def test_files_are_read_oldest_first_and_files_changed_long_ago_need_no_second_look() -> None:
    folder = ScriptedFolder(
        [dropped("inv_b.csv", 60), dropped("inv_a.csv", 600), dropped("products_1.csv", 9)]
    )
    sleeps = Sleeps()
    ready = ready_files(folder, "inv_*.csv", after=None, settling=settling(sleeps), stream="stock")
    assert names(ready) == ["inv_a.csv", "inv_b.csv"]
    assert sleeps.calls == [] and folder.looks == 1


def test_a_young_file_unchanged_after_settle_seconds_is_read() -> None:
    folder = ScriptedFolder([dropped("inv_a.csv", 600), dropped("inv_b.csv", 0.5)])
    sleeps = Sleeps()
    ready = ready_files(folder, "inv_*.csv", after=None, settling=settling(sleeps), stream="stock")
    assert names(ready) == ["inv_a.csv", "inv_b.csv"]
    assert sleeps.calls == [2.0] and folder.looks == 2


def test_a_file_still_growing_waits_for_the_next_run_and_files_finished_before_its_new_time_do_not() -> None:
    first = [dropped("inv_a.csv", 600), dropped("inv_b.csv", 1.0, size=100), dropped("inv_c.csv", 0.8)]
    second = [first[0], dropped("inv_b.csv", 0.1, size=180), first[2]]
    ready = ready_files(
        ScriptedFolder(first, second), "inv_*.csv", after=None, settling=settling(Sleeps()), stream="stock"
    )
    # inv_c was complete, and its time comes before inv_b's new one: only inv_b itself waits.
    assert names(ready) == ["inv_a.csv", "inv_c.csv"]


def test_a_file_that_appears_while_the_folder_is_checked_holds_back_the_files_after_it() -> None:
    first = [dropped("inv_a.csv", 600), dropped("inv_c.csv", 0.5)]
    second = [*first, dropped("inv_b.csv", 1.0)]  # an older time, e.g. copied with its mtime kept
    ready = ready_files(
        ScriptedFolder(first, second), "inv_*.csv", after=None, settling=settling(Sleeps()), stream="stock"
    )
    assert names(ready) == ["inv_a.csv"]


def test_an_upload_in_progress_holds_back_later_files_until_it_is_renamed() -> None:
    folder = ScriptedFolder(
        [dropped("inv_a.csv", 600), dropped("inv_b.csv.part", 300), dropped("inv_c.csv", 100)]
    )
    ready = ready_files(folder, "inv_*.csv", after=None, settling=settling(Sleeps()), stream="stock")
    assert names(ready) == ["inv_a.csv"]


def test_an_upload_abandoned_for_longer_than_stale_part_seconds_no_longer_holds_anything_back() -> None:
    folder = ScriptedFolder(
        [dropped("inv_a.csv", 9000), dropped("inv_b.csv.filepart", 8000), dropped("inv_c.csv", 100)]
    )
    ready = ready_files(folder, "inv_*.csv", after=None, settling=settling(Sleeps()), stream="stock")
    assert names(ready) == ["inv_a.csv", "inv_c.csv"]


def test_files_before_the_cursor_file_are_skipped_and_the_cursor_file_itself_is_kept() -> None:
    files = [dropped("inv_a.csv", 600), dropped("inv_b.csv", 500), dropped("inv_c.csv", 400)]
    ready = ready_files(
        ScriptedFolder(files), "inv_*.csv", after=files[1].prefix, settling=settling(Sleeps()), stream="stock"
    )
    assert names(ready) == ["inv_b.csv", "inv_c.csv"]


def test_settle_seconds_zero_never_waits() -> None:
    sleeps = Sleeps()
    folder = ScriptedFolder([dropped("inv_a.csv", 0.0)])
    ready = ready_files(folder, "inv_*.csv", after=None, settling=settling(sleeps, seconds=0), stream="stock")
    assert names(ready) == ["inv_a.csv"] and sleeps.calls == []


def test_patterns_take_brace_choices_ignore_case_and_never_match_lock_or_hidden_files() -> None:
    assert expand_braces("dealers_*.{csv,xlsx,jsonl}") == [
        "dealers_*.csv",
        "dealers_*.xlsx",
        "dealers_*.jsonl",
    ]
    assert expand_braces("{a,b}_{1,2}") == ["a_1", "a_2", "b_1", "b_2"]
    assert matches("PRODUCTS_20261101.XLSX", "products_*.{csv,xlsx}")
    assert not matches("products_20261101.xls", "products_*.{csv,xlsx}")
    assert not matches("~$products_1.xlsx", "products_*.{csv,xlsx}")
    assert not matches(".inv_a.csv", "*.csv")


def test_a_real_file_written_to_during_the_settle_wait_is_left_alone(tmp_path: Path) -> None:
    done = tmp_path / "inv_a.csv"
    done.write_text("sku\nA\n", encoding="utf-8")
    growing = tmp_path / "inv_b.csv"
    growing.write_text("sku\nB\n", encoding="utf-8")

    def writer_goes_on() -> None:
        with growing.open("a", encoding="utf-8") as handle:
            handle.write("C\n")

    sleeps = Sleeps(writer_goes_on)
    ready = ready_files(
        LocalFolder(tmp_path),
        "inv_*.csv",
        after=None,
        settling=Settling(seconds=2, stale_part_seconds=3600, clock=time.time, sleep=sleeps),
        stream="stock",
    )
    assert names(ready) == ["inv_a.csv"] and sleeps.calls == [2]


def test_a_file_moved_in_with_an_old_mtime_orders_by_when_it_appeared(tmp_path: Path) -> None:
    (tmp_path / "inv_a.csv").write_text("sku\nA\n", encoding="utf-8")
    late = tmp_path / "inv_old.csv.part"
    late.write_text("sku\nB\n", encoding="utf-8")
    os.utime(late, (time.time() - 86400, time.time() - 86400))  # bytes written yesterday ...
    late.rename(tmp_path / "inv_old.csv")  # ... renamed into place now
    files = LocalFolder(tmp_path).list_files()
    assert names(sorted(files, key=lambda f: f.sort_key)) == ["inv_a.csv", "inv_old.csv"]


def test_a_missing_folder_is_fatal_and_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-drop"
    with pytest.raises(FatalConnectorError, match=f"folder {missing} does not exist"):
        LocalFolder(missing).list_files()
