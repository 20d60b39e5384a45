"""Load over HTTP (not a test): wrk against gunicorn on 127.0.0.1, bounded in time.

    .venv/bin/python bench/load.py [--seconds 60] [--connections 32] [--workers 2] [--per-endpoint 15]

Starts the bench stack (bench/httpstack.py: its own PostgreSQL under var/bench, the seed
corpus, gunicorn with DEBUG off), then runs
1. the mix: the partner API's list, detail, export and match requests in turn, for
   --seconds at --connections;
2. each kind of request alone for --per-endpoint seconds (0 skips this);
and writes throughput, latency percentiles and errors (answers >= 400 and socket
errors) to bench/results/load.json. Exits 1 on any error. Where the API isn't there
yet, the probes and two staff pages (admin list, trace page) stand in, and the result
says ``"api": false``.
"""

import sys

from httpstack import Stack, interleave, load_arguments, machine, run_wrk, save


def summarise(run):
    errors = run["non_2xx_3xx"] + sum(run["socket_errors"].values())
    return {
        "requests": run["requests"],
        "requests_per_s": round(run["requests"] / run["duration_s"], 1),
        "errors": errors,
        "non_2xx_3xx": run["non_2xx_3xx"],
        "socket_errors": run["socket_errors"],
        "latency_ms": run["latency_ms"],
        "duration_s": run["duration_s"],
    }


def describe(requests):
    shown = [f"{method} {path}" for method, path, _, _ in requests[:2]]
    return shown + [f"... {len(requests)} distinct"] if len(requests) > 2 else shown


def main():
    parser = load_arguments(__doc__)
    parser.add_argument("--per-endpoint", type=int, default=15, help="seconds of each kind alone (0: skip)")
    parser.add_argument("--keep-database", action="store_true", help="leave the bench PostgreSQL running")
    args = parser.parse_args()

    stack = Stack(workers=args.workers, port=args.port)
    with stack.serving(keep_database=args.keep_database) as endpoints:
        print(f"mix of {', '.join(endpoints)}: {args.seconds} s at {args.connections} connections", file=sys.stderr)
        mix = run_wrk(stack, interleave(endpoints), args.seconds, args.connections, args.threads)
        alone = {}
        for name, requests in endpoints.items() if args.per_endpoint else ():
            print(f"{name} alone: {args.per_endpoint} s", file=sys.stderr)
            alone[name] = summarise(run_wrk(stack, requests, args.per_endpoint, args.connections, args.threads))

    result = {
        "what": "wrk against gunicorn on 127.0.0.1 (DEBUG off, JSON request logs), seed corpus published",
        "api": "list" in endpoints,
        "endpoints": {name: describe(requests) for name, requests in endpoints.items()},
        "connections": args.connections,
        "wrk_threads": args.threads,
        "gunicorn_workers": args.workers,
        "machine": machine(),
        "mix": summarise(mix),
        "alone": alone,
    }
    path = save("load", result)
    rows = [("mix", result["mix"]), *alone.items()]
    print(f"{'':14} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, r in rows:
        lat = r["latency_ms"]
        print(
            f"{name:14} {r['requests_per_s']:8.1f} {lat['p50']:8.1f} {lat['p90']:8.1f} {lat['p99']:8.1f} "
            f"{r['errors']:7d}"
        )
    print(f"written to {path}")
    return 1 if any(r["errors"] for _, r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
