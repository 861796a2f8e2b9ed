"""The catalog as stored: `categories/{id}`, `challenges/{id}` and `catalogMeta/current`.

Categories and challenges are their pydantic models dumped as JSON (`model_dump(mode="json")`):
their field names are the catalog models' (shared/catalog/models.py), the catalog file's
names. A challenge document adds `imageObject`; the meta document holds the rest of the
catalog under `Catalog`'s own field names (checked against the model by a test).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.catalog.models import Catalog, Category, Challenge, DefaultChallenge

IMAGE_OBJECT = "imageObject"  # challenges/{id}: the challenge image's object in the bucket
# catalogMeta/current: `Catalog` fields besides its categories, challenges and pools' codes.
META_DEFAULT_LANGUAGE = "defaultLanguage"
META_LANGUAGES = "languages"
META_ACTIONS = "actions"
META_VOUCHER_POOLS = "voucherPools"  # the pools' ids (their codes are documents)
META_TIMEZONE = "timezone"
META_DEFAULT_CHALLENGE = "defaultChallenge"

META_FIELDS = (
    META_DEFAULT_LANGUAGE,
    META_LANGUAGES,
    META_ACTIONS,
    META_VOUCHER_POOLS,
    META_TIMEZONE,
    META_DEFAULT_CHALLENGE,
)
NAMES = frozenset({IMAGE_OBJECT, *META_FIELDS})


def encode_category(category: Category) -> dict[str, Any]:
    """A stored category."""
    return category.model_dump(mode="json")


def decode_category(raw: Mapping[str, Any]) -> Category:
    """A stored category."""
    return Category.model_validate(dict(raw))


def encode_challenge(challenge: Challenge) -> dict[str, Any]:
    """A stored challenge: the model, and its image's object name."""
    data = challenge.model_dump(mode="json")
    data[IMAGE_OBJECT] = challenge.image_object()
    return data


def decode_challenge(raw: Mapping[str, Any]) -> Challenge:
    """A stored challenge (its `imageObject` is derived, not read)."""
    data = dict(raw)
    data.pop(IMAGE_OBJECT, None)
    return Challenge.model_validate(data)


def encode_meta(catalog: Catalog) -> dict[str, Any]:
    """`catalogMeta/current` of a catalog."""
    return {
        META_DEFAULT_LANGUAGE: catalog.defaultLanguage,
        META_LANGUAGES: catalog.languages,
        META_ACTIONS: [a.model_dump(mode="json") for a in catalog.actions],
        META_VOUCHER_POOLS: [p.id for p in catalog.voucherPools],
        META_TIMEZONE: catalog.timezone,
        META_DEFAULT_CHALLENGE: catalog.defaultChallenge.model_dump(mode="json"),
    }


def decode_catalog(
    meta: Mapping[str, Any], categories: list[Category], challenges: list[Challenge]
) -> Catalog:
    """The catalog from its stored meta document, categories and challenges."""
    return Catalog(
        defaultLanguage=meta.get(META_DEFAULT_LANGUAGE, "en"),
        languages=meta.get(META_LANGUAGES) or ["en"],
        categories=sorted(categories, key=lambda c: c.id),
        challenges=sorted(challenges, key=lambda c: c.id),
        actions=meta.get(META_ACTIONS) or [],
        timezone=meta.get(META_TIMEZONE) or "UTC",
        defaultChallenge=DefaultChallenge.model_validate(meta.get(META_DEFAULT_CHALLENGE) or {}),
    )
