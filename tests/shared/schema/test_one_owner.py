"""No module outside shared/schema/ spells a stored field or collection name.

Every string literal of the scanned modules (docstrings aside) that equals a name one of
shared/schema's modules owns, or holds one as a path segment, is a finding, unless an allowance
below names the file and the name with a reason: another vocabulary that happens to use the
same word (Gigya's wire format, OpenAPI, the V1/V2 API's responses, log fields, third-party
formats, the catalog's model fields, command lines, reports).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from shared.schema import stored_names

ROOT = Path(__file__).resolve().parents[3]
SCANNED = ("shared", "functions", "devtools", "bench")
# The tests' builders: they write stored documents too.
TEST_BUILDERS = (
    "tests/shared/engine/builders.py",
    "tests/shared/api/factories.py",
    "tests/shared/progress/factories.py",
    "tests/shared/repository/member_data.py",
    "tests/functions/gigya_client.py",
)
OWNER = "shared/schema"


@dataclass(frozen=True)
class Allowance:
    """Names some files may spell, and why."""

    reason: str
    names: Mapping[str, frozenset[str]]


ALLOWED: tuple[Allowance, ...] = (
    Allowance(
        "gm.* parameter and response names: Gigya's wire format (docs/GIGYA.md), which some "
        "stored Gigya names mirror; and the Gigya tests' challenge ids",
        {
            "bench/cold_starts.py": frozenset({"challenges", "points"}),
            "bench/gigya.py": frozenset({"users"}),
            "bench/gigya_data.py": frozenset({"apiKey", "secret"}),
            "devtools/chaos.py": frozenset({"apiKey", "secret"}),
            "shared/gigya/achievements.py": frozenset(
                {"challengeID", "completed", "default", "isNewLevel", "level", "points"}
            ),
            "shared/gigya/actions_log.py": frozenset({"actions", "challengeID", "points"}),
            "shared/gigya/auth.py": frozenset({"apiKey", "secret"}),
            "shared/gigya/configuration.py": frozenset(
                {"actions", "challengeID", "challenges", "count", "description", "points"}
            ),
            "shared/gigya/handler.py": frozenset({"apiKey"}),
            "shared/gigya/models.py": frozenset({"points"}),
            "shared/gigya/redeem.py": frozenset({"points"}),
            "shared/gigya/reset.py": frozenset({"challenges"}),
            "shared/gigya/top_users.py": frozenset({"users"}),
            "tests/functions/gigya_client.py": frozenset(
                {"apiKey", "challengeID", "points", "secret"}
            ),
        },
    ),
    Allowance(
        "the OpenAPI document: OpenAPI and JSON Schema keywords (type, name, description, "
        "default, apiKey security schemes), its gigya tag, and the gm.* parameters it describes",
        {
            "shared/api/openapi.py": frozenset(
                {
                    "apiKey",
                    "challenges",
                    "default",
                    "description",
                    "gigya",
                    "name",
                    "points",
                    "secret",
                    "type",
                }
            ),
        },
    ),
    Allowance(
        "the V1/V2 lists' response keys (result.data, result.count: docs/API.md), which the read "
        "path benchmark checks",
        {"bench/read_path.py": frozenset({"count", "data"})},
    ),
    Allowance(
        "structured log fields, the keys the log redacts, and the engine's fault step names "
        "(docs/ENGINE.md): never stored",
        {
            "shared/engine/process.py": frozenset(
                {"milestones", "reason", "status", "transactionId", "userId"}
            ),
            "shared/engine/prizes.py": frozenset({"issued", "prizeKey", "userId"}),
            "shared/gigya/handler.py": frozenset({"reason"}),
            "shared/http/handler.py": frozenset({"reason"}),
            "shared/repository/leaderboards_repo.py": frozenset({"entries", "reason"}),
            "shared/logs.py": frozenset({"key", "secret"}),
        },
    ),
    Allowance(
        "other systems' names: Firestore's API request and Value messages and routing headers, "
        "the CloudEvent's "
        "DocumentEventData, Eventarc's trigger filters, Firebase ID token claims, pydantic's "
        "error dicts, google-api-core's error codes",
        {
            "shared/firestore/documents.py": frozenset({"value"}),
            "shared/firestore/rpc.py": frozenset({"name"}),
            "shared/engine/cloudevent.py": frozenset({"value"}),
            "devtools/eventarc.py": frozenset({"value"}),
            "devtools/server.py": frozenset({"source"}),
            "shared/auth/firebase_tokens.py": frozenset({"uid"}),
            "shared/http/params.py": frozenset({"type"}),
            "shared/validation_messages.py": frozenset({"type"}),
            "shared/http/handler.py": frozenset({"code"}),
        },
    ),
    Allowance(
        "the catalog: its pydantic models' field names (the catalog file's; categories and "
        "challenges are stored as model dumps, shared/schema/catalog.py) and its images' object "
        "names in the bucket (challenges/..., gigya/default/...)",
        {
            "bench/gigya_data.py": frozenset({"actions", "challenges", "defaultChallenge"}),
            "devtools/chaos_catalog.py": frozenset({"description", "name", "rewardType"}),
            "shared/catalog/models.py": frozenset(
                {"challenges", "codes", "default", "gigya", "rewardType", "timezone"}
            ),
            "shared/catalog/validation.py": frozenset(
                {"actionId", "defaultChallenge", "description", "name", "rewardId"}
            ),
        },
    ),
    Allowance(
        "command lines and reports: command and argument names, build_transaction's keyword "
        "arguments, the local stack's own JSON (.dev/gigya.json, bench.stack's ready line), the "
        "member export's keys",
        {
            "bench/stack.py": frozenset({"target"}),
            "devtools/chaos.py": frozenset({"attributes", "sequence", "tier"}),
            "devtools/dead_letters.py": frozenset({"pending"}),
            "devtools/members.py": frozenset({"uid"}),
            "devtools/ledger.py": frozenset({"tier"}),
            "devtools/dev.py": frozenset(
                {"apiKey", "attributes", "gigya", "key", "points", "secret", "sequence", "tier"}
            ),
            "devtools/gigya_tools.py": frozenset({"apiKey", "secret"}),
            "shared/repository/members_repo.py": frozenset({"data", "deadLetters", "userId"}),
        },
    ),
    Allowance(
        "report labels and units: the audit's check names and counts (totals, prizes.points, "
        "transactions.counted), which its report and the chaos run's print, the chaos run's JSON "
        "report key deliveries.attempts, the benchmarks' rates (events/s, entries/s), and procfs "
        "(/proc/{pid}/status): never stored",
        {
            "shared/audit/checks.py": frozenset({"transactions"}),
            "shared/audit/findings.py": frozenset(
                {"milestones", "peopleFinished", "points", "prizes", "totals"}
            ),
            "shared/audit/globals.py": frozenset(
                {"assignments", "challenges", "claims", "peopleFinished"}
            ),
            "shared/audit/milestones.py": frozenset({"milestones", "points", "prizes"}),
            "shared/audit/run.py": frozenset(
                {
                    "assignments",
                    "challenges",
                    "claims",
                    "milestones",
                    "peopleFinished",
                    "points",
                    "prizes",
                    "transactions",
                    "users",
                }
            ),
            "shared/audit/user.py": frozenset({"transactions", "users"}),
            "devtools/chaos.py": frozenset(
                {
                    "assignments",
                    "attempts",
                    "challenges",
                    "claims",
                    "milestones",
                    "peopleFinished",
                    "points",
                    "prizes",
                    "totals",
                    "transactions",
                    "users",
                }
            ),
            "bench/pipeline.py": frozenset({"events"}),
            "bench/gigya.py": frozenset({"entries"}),
            "bench/cold_start.py": frozenset({"status"}),
            "bench/soak.py": frozenset({"status"}),
        },
    ),
    Allowance(
        "the function table imports the standard library only (main.py reads it on every cold "
        "start): the gm.* surface's name, and the trigger's document pattern, which "
        "test_the_trigger_pattern_is_the_transactions_collection checks against shared/schema",
        {"shared/endpoints.py": frozenset({"gigya", "transactions"})},
    ),
    Allowance(
        "the function table's surface of the gm.* functions (shared/endpoints.py's `Surface`), "
        "which the cold-start benchmark compares a function's with",
        {"bench/cold_starts.py": frozenset({"gigya"})},
    ),
    Allowance(
        "the title text of the catalog levels the engine tests and the chaos run build",
        {
            "devtools/chaos_catalog.py": frozenset({"level"}),
            "tests/shared/engine/builders.py": frozenset({"level"}),
        },
    ),
)


def all_stored_names() -> frozenset[str]:
    """Every name shared/schema owns."""
    return frozenset().union(*stored_names().values())


def scanned_files() -> list[Path]:
    """The modules that must not spell a stored name."""
    files: list[Path] = []
    for root in SCANNED:
        files += sorted((ROOT / root).rglob("*.py"))
    files += [ROOT / path for path in TEST_BUILDERS]
    return [
        path
        for path in files
        if "__pycache__" not in path.parts
        and not path.relative_to(ROOT).as_posix().startswith(OWNER)
    ]


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def spelled(source: str, names: frozenset[str]) -> Iterator[tuple[int, str]]:
    """(line, name) of every stored name a module spells: a literal, or a path's part in one."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in docstrings:
            continue
        text = node.value
        candidates = {text}
        if "://" not in text:
            # Document paths (`users/...`) and field paths (`gigya.default`).
            candidates |= {part for piece in text.split("/") for part in piece.split(".")}
        for name in sorted(candidates & names):
            yield node.lineno, name


def findings() -> tuple[list[str], dict[str, set[str]]]:
    """Unallowed spellings (`path:line: name`), and every name spelled, by file."""
    names = all_stored_names()
    allowed: dict[str, set[str]] = {}
    for allowance in ALLOWED:
        for path, allowed_names in allowance.names.items():
            allowed.setdefault(path, set()).update(allowed_names)
    found: list[str] = []
    spelled_by_file: dict[str, set[str]] = {}
    for path in scanned_files():
        relative = path.relative_to(ROOT).as_posix()
        for line, name in spelled(path.read_text(encoding="utf-8"), names):
            spelled_by_file.setdefault(relative, set()).add(name)
            if name not in allowed.get(relative, set()):
                found.append(f"{relative}:{line}: {name!r}")
    return found, spelled_by_file


def test_no_module_outside_the_schema_package_spells_a_stored_name():
    found, _ = findings()
    assert found == [], (
        "stored names spelled outside shared/schema/ (use its constants and models):\n"
        + "\n".join(found)
    )


def test_every_allowance_is_still_needed():
    _, spelled_by_file = findings()
    stale = [
        f"{path}: {sorted(names - spelled_by_file.get(path, set()))}"
        for allowance in ALLOWED
        for path, names in allowance.names.items()
        if names - spelled_by_file.get(path, set())
    ]
    assert stale == [], "allowances no file needs any more (remove them):\n" + "\n".join(stale)


def test_the_scan_finds_what_it_looks_for():
    names = frozenset({"milestoneId", "users"})
    source = (
        '"""Docstring: milestoneId."""\nx = {"milestoneId": 1}\ny = f"users/{x}"\n'
        'z = "challenges.7.milestoneId"\nw = "https://example.com/users"\n'
    )
    found = sorted(spelled(source, names))
    assert found == [(2, "milestoneId"), (3, "users"), (4, "milestoneId")]


def test_every_scanned_test_builder_exists():
    assert all((ROOT / path).is_file() for path in TEST_BUILDERS)
