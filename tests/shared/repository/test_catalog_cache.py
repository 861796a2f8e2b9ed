"""The in-memory catalog: read once per max age, once for concurrent requests on a cold cache."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.enums import TriggerKind
from shared.repository import catalog_cache
from tests.shared.engine.builders import challenge, install, simple_level

pytestmark = pytest.mark.emulator


def test_concurrent_requests_on_a_cold_cache_read_the_catalog_once(db, monkeypatch):
    install(db, [challenge(1, simple_level(TriggerKind.EARNED_POINTS, 10))])
    catalog_cache.reset_cache()
    loads: list[int] = []
    real = catalog_cache.load_catalog
    start = threading.Barrier(8)

    def counted(client):
        loads.append(1)
        return real(client)

    monkeypatch.setattr(catalog_cache, "load_catalog", counted)

    def read(_: int) -> int:
        start.wait()
        return len(catalog_cache.get_catalog(db, max_age=60).catalog.challenges)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(read, range(8))) == [1] * 8
    assert len(loads) == 1
    # A max age of 0 reads again.
    catalog_cache.get_catalog(db, max_age=0)
    assert len(loads) == 2


def test_garbage_frozen_by_one_catalog_load_is_freed_by_the_next() -> None:
    """The heap is frozen at each load; a cycle that died since is collected at the next one."""
    import gc
    import weakref

    from shared.repository import catalog_cache

    class Node:
        pass

    try:
        node = Node()
        node.self = node  # type: ignore[attr-defined]
        alive = weakref.ref(node)
        start = catalog_cache._last_freeze[0] + catalog_cache.FREEZE_INTERVAL_SECONDS
        catalog_cache._freeze_the_heap(now=start)
        assert gc.get_freeze_count() > 0
        del node
        gc.collect()
        assert alive() is not None  # frozen: out of the collector's reach
        # A load soon after does not collect again; the next one after the interval does.
        catalog_cache._freeze_the_heap(now=start + 1)
        assert alive() is not None
        catalog_cache._freeze_the_heap(now=start + catalog_cache.FREEZE_INTERVAL_SECONDS)
        assert alive() is None
    finally:
        gc.unfreeze()
