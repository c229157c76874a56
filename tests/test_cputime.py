"""The stage clock charges CPU to the innermost stage only, so stages add up to the work done."""

from __future__ import annotations

import time

from harvester.cputime import StageClock


def burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_nested_stages_are_charged_exclusively():
    clock = StageClock()
    with clock.stage("extract"):
        burn(0.05)
        with clock.stage("parse"):
            burn(0.1)
        burn(0.05)
    assert 0.095 <= clock.seconds["extract"] < 0.15
    assert 0.095 <= clock.seconds["parse"] < 0.15


def test_time_outside_every_stage_is_not_charged():
    clock = StageClock()
    burn(0.05)
    with clock.stage("store"):
        burn(0.02)
    burn(0.05)
    assert set(clock.seconds) == {"store"}
    assert 0.018 <= clock.seconds["store"] < 0.06


def test_a_stage_left_by_an_exception_is_closed():
    clock = StageClock()
    try:
        with clock.stage("extract"):
            burn(0.02)
            raise ValueError("unreadable")
    except ValueError:
        pass
    with clock.stage("store"):
        burn(0.02)
    assert clock.seconds["extract"] < 0.06 and clock.seconds["store"] < 0.06
