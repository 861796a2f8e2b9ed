"""The table of functions: the one place that says which functions exist and how each is reached.

Everything else derives from `FUNCTIONS` or is checked against it by a test: main.py's
ENTRY_POINTS, the local server's routes (devtools/server.py), firebase.json's Hosting rewrites,
infra/deploy.sh (which reads `python -m shared.endpoints table`), the OpenAPI document's paths.

Pure data: this module imports only the standard library's lightest parts, so that main.py can
import it on every cold start.

Kinds:
- `http`: public over HTTPS (Hosting rewrites each of its `paths` to it); `methods` are the
  methods it answers; `surface` says whose envelope it speaks (`integration`: V1/V2,
  `gigya`: the gm.* methods).
- `event`: an Eventarc trigger (`event`), never public.
- `scheduled`: an HTTP function that is NOT public: deployed with --no-allow-unauthenticated and
  invoked by a Cloud Scheduler job with an OIDC token of the runtime service account, at the
  interval its `schedule` derives from a setting.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Literal

Kind = Literal["http", "event", "scheduled"]
Surface = Literal["integration", "gigya"]

INTEGRATION_VERSIONS: tuple[str, ...] = ("v1", "v2")


@dataclass(frozen=True)
class EventTrigger:
    """An Eventarc Firestore trigger: an event type on documents matching a path pattern."""

    event_type: str
    document: str  # path pattern, e.g. transactions/{transactionId}
    database: str = "(default)"


@dataclass(frozen=True)
class Schedule:
    """A Cloud Scheduler job whose interval follows a setting given in seconds.

    The job runs every max(1, seconds // 60) minutes (`cron`), so the work it does is never
    staler than the setting says. The functions read the same setting (shared/config.py, with
    the same default and bounds: a test checks they agree), and deploy.sh gives them its value.
    """

    setting: str  # the environment variable, e.g. RANK_STALENESS_SECONDS
    default_seconds: int
    maximum_seconds: int

    def seconds(self, value: str | int | None = None) -> int:
        """The setting's value (`default_seconds` when None or empty); ValueError if invalid."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return self.default_seconds
        try:
            seconds = int(value)
        except ValueError:
            raise ValueError(f"{self.setting} must be a whole number, got {value!r}") from None
        if not 1 <= seconds <= self.maximum_seconds:
            raise ValueError(
                f"{self.setting} must be from 1 to {self.maximum_seconds} seconds, got {seconds}"
            )
        return seconds

    def cron(self, value: str | int | None = None) -> str:
        """The unix-cron schedule for the setting's value (default: `default_seconds`)."""
        return cron_every(minutes_between_runs(self.seconds(value)))


@dataclass(frozen=True)
class Function:
    """One deployed function."""

    entry_point: str  # the name main.py resolves and `--entry-point` names
    module: str  # the module defining a callable named `entry_point`: functions.<entry_point>
    kind: Kind
    paths: tuple[str, ...] = ()  # public paths (http only)
    methods: tuple[str, ...] = ()  # HTTP methods (http only)
    surface: Surface | None = None  # http only
    name: str | None = None  # the name on the wire: GetDetailsById, gm.getChallengeStatus
    event: EventTrigger | None = None  # event only
    schedule: Schedule | None = None  # scheduled only

    @property
    def function_id(self) -> str:
        """The deployed name (Cloud Run service ids allow no underscores)."""
        return function_id(self.entry_point)

    @property
    def public(self) -> bool:
        """Reachable without credentials through Hosting (the function authenticates itself)."""
        return self.kind == "http"


def function_id(entry_point: str) -> str:
    """The deployed function's name for an entry point: `_` becomes `-`."""
    return entry_point.replace("_", "-")


def minutes_between_runs(seconds: int) -> int:
    """Minutes between refreshes for a staleness of `seconds`: half of it, at least 1.

    A function keeps a table for half the staleness too (docs/RANKS.md), so a rank is never
    older than the setting (Cloud Scheduler counts in whole minutes: below 2 minutes, as often
    as it can).
    """
    if seconds <= 0:
        raise ValueError(f"a staleness of {seconds} seconds is not positive")
    return max(1, seconds // 120)


def cron_every(minutes: int) -> str:
    """A unix-cron schedule whose runs are never more than `minutes` apart."""
    if minutes < 60:
        return f"*/{minutes} * * * *"
    hours = minutes // 60
    if hours < 24:
        return f"0 */{hours} * * *"
    return "0 0 * * *"


def _integration(entry_point: str, name: str, method: str) -> Function:
    return Function(
        entry_point=entry_point,
        module=f"functions.{entry_point}",
        kind="http",
        paths=tuple(f"/api/{version}/Integration/{name}" for version in INTEGRATION_VERSIONS),
        methods=(method,),
        surface="integration",
        name=name,
    )


def _gigya(entry_point: str, method: str) -> Function:
    return Function(
        entry_point=entry_point,
        module=f"functions.{entry_point}",
        kind="http",
        paths=(f"/{method}",),
        methods=("GET", "POST"),
        surface="gigya",
        name=method,
    )


FUNCTIONS: tuple[Function, ...] = (
    _integration(
        "get_progress_challenges_info_for_user", "GetProgressChallengesInfoForUser", "GET"
    ),
    _integration("get_details_by_id", "GetDetailsById", "POST"),
    _integration("get_badge_details_by_id", "GetBadgeDetailsById", "POST"),
    _integration("claim_prize", "ClaimPrize", "POST"),
    _integration("get_prizes_history", "GetPrizesHistory", "GET"),
    _gigya("gm_get_challenge_status", "gm.getChallengeStatus"),
    _gigya("gm_notify_action", "gm.notifyAction"),
    _gigya("gm_redeem_points", "gm.redeemPoints"),
    _gigya("gm_reset_level_status", "gm.resetLevelStatus"),
    _gigya("gm_get_top_users", "gm.getTopUsers"),
    _gigya("gm_get_challenge_config", "gm.getChallengeConfig"),
    _gigya("gm_get_action_config", "gm.getActionConfig"),
    _gigya("gm_get_actions_log", "gm.getActionsLog"),
    Function(
        entry_point="on_transaction_created",
        module="functions.on_transaction_created",
        kind="event",
        event=EventTrigger(
            event_type="google.cloud.firestore.document.v1.created",
            document="transactions/{transactionId}",
        ),
    ),
    Function(
        entry_point="refresh_ranks",
        module="functions.refresh_ranks",
        kind="scheduled",
        schedule=Schedule("RANK_STALENESS_SECONDS", default_seconds=300, maximum_seconds=900),
    ),
)


def entry_points() -> dict[str, str]:
    """Entry point -> the module that defines it, in table order (main.py's ENTRY_POINTS)."""
    return {f.entry_point: f.module for f in FUNCTIONS}


def of_kind(kind: Kind) -> tuple[Function, ...]:
    """The functions of one kind, in table order."""
    return tuple(f for f in FUNCTIONS if f.kind == kind)


def by_entry_point(entry_point: str) -> Function:
    """The function of an entry point (KeyError if the table has none)."""
    for function in FUNCTIONS:
        if function.entry_point == entry_point:
            return function
    raise KeyError(entry_point)


def table_lines() -> list[str]:
    """The table as infra/deploy.sh reads it: one function a line, space-separated fields.

    `<entry point> http`, `<entry point> event <event type> <database> <document pattern>`,
    `<entry point> scheduled <setting> <default seconds>`.
    """
    lines = []
    for f in FUNCTIONS:
        fields = [f.entry_point, f.kind]
        if f.event is not None:
            fields += [f.event.event_type, f.event.database, f.event.document]
        if f.schedule is not None:
            fields += [f.schedule.setting, str(f.schedule.default_seconds)]
        lines.append(" ".join(fields))
    return lines


def _main(argv: list[str]) -> int:
    usage = (
        "usage: python -m shared.endpoints table\n"
        "       python -m shared.endpoints cron ENTRY_POINT [SECONDS]"
    )
    if argv == ["table"]:
        print("\n".join(table_lines()))
        return 0
    if len(argv) in (2, 3) and argv[0] == "cron":
        try:
            schedule = by_entry_point(argv[1]).schedule
        except KeyError:
            schedule = None
        if schedule is None:
            print(f"{argv[1]} is not a scheduled function of the table", file=sys.stderr)
            return 2
        try:
            print(schedule.cron(argv[2] if len(argv) == 3 else None))
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
        return 0
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
