"""Reading and writing the catalog in Firestore."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.catalog.models import Catalog, Category, Challenge, DefaultChallenge
from shared.repository import paths

if TYPE_CHECKING:
    from google.cloud import firestore

META_DOC = "catalogMeta/current"
_BATCH_LIMIT = 400


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def save_catalog(db: firestore.Client, catalog: Catalog) -> dict[str, int]:
    """Write categories, challenges, voucher codes and the catalog's metadata; idempotent.

    Voucher codes are created only when absent, so reloading never hands out a taken code again.
    Returns how many documents of each kind were written.
    """
    writes: list[tuple[str, dict[str, Any], bool]] = []
    for category in catalog.categories:
        writes.append(
            (f"{paths.CATEGORIES}/{category.id}", category.model_dump(mode="json"), False)
        )
    for challenge in catalog.challenges:
        data = challenge.model_dump(mode="json")
        data["imageObject"] = challenge.image_object()
        writes.append((f"{paths.CHALLENGES}/{challenge.id}", data, False))
    meta = {
        "defaultLanguage": catalog.defaultLanguage,
        "languages": catalog.languages,
        "actions": [a.model_dump(mode="json") for a in catalog.actions],
        "voucherPools": [p.id for p in catalog.voucherPools],
        "timezone": catalog.timezone,
        "defaultChallenge": catalog.defaultChallenge.model_dump(mode="json"),
    }
    writes.append((META_DOC, meta, False))
    existing_codes = _existing_codes(db, catalog)
    new_codes = 0
    for pool in catalog.voucherPools:
        for code in pool.codes:
            if (pool.id, code) in existing_codes:
                continue
            path = f"{paths.VOUCHER_POOLS}/{pool.id}/codes/{code}"
            writes.append((path, {"code": code, "taken": False}, True))
            new_codes += 1
    for chunk in _chunks(writes, _BATCH_LIMIT):
        batch = db.batch()
        for path, data, _ in chunk:
            batch.set(db.document(path), data)
        batch.commit()
    return {
        "categories": len(catalog.categories),
        "challenges": len(catalog.challenges),
        "voucherCodes": new_codes,
    }


def _existing_codes(db: firestore.Client, catalog: Catalog) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for pool in catalog.voucherPools:
        for snap in db.collection(f"{paths.VOUCHER_POOLS}/{pool.id}/codes").select([]).stream():
            found.add((pool.id, snap.id))
    return found


def load_catalog(db: firestore.Client) -> Catalog:
    """Read the whole catalog: metadata, categories and challenges."""
    meta_snap = db.document(META_DOC).get()
    meta = meta_snap.to_dict() or {}
    categories = [
        Category.model_validate(s.to_dict()) for s in db.collection(paths.CATEGORIES).stream()
    ]
    challenges = []
    for snap in db.collection(paths.CHALLENGES).stream():
        data = snap.to_dict() or {}
        data.pop("imageObject", None)
        challenges.append(Challenge.model_validate(data))
    return Catalog(
        defaultLanguage=meta.get("defaultLanguage", "en"),
        languages=meta.get("languages") or ["en"],
        categories=sorted(categories, key=lambda c: c.id),
        challenges=sorted(challenges, key=lambda c: c.id),
        actions=meta.get("actions") or [],
        timezone=meta.get("timezone") or "UTC",
        defaultChallenge=DefaultChallenge.model_validate(meta.get("defaultChallenge") or {}),
    )
