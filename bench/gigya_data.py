"""Section G's data: the read path's catalog and user with a Gigya side, a site, a big board.

The catalog is the read path's synthetic one (`bench.data.load_read_fixture`) whose first 20
challenges are also Gigya challenges: visible, named `gm-<id>`, listing actions, tracking the
variant attribute `branch`, with levels of Gigya's three kinds (by points, by required actions,
mixed: docs/GIGYA.md) in turn; the catalog has actions and `_default` levels. So the DSQ list and
gm.getChallengeStatus read the same user document (a progress entry in 200 challenges) on the
same stack, and their latencies compare.

Ranked users are written straight into one board's entries with the engine's own helper
(`leaderboards_repo.add_points` into large batches, from several threads) and folded with the
refresher (`leaderboards_repo.refresh`); the read user's state comes from the engine itself
(`process_transaction` of an Action transaction), as would any user's.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.context import BenchContext
from bench.data import READ_USER, ReadFixture, seed_progress
from shared.catalog.models import (
    Action,
    Catalog,
    Challenge,
    DefaultChallenge,
    DefaultLevel,
    Group,
    Level,
    Trigger,
)
from shared.enums import Operator, TriggerKind
from shared.firestore.writes import Batch

GIGYA_CHALLENGES = 20
VARIANT_KEY = "branch"
VARIANT_VALUE = "maadi"
ACTION_POINTS = 10
# Uncapped actions listed by the first k Gigya challenges: an Action transaction of
# `rank-k` counts (and earns points) in k ranked challenges.
RANK_ACTIONS: dict[int, str] = {1: "rank-1", 5: "rank-5", 10: "rank-10", 20: "rank-20"}
# A capped action (a daily cap no benchmark reaches), listed by the first 5 challenges like
# `rank-5`, so that gm.notifyAction's capped and uncapped paths count for as much.
CAPPED_ACTION = "checkin"
CAPPED_CHALLENGES = 5
DAILY_CAP = 1_000_000
# Seeded users' scores: skewed towards small scores, at most this many distinct ones (the rank
# table's size grows with the distinct scores, up to about 40,000 per board: docs/RANKS.md).
MAX_SCORE = 20_000
SEED_BATCH = 500  # Firestore's limit of writes per commit
SEED_THREADS = 4
SEED_USER_PREFIX = "bench-rank-"


def gigya_id(challenge_id: int) -> str:
    """The Gigya challengeID of a catalog challenge of the fixture."""
    return f"gm-{challenge_id}"


def _trigger(kind: TriggerKind, frequency: float, order: int, action: str | None) -> Trigger:
    name = "Points" if action is None else f"Action {action}"
    return Trigger(
        triggerId=kind,
        triggerType=kind.trigger_type,
        name={"en": name, "ar": name},
        order=order,
        operator=Operator.AND,
        triggerFrequency=frequency,
        actionId=action,
    )


def gigya_levels(index: int, original: Challenge) -> list[Level]:
    """Levels of Gigya's kinds in turn: by points, by required actions, mixed (AND).

    Thresholds out of reach of every benchmark event; the original levels' rewards are kept.
    """
    action = RANK_ACTIONS[GIGYA_CHALLENGES]  # listed by every Gigya challenge
    points = TriggerKind.EARNED_POINTS
    performed = TriggerKind.PERFORMED_ACTION
    kind = index % 3
    if kind == 1:
        steps = [[(points, 100.0, None)], [(points, 500.0, None)], [(points, 2_000.0, None)]]
    elif kind == 2:
        steps = [[(performed, 5.0, action)], [(performed, 20.0, action)]]
    else:
        steps = [[(points, 200.0, None), (performed, 10.0, action)]]
    levels = []
    for number, triggers in enumerate(steps):
        rewards = original.levels[number].rewards if number < len(original.levels) else []
        title = f"Level {number + 1}"
        levels.append(
            Level(
                title={"en": title, "ar": title},
                description={"en": f"{original.name['en']}, {title.lower()}"},
                actionUrl=f"https://example.com/challenges/{original.id}/{number + 1}",
                groups=[
                    Group(
                        groupId=1,
                        groupOrder=0,
                        operator=Operator.AND,
                        triggers=[_trigger(k, f, o, a) for o, (k, f, a) in enumerate(triggers)],
                    )
                ],
                rewards=rewards,
            )
        )
    return levels


def gigya_catalog(challenges: int) -> Catalog:
    """The synthetic catalog of `challenges` challenges, its first 20 made Gigya challenges."""
    from devtools.synthetic_catalog import synthetic_catalog
    from shared.catalog.validation import validate_catalog

    base = synthetic_catalog(challenges)
    ordered = sorted(base.challenges, key=lambda c: c.id)
    changed: list[Challenge] = []
    for index, challenge in enumerate(ordered, start=1):
        if index > GIGYA_CHALLENGES:
            changed.append(challenge)
            continue
        actions = [name for k, name in RANK_ACTIONS.items() if index <= k]
        if index <= CAPPED_CHALLENGES:
            actions.append(CAPPED_ACTION)
        changed.append(
            challenge.model_copy(
                update={
                    "visible": True,
                    "parentChallengeId": None,
                    "gigyaChallengeId": gigya_id(challenge.id),
                    "actions": actions,
                    "variantAttributes": [VARIANT_KEY],
                    "levels": gigya_levels(index, challenge),
                }
            )
        )
    actions = [
        Action(actionId=name, points=ACTION_POINTS, title={"en": name, "ar": name})
        for name in RANK_ACTIONS.values()
    ]
    actions.append(Action(actionId=CAPPED_ACTION, points=ACTION_POINTS, dailyCap=DAILY_CAP))
    default = DefaultChallenge(
        title={"en": "Overall", "ar": "Overall"},
        levels=[
            DefaultLevel(title={"en": "Rookie", "ar": "Rookie"}, points=100),
            DefaultLevel(title={"en": "Expert", "ar": "Expert"}, points=5_000),
        ],
        variantAttributes=[VARIANT_KEY],
    )
    catalog = base.model_copy(
        update={"challenges": changed, "actions": actions, "defaultChallenge": default}
    )
    # Validated as a catalog file would be (cross references of actions included).
    return validate_catalog(catalog.model_dump(mode="json"))


@dataclass(frozen=True)
class GigyaFixture:
    """The read fixture with its Gigya side: credentials, the 20 challenges, the ranked board."""

    read: ReadFixture
    api_key: str
    user_key: str
    secret: str
    challenge_ids: list[str]  # the Gigya challengeIDs of the 20 Gigya challenges
    ranked_challenge: str  # the challengeID whose board gets the seeded users
    board: str  # that board's id

    @property
    def user(self) -> str:
        """The measured user."""
        return self.read.user

    def auth(self) -> dict[str, str]:
        """The parameters of an application key's userKey + secret authentication."""
        return {"apiKey": self.api_key, "userKey": self.user_key, "secret": self.secret}


def action_transaction(user: str, action_id: str, variant: bool) -> dict[str, Any]:
    """An Action ledger transaction, with the variant attribute or without attributes."""
    from devtools.ledger import build_transaction
    from shared.enums import TransactionType

    attributes = {VARIANT_KEY: VARIANT_VALUE} if variant else {}
    return build_transaction(
        TransactionType.ACTION, user, action_id=action_id, attributes=attributes
    )


def load_gigya_fixture(ctx: BenchContext, challenges: int) -> GigyaFixture:
    """Empty the database; load the catalog, the read user, a partner, a site and a key.

    The read user's Gigya state comes from the engine (one action), its entries folded.
    """
    from devtools.auth_tools import create_partner_client
    from devtools.catalog import load_into
    from devtools.synthetic_catalog import BASE_DIR
    from shared.engine.process import process_transaction
    from shared.gigya import credentials
    from shared.schema import gigya as schema

    ctx.clear()
    db = ctx.firestore()
    catalog = gigya_catalog(challenges)
    load_into(db, ctx.storage(), ctx.bucket, catalog, BASE_DIR)
    unclaimed = seed_progress(db, READ_USER, catalog)
    # The engine gives the user points, buckets and entries in the 20 challenges, their
    # variant, `_default` and its variant, as any action of theirs would.
    outcome = process_transaction(
        db,
        f"bench-gm-{uuid.uuid4().hex}",
        action_transaction(READ_USER, RANK_ACTIONS[GIGYA_CHALLENGES], variant=True),
    )
    # (Seeded challenges the user already won for good count nothing more.)
    if not outcome.counted or outcome.milestones:
        raise RuntimeError(f"the read user's action: {outcome.log_fields()}")
    # Folded, as the scheduled refresh would have: the first refresh measured (G5's
    # refresh_ranks) then folds only what the requests before it changed.
    fold(db)
    client_id, key = create_partner_client(db, "bench-partner", "bench")
    api_key = credentials.create_site(db, "bench site")
    user_key, secret = credentials.create_application(db, api_key, "bench app")
    ids = [c.id for c in sorted(catalog.challenges, key=lambda c: c.id)[:GIGYA_CHALLENGES]]
    return GigyaFixture(
        read=ReadFixture(catalog, READ_USER, client_id, key, unclaimed),
        api_key=api_key,
        user_key=user_key,
        secret=secret,
        challenge_ids=[gigya_id(cid) for cid in ids],
        ranked_challenge=gigya_id(ids[0]),
        board=schema.board_id(str(ids[0])),
    )


def seeded_user(index: int) -> str:
    """The id of the index-th seeded user."""
    return f"{SEED_USER_PREFIX}{index:07d}"


def seeded_points(index: int) -> int:
    """The index-th seeded user's points: deterministic, skewed towards small scores."""
    u = random.Random(index).random()
    return 1 + int((MAX_SCORE - 1) * u**3)


@dataclass(frozen=True)
class Seeded:
    """Entries written to a board: how many, in how many commits, how long it took."""

    entries: int
    commits: int
    seconds: float

    @property
    def rate(self) -> float:
        """Entries written per second."""
        return self.entries / self.seconds if self.seconds > 0 else float("nan")


def seed_board(
    db_factory: Callable[[], Any],
    board: str,
    start: int,
    stop: int,
    now: datetime,
    threads: int = SEED_THREADS,
) -> Seeded:
    """Write the entries of seeded users `start` to `stop - 1` on `board`, as the engine would.

    Each entry is the engine's blind merge-set (`leaderboards_repo.add_points`), its points in an
    hour bucket of the last six days; batches of 500 writes, committed by `threads` threads.
    """
    from shared.gigya import periods
    from shared.repository import leaderboards_repo

    chunks = [(i, min(i + SEED_BATCH, stop)) for i in range(start, stop, SEED_BATCH)]
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        db = db_factory()
        while True:
            with lock:
                if not chunks or errors:
                    return
                first, last = chunks.pop()
            try:
                batch = Batch(db)
                for index in range(first, last):
                    hour = periods.hour_key(now - timedelta(hours=index % 144))
                    leaderboards_repo.add_points(
                        db, batch, board, seeded_user(index), seeded_points(index), hour, now
                    )
                batch.commit()
            except BaseException as error:  # reported by the caller
                with lock:
                    errors.append(error)
                return

    commits = len(chunks)
    started = time.perf_counter()
    workers = [threading.Thread(target=work) for _ in range(max(1, threads))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"seeding {board} failed: {errors[0]!r}") from errors[0]
    return Seeded(stop - start, commits, seconds)


@dataclass(frozen=True)
class Folded:
    """One refresh: what it folded and how long it took."""

    entries: int
    pages: int
    retries: int
    skipped: int
    seconds: float

    @property
    def rate(self) -> float:
        """Entries folded per second."""
        return self.entries / self.seconds if self.seconds > 0 else float("nan")


def fold(db: Any) -> Folded:
    """Fold every changed entry into the rank tables (the refresher, as the function runs it)."""
    from shared.repository import leaderboards_repo

    started = time.perf_counter()
    report = leaderboards_repo.refresh(db, datetime.now(UTC))
    seconds = time.perf_counter() - started
    return Folded(report.entries_folded, report.pages, report.retries, report.skipped, seconds)
