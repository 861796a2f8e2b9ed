"""gm.getChallengeConfig and gm.getActionConfig: the catalog as Gigya describes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.catalog.models import Action, Catalog, Challenge
from shared.enums import TriggerKind
from shared.errors import InvalidArgumentError
from shared.gigya.achievements import Language, number
from shared.gigya.challenges import GigyaChallenge, select
from shared.gigya.models import ActionConfigParams, ChallengeConfigParams
from shared.gigya.status import badge_url
from shared.repository import catalog_cache

if TYPE_CHECKING:
    from google.cloud import firestore


def _level(challenge: Challenge, index: int, language: Language) -> dict[str, Any]:
    level = challenge.levels[index]
    points = None
    required: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    for group in level.ordered_groups:
        for trigger in group.ordered_triggers:
            if trigger.triggerId is TriggerKind.EARNED_POINTS:
                points = number(trigger.triggerFrequency)
            elif trigger.triggerId is TriggerKind.PERFORMED_ACTION:
                required.append(
                    {"actionID": trigger.actionId, "count": number(trigger.triggerFrequency)}
                )
            else:
                other.append(
                    {
                        "actionID": language.text(trigger.name),
                        "triggerId": int(trigger.triggerId),
                        "count": number(trigger.triggerFrequency),
                    }
                )
    described: dict[str, Any] = {
        "title": language.text(level.title),
        "description": language.text(level.description),
        "badgeURL": badge_url(challenge.badge_object(index)),
        "lockedBadgeURL": badge_url(challenge.badge_object(index, locked=True)),
        "actionURL": level.actionUrl,
        "requiredActions": required,
    }
    if points is not None:
        described["points"] = points
    if other:
        described["requiredAchievements"] = other
    return described


def _challenge(item: GigyaChallenge, catalog: Catalog, language: Language) -> dict[str, Any]:
    challenge = item.challenge
    if challenge is None:
        default = catalog.defaultChallenge
        return {
            "challengeID": item.challenge_id,
            "title": language.text(default.title) or "Default challenge",
            "description": language.text(default.description),
            "enabled": True,
            "hideUntilFirstLevel": False,
            "challengeActions": [a.actionId for a in catalog.actions if a.enabled],
            "levels": [
                {
                    "title": language.text(level.title),
                    "description": language.text(level.description),
                    "badgeURL": badge_url(default.badge_object(i)),
                    "lockedBadgeURL": badge_url(default.badge_object(i, locked=True)),
                    "actionURL": level.actionUrl,
                    "points": number(level.points),
                    "requiredActions": [],
                }
                for i, level in enumerate(default.levels)
            ],
        }
    return {
        "challengeID": item.challenge_id,
        "title": language.text(challenge.name),
        "description": language.text(challenge.description),
        "enabled": challenge.visible,
        "hideUntilFirstLevel": challenge.hiddenUntilFirstLevel,
        "startDate": challenge.startDate.isoformat().replace("+00:00", "Z"),
        "endDate": challenge.endDate.isoformat().replace("+00:00", "Z"),
        "challengeActions": list(challenge.actions),
        "variantAttributes": list(challenge.variantAttributes),
        "levels": [_level(challenge, i, language) for i in range(len(challenge.levels))],
    }


def challenge_config(db: firestore.Client, query: ChallengeConfigParams) -> dict[str, Any]:
    """The `challenges` of gm.getChallengeConfig (hidden-until-first-level ones included)."""
    catalog = catalog_cache.get_catalog(db).catalog
    language = Language(query.lang, catalog.defaultLanguage)
    chosen = select(catalog, query.includeChallenges, query.excludeChallenges, lambda _: True)
    return {"challenges": [_challenge(item, catalog, language) for item in chosen]}


def _action(action: Action, language: Language) -> dict[str, Any]:
    return {
        "actionID": action.actionId,
        "title": language.text(action.title) or action.actionId,
        "description": language.text(action.description),
        "points": number(action.points),
        "dailyCap": action.dailyCap,
        "freqCap": action.freqCap,
        "enabled": action.enabled,
    }


def action_config(db: firestore.Client, query: ActionConfigParams) -> dict[str, Any]:
    """The `actions` of gm.getActionConfig."""
    catalog = catalog_cache.get_catalog(db).catalog
    language = Language(query.lang, catalog.defaultLanguage)
    known = {a.actionId: a for a in catalog.actions}
    if "*" in query.includeActions:
        chosen = list(catalog.actions)
    else:
        chosen = []
        for name in dict.fromkeys(query.includeActions):
            if name not in known:
                raise InvalidArgumentError(
                    f"action {name!r} does not exist", parameter="includeActions"
                )
            chosen.append(known[name])
    excluded = set(query.excludeActions)
    return {
        "actions": [
            _action(a, language)
            for a in chosen
            if a.actionId not in excluded and (a.enabled or query.includeDisabledActions)
        ]
    }
