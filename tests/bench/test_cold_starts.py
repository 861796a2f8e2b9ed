"""Every entry point of the table gets a real first request in C or G5: pure checks."""

from __future__ import annotations

from bench import cold_starts
from bench.data import ReadFixture
from bench.gigya_data import GigyaFixture, gigya_catalog
from devtools.server import entry_points


def _fixture() -> GigyaFixture:
    catalog = gigya_catalog(20)
    return GigyaFixture(
        read=ReadFixture(catalog, "+201000000100", "partner", b"k" * 32, 4),
        api_key="3_bench",
        user_key="Abench",
        secret="c2VjcmV0",
        challenge_ids=["gm-1", "gm-2"],
        ranked_challenge="gm-1",
        board="1",
    )


def test_every_entry_point_has_a_real_first_request() -> None:
    every = list(entry_points())
    assert cold_starts.generic_probes(every, gigya=True) == []
    fixture = _fixture()
    assert set(cold_starts.probes(fixture.read, "p")) == set(cold_starts.READ_PROBED)
    assert set(cold_starts.gigya_probes(fixture)) == set(cold_starts.GIGYA_PROBED)
    # C starts the V1/V2 functions and the trigger; G5 the gm.* functions and the refresher.
    gigya = {e for e in every if cold_starts.needs_gigya_data(e)}
    assert gigya == set(cold_starts.GIGYA_PROBED)
    assert set(every) - gigya == set(cold_starts.READ_PROBED)


def test_figures_say_which_first_request_was_generic() -> None:
    result = cold_starts.ColdStart("gm_x", 1.0, 100.0, 200)
    [start, memory] = cold_starts.figures([result], prefix="G5", generic=["gm_x"])
    assert start.name == "G5 cold start gm_x" and start.detail["first_request"] == "generic probe"
    assert start.met and memory.name == "G5 peak memory gm_x"
