"""Every stored model round-trips: encode, decode, equal; also through the emulator."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.cloud import firestore

from shared.catalog.models import (
    Action,
    Catalog,
    Challenge,
    DefaultChallenge,
    DefaultLevel,
    VoucherPool,
)
from shared.enums import TransactionType, TriggerKind
from shared.progress.state import order_key
from shared.schema import catalog as catalog_schema
from shared.schema import (
    credentials,
    dead_letters,
    gigya,
    leaderboards,
    ledger,
    markers,
    stats,
    vouchers,
)
from shared.schema import milestones as ms
from shared.schema import user as user_schema
from shared.schema.user import ProgressState
from tests.shared.engine.builders import badge_reward, challenge, simple_level, voucher_reward

NOW = datetime(2026, 6, 15, 12, 0, 0, 123000, tzinfo=UTC)
K = TriggerKind
PRIZE = ms.Prize(
    7, 2, "CODE-1", {"en": "a voucher", "ar": "قسيمة"}, NOW + timedelta(days=30), "issued"
)
PENDING_PRIZE = ms.Prize(8, 1, "50", {"en": "50 points"}, None, "pending")


def _state() -> ProgressState:
    balance = {order_key(3, NOW): 900.0}
    unclaimed = ms.MilestoneEntry(11, 0, 0, NOW, (PRIZE,))
    return ProgressState(
        totals={K.EARNED_POINTS: 1500.0, K.SUBSCRIBE_VOUCHERS_COUNT: 2.0},
        baseline={K.EARNED_POINTS: 1000.0},
        states={K.TOTAL_POINTS_BALANCE: 900.0},
        observed={K.TOTAL_POINTS_BALANCE: balance},
        cycle=1,
        level=1,
        levels_reached=1,
        completed=False,
        achieved_at=NOW - timedelta(days=3),
        pending={"12": ms.MilestoneEntry(12, 1, 1, NOW).encode()},
        unclaimed={"11": unclaimed.encode()},
        claimed_count=2,
        last_claimed=ms.MilestoneEntry(9, 0, 0, NOW, None, NOW).encode(),
        is_new_level=True,
        action_totals={"share": 3.0},
        action_baseline={"share": 1.0},
    )


@dataclass(frozen=True)
class Case:
    """A model, and how its stored form is read back."""

    name: str
    model: Any
    decode: Callable[[Mapping[str, Any]], Any]

    def encode(self) -> dict[str, Any]:
        """The stored form."""
        return dict(self.model.encode())


variant = gigya.VariantState(12.5, {"share": 2.0}, gigya.GigyaPoints({"h493000": 12.5}))
CASES = [
    Case("challenge entry", _state(), user_schema.decode_entry),
    Case("zero entry", ProgressState(), user_schema.decode_entry),
    Case(
        "gigya points",
        gigya.GigyaPoints({"h493000": 10.0}, {"m202606": 30.0}, 5.0, 2),
        gigya.GigyaPoints.decode,
    ),
    Case("variant", variant, gigya.VariantState.decode),
    Case(
        "challenge points",
        gigya.ChallengePoints(gigya.GigyaPoints({}, {"m202606": 3.0}), {"branch:maadi": variant}),
        gigya.ChallengePoints.decode,
    ),
    Case(
        "_default",
        gigya.DefaultState(250.0, gigya.GigyaPoints({}, {"m202606": 250.0}, 10.0, 1), 2, {}),
        gigya.DefaultState.decode,
    ),
    Case("action cap", gigya.ActionCapState(4, NOW, "2026-06-15", 2), gigya.ActionCapState.decode),
    Case("action log", gigya.ActionLogEntry("gm-1", NOW), gigya.ActionLogEntry.decode),
    Case("redeem log", gigya.RedeemLogEntry("points", 25.0, NOW), gigya.RedeemLogEntry.decode),
    Case(
        "board entry (engine)",
        leaderboards.BoardEntry("u", 40.0, {"h493000": 40.0}, NOW, None, None, dirty=True),
        leaderboards.BoardEntry.decode,
    ),
    Case(
        "board entry (folded)",
        leaderboards.BoardEntry("u", 40.0, {"h493000": 40.0}, NOW, 40.0, 40.0, False, NOW),
        leaderboards.BoardEntry.decode,
    ),
    Case(
        "rank table", leaderboards.RankTableDoc(b"\x01", b"\x01"), leaderboards.RankTableDoc.decode
    ),
    Case("prize", PRIZE, ms.Prize.decode),
    Case("pending entry", ms.MilestoneEntry(12, 1, 0, NOW), ms.MilestoneEntry.decode),
    Case("unclaimed entry", ms.MilestoneEntry(11, 0, 0, NOW, (PRIZE,)), ms.MilestoneEntry.decode),
    Case("listed, no prizes", ms.MilestoneEntry(13, 0, 2, NOW, ()), ms.MilestoneEntry.decode),
    Case("last claimed", ms.MilestoneEntry(9, 0, 0, NOW, None, NOW), ms.MilestoneEntry.decode),
    Case(
        "milestone",
        ms.Milestone(11, "u", 3, 0, 0, NOW, NOW, (PRIZE, PENDING_PRIZE), False),
        ms.Milestone.decode,
    ),
    Case(
        "claimed milestone",
        ms.Milestone(11, "u", 3, 0, 0, NOW, NOW, (PRIZE,), True, True, NOW),
        ms.Milestone.decode,
    ),
    Case("claim", ms.Claim(11, "u", 3, 0, 1, NOW, (PRIZE,), NOW), ms.Claim.decode),
    Case("event marker", markers.EventMarker("t1", NOW, (1, 4), NOW), markers.EventMarker.decode),
    Case("free code", vouchers.VoucherCode("C1"), vouchers.VoucherCode.decode),
    Case("taken code", vouchers.VoucherCode("C1", True, "u"), vouchers.VoucherCode.decode),
    Case("voucher claim", vouchers.VoucherClaim("11-7", "u"), vouchers.VoucherClaim.decode),
    Case(
        "voucher assignment",
        vouchers.VoucherAssignment("C1", "u"),
        vouchers.VoucherAssignment.decode,
    ),
    Case("stats shard", stats.StatsShard(3), stats.StatsShard.decode),
    Case(
        "engine letter",
        dead_letters.Letter("points: bad", "t1", NOW, "engine", {"userId": "u", "type": 1}),
        dead_letters.Letter.decode,
    ),
    Case(
        "deliverer letter",
        dead_letters.Letter("HTTP 500", "t1", NOW, "deliverer", attempts=5, target="http://x"),
        dead_letters.Letter.decode,
    ),
    Case(
        "re-driven letter",
        dead_letters.Letter("bad", "t1", NOW, "engine", None, None, None, NOW, "counted", "letter"),
        dead_letters.Letter.decode,
    ),
    Case(
        "partner client",
        credentials.PartnerClientDoc("a2V5", "acme", NOW),
        credentials.PartnerClientDoc.decode,
    ),
    Case("nonce", credentials.AuthNonce(NOW), credentials.AuthNonce.decode),
    Case("gigya site", credentials.GigyaSiteDoc("site", NOW), credentials.GigyaSiteDoc.decode),
    Case(
        "gigya application",
        credentials.GigyaApplicationDoc("3_key", "c2VjcmV0", "app", NOW),
        credentials.GigyaApplicationDoc.decode,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_encode_then_decode_gives_the_model_back(case):
    assert case.decode(case.encode()) == case.model


@pytest.mark.emulator
def test_every_model_round_trips_through_firestore(db):
    for n, case in enumerate(CASES):
        ref = db.document(f"schemaRoundTrips/{n}")
        ref.set(case.encode())
        assert case.decode(ref.get().to_dict() or {}) == case.model, case.name


def test_the_zero_entry_is_stored_as_nothing():
    assert ProgressState().encode() == {}
    assert user_schema.decode_entry(None) == ProgressState()


def test_an_entry_decodes_its_milestones():
    state = _state()
    assert state.unclaimed_entries() == [ms.MilestoneEntry(11, 0, 0, NOW, (PRIZE,))]
    assert state.last_claimed_entry() == ms.MilestoneEntry(9, 0, 0, NOW, None, NOW)


def test_the_ledger_transaction_is_the_models_fields():
    assert set(ledger.MODEL_FIELDS) == set(ledger.LedgerTransaction.model_fields)
    data = ledger.transaction(
        "u",
        TransactionType.ACTION,
        NOW,
        action_id="share",
        attributes={"branch": "maadi"},
        points=10,
        balance_after=40,
        sequence=3,
        origin=ledger.ORIGIN_NOTIFY_ACTION,
    )
    tx = ledger.parse_transaction(data)
    assert (tx.userId, tx.type, tx.occurredAt, tx.actionId, tx.points) == (
        "u",
        TransactionType.ACTION,
        NOW,
        "share",
        10,
    )
    assert (tx.attributes, tx.balanceAfter, tx.sequence, tx.source) == (
        {"branch": "maadi"},
        40,
        3,
        ledger.SOURCE_LEDGER,
    )
    record = ledger.ActionRecord.decode(data)
    assert record == ledger.ActionRecord(NOW, "share", 10.0, {"branch": "maadi"})


def test_a_reward_credit_counts_for_nothing():
    credit = ledger.reward_credit("u", 50, NOW, 11, 3, 7)
    tx = ledger.parse_transaction(credit)
    assert tx.is_reward and tx.points == 50 and tx.type is TransactionType.EARN_POINTS
    assert (credit[ledger.MILESTONE_ID], credit[ledger.CHALLENGE_ID], credit[ledger.REWARD_ID]) == (
        11,
        3,
        7,
    )


def test_a_claim_of_a_milestone_and_its_last_claimed_entry():
    milestone = ms.Milestone(11, "u", 3, 0, 1, NOW, NOW, (PRIZE,), True)
    claim = ms.Claim.of(milestone.encode(), 11, "u", NOW + timedelta(hours=1))
    assert claim == ms.Claim(11, "u", 3, 0, 1, NOW, (PRIZE,), NOW + timedelta(hours=1))
    assert claim.last_claimed() == ms.MilestoneEntry(11, 1, 0, NOW, None, NOW + timedelta(hours=1))


def test_an_application_key_without_its_secret_is_no_key():
    assert credentials.GigyaApplicationDoc.decode({credentials.APPLICATION_API_KEY: "3_x"}) is None
    assert "c2VjcmV0" not in repr(credentials.GigyaApplicationDoc("3_key", "c2VjcmV0", "app"))
    assert "a2V5" not in repr(credentials.PartnerClientDoc("a2V5", "acme"))


def test_the_catalog_round_trips_and_its_meta_names_are_the_models_fields():
    assert set(catalog_schema.META_FIELDS) <= set(Catalog.model_fields)
    assert catalog_schema.IMAGE_OBJECT not in Challenge.model_fields
    item = challenge(
        1,
        simple_level(K.EARNED_POINTS, 10, [voucher_reward(1, "pool")]),
        simple_level(K.HIT_TIER, 3, [badge_reward(2, "b")]),
        actions=["share"],
    )
    assert catalog_schema.decode_challenge(catalog_schema.encode_challenge(item)) == item
    catalog = Catalog(
        challenges=[item],
        actions=[Action(actionId="share", points=5)],
        voucherPools=[VoucherPool(id="pool", codes=["C1"])],
        timezone="Africa/Cairo",
        defaultChallenge=DefaultChallenge(levels=[DefaultLevel(title={"en": "One"}, points=10)]),
    )
    back = catalog_schema.decode_catalog(catalog_schema.encode_meta(catalog), [], [item])
    assert back.model_copy(update={"voucherPools": catalog.voucherPools}) == catalog.model_copy(
        update={"categories": []}
    )


def test_the_engines_fragments_are_made_of_the_entrys_names():
    increments = {(K.EARNED_POINTS, None): firestore.Increment(5), (K.PERFORMED_ACTION, "share"): 1}
    counted = user_schema.counted_fields(increments, {K.HIT_TIER: {"k1": 3}})
    assert counted == {
        user_schema.TOTALS: {"earnedPoints": firestore.Increment(5), "actions": {"share": 1}},
        "tier": {"k1": 3},
    }
    entry = ms.MilestoneEntry(11, 0, 0, NOW)
    level_up = user_schema.level_up_fields(
        cycle=0,
        level=1,
        levels_reached=1,
        completed=False,
        baseline={K.EARNED_POINTS: 100.0},
        action_baseline={},
        milestone=entry,
        achieved_at=None,
    )
    assert level_up[user_schema.PENDING] == {"11": entry.encode()}
    assert level_up[user_schema.BASELINE] == {"earnedPoints": 100}
    assert user_schema.ACHIEVED_AT not in level_up and user_schema.UNCLAIMED not in level_up
    issued = user_schema.issued_fields(ms.MilestoneEntry(11, 0, 0, NOW, (PRIZE,)))
    assert issued[user_schema.PENDING] == {"11": firestore.DELETE_FIELD}
    claimed = user_schema.claimed_fields(ms.MilestoneEntry(11, 0, 0, NOW, None, NOW))
    assert claimed[user_schema.UNCLAIMED] == {"11": firestore.DELETE_FIELD}
    body = user_schema.merge_body("u", {4: counted, 5: {}}, {gigya.DEFAULT: {gigya.POINTS: 1}})
    assert set(body) == {user_schema.USER_ID, user_schema.CHALLENGES, user_schema.GIGYA}
    assert set(body[user_schema.CHALLENGES]) == {"4"}
    # A counting write stamps the document once, not each entry it counts.
    stamped = user_schema.merge_body("u", {4: counted, 6: counted}, counted_at=NOW)
    assert stamped[user_schema.UPDATED_AT] == NOW
    assert user_schema.UPDATED_AT not in user_schema.merge_body("u", {4: counted})
    assert level_up[user_schema.IS_NEW_LEVEL] is True
    assert user_schema.reset_level_fields() == {user_schema.IS_NEW_LEVEL: firestore.DELETE_FIELD}


def test_every_write_of_an_entry_writes_its_listing_mirror_with_it():
    u = user_schema
    prize_won = ms.MilestoneEntry(11, 0, 0, NOW, (PRIZE,))
    issued = u.issued_fields(prize_won)
    claimed = u.claimed_fields(ms.MilestoneEntry(11, 0, 0, NOW, None, NOW))
    counted = u.counted_fields({(K.EARNED_POINTS, None): firestore.Increment(5)}, {})
    body = u.merge_body("u", {4: issued, 5: claimed, 6: counted})
    # Nothing the exclusions read in a counting write: no mirror for 6.
    assert body[u.LISTING] == {
        "4": {u.UNCLAIMED: {"11": True}},
        "5": {u.UNCLAIMED: {"11": firestore.DELETE_FIELD}, u.CLAIMED_COUNT: firestore.Increment(1)},
    }
    assert u.LISTING not in u.merge_body("u", {6: counted})
    # Only a write that knows the document is whole (or new) says the mirror is complete.
    assert u.LISTING_VERSION not in body
    assert u.merge_body("u", {6: counted}, complete=True)[u.LISTING_VERSION] == u.LISTING_COMPLETE
    entry = ProgressState(
        unclaimed={"11": prize_won.encode(), "12": prize_won.encode()}, claimed_count=3
    ).encode()
    whole = u.user_document("u", {7: entry, 8: ProgressState().encode()})
    mirror = {"7": {u.UNCLAIMED: {"11": True, "12": True}, u.CLAIMED_COUNT: 3}}
    assert whole[u.LISTING] == mirror and whole[u.LISTING_VERSION] == u.LISTING_COMPLETE
    assert u.listing_document({7: entry, 8: {}}) == {u.LISTING: mirror, u.LISTING_VERSION: 1}


def test_the_trigger_pattern_is_the_transactions_collection():
    from shared.endpoints import by_entry_point
    from shared.schema import paths

    trigger = by_entry_point("on_transaction_created").event
    assert trigger is not None and trigger.document == f"{paths.TRANSACTIONS}/{{transactionId}}"


def test_every_module_declares_its_names():
    from shared.schema import stored_names

    owned = stored_names()
    assert set(owned) == {
        "paths",
        "user",
        "gigya",
        "milestones",
        "markers",
        "ledger",
        "vouchers",
        "stats",
        "dead_letters",
        "credentials",
        "catalog",
    }
    assert all(names for names in owned.values())


def test_variants_are_decoded_on_first_use_and_equal_the_stored_ones(monkeypatch):
    stored = {
        "maadi": gigya.VariantState(10, {"share": 1.0}).encode(),
        "zamalek": gigya.VariantState(20).encode(),
    }
    variants = gigya.decode_variants({gigya.VARIANTS: stored, gigya.POINTS: 30})
    decoded: list[str] = []
    original = gigya.VariantState.decode.__func__

    def counting(cls, raw):
        decoded.append(str(raw.get(gigya.POINTS)))
        return original(cls, raw)

    monkeypatch.setattr(gigya.VariantState, "decode", classmethod(counting))
    assert set(variants) == {"maadi", "zamalek"} and len(variants) == 2
    assert "maadi" in variants and "cairo" not in variants
    assert decoded == []  # listed and looked up, nothing decoded
    assert variants["maadi"] == gigya.VariantState(10, {"share": 1.0})
    assert variants["maadi"] is variants["maadi"] and decoded == ["10"]
    assert variants.get("cairo") is None
    assert variants == {
        "maadi": gigya.VariantState(10, {"share": 1.0}),
        "zamalek": gigya.VariantState(20),
    }
    assert gigya.decode_variants({gigya.POINTS: 1}) == {} == gigya.decode_variants(None)


def test_a_stored_variant_that_is_not_a_map_reads_as_an_empty_one():
    variants = gigya.decode_variants({gigya.VARIANTS: {"odd": 3, "maadi": {gigya.POINTS: 5}}})
    assert variants["odd"] == gigya.VariantState()
    assert variants["maadi"] == gigya.VariantState(5)
