"""PostgreSQL restarted under load (not a test): the app must recover by itself.

    .venv/bin/python bench/faults.py [--seconds 60] [--connections 32] [--restart-after 20]

Starts the bench stack (bench/httpstack.py: PostgreSQL of its own under var/bench, so
nobody else's database is touched), runs the load mix under wrk, and after
--restart-after seconds restarts that PostgreSQL (pg_ctl restart -m fast: every
session is terminated). Then it reports failed answers per second before the outage,
during it (the seconds from the stop until the server accepts connections again) and
after it, and whether gunicorn's workers are the same processes as before (the app
recovered without a restart of its own). Writes bench/results/faults.json; exits 1 if
anything failed before or after the outage, or a worker was replaced.
"""

import math
import sys
import threading
import time

from httpstack import Stack, interleave, load_arguments, machine, run_wrk, save


def windows(per_second, stopped_at, ready_at):
    """Split [second, good, failed] rows into before / during / after the outage; the
    outage covers every second it touched."""
    first, last = math.floor(stopped_at), math.ceil(ready_at)
    split = {"before": [], "during": [], "after": []}
    for second, good, failed in per_second:
        key = "before" if second < first else "during" if second <= last else "after"
        split[key].append({"t": second - first, "good": good, "failed": failed})
    return split


def main():
    parser = load_arguments(__doc__)
    parser.add_argument("--restart-after", type=int, default=20, help="seconds into the load")
    args = parser.parse_args()
    if not 0 < args.restart_after < args.seconds - 10:
        parser.error("--restart-after must leave at least 10 s of load after it")

    stack = Stack(workers=args.workers, port=args.port)
    with stack.serving() as endpoints:
        done = {}
        load = threading.Thread(
            target=lambda: done.update(
                run=run_wrk(stack, interleave(endpoints), args.seconds, args.connections, args.threads)
            )
        )
        workers_before = stack.worker_pids()
        load.start()
        time.sleep(args.restart_after)
        print("restarting PostgreSQL", file=sys.stderr)
        stopped_at, ready_at = stack.restart_database()
        load.join()
        workers_after = stack.worker_pids()

    run = done["run"]
    split = windows(run["per_second"], stopped_at, ready_at)
    failed = {key: sum(row["failed"] for row in rows) for key, rows in split.items()}
    good = {key: sum(row["good"] for row in rows) for key, rows in split.items()}
    result = {
        "what": "PostgreSQL (pg_ctl restart -m fast) restarted under the load mix; wrk against gunicorn on 127.0.0.1",
        "api": "list" in endpoints,
        "endpoints": list(endpoints),
        "connections": args.connections,
        "gunicorn_workers": args.workers,
        "machine": machine(),
        "outage_s": round(ready_at - stopped_at, 2),
        "restart_after_s": args.restart_after,
        "failed": failed,
        "good": good,
        "socket_errors": run["socket_errors"],
        "same_gunicorn_workers": workers_before == workers_after,
        "latency_ms": run["latency_ms"],
        "per_second": split,
    }
    path = save("faults", result)
    print(
        f"outage {result['outage_s']} s; failed answers before {failed['before']}, during {failed['during']}, "
        f"after {failed['after']}; socket errors {sum(run['socket_errors'].values())}; "
        f"same gunicorn workers: {result['same_gunicorn_workers']}"
    )
    print(f"written to {path}")
    clean = failed["before"] == failed["after"] == 0 and result["same_gunicorn_workers"]
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
