"""The one user id rule, as every surface and the engine apply it."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from shared.user_ids import USER_ID_MAX, UserIdText, check_user_id


class Model(BaseModel):
    user: UserIdText


@pytest.mark.parametrize("user", ["+201000000001", "uid-1", "a b", "ü" * USER_ID_MAX])
def test_well_formed_ids_pass(user):
    assert Model(user=user).user == user


@pytest.mark.parametrize(
    ("user", "words"),
    [
        (" 201000000001", "encode it as %2B"),
        ("+201000000001 ", "encode it as %2B"),
        ("\t+2010", "encode it as %2B"),
        ("\u00a0+2010", "encode it as %2B"),
        ("a\x00b", "control characters"),
        ("a\nb", "control characters"),
        ("a\x85b", "control characters"),
    ],
)
def test_padded_or_controlled_ids_are_refused(user, words):
    with pytest.raises(ValueError, match=words):
        check_user_id(user)
    with pytest.raises(ValidationError):
        Model(user=user)


@pytest.mark.parametrize("user", ["", "1" * (USER_ID_MAX + 1)])
def test_length_is_bounded(user):
    with pytest.raises(ValidationError):
        Model(user=user)
