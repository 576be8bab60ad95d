#!/usr/bin/env python3
"""Helpers for bench/proxy/run.sh: parse wrk output, and turn the raw results into the report table.

  report.py wrk FILE                 -> "rps=… p99_ms=… requests=… errors=…" from `wrk --latency` output
  report.py table RESULTS [--out F]  -> the table: median (min–max) per cell, ratio to nginx, target, PASS/FAIL

RESULTS holds one tab-separated line per measurement, `target<TAB>metric<TAB>value`, or
`target<TAB>note<TAB>text` for something the reader must know (a target that did not run, errors).
Standard library only, so it runs with any Python 3.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections import defaultdict

TARGETS = ("direct", "nginx", "pawshub")
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(text: str) -> dict[str, float]:
    """Requests/s, p99 latency (ms), request count and error count from `wrk --latency` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    p99 = re.search(r"^\s*99(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    if not (rps and total and p99):
        raise ValueError("not wrk --latency output (missing Requests/sec, request count or 99% line)")
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if non2xx:
        errors += int(non2xx.group(1))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if sockets:
        # Reads that end a keep-alive connection count as "read" errors in wrk; connect/write/timeout don't happen
        # on a healthy loopback run, so those are what we report.
        errors += int(sockets.group(1)) + int(sockets.group(3)) + int(sockets.group(4))
    return {"rps": float(rps.group(1)), "p99_ms": float(p99.group(1)) * UNIT_MS[p99.group(2)],
            "requests": float(total.group(1)), "errors": float(errors)}


# MARK: table

# (label, metric, format, rule). Rules compare pawshub with nginx in the same run unless they say otherwise:
#   ("min", x)  pawshub/nginx >= x        ("max", x)  pawshub/nginx <= x
#   ("abs_max", x) pawshub <= x            ("abs_min", x) pawshub >= x
#   ("self_min", other_metric, x) pawshub metric / pawshub other_metric >= x
#   None: shown for information only
ROWS = [
    ("req/s, 50 conns", "c50.rps", "int", ("min", 0.9)),
    ("p99 ms, 50 conns", "c50.p99_ms", "ms", ("max", 1.5)),
    ("CPU µs/req, 50 conns", "c50.cpu_us", "us", ("max", 1.2)),
    ("req/s, 200 conns", "c200.rps", "int", ("min", 0.9)),
    ("p99 ms, 200 conns", "c200.p99_ms", "ms", ("max", 1.5)),
    ("CPU µs/req, 200 conns", "c200.cpu_us", "us", ("max", 1.2)),
    ("WS round trips/s, 50 conns", "ws.msgs_per_s", "int", None),
    ("WS p99 ms", "ws.p99_ms", "ms", None),
    ("WS CPU µs/msg", "ws.cpu_us", "us", ("max", 1.0)),
    ("RSS MiB, idle", "idle.base_rss_mib", "mib", None),
    ("RSS MiB, idle conns held", "idle.rss_mib", "mib", ("abs_max", 64.0)),
    ("idle conns still open", "idle.open", "int", None),
    ("req/s, 10 routes", "routes10.rps", "int", None),
    ("req/s, many routes", "routesmany.rps", "int", ("self_min", "routes10.rps", 0.9)),
    ("RSS MiB, many routes", "routes.rss_mib", "mib", None),
    ("route adds/s", "routes.adds_per_s", "int", ("abs_min", 5000.0)),
    ("route deletes/s", "routes.deletes_per_s", "int", ("abs_min", 5000.0)),
]


def fmt(value: float, kind: str) -> str:
    if kind == "int":
        return f"{value:,.0f}"
    if kind == "ms":
        return f"{value:.2f}"
    if kind == "us":
        return f"{value:.1f}"
    return f"{value:.1f}"


def cell(values: list[float], kind: str) -> str:
    if not values:
        return "-"
    median = statistics.median(values)
    if len(values) == 1:
        return fmt(median, kind)
    return f"{fmt(median, kind)} ({fmt(min(values), kind)}–{fmt(max(values), kind)})"


def judge(rule, metric: str, data) -> tuple[str, str, str]:
    """(ratio shown, target text, PASS/FAIL/no data) for one row."""
    if rule is None:
        nginx, ours = data["nginx"].get(metric), data["pawshub"].get(metric)
        ratio = f"{statistics.median(ours) / statistics.median(nginx):.2f}" if nginx and ours and \
            statistics.median(nginx) else ""
        return ratio, "", ""
    ours = data["pawshub"].get(metric)
    if not ours:
        return "", describe(rule), "no data"
    mine = statistics.median(ours)
    kind = rule[0]
    if kind in ("min", "max"):
        theirs = data["nginx"].get(metric)
        if not theirs or statistics.median(theirs) == 0:
            return "", describe(rule), "no data"
        ratio = mine / statistics.median(theirs)
        ok = ratio >= rule[1] if kind == "min" else ratio <= rule[1]
        return f"{ratio:.2f}", describe(rule), "PASS" if ok else "FAIL"
    if kind == "self_min":
        base = data["pawshub"].get(rule[1])
        if not base or statistics.median(base) == 0:
            return "", describe(rule), "no data"
        ratio = mine / statistics.median(base)
        return f"{ratio:.2f}", describe(rule), "PASS" if ratio >= rule[2] else "FAIL"
    ok = mine <= rule[1] if kind == "abs_max" else mine >= rule[1]
    return "", describe(rule), "PASS" if ok else "FAIL"


def describe(rule) -> str:
    kind = rule[0]
    if kind == "min":
        return f">= {rule[1]}x nginx"
    if kind == "max":
        return f"<= {rule[1]}x nginx"
    if kind == "abs_max":
        return f"<= {rule[1]:g}"
    if kind == "abs_min":
        return f">= {rule[1]:,.0f}"
    return f">= {rule[2]}x 10 routes"


def load(path: str):
    data: dict[str, dict[str, list[float]]] = {t: defaultdict(list) for t in TARGETS}
    notes: list[str] = []
    with open(path, encoding="utf-8") as results:
        for number, line in enumerate(results, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or parts[0] not in TARGETS:
                raise SystemExit(f"{path}:{number}: expected 'target<TAB>metric<TAB>value', got {line!r}")
            target, metric, value = parts
            if metric == "note":
                notes.append(f"{target}: {value}")
                continue
            try:
                data[target][metric].append(float(value))
            except ValueError:
                notes.append(f"{target}: {metric} had no numeric value ({value!r}) in one run")
    return data, notes


def table(path: str, header: list[str]) -> str:
    data, notes = load(path)
    columns = ["metric", *TARGETS, "ratio", "target", "result"]
    rows = []
    for label, metric, kind, rule in ROWS:
        if rule is None and not any(data[t].get(metric) for t in TARGETS):
            continue
        ratio, target, verdict = judge(rule, metric, data)
        rows.append([label, *(cell(data[t].get(metric, []), kind) for t in TARGETS), ratio, target, verdict])
    widths = [max(len(str(r[i])) for r in [columns, *rows]) for i in range(len(columns))]
    out = list(header)
    out.append("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    verdicts = [r[-1] for r in rows if r[-1]]
    out.append("")
    out.append(f"targets: {verdicts.count('PASS')} PASS, {verdicts.count('FAIL')} FAIL, "
               f"{verdicts.count('no data')} no data   (cells: median of runs, (min–max); ratio = pawshub/nginx)")
    out += [f"note: {n}" for n in notes]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    wrk = sub.add_parser("wrk")
    wrk.add_argument("file")
    tab = sub.add_parser("table")
    tab.add_argument("results")
    tab.add_argument("--out")
    tab.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    if args.command == "wrk":
        with open(args.file, encoding="utf-8", errors="replace") as f:
            try:
                parsed = parse_wrk(f.read())
            except ValueError as error:
                sys.exit(f"{args.file}: {error}")
        print(" ".join(f"{k}={v:g}" if k != "rps" else f"{k}={v:.2f}" for k, v in parsed.items()))
        return
    text = table(args.results, args.header)
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
