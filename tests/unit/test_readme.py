"""The documented file-format example is a real session file (the docs cannot drift)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from backplan_tui.core import codec

README = Path(__file__).resolve().parents[2] / "README.md"
FILE_FORMAT = Path(__file__).resolve().parents[2] / "docs" / "file-format.md"


def test_file_format_example_loads_with_every_section() -> None:
    text = FILE_FORMAT.read_text("utf-8")
    block = text.split("## An example", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    session = codec.loads(block, "file-format.md")
    assert session.id == "improve-retention-3f9a"
    assert session.future_state.target_date == date(2027, 12, 31)
    assert session.future_state.outcomes[0].direction == "increase"
    assert session.questions[0].key == "who_benefits"
    assert session.map[0].votes == {"Dana": 1, "Sam": 2}
    assert session.pilots[0].tests == ["m1"]
    assert session.checkins[0].values == {"o1": 80.5}
    assert session.adjustments[0].why == "Hiring freeze in Q1"
    assert session.facilitation.timebox_minutes["reverse_map"] == 40
    assert session.facilitation.parking_lot == ["Budget for manager training?"]
    assert session.review_cadence == "weekly"
    assert session.facilitation.used_seconds == {"future_state": 754}
    assert session.facilitation.added_seconds == {"future_state": 300}
    assert session.extra == {} and session.facilitation.extra == {}  # all typed fields


def test_readme_opens_with_the_two_commands() -> None:
    head = README.read_text("utf-8")[:1200]
    assert "make run" in head and "make test" in head


def test_readme_theme_example_loads_without_warnings(tmp_path: Path) -> None:
    from backplan_tui.tui import themes

    text = README.read_text("utf-8")
    block = text.split("## Themes", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    folder = tmp_path / "themes"
    folder.mkdir()
    (folder / "harbour.toml").write_text(block, "utf-8")
    loaded, warnings = themes.load_themes(tmp_path)
    assert warnings == []
    assert "harbour" in [t.name for t in loaded]
