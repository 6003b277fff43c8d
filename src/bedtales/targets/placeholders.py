"""Stand-ins for the three targets of the reference topology.

They only record that they ran (once per delivery, through the effect log), so the whole
backbone can be run and tested end to end now. The real handlers replace them: the
``illustrate`` and ``narrate`` targets with "Pictures and narration" (issue 4), ``notify``
with "The bedtime site and the notification" (issue 5).
"""

from __future__ import annotations

import logging

from bedtales.bus.effects import HandlerContext
from bedtales.targets import handler

log = logging.getLogger(__name__)


def _record(ctx: HandlerContext) -> None:
    if ctx.once("ran", lambda _session: None):
        log.info("%s ran for %s (placeholder)", ctx.delivery.target, ctx.delivery.event.subject)


for _name in ("illustrate", "narrate", "notify"):
    handler(_name)(_record)
