"""A stand-in for the ``notify`` target of the reference topology.

It only records that it ran (once per delivery, through the effect log), so the whole
backbone runs end to end now. The real handler replaces it with "The bedtime site and the
notification" (issue 5); ``illustrate`` and ``narrate`` are real (targets/illustrate.py,
targets/narrate.py).
"""

from __future__ import annotations

import logging

from bedtales.targets import TargetContext, handler

log = logging.getLogger(__name__)


@handler("notify")
def notify(ctx: TargetContext) -> None:
    if ctx.once("ran", lambda _session: None):
        log.info("notify ran for %s (placeholder)", ctx.delivery.event.subject)
