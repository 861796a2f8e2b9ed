"""Catalog validation: pydantic errors as `path: rule` lines, and the cross-reference rules.

Every error names where in the catalog file it is (`challenges[3].levels[0].groups[1]...`) and
which rule it breaks, so an operator can fix a file without reading code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from pydantic import ValidationError

from shared.catalog.models import Catalog, Level
from shared.enums import RewardType
from shared.errors import InvalidArgumentError
from shared.validation_messages import format_rule


class CatalogInvalid(InvalidArgumentError):
    """A catalog file breaks one or more rules; `errors` holds one `path: rule` line each."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        super().__init__(f"catalog is invalid ({count} error{'s' if count != 1 else ''})")


def format_loc(loc: Sequence[int | str]) -> str:
    """Turn a pydantic location into a path: ('challenges', 3, 'name') -> challenges[3].name."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _is_schema_tag(part):
            # Union and validator wrappers add tags such as "function-after[...]" to the location.
            continue
        else:
            path += f".{part}" if path else part
    return path or "catalog"


def _is_schema_tag(part: str) -> bool:
    return part.endswith("]") and "[" in part


def format_validation_error(exc: ValidationError) -> list[str]:
    """One `path: rule` line per pydantic error."""
    return [f"{format_loc(e['loc'])}: {format_rule(e)}" for e in exc.errors()]


def parse_catalog(data: object) -> Catalog:
    """Validate a decoded catalog file against the models; raise CatalogInvalid with its errors."""
    if not isinstance(data, dict):
        raise CatalogInvalid(["catalog: must be an object"])
    try:
        return Catalog.model_validate(data)
    except ValidationError as exc:
        raise CatalogInvalid(format_validation_error(exc)) from None


def validate_catalog(data: object, image_exists: Callable[[str], bool] | None = None) -> Catalog:
    """The catalog in `data` if it breaks no rule, else CatalogInvalid with every error.

    `image_exists` tells whether an image path of the catalog names a file; without it images
    are not checked.
    """
    catalog = parse_catalog(data)
    errors = cross_reference_errors(catalog)
    if image_exists is not None:
        errors += image_errors(catalog, image_exists)
    if errors:
        raise CatalogInvalid(errors)
    return catalog


def cross_reference_errors(catalog: Catalog) -> list[str]:
    """Rules that span several items: unique ids, references, cycles, languages, trigger types."""
    errors: list[str] = []
    errors += _duplicates(
        ((f"categories[{i}].id", c.id) for i, c in enumerate(catalog.categories)), "id"
    )
    errors += _duplicates(
        ((f"challenges[{i}].id", c.id) for i, c in enumerate(catalog.challenges)), "id"
    )
    errors += _duplicates(
        ((f"voucherPools[{i}].id", p.id) for i, p in enumerate(catalog.voucherPools)), "id"
    )
    errors += _duplicates(
        ((f"actions[{i}].actionId", a.actionId) for i, a in enumerate(catalog.actions)),
        "actionId",
    )
    errors += _duplicates(
        (
            (f"challenges[{i}].gigyaChallengeId", c.gigyaChallengeId)
            for i, c in enumerate(catalog.challenges)
            if c.gigyaChallengeId is not None
        ),
        "gigyaChallengeId",
    )
    errors += _duplicates(
        (
            (f"{level_path}.rewards[{r}].rewardId", reward.rewardId)
            for level_path, level in _levels(catalog)
            for r, reward in enumerate(level.rewards)
        ),
        "rewardId",
    )
    errors += _level_errors(catalog)
    errors += _reference_errors(catalog)
    errors += _gigya_errors(catalog)
    errors += _cycle_errors(catalog)
    errors += _language_errors(catalog)
    return errors


def image_errors(catalog: Catalog, image_exists: Callable[[str], bool]) -> list[str]:
    """Every image path that is not a relative path to an existing file."""
    errors: list[str] = []
    for i, challenge in enumerate(catalog.challenges):
        paths: list[tuple[str, str | None]] = [(f"challenges[{i}].image", challenge.image)]
        for j, level in enumerate(challenge.levels):
            prefix = f"challenges[{i}].levels[{j}]"
            paths.append((f"{prefix}.badgeImage", level.badgeImage))
            paths.append((f"{prefix}.lockedBadgeImage", level.lockedBadgeImage))
        _check_images(paths, image_exists, errors)
    default_paths: list[tuple[str, str | None]] = []
    for d, default_level in enumerate(catalog.defaultChallenge.levels):
        prefix = f"defaultChallenge.levels[{d}]"
        default_paths.append((f"{prefix}.badgeImage", default_level.badgeImage))
        default_paths.append((f"{prefix}.lockedBadgeImage", default_level.lockedBadgeImage))
    _check_images(default_paths, image_exists, errors)
    return errors


def _check_images(
    paths: list[tuple[str, str | None]], image_exists: Callable[[str], bool], errors: list[str]
) -> None:
    for path, image in paths:
        if image is None:
            continue
        if image.startswith("/") or ".." in image.replace("\\", "/").split("/"):
            errors.append(f"{path}: must be a path inside the catalog's folder")
        elif not image_exists(image):
            errors.append(f"{path}: file {image} does not exist")


def _duplicates(items: Iterator[tuple[str, object]], what: str) -> list[str]:
    first: dict[object, str] = {}
    errors: list[str] = []
    for path, value in items:
        if value in first:
            errors.append(f"{path}: duplicate {what} {value!r} (first at {first[value]})")
        else:
            first[value] = path
    return errors


def _levels(catalog: Catalog) -> Iterator[tuple[str, Level]]:
    for i, challenge in enumerate(catalog.challenges):
        for j, level in enumerate(challenge.levels):
            yield f"challenges[{i}].levels[{j}]", level


def _level_errors(catalog: Catalog) -> list[str]:
    errors: list[str] = []
    for level_path, level in _levels(catalog):
        groups = list(enumerate(level.groups))
        errors += _duplicates(
            ((f"{level_path}.groups[{g}].groupId", group.groupId) for g, group in groups),
            "groupId",
        )
        errors += _duplicates(
            ((f"{level_path}.groups[{g}].groupOrder", group.groupOrder) for g, group in groups),
            "groupOrder",
        )
        for g, group in groups:
            group_path = f"{level_path}.groups[{g}]"
            errors += _duplicates(
                (
                    (f"{group_path}.triggers[{t}].order", tr.order)
                    for t, tr in enumerate(group.triggers)
                ),
                "order",
            )
            for t, trigger in enumerate(group.triggers):
                expected = trigger.triggerId.trigger_type
                if trigger.triggerType is not expected:
                    errors.append(
                        f"{group_path}.triggers[{t}].triggerType: must be {expected.value} "
                        f"({expected.name.title()}) for triggerId {trigger.triggerId.value}"
                    )
    return errors


def _reference_errors(catalog: Catalog) -> list[str]:
    errors: list[str] = []
    category_ids = {c.id for c in catalog.categories}
    challenge_ids = {c.id for c in catalog.challenges}
    pool_ids = {p.id for p in catalog.voucherPools}
    for i, challenge in enumerate(catalog.challenges):
        if challenge.categoryId not in category_ids:
            errors.append(
                f"challenges[{i}].categoryId: category {challenge.categoryId} does not exist"
            )
        parent = challenge.parentChallengeId
        if parent is not None and parent not in challenge_ids:
            errors.append(f"challenges[{i}].parentChallengeId: challenge {parent} does not exist")
    for level_path, level in _levels(catalog):
        for r, reward in enumerate(level.rewards):
            if reward.rewardType is RewardType.VOUCHER and reward.rewardValue not in pool_ids:
                errors.append(
                    f"{level_path}.rewards[{r}].rewardValue: voucher pool "
                    f"{reward.rewardValue!r} does not exist"
                )
    return errors


def _gigya_errors(catalog: Catalog) -> list[str]:
    errors: list[str] = []
    action_ids = {a.actionId for a in catalog.actions}
    numeric_ids = {str(c.id) for c in catalog.challenges}
    for i, challenge in enumerate(catalog.challenges):
        path = f"challenges[{i}]"
        gigya_id = challenge.gigyaChallengeId
        if gigya_id == "_default":
            errors.append(f"{path}.gigyaChallengeId: '_default' is the program-wide challenge")
        elif gigya_id is not None and gigya_id in numeric_ids and gigya_id != str(challenge.id):
            errors.append(
                f"{path}.gigyaChallengeId: {gigya_id!r} is the numeric id of another challenge"
            )
        for a, action in enumerate(challenge.actions):
            if action not in action_ids:
                errors.append(f"{path}.actions[{a}]: action {action!r} does not exist")
        for j, level in enumerate(challenge.levels):
            for g, group in enumerate(level.groups):
                for t, trigger in enumerate(group.triggers):
                    if trigger.actionId is not None and trigger.actionId not in challenge.actions:
                        errors.append(
                            f"{path}.levels[{j}].groups[{g}].triggers[{t}].actionId: action "
                            f"{trigger.actionId!r} is not one of the challenge's actions"
                        )
    return errors


def _cycle_errors(catalog: Catalog) -> list[str]:
    parent_of = {c.id: c.parentChallengeId for c in catalog.challenges}
    errors: list[str] = []
    for i, challenge in enumerate(catalog.challenges):
        chain = [challenge.id]
        current = challenge.parentChallengeId
        while current is not None and current in parent_of and current not in chain:
            chain.append(current)
            current = parent_of[current]
        if current == challenge.id:
            cycle = " -> ".join(str(c) for c in [*chain, challenge.id])
            errors.append(f"challenges[{i}].parentChallengeId: forms a cycle {cycle}")
    return errors


def localized_texts(catalog: Catalog) -> Iterator[tuple[str, dict[str, str] | None]]:
    """Every localized text of the catalog with its path (None for an absent optional text)."""
    for i, category in enumerate(catalog.categories):
        yield f"categories[{i}].name", category.name
    for i, challenge in enumerate(catalog.challenges):
        yield f"challenges[{i}].name", challenge.name
        yield f"challenges[{i}].description", challenge.description
    for a, action in enumerate(catalog.actions):
        yield f"actions[{a}].title", action.title
        yield f"actions[{a}].description", action.description
    default = catalog.defaultChallenge
    yield "defaultChallenge.title", default.title
    yield "defaultChallenge.description", default.description
    for d, default_level in enumerate(default.levels):
        yield f"defaultChallenge.levels[{d}].title", default_level.title
        yield f"defaultChallenge.levels[{d}].description", default_level.description
    for level_path, level in _levels(catalog):
        yield f"{level_path}.title", level.title
        yield f"{level_path}.description", level.description
        for g, group in enumerate(level.groups):
            for t, trigger in enumerate(group.triggers):
                yield f"{level_path}.groups[{g}].triggers[{t}].name", trigger.name
        for r, reward in enumerate(level.rewards):
            yield f"{level_path}.rewards[{r}].name", reward.name
            yield f"{level_path}.rewards[{r}].description", reward.description


def _language_errors(catalog: Catalog) -> list[str]:
    languages = list(dict.fromkeys(catalog.languages))
    listed = ", ".join(languages)
    errors: list[str] = []
    if catalog.defaultLanguage not in languages:
        errors.append(f"defaultLanguage: must be one of the catalog's languages ({listed})")
    for path, texts in localized_texts(catalog):
        if texts is None:
            continue
        if catalog.defaultLanguage not in texts:
            errors.append(f"{path}: missing the default language {catalog.defaultLanguage!r}")
        for lang in texts:
            if lang not in languages:
                errors.append(f"{path}.{lang}: language is not one of the catalog's ({listed})")
    return errors
