"""Reading and writing the catalog in Firestore."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared.catalog.models import Catalog
from shared.schema import catalog as schema
from shared.schema import paths
from shared.schema.vouchers import VoucherCode

if TYPE_CHECKING:
    from google.cloud import firestore

META_DOC = paths.CATALOG_META_DOC
_BATCH_LIMIT = 400


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


@dataclass(frozen=True)
class SavedCatalog:
    """How many documents of each kind a save wrote."""

    categories: int
    challenges: int
    voucher_codes: int


def save_catalog(db: firestore.Client, catalog: Catalog) -> SavedCatalog:
    """Write categories, challenges, voucher codes and the catalog's metadata; idempotent.

    Voucher codes are created only when absent, so reloading never hands out a taken code again.
    Returns how many documents of each kind were written.
    """
    writes: list[tuple[str, dict[str, Any], bool]] = []
    for category in catalog.categories:
        writes.append((paths.category_doc(category.id), schema.encode_category(category), False))
    for challenge in catalog.challenges:
        writes.append(
            (paths.challenge_doc(challenge.id), schema.encode_challenge(challenge), False)
        )
    writes.append((META_DOC, schema.encode_meta(catalog), False))
    existing_codes = _existing_codes(db, catalog)
    new_codes = 0
    for pool in catalog.voucherPools:
        for code in pool.codes:
            if (pool.id, code) in existing_codes:
                continue
            writes.append((paths.code_doc(pool.id, code), VoucherCode(code).encode(), True))
            new_codes += 1
    for chunk in _chunks(writes, _BATCH_LIMIT):
        batch = db.batch()
        for path, data, _ in chunk:
            batch.set(db.document(path), data)
        batch.commit()
    return SavedCatalog(len(catalog.categories), len(catalog.challenges), new_codes)


def _existing_codes(db: firestore.Client, catalog: Catalog) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for pool in catalog.voucherPools:
        codes = db.collection(paths.pool_collection(pool.id, paths.CODES))
        for snap in codes.select([]).stream():
            found.add((pool.id, snap.id))
    return found


def load_catalog(db: firestore.Client) -> Catalog:
    """Read the whole catalog: metadata, categories and challenges."""
    meta = db.document(META_DOC).get().to_dict() or {}
    categories = [
        schema.decode_category(s.to_dict() or {}) for s in db.collection(paths.CATEGORIES).stream()
    ]
    challenges = [
        schema.decode_challenge(s.to_dict() or {}) for s in db.collection(paths.CHALLENGES).stream()
    ]
    return schema.decode_catalog(meta, categories, challenges)
