"""The catalog command: the demo catalog, loading into the emulators (twice), the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from devtools.catalog import CatalogInvalid, load_catalog_file, load_into
from shared.catalog.models import Catalog, DefaultChallenge
from shared.catalog.validation import localized_texts
from shared.enums import Operator, RewardType, TriggerKind

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "catalog.json"


@pytest.fixture(scope="module")
def demo() -> Catalog:
    return load_catalog_file(DEMO)


def _broken_copy(folder: Path, data: dict[str, Any]) -> Path:
    """A catalog file beside the demo's images (linked), holding `data`."""
    (folder / "images").symlink_to(DEMO.parent / "images")
    path = folder / "catalog.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _effective_operators(items: list[Any]) -> list[Operator]:
    # The last item's operator joins it to nothing.
    return [item.operator for item in items[:-1]]


# --- the demo catalog covers what it must show -------------------------------------------------


def test_demo_catalog_validates_with_its_images(demo: Catalog):
    assert len(demo.challenges) >= 12
    assert len(demo.categories) >= 4
    for challenge in demo.challenges:
        for image, _ in challenge.image_files():
            assert (DEMO.parent / image).is_file(), image


def test_demo_covers_every_trigger_kind(demo: Catalog):
    kinds = {kind for challenge in demo.challenges for kind in challenge.trigger_kinds}
    assert kinds == set(TriggerKind)


def test_demo_uses_both_operators_and_mixes_them_in_one_group(demo: Catalog):
    groups = [g for c in demo.challenges for lv in c.levels for g in lv.groups]
    trigger_ops = {op for g in groups for op in _effective_operators(g.ordered_triggers)}
    group_ops = {
        op
        for c in demo.challenges
        for lv in c.levels
        for op in _effective_operators(lv.ordered_groups)
    }
    assert trigger_ops == {Operator.AND, Operator.OR}
    assert group_ops == {Operator.AND, Operator.OR}
    assert any(set(_effective_operators(g.ordered_triggers)) == set(Operator) for g in groups)


def test_demo_has_multi_level_limited_repeatable_and_parent_child(demo: Catalog):
    ids = {c.id for c in demo.challenges}
    assert any(len(c.levels) >= 3 for c in demo.challenges)
    assert any(c.limited for c in demo.challenges)
    assert any(not c.limited for c in demo.challenges)
    children = [c for c in demo.challenges if c.parentChallengeId is not None]
    assert children and all(c.parentChallengeId in ids for c in children)


def test_demo_has_every_reward_type_and_a_voucher_pool(demo: Catalog):
    assert {c.rewardType for c in demo.challenges} == set(RewardType)
    rewards = [r for c in demo.challenges for lv in c.levels for r in lv.rewards]
    assert {r.rewardType for r in rewards} == set(RewardType)
    pools = {p.id: p for p in demo.voucherPools}
    vouchers = [r for r in rewards if r.rewardType is RewardType.VOUCHER]
    assert vouchers and all(len(pools[r.rewardValue].codes) >= 10 for r in vouchers)


def test_demo_has_invisible_ended_and_upcoming_challenges(demo: Catalog):
    assert any(not c.visible for c in demo.challenges)
    assert any(c.endDate < datetime(2026, 1, 1, tzinfo=UTC) for c in demo.challenges)
    assert any(c.startDate >= datetime(2027, 6, 1, tzinfo=UTC) for c in demo.challenges)
    active = [c for c in demo.challenges if c.in_window(datetime(2026, 11, 1, tzinfo=UTC))]
    assert len(active) >= 10
    assert all(c.in_window(datetime(2027, 12, 1, tzinfo=UTC)) for c in active)


def test_demo_has_gigya_ids_and_level_badges(demo: Catalog):
    assert sum(c.gigyaChallengeId is not None for c in demo.challenges) >= 3
    badges = [c.badge_object(i) for c in demo.challenges for i in range(len(c.levels))]
    assert sum(b is not None for b in badges) >= 4


def test_every_demo_text_is_in_english_and_arabic(demo: Catalog):
    assert demo.languages == ["en", "ar"]
    texts = [(path, t) for path, t in localized_texts(demo) if t is not None]
    assert len(texts) > 50
    for path, text in texts:
        assert set(text) == {"en", "ar"}, path
        assert any("\u0600" <= ch <= "\u06ff" for ch in text["ar"]), path


def test_demo_images_are_small_pngs_of_the_right_size(demo: Catalog):
    for challenge in demo.challenges:
        if challenge.image:
            path = DEMO.parent / challenge.image
            with Image.open(path) as image:
                assert (image.format, image.size) == ("PNG", (512, 288)), path
            assert path.stat().st_size < 60_000, path


# --- loading ------------------------------------------------------------------------------------


def test_a_broken_file_raises_with_every_error(tmp_path: Path):
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["challenges"][0]["categoryId"] = 404
    data["challenges"][1]["image"] = "images/missing.png"
    broken = _broken_copy(tmp_path, data)
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog_file(broken)
    assert caught.value.errors == [
        "challenges[0].categoryId: category 404 does not exist",
        "challenges[1].image: file images/missing.png does not exist",
    ]


def test_a_file_that_is_not_json(tmp_path: Path):
    broken = tmp_path / "catalog.json"
    broken.write_text('{"challenges": [}', encoding="utf-8")
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog_file(broken)
    assert caught.value.errors == [
        f"{broken}: invalid JSON at line 1 column 17: Expecting value",
    ]


def _snapshot(db: Any, bucket: Any) -> dict[str, Any]:
    documents: dict[str, Any] = {}
    for collection in ("categories", "challenges", "catalogMeta"):
        for snap in db.collection(collection).stream():
            documents[snap.reference.path] = snap.to_dict()
    for snap in db.collection_group("codes").stream():
        documents[snap.reference.path] = snap.to_dict()
    objects = {b.name: (b.md5_hash, b.generation, b.size) for b in bucket.list_blobs()}
    return {"documents": documents, "objects": objects}


@pytest.mark.emulator
def test_loading_twice_changes_nothing(db: Any, demo: Catalog):
    from shared import clients

    storage = clients.storage_client()
    bucket_name = f"catalog-{uuid.uuid4().hex[:12]}"
    first = load_into(db, storage, bucket_name, demo, DEMO.parent)
    assert first.bucket_created
    assert first.challenges == len(demo.challenges)
    assert first.voucher_codes_added == sum(len(p.codes) for p in demo.voucherPools)
    expected_objects = {name for c in demo.challenges for _, name in c.image_files()}
    expected_objects |= {name for _, name in demo.defaultChallenge.image_files()}
    assert set(first.images_uploaded) == expected_objects
    assert first.describe().endswith(
        f"images: {len(expected_objects)} uploaded, 0 unchanged; bucket created"
    )
    # A code handed out between the loads must stay handed out.
    pool = demo.voucherPools[0]
    taken = db.document(f"voucherPools/{pool.id}/codes/{pool.codes[0]}")
    taken.update({"taken": True, "takenBy": "+201000000001"})
    bucket = storage.bucket(bucket_name)
    before = _snapshot(db, bucket)

    second = load_into(db, storage, bucket_name, demo, DEMO.parent)

    assert _snapshot(db, bucket) == before
    assert (second.images_uploaded, second.voucher_codes_added, second.bucket_created) == (
        [],
        0,
        False,
    )
    assert set(second.images_unchanged) == expected_objects
    assert taken.get().to_dict() == {
        "code": pool.codes[0],
        "taken": True,
        "takenBy": "+201000000001",
    }
    assert len(before["objects"]) == len(expected_objects)
    challenge = demo.challenges[0]
    stored = before["documents"][f"challenges/{challenge.id}"]
    assert stored["imageObject"] == challenge.image_object()


@pytest.mark.emulator
def test_a_changed_image_is_uploaded_again(db: Any, demo: Catalog, tmp_path: Path):
    from shared import clients

    storage = clients.storage_client()
    bucket_name = f"catalog-{uuid.uuid4().hex[:12]}"
    folder = tmp_path / "cat"
    (folder / "images").mkdir(parents=True)
    challenge = demo.challenges[0].model_copy(update={"levels": demo.challenges[0].levels[:1]})
    assert challenge.image is not None
    image = folder / challenge.image
    image.write_bytes((DEMO.parent / challenge.image).read_bytes())
    catalog = demo.model_copy(
        update={
            "challenges": [challenge],
            "voucherPools": [],
            "defaultChallenge": DefaultChallenge(),
        }
    )
    load_into(db, storage, bucket_name, catalog, folder)
    image.write_bytes((DEMO.parent / demo.challenges[1].image).read_bytes())  # type: ignore[operator]

    summary = load_into(db, storage, bucket_name, catalog, folder)

    assert summary.images_uploaded == [challenge.image_object()]
    blob = storage.bucket(bucket_name).blob(challenge.image_object())
    assert blob.download_as_bytes() == image.read_bytes()


# --- the command line ---------------------------------------------------------------------------


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devtools.catalog", *args],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_validate_ok():
    result = _run("validate", str(DEMO))
    assert result.returncode == 0, result.stderr
    demo = load_catalog_file(DEMO)
    assert (
        result.stdout
        == f"ok: {len(demo.challenges)} challenges, {len(demo.categories)} categories\n"
    )


@pytest.mark.emulator
def test_cli_exits_1_with_one_line_per_error(emulators: Any, tmp_path: Path):
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    data["challenges"][2]["levels"][0]["groups"][0]["triggers"][0]["triggerFrequency"] = 0
    data["challenges"][4]["parentChallengeId"] = 999
    data["challenges"][5]["surprise"] = True
    broken = _broken_copy(tmp_path, data)
    expected = [
        "challenges[2].levels[0].groups[0].triggers[0].triggerFrequency: must be greater than 0",
        "challenges[5].surprise: unknown field",
    ]
    for command in ("validate", "load"):
        result = _run(command, str(broken))
        assert result.returncode == 1, result.stderr
        assert result.stdout.splitlines() == expected
    # The pydantic errors are fixed first; then the cross-references are checked.
    data["challenges"][2]["levels"][0]["groups"][0]["triggers"][0]["triggerFrequency"] = 5
    del data["challenges"][5]["surprise"]
    broken.write_text(json.dumps(data), encoding="utf-8")
    result = _run("validate", str(broken))
    assert (result.returncode, result.stdout) == (
        1,
        "challenges[4].parentChallengeId: challenge 999 does not exist\n",
    )


@pytest.mark.emulator
def test_cli_load_twice(db: Any):
    bucket = f"cli-{uuid.uuid4().hex[:12]}"
    first = _run("load", str(DEMO), "--bucket", bucket, "--json")
    assert first.returncode == 0, first.stderr
    second = _run("load", str(DEMO), "--bucket", bucket, "--json")
    assert second.returncode == 0, second.stderr
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert len(one["images_uploaded"]) == len(two["images_unchanged"]) > 0
    assert (two["images_uploaded"], two["voucher_codes_added"]) == ([], 0)
    assert db.document("challenges/1").get().exists
