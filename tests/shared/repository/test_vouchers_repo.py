"""Voucher claims against the emulator: a code and a prize are each taken once."""

from __future__ import annotations

import pytest
from google.api_core.exceptions import AlreadyExists

from shared.catalog.models import Catalog, VoucherPool
from shared.repository.catalog_repo import save_catalog
from shared.repository.vouchers_repo import add_claim, assigned_code, free_codes

pytestmark = pytest.mark.emulator


def _claim(db, code: str, prize: str, user: str) -> None:
    batch = db.batch()
    add_claim(db, batch, "p", code, prize, user)
    batch.commit()


def test_a_code_goes_to_one_prize_and_a_prize_gets_one_code(db):
    save_catalog(db, Catalog(voucherPools=[VoucherPool(id="p", codes=["A", "B", "C"])]))
    assert sorted(free_codes(db, "p")) == ["A", "B", "C"]
    _claim(db, "A", "1-1", "u1")
    with pytest.raises(AlreadyExists):
        _claim(db, "A", "2-1", "u2")  # the code is taken
    with pytest.raises(AlreadyExists):
        _claim(db, "B", "1-1", "u1")  # the prize has its code
    assert assigned_code(db, "p", "1-1") == "A"
    assert assigned_code(db, "p", "2-1") is None
    assert sorted(free_codes(db, "p")) == ["B", "C"]
    assert db.document("voucherPools/p/codes/A").get().to_dict()["takenBy"] == "u1"
    assert free_codes(db, "p", limit=1) in (["B"], ["C"])
