"""Crashes injected by chaos runs (devtools/chaos.py): off unless a chaos setting is on.

`fault_hook()` is what the trigger function passes as `process_transaction(..., faults=...)`:
None, nothing injected, unless the process was started with CHAOS_FAULT_RATE (a fraction of
deliveries) against the Firestore emulator. The setting is read once per process; without
FIRESTORE_EMULATOR_HOST it is refused, so a deployed function can never inject a fault. A doomed
delivery raises `InjectedFault` (transient: the event is delivered again) after a write step,
each step with probability STEP_PROBABILITY, and appends the step's name to CHAOS_FAULT_LOG.
"""

from __future__ import annotations

import functools
import os
import random
from dataclasses import dataclass

from google.api_core import exceptions as gexc

from shared.engine.run import Faults
from shared.logs import get_logger

log = get_logger(__name__)

FAULT_RATE_ENV = "CHAOS_FAULT_RATE"
FAULT_LOG_ENV = "CHAOS_FAULT_LOG"
EMULATOR_ENV = "FIRESTORE_EMULATOR_HOST"
# A doomed delivery crashes after each write step with this probability: after counting, after
# the milestone, after a prize, after issuing.
STEP_PROBABILITY = 0.6


class InjectedFault(gexc.ServiceUnavailable):
    """A crash injected after a write step; the event is delivered again."""


@dataclass(frozen=True)
class ChaosSetting:
    """The fraction of deliveries to crash, and the file that lists each crash's step."""

    rate: float
    log_path: str | None


@functools.cache
def chaos_setting() -> ChaosSetting | None:
    """The process's chaos setting, read once: None unless on, and never off the emulator."""
    raw = os.environ.get(FAULT_RATE_ENV, "").strip()
    if not raw:
        return None
    if not os.environ.get(EMULATOR_ENV, "").strip():
        log.error(f"{FAULT_RATE_ENV} is ignored: faults are injected against the emulator only")
        return None
    rate = float(raw)
    if not 0 <= rate <= 1:
        raise ValueError(f"{FAULT_RATE_ENV} must be between 0 and 1, got {raw!r}")
    return ChaosSetting(rate, os.environ.get(FAULT_LOG_ENV, "").strip() or None)


def _record(path: str | None, step: str) -> None:
    if path is not None:
        with open(path, "a", encoding="utf-8") as out:
            out.write(step + "\n")


def fault_hook() -> Faults | None:
    """The fault hook of one delivery: None (no chaos, or this delivery spared) or a crasher."""
    setting = chaos_setting()
    if setting is None or random.random() >= setting.rate:
        return None

    def crash(step: str) -> None:
        if random.random() < STEP_PROBABILITY:
            _record(setting.log_path, step)
            raise InjectedFault(f"chaos: crash injected after step {step}")

    return crash
