"""Child process for the kill -9 test: writes to a state store until it is killed.

Usage: ``python _crash_writer.py URL START MODE``. Transaction ``i`` (from START on) books
``BATCH`` orders end to end (intent, submit, accept, fill, filled, strategy state, latency)
and moves the ``bars`` marker to ``i``; after each commit it prints ``i``. MODE ``mid`` stops
inside transaction START + 2 after its fills, prints ``mid``, and waits to be killed.
"""

from __future__ import annotations

import sys
import time

from quantrail.core.enums import OrderStatus, Side
from quantrail.core.events import Fill
from quantrail.core.orders import Order, OrderIntent
from quantrail.store.state import StateStore

BATCH = 5
PRICE = 100.0


def order_id(i: int, k: int) -> str:
    return f"c-{i}-{k}"


def _book(store: StateStore, i: int, k: int) -> None:
    cid = order_id(i, k)
    store.record_submit_intent(Order(cid, i * BATCH + k, OrderIntent("SPY", Side.BUY, 1.0), "s", i))
    store.record_event(cid, "submit", OrderStatus.SUBMITTED, i, "engine")
    store.record_event(cid, "accept", OrderStatus.ACCEPTED, i, "venue", f"ack-{cid}")
    fill = Fill(f"f-{cid}", cid, "SPY", Side.BUY, 1.0, PRICE, PRICE, 0.0, 0.0, 0.0, i, "taker", "q")
    store.record_fill(fill, f"x-{cid}")
    store.record_event(cid, "fill", OrderStatus.FILLED, i, "venue", f"fill-{cid}")


def main(url: str, start: int, mode: str) -> None:
    with StateStore.open(url) as store:
        print("ready", flush=True)
        i = start
        while True:
            with store.transaction():
                for k in range(BATCH):
                    _book(store, i, k)
                if mode == "mid" and i == start + 2:
                    print("mid", flush=True)
                    time.sleep(60)  # killed here, inside the open transaction
                store.save_strategy_state("s", {"i": i})
                store.record_latency("fill", i, ts=i)
                store.set_marker("bars", i)
            print(i, flush=True)
            i += 1


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
