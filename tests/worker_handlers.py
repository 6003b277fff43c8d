"""Target handlers for the worker tests (loaded through bus.handler_modules).

``counted`` applies a database effect through the effect log (exactly once per delivery),
logs every invocation to a file (every attempt), then lingers, so that a worker killed at
any moment very likely has handlers that applied their effect but were not yet acked.
"""

from __future__ import annotations

import os
import time

from sqlalchemy import text
from sqlalchemy.orm import Session

from bedtales.bus.effects import HandlerContext
from bedtales.targets import handler

COUNTS_TABLE = """
CREATE TABLE test_effect_counts (
    story_id VARCHAR(36) NOT NULL,
    target VARCHAR(64) NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (story_id, target)
)
"""


@handler("counted")
def counted(ctx: HandlerContext) -> None:
    story_id = ctx.delivery.event.subject
    with open(os.environ["BEDTALES_TEST_INVOCATIONS"], "a") as log:
        log.write(f"{story_id} {ctx.delivery.target} {ctx.delivery.attempt}\n")

    def count(session: Session) -> None:
        session.execute(
            text(
                "INSERT INTO test_effect_counts (story_id, target, count) VALUES (:s, :t, 1) "
                "ON CONFLICT (story_id, target) DO UPDATE SET count = test_effect_counts.count + 1"
            ),
            {"s": story_id, "t": ctx.delivery.target},
        )

    ctx.once("count", count)
    time.sleep(float(os.environ.get("BEDTALES_TEST_LINGER_S", "0.05")))


@handler("broken")
def broken(ctx: HandlerContext) -> None:
    raise RuntimeError(f"the paint ran out for {ctx.delivery.event.subject}")
