"""Fuzz inputs for the session loader (shared by test_fuzz.py and benchmarks/soak.py).

Three sources: arbitrary bytes, real session files with random mutations, and text built
from TOML's own punctuation (which reaches deeper into the parser and the validator than
random bytes do).  The only outcome allowed for any of them is a session or the store's
own load error.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import strategies as st

from backplan_tui.core import codec, templates
from backplan_tui.core.storage import SessionStore, StoreError

FUZZ_ID = "fuzz-0001"


def seed_files() -> list[bytes]:
    """Real session files: the demo and every template, as the store writes them."""
    today = date(2026, 11, 22)
    files = [codec.dumps(templates.demo_session(today)).encode("utf-8")]
    for info in templates.list_templates():
        session = templates.instantiate(
            info.name, session_id=f"{info.name}-0001", title=info.title, today=today
        )
        files.append(codec.dumps(session).encode("utf-8"))
    return files


SEEDS = seed_files()


@st.composite
def mutated_files(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate", "swap"]))
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(
                st.binary(min_size=1, max_size=8)
                | st.sampled_from([b"[", b"]", b"{", b"}", b'"', b"'", b"=", b"\n", b".", b"\\"])
            )
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "duplicate":
            end = min(len(data), at + draw(st.integers(1, 200)))
            data[at:at] = data[at:end]
        elif kind == "truncate":
            del data[at:]
        else:  # swap two lines
            lines = bytes(data).split(b"\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


TOML_TOKENS = st.sampled_from(
    [
        "\n",
        " ",
        "=",
        ".",
        ",",
        "[",
        "]",
        "[[",
        "]]",
        "{",
        "}",
        '"',
        "'",
        '"""',
        "#",
        "id",
        "title",
        "map",
        "pilots",
        "votes",
        "parent",
        "schema_version",
        "revision",
        "future_state",
        "outcomes",
        "checkins",
        "facilitation",
        "timebox_minutes",
        '"m1"',
        '"x"',
        "1",
        "-1",
        "2",
        "99",
        "1e400",
        "nan",
        "inf",
        "true",
        "2026-11-22",
        "2026-11-22T13:00:00Z",
        "13:00:00",
        "\\u0000",
        "\\u202e",
        "\x1b",
        "é",
    ]
)
toml_like = st.lists(TOML_TOKENS, max_size=80).map(lambda parts: "".join(parts).encode("utf-8"))

ANY_INPUT = st.binary(max_size=2048) | mutated_files() | toml_like


def load_bytes(store: SessionStore, data: bytes) -> str:
    """Write ``data`` as a session file and load it: "ok" or the store error's class.

    Any other exception propagates (that is the bug the fuzzing looks for).
    """
    path = store.sessions_dir / f"{FUZZ_ID}.toml"
    path.write_bytes(data)
    try:
        store.load(FUZZ_ID)
    except StoreError as error:
        if "\n" in str(error):
            raise AssertionError(f"a multi-line error: {error!r}") from None
        return type(error).__name__
    return "ok"


def fuzz_store(root: Path) -> SessionStore:
    store = SessionStore(root)
    store.sessions_dir.mkdir(parents=True, exist_ok=True)
    return store
