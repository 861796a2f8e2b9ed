"""Injected faults: off unless CHAOS_FAULT_RATE is set, and never off the emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.engine import chaos


@pytest.fixture(autouse=True)
def fresh_setting(monkeypatch) -> Iterator[None]:
    for name in (chaos.FAULT_RATE_ENV, chaos.FAULT_LOG_ENV):
        monkeypatch.delenv(name, raising=False)
    chaos.chaos_setting.cache_clear()
    yield
    chaos.chaos_setting.cache_clear()


def test_without_the_setting_there_is_no_hook(monkeypatch) -> None:
    monkeypatch.setenv(chaos.EMULATOR_ENV, "127.0.0.1:8085")
    assert chaos.fault_hook() is None


def test_the_setting_is_refused_off_the_emulator(monkeypatch) -> None:
    monkeypatch.delenv(chaos.EMULATOR_ENV, raising=False)
    monkeypatch.setenv(chaos.FAULT_RATE_ENV, "1")
    assert chaos.chaos_setting() is None
    assert chaos.fault_hook() is None


def test_a_doomed_delivery_crashes_after_a_step_and_logs_it(monkeypatch, tmp_path) -> None:
    log = tmp_path / "faults.log"
    monkeypatch.setenv(chaos.EMULATOR_ENV, "127.0.0.1:8085")
    monkeypatch.setenv(chaos.FAULT_RATE_ENV, "1")
    monkeypatch.setenv(chaos.FAULT_LOG_ENV, str(log))
    crashed = 0
    for _ in range(50):
        hook = chaos.fault_hook()
        assert hook is not None
        try:
            for step in ("counted", "milestone", "prize:1", "issued"):
                hook(step)
        except chaos.InjectedFault as fault:
            crashed += 1
            assert "chaos: crash injected after step" in str(fault)
    # Each step crashes with probability STEP_PROBABILITY: nearly every one of 50 crashed.
    assert crashed >= 45
    steps = log.read_text().splitlines()
    assert len(steps) == crashed and set(steps) <= {"counted", "milestone", "prize:1", "issued"}


def test_a_rate_of_zero_spares_every_delivery(monkeypatch) -> None:
    monkeypatch.setenv(chaos.EMULATOR_ENV, "127.0.0.1:8085")
    monkeypatch.setenv(chaos.FAULT_RATE_ENV, "0")
    assert all(chaos.fault_hook() is None for _ in range(20))


def test_an_injected_fault_is_transient_so_the_event_comes_again() -> None:
    from functions.on_transaction_created import _TRANSIENT

    assert issubclass(chaos.InjectedFault, _TRANSIENT)
