"""backplan import: what is wrong inside a file is named the same way, by the file's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from backplan_tui import cli
from backplan_tui.core.storage import SessionStore


def import_error(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["import", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_an_encoding_error_names_the_file_as_a_schema_error_does(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "deep" / "folder"
    folder.mkdir(parents=True)
    bad_type = folder / "types.toml"
    bad_type.write_text('id = "x"\ntitle = "T"\nrevision = "two"\n', encoding="utf-8")
    not_utf8 = folder / "latin1.toml"
    not_utf8.write_bytes(b'id = "x"\ntitle = "Caf\xe9"\n')

    # Written out by hand: "<file name>: <what is wrong>", no folder in either.
    assert import_error(bad_type, capsys) == (
        "backplan: error: types.toml: revision: expected an integer, got 'two'\n"
    )
    assert import_error(not_utf8, capsys) == (
        "backplan: error: latin1.toml: not UTF-8 text (byte 21)\n"  # 9 + len(title = "Caf)
    )
    assert SessionStore(data_dir).list() == []
