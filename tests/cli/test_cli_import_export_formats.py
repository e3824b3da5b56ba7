"""`import` takes what `export` writes (issue 14.6): the JSON export and a TOML file with a
UTF-8 BOM; `export -o` takes the format from the suffix and never replaces a file silently."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from backplan_tui.cli import main
from backplan_tui.core import codec, templates
from backplan_tui.core.export import render
from backplan_tui.core.model import Session
from backplan_tui.core.storage import SessionStore


@pytest.fixture
def demo_store(data_dir: Path) -> SessionStore:
    store = SessionStore(data_dir)
    store.create(templates.demo_session(date.today()))
    return store


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # relative -o paths, as a user types them


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    assert lines[0].startswith("backplan: error: ") and "Traceback" not in err
    return lines[0].removeprefix("backplan: error: ")


def same_plan(a: Session, b: Session) -> None:
    """Everything but the id, the revision and the save stamp."""
    left, right = codec.to_dict(a), codec.to_dict(b)
    for key in ("id", "revision", "updated"):
        left.pop(key, None)
        right.pop(key, None)
    assert left == right


# --- import ----------------------------------------------------------------------------------


def test_the_json_export_imports_back(
    demo_store: SessionStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's promise, as typed: export --format json -o d.json && import d.json."""
    code, out, err = run(capsys, "export", "demo", "--format", "json", "-o", "d.json")
    assert (code, out, err) == (0, "Wrote d.json\n", "")
    code, out, err = run(capsys, "import", "d.json")
    assert code == 0, err
    new_id = out.strip()
    assert new_id != "demo" and new_id.startswith("demo-")
    same_plan(demo_store.load(new_id), demo_store.load("demo"))


def test_a_computed_key_of_the_json_export_is_left_out(
    demo_store: SessionStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(render("json", demo_store.load("demo"), date.today()))
    data["computed"] = {"nodes": {"m1": {"due": "2027-01-01", "start": "2026-12-01"}}}
    (tmp_path / "with-computed.json").write_text(json.dumps(data), "utf-8")
    code, out, err = run(capsys, "import", "with-computed.json")
    assert code == 0, err
    imported = demo_store.load(out.strip())
    assert "computed" not in imported.extra
    same_plan(imported, demo_store.load("demo"))


def test_json_is_known_by_its_content_too(
    demo_store: SessionStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = render("json", demo_store.load("demo"), date.today())
    (tmp_path / "plan.export").write_text("\n  " + text, "utf-8")
    code, out, err = run(capsys, "import", "plan.export")
    assert code == 0, err
    same_plan(demo_store.load(out.strip()), demo_store.load("demo"))


def test_a_toml_file_with_a_bom_imports(
    demo_store: SessionStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = codec.dumps(demo_store.load("demo"))
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    code, out, err = run(capsys, "import", "bom.toml")
    assert code == 0, err
    same_plan(demo_store.load(out.strip()), demo_store.load("demo"))


def test_a_json_file_with_a_bom_imports(
    demo_store: SessionStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = render("json", demo_store.load("demo"), date.today())
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    code, out, err = run(capsys, "import", "bom.json")
    assert code == 0, err
    same_plan(demo_store.load(out.strip()), demo_store.load("demo"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cut.json", '{"id": "x", "title": ', "cut.json: (json): Expecting value"),
        ("list.json", '[{"id": "x"}]', "list.json: (root): expected a table, got an array"),
        ("deep.json", "[" * 100_000, "deep.json: (json): nested more than 32 levels deep"),
        (
            "deep2.json",
            '{"id": "x", "title": "T", "d": ' + "[" * 40 + "]" * 40 + "}",
            "deep2.json: d: nested more than 32 levels deep",
        ),
        ("nan.json", '{"id": "x", "title": "T", "n": NaN}', "nan.json: (json): NaN is not allowed"),
        (
            "bad-date.json",
            '{"id": "x", "title": "T", "created": "0001-01-01T00:00:00+14:00"}',
            "bad-date.json: created: 0001-01-01T00:00:00+14:00 is out of range",
        ),
    ],
    ids=["cut", "array", "deep-1000", "deep-40", "nan", "date-out-of-range"],
)
def test_a_bad_json_file_is_one_error_line_and_adds_nothing(
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str,
    message: str,
) -> None:
    (tmp_path / name).write_text(content, "utf-8")
    code, out, err = run(capsys, "import", name)
    assert code == 1 and out == ""
    assert one_error(err).startswith(message)
    assert SessionStore(data_dir).list() == []


# --- export: the format from the suffix ------------------------------------------------------

SUFFIXES = {
    "plan.md": "md",
    "plan.markdown": "md",
    "plan.html": "html",
    "plan.htm": "html",
    "PLAN.HTML": "html",
    "plan.json": "json",
    "plan.csv": "csv",
    "plan.ics": "ics",
    "plan.txt": "txt",
}


@pytest.mark.parametrize("name", list(SUFFIXES))
def test_export_takes_the_format_from_the_suffix(
    demo_store: SessionStore, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, out, err = run(capsys, "export", "demo", "-o", name)
    assert (code, out, err) == (0, f"Wrote {name}\n", "")
    code, expected, err = run(capsys, "export", "demo", "--format", SUFFIXES[name])
    assert code == 0, err
    assert (tmp_path / name).read_bytes() == expected.encode("utf-8")


def test_an_explicit_format_wins_over_the_suffix(
    demo_store: SessionStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "export", "demo", "--format", "md", "-o", "plan.html")
    assert code == 0, err
    assert (tmp_path / "plan.html").read_text("utf-8").startswith("# ")


@pytest.mark.parametrize(
    ("name", "shown"), [("plan.pdf", "has suffix '.pdf'"), ("plan", "has no suffix")]
)
def test_an_unknown_suffix_without_format_is_a_usage_error(
    demo_store: SessionStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    shown: str,
) -> None:
    code, out, err = run(capsys, "export", "demo", "-o", name)
    assert code == 2 and out == ""
    assert one_error(err) == (
        f"argument --format/-f: -o '{name}' {shown}; give --format or use one of "
        ".md, .markdown, .html, .htm, .json, .csv, .ics, .txt"
    )
    assert not (tmp_path / name).exists()


def test_no_format_and_no_file_is_a_usage_error(
    demo_store: SessionStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "export", "demo")
    assert code == 2 and out == ""
    assert one_error(err) == "argument --format/-f: required when writing to stdout (no -o PATH)"


# --- export: never a silent overwrite --------------------------------------------------------


def test_export_refuses_to_replace_a_file_without_force(
    demo_store: SessionStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "plan.md"
    target.write_text("my own notes\n", "utf-8")
    code, out, err = run(capsys, "export", "demo", "-o", "plan.md")
    assert code == 1 and out == ""
    assert one_error(err) == "plan.md: already exists; use --force to replace it"
    assert target.read_text("utf-8") == "my own notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.md"]  # no temp file left

    code, out, err = run(capsys, "export", "demo", "-o", "plan.md", "--force")
    assert (code, out, err) == (0, "Wrote plan.md\n", "")
    assert target.read_text("utf-8").startswith("# ")


def test_a_file_that_appears_during_the_export_is_not_replaced(
    demo_store: SessionStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Between the check and the rename someone writes the file: the export still refuses."""
    from backplan_tui.core.storage import fileio

    real = fileio.write_temp

    def write_then_race(directory: Path, name: str, data: bytes) -> Path:
        tmp = real(directory, name, data)
        (directory / name).write_text("written meanwhile\n", "utf-8")
        return tmp

    monkeypatch.setattr(fileio, "write_temp", write_then_race)
    code, _, err = run(capsys, "export", "demo", "-o", "plan.md")
    assert code == 1
    assert one_error(err) == "plan.md: already exists; use --force to replace it"
    assert (tmp_path / "plan.md").read_text("utf-8") == "written meanwhile\n"
    assert sorted(os.listdir(tmp_path)) == ["plan.md"]
