"""The kill test of issue 14: `bedtales run`, a real child process, killed with SIGKILL three
times while it is sending, and started again; 20 stories told through a real SMTP server.
bench/kill.py holds the run and prints the same figures for longer runs."""

from __future__ import annotations

from pathlib import Path

from bench.kill import kill_run


def test_kill_9_mid_send_loses_no_message_and_resends_at_most_once_per_kill(
    tmp_path: Path,
) -> None:
    figures = kill_run(tmp_path, stories=20, kills=3, send_delay_s=1.0)

    assert figures.stories == figures.complete == 20, figures.line()
    assert figures.kills == 3
    assert figures.kills_mid_send >= 1, figures.line()  # the kills landed where it matters
    assert figures.lost == 0, figures.line()
    assert figures.stray == 0, figures.line()  # a resend is the same message
    assert figures.resent <= figures.left_unsure, figures.line()  # one per unsure send
    assert figures.dead_letters == 0, figures.line()
    assert figures.states["sending"] == figures.states["resending"] == 0, figures.line()
    assert figures.states["sent"] + figures.states["resent"] == 20, figures.line()
    assert figures.states["resent"] == figures.left_unsure, figures.line()
