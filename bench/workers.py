"""Load generators' threads: `count` threads running one function, joined."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_all(target: Callable[[int], None], count: int) -> None:
    """Run `target(0)` ... `target(count - 1)`, each in its own thread; return when all ended."""
    threads = [threading.Thread(target=target, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
