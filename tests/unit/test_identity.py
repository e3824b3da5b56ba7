"""Identity: --as NAME, else the settings' name, else the login; one clean line."""

from __future__ import annotations

import getpass

import pytest

from backplan_tui.core import identity


def test_given_name_wins_then_settings_then_login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "dana")
    assert identity.resolve("Ana", "Settings Name") == "Ana"
    assert identity.resolve(None, "Settings Name") == "Settings Name"
    assert identity.resolve("  ", "") == "dana"
    assert identity.resolve("\x1b\x07", None) == "dana"


def test_no_login_falls_back_to_the_uid(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail() -> str:
        raise KeyError("no passwd entry")

    monkeypatch.setattr(getpass, "getuser", fail)
    assert identity.login().isdigit()


def test_names_are_one_short_line() -> None:
    assert identity.clean_name("Ana\n  Lopez\t") == "Ana Lopez"
    assert len(identity.clean_name("x" * 500)) == identity.MAX_NAME
    assert identity.clean_name(42) == ""


def test_same_person_ignores_case_and_spaces() -> None:
    assert identity.same_person("Priya", "priya ")
    assert not identity.same_person("Priya", "Pria")
