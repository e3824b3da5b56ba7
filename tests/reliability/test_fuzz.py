"""Fuzzing the loader: arbitrary bytes, mutated real sessions and TOML-like token soup may
only ever give a session or the store's own load error (DamagedSessionError /
SessionReadOnly, both StoreError) -- never another exception.  benchmarks/soak.py runs many
more inputs."""

from __future__ import annotations

import collections

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import examples
from reliability.fuzzing import ANY_INPUT, SEEDS, fuzz_store, load_bytes, mutated_files, toml_like

pytestmark = pytest.mark.slow  # fuzzing: `-m "not slow"` skips it

FUZZ = settings(
    max_examples=examples(300, 120),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(data=st.binary(max_size=4096))
def test_arbitrary_bytes(tmp_path_factory, data):
    store = fuzz_store(tmp_path_factory.getbasetemp() / "fuzz-bytes")
    load_bytes(store, data)


@settings(FUZZ, max_examples=examples(200, 80))
@given(data=mutated_files())
def test_mutated_real_sessions(tmp_path_factory, data):
    store = fuzz_store(tmp_path_factory.getbasetemp() / "fuzz-mutated")
    load_bytes(store, data)
    store.list()  # listing copes with whatever the file became


@FUZZ
@given(data=toml_like)
def test_toml_like_token_soup(tmp_path_factory, data):
    store = fuzz_store(tmp_path_factory.getbasetemp() / "fuzz-tokens")
    load_bytes(store, data)


def test_the_fuzz_inputs_reach_past_the_toml_parser(tmp_path):
    # Guard against inputs that only ever fail at the first byte: count the outcomes.
    store = fuzz_store(tmp_path)
    outcomes: collections.Counter[str] = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()

    @settings(max_examples=200, deadline=None, database=None, derandomize=True)
    @given(data=ANY_INPUT)
    def probe(data):
        outcome = load_bytes(store, data)
        outcomes[outcome] += 1
        if outcome == "DamagedSessionError":
            try:
                store.load("fuzz-0001")
            except Exception as error:  # the reason's first word: (toml), map[0].id, ...
                reasons[str(getattr(error, "reason", error)).split(":")[0]] += 1

    probe()
    assert outcomes["ok"] > 0  # some mutations still load
    assert outcomes["DamagedSessionError"] > 0
    assert len(reasons) > 5, reasons  # damage found in many different places
    for seed in SEEDS:
        assert load_bytes(store, seed) == "ok"
