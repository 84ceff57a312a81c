"""Run cloudlet's benchmarks against cloudlet and its peers, and print one table.

    python bench/run.py [--only platform] [--peers moto,ministack] [--quick] [--json out.json]

Use the repo's virtualenv (`.venv/bin/python`): boto3, botocore and psutil come from it, and
cloudlet is started with this same interpreter. Peers are installed on first use into their own
virtualenvs outside the repo (see `peers.py`). Every server started is stopped on the way out,
also on Ctrl-C or SIGTERM. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import time
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers
from measure import OtherWork, wait_quiet
from report import Metric, render, write_json
from suite import Options, log
from suites import SUITES


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SUITES), help="comma-separated suites to run")
    parser.add_argument(
        "--peers", default=",".join(peers.PEERS), help="comma-separated peers, or 'none'"
    )
    parser.add_argument("--no-cloudlet", action="store_true", help="measure the peers only")
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the canned-response reference server"
    )
    parser.add_argument("--quick", action="store_true", help="fewer launches and requests")
    parser.add_argument("--repeat", type=int, help="launches per start-up figure (7; quick: 3)")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="S",
        help="first wait up to S seconds for other processes to leave the CPU idle",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every sample")
    return parser.parse_args(argv)


def _names(text: str, known: list[str], what: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip() and n.strip() != "none"]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})")
    return names


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Install what is missing, run the chosen suites, print the table."""
    args = _parse(argv)
    suites = _names(args.only, list(SUITES), "suite")
    names = ([] if args.no_cloudlet else ["cloudlet"]) + _names(args.peers, peers.PEERS, "peer")
    names += [] if args.no_floor else [peers.FLOOR]
    repeat = args.repeat or (3 if args.quick else 7)
    options = Options(repeat=max(1, min(repeat, 50)), quick=args.quick, verbose=args.verbose)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    signal.signal(signal.SIGTERM, _on_sigterm)

    targets: list[peers.Target] = []
    missing: dict[str, str] = {}
    for name in names:
        target = peers.TARGETS[name]
        try:
            target.install()
        except peers.Unavailable as exc:
            log(f"skipping {name}: {exc}")
            missing[name] = str(exc)
            continue
        targets.append(target)
    versions = {t.name: t.version() for t in targets}

    if args.wait_quiet > 0:
        log(f"waiting up to {args.wait_quiet:.0f} s for the machine to be quiet")
        share = wait_quiet(min(args.wait_quiet, 3600))
        log(f"other processes use {share:.0%} of the CPU; starting")
    busy = os.getloadavg()[0]
    if busy > 0.5 * (os.cpu_count() or 1):
        log(f"load average is {busy:.2f}: other work on this machine will skew the figures")
    other = OtherWork()
    metrics: list[Metric] = []
    started = time.monotonic()
    try:
        for suite in suites:
            # The floor answers GetCallerIdentity only: it is a column of the platform suite alone.
            chosen = [t for t in targets if suite == "platform" or t.name != peers.FLOOR]
            log(f"suite {suite}: {', '.join(t.name for t in chosen) or 'no targets'}")
            try:
                metrics += SUITES[suite](chosen, options)
            except Exception as exc:
                log(f"suite {suite} failed: {exc!r}; going on with the rest")
    except KeyboardInterrupt:
        log("interrupted: stopping servers")
        return 130
    finally:
        peers.stop_all()
    for metric in metrics:
        for name, reason in missing.items():
            metric.notes.setdefault(name, f"not installed: {reason}")

    other_share = other.share()
    meta: dict[str, object] = {
        "load_avg_1min_before": round(busy, 2),
        "other_work_cpu_share": round(other_share, 3),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cpus",
        "versions": versions,
        "options": vars(options),
        "seconds": round(time.monotonic() - started, 1),
    }
    print(
        f"\ncloudlet bench — Python {meta['python']}, {meta['machine']}, "
        f"{options.repeat} launches per start-up median{', quick' if options.quick else ''}, "
        f"other processes used {other_share:.0%} of the CPU during the run\n"
    )
    if other_share > 0.1:
        print("warning: the machine was busy with other work; figures are noisy\n")
    print(render(metrics, names, versions, peers.PEERS))
    if args.json:
        write_json(args.json, metrics, meta)
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
