"""textclean: control characters go, bidi overrides and isolates become visible markers."""

from __future__ import annotations

import pytest

from backplan_tui.core.textclean import bidi_marker, clean_line, clean_text, show_bidi

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_controls_are_stripped():
    assert clean_text("a\x00b\x1b[31mc\x7fd\x9be\tf\ng\r\nh") == "ab[31mcde\tf\ng\nh"
    assert clean_line("a\tb\nc\r\nd\x07e") == "a b c de"


@pytest.mark.parametrize("char", list(BIDI), ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_each_bidi_override_or_isolate_is_shown_as_a_marker(char):
    code = f"U+{ord(char):04X}"
    assert bidi_marker(char) == f"⟨{code}⟩"
    assert clean_line(f"abc{char}def") == f"abc⟨{code}⟩def"
    assert clean_text(f"abc{char}def\nx") == f"abc⟨{code}⟩def\nx"


def test_trojan_source_reads_as_written():
    # "if access_level != 'user‮ ⁦// Check if admin⁩ ⁦'" -- the classic reordering trick
    sneaky = "access = 'user\u202e \u2066// admin\u2069 \u2066'"
    shown = clean_line(sneaky)
    assert shown == "access = 'user⟨U+202E⟩ ⟨U+2066⟩// admin⟨U+2069⟩ ⟨U+2066⟩'"
    assert not any(c in shown for c in BIDI)


def test_ordinary_right_to_left_text_and_marks_are_kept():
    hebrew = "שלום עולם"
    arabic = "مرحبا\u200f"  # with a right-to-left mark, which reorders nothing by itself
    assert clean_line(hebrew) == hebrew
    assert clean_text(arabic) == arabic
    assert show_bidi("plain") == "plain"


def test_cleaning_twice_changes_nothing():
    for value in ["x\u202ey", "\x1b[2J\u2066", "⟨U+202E⟩", "a\r\nb\u2069"]:
        assert clean_text(clean_text(value)) == clean_text(value)
        assert clean_line(clean_line(value)) == clean_line(value)


def test_empty_values():
    assert clean_text("") == "" and clean_line("") == ""


def test_split_names_trims_and_drops_blanks_and_repeats() -> None:
    from backplan_tui.core.textclean import split_names

    assert split_names(" Dana, Lee,, Dana ,Sam\x07 ") == ["Dana", "Lee", "Sam"]
    assert split_names("") == []


def test_shorten_cuts_with_an_ellipsis_and_no_trailing_space():
    from backplan_tui.core.textclean import shorten

    assert shorten("Budget", 6) == "Budget"
    assert shorten("Budget approved", 8) == "Budget…"  # "Budget " is stripped before the …
    assert shorten("abc", 1) == "…"
    assert shorten("abc", 0) == "…"
