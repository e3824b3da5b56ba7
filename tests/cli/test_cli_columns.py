"""The command line's columns: aligned by terminal cells, whatever the text holds."""

from __future__ import annotations

import io

from backplan_tui.cli_common import columns


def test_columns_align_wide_combining_and_cleaned_text() -> None:
    rows = [
        ["ID", "TITLE", "X"],
        ["a", "日本語", "1"],  # three wide characters: six cells
        ["bb", "e\u0301te", "22"],  # a combining accent: three cells
        ["c", "tab\there", "3"],  # a tab becomes a space
        ["d", "\u202eevil", "4"],  # a bidi override is shown, not obeyed
    ]
    stream = io.StringIO()
    columns(rows, stream)
    assert stream.getvalue().split("\n") == [
        "ID  TITLE         X",
        "a   日本語        1",
        "bb  e\u0301te           22",
        "c   tab here      3",
        "d   \u27e8U+202E\u27e9evil  4",
        "",
    ]


def test_columns_of_plain_ascii_pad_by_length_and_strip_the_line_end() -> None:
    stream = io.StringIO()
    columns([["A", "B", ""], ["long cell", "x", ""]], stream)
    assert stream.getvalue() == "A          B\nlong cell  x\n"
