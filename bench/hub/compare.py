#!/usr/bin/env python3
"""Side-by-side table of one hub benchmark run: JupyterHub 6.1.1 vs PawsHub, ratios, targets, PASS/FAIL.

Reads the JSON-lines file workload.py and seed_db.py append to (labels `jupyterhub`/`jh-10k` and
`pawshub`/`ph-10k`); when a cell was measured more than once the last row wins, so re-running only the
PawsHub part (SKIP_JUPYTERHUB=1) replaces its rows. Exit status 0 even when targets fail: it reports.
"""
import json
import sys

JH, PH = "jupyterhub", "pawshub"
# JupyterHub 6.1.1 figures from bench/hub's README (same machine, quiet), used only when this run has no
# JupyterHub row for a cell (e.g. STEPS without big/coldstart); such values are marked with `*`.
# Hub CPU ms per request and req/s medians of the README's quiet-machine JupyterHub run (1k users): a second
# reference when this run's JupyterHub part ran under a different background load than the PawsHub part.
README_CELLS = {"a1": (0.97, 1026), "a16": (0.85, 1169), "a64": (0.82, 1221), "b": (2.24, 447), "c": (27.0, 37),
                "d": (7.1, 121)}
README_ANCHORS = {"cold_start_health_s": 5.70, "cold_start_api_s": 5.71, "rss_10k_mib": 158.2, "storm_s": 8.93}
# cell -> (what, minimum req/s ratio PawsHub/JupyterHub)
RATE_TARGETS = {"a1": ("identity c=1", 20), "a16": ("identity c=16", 20), "a64": ("identity c=64", 20),
                "b": ("user lookup c=16", 20), "c": ("listing 200 c=4", 20), "d": ("activity POST c=16", 20)}


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    print(f"skipping a malformed line in {path}", file=sys.stderr)
    return rows


def last(rows, **match):
    found = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    return found[-1] if found else None


def last_rss(rows, label, words):
    found = [r for r in rows if r.get("kind") == "rss" and r.get("label") == label and words in r.get("note", "")]
    return found[-1] if found else None


def fmt(value, unit=""):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}{unit}" if value < 10 else f"{value:,.0f}{unit}"
    return f"{value}{unit}"


def verdict(ok):
    return "-" if ok is None else ("PASS" if ok else "FAIL")


def main(path):
    rows = load(path)
    lines = []
    header = f"{'cell':34} {'JupyterHub':>14} {'PawsHub':>14} {'ratio':>8}  {'target':18} result"
    lines += [header, "-" * len(header)]

    def add(name, jh, ph, ratio, target, ok):
        lines.append(f"{name:34} {jh:>14} {ph:>14} {ratio:>8}  {target:18} {verdict(ok)}")

    for users, (jl, pl) in (("1k users", (JH, PH)), ("10k users", ("jh-10k", "ph-10k"))):
        for cell, (what, factor) in RATE_TARGETS.items():
            j, p = last(rows, kind="throughput", label=jl, cell=cell), last(rows, kind="throughput", label=pl, cell=cell)
            if not j and not p:
                continue
            jr = j["median"]["rps"] if j else None
            pr = p["median"]["rps"] if p else None
            errors = p["median"].get("errors", 0) if p else 0
            ratio = pr / jr if jr and pr else None
            ok = None if ratio is None else (ratio >= factor and not errors)
            # Targets apply to the 1k-user cells; the 10k rows are for information.
            target = f">= {factor}x req/s" if users == "1k users" else "(info)"
            note = f" ({errors} errors)" if errors else ""
            add(f"{cell} {what}, {users}{note}", fmt(jr, "/s"), fmt(pr, "/s"), fmt(ratio, "x"), target,
                ok if users == "1k users" else None)
            floor = last(rows, kind="throughput", label="floor", cell=cell) if users == "1k users" else None
            if floor:
                # At one connection a request is a loopback round trip: this is the most any hub reaches.
                fr = floor["median"]["rps"]
                add(f"  floor: nginx, same bytes, c={floor['median'].get('concurrency', 1)}", fmt(jr, "/s"),
                    fmt(fr, "/s"), fmt(fr / jr if jr else None, "x"), "(info: ceiling)", None)
                lines.append(f"  PawsHub at {fmt(pr / fr if pr else None, 'x')} of the floor; "
                             f"{factor}x JupyterHub would need {fmt(factor * jr / fr if jr else None, 'x')} of it")
        je, pe = last(rows, kind="throughput", label=jl, cell="e"), last(rows, kind="throughput", label=pl, cell="e")
        if je or pe:
            jw = je["median"]["wall_s"] if je else None
            pw = pe["median"]["wall_s"] if pe else None
            add(f"e burst of 200 (httpx), wall, {users}", fmt(jw, " s"), fmt(pw, " s"),
                fmt(jw / pw if jw and pw else None, "x"), "(info: client-bound)", None)
        je, pe = last(rows, kind="throughput", label=jl, cell="e-raw"), last(rows, kind="throughput", label=pl, cell="e-raw")
        if je or pe:
            jw = je["median"]["wall_s"] if je else None
            pw = pe["median"]["wall_s"] if pe else None
            perr = pe["median"].get("errors", 0) if pe else 0
            add(f"e burst of 200 (raw client), wall, {users}", fmt(jw, " s"), fmt(pw, " s"),
                fmt(jw / pw if jw and pw else None, "x"), "< 0.1 s", None if pw is None else (pw < 0.1 and not perr))
            floor = (pe or je).get("client_floor")
            if floor:
                add("  client alone (fake server), wall", "", fmt(floor["wall_s"], " s"), "", "(info)", None)

    anchored = []

    def anchor(value, key):
        """This run's JupyterHub value, else the README's (marked)."""
        if value is not None:
            return value, ""
        anchored.append(key)
        return README_ANCHORS[key], "*"

    js, ps = last(rows, kind="spawn_storm_raw", label=JH), last(rows, kind="spawn_storm_raw", label=PH)
    if js or ps:
        jt = js["time_all_ready_s"] if js else None
        pt = ps["time_all_ready_s"] if ps else None
        storm_ok = None if ps is None else (pt < 1.0 and ps.get("not_ready", 1) == 0)
        add("spawn storm 200 (raw client), ready", fmt(jt, " s"), fmt(pt, " s"), fmt(jt / pt if jt and pt else None, "x"),
            "< 1 s", storm_ok)
        for label, row in (("JupyterHub", js), ("PawsHub", ps)):
            if row:
                lines.append(f"  {label} raw storm: POST codes {row['post_codes']}, hub CPU {row.get('hub_cpu_s')} s, "
                             f"client CPU {row.get('client_cpu_s')} s")
    js, ps = last(rows, kind="spawn_storm", label=JH), last(rows, kind="spawn_storm", label=PH)
    jt, jt_mark = anchor(js["time_all_ready_s"] if js else None, "storm_s")
    pt = ps["time_all_ready_s"] if ps else None
    add("spawn storm 200 (httpx), all ready", fmt(jt, " s") + jt_mark, fmt(pt, " s"), fmt(jt / pt if jt and pt else None, "x"),
        "(info)", None)

    jc, pc = last(rows, kind="cold_start", label=JH), last(rows, kind="cold_start", label=PH)
    jh_t, jh_mark = anchor(jc["t_health_200_s"] if jc else None, "cold_start_health_s")
    ph_t = pc["t_health_200_s"] if pc else None
    add("cold start 10k/1k to /hub/health", fmt(jh_t, " s") + jh_mark, fmt(ph_t, " s"),
        fmt(jh_t / ph_t if jh_t and ph_t else None, "x"), "< 0.3 s", None if ph_t is None else ph_t < 0.3)
    ja, ja_mark = anchor(jc["t_api_user_200_s"] if jc else None, "cold_start_api_s")
    pa = pc["t_api_user_200_s"] if pc else None
    add("cold start to GET /users/bu09999", fmt(ja, " s") + ja_mark, fmt(pa, " s"),
        fmt(ja / pa if ja and pa else None, "x"), "(info)", None)

    jr = last_rss(rows, JH, "after cold start")
    pr = last_rss(rows, PH, "after cold start")
    jm, jm_mark = anchor(jr["rss_mib"] if jr else None, "rss_10k_mib")
    pm = pr["rss_mib"] if pr else None
    add("RSS idle, 10k users, 1k running", fmt(jm, " MiB") + jm_mark, fmt(pm, " MiB"),
        fmt(jm / pm if jm and pm else None, "x"), "<= 16 MiB", None if pm is None else pm <= 16)
    # The same processes split: anonymous memory (what the hub itself allocates, what grows with users)
    # and file-backed pages (the mapped binary and libraries, shared with the page cache).
    if jr or pr:
        for key, what in (("rss_anon_mib", "anonymous"), ("rss_file_mib", "file-backed")):
            ja, pa = (jr or {}).get(key), (pr or {}).get(key)
            if ja is not None or pa is not None:
                add(f"  of which {what}", fmt(ja, " MiB"), fmt(pa, " MiB"),
                    fmt(ja / pa if ja and pa else None, "x"), "(info)", None)
    for note, label in (("RSS idle, 1k users, before load", "before load"),
                        ("RSS idle, 10k, after seeding+spawns", "hub up since seeding")):
        j, p = last_rss(rows, JH, label), last_rss(rows, PH, label)
        add(note, fmt(j["rss_mib"] if j else None, " MiB"), fmt(p["rss_mib"] if p else None, " MiB"),
            "", "(info)", None)
    jb, pb = last(rows, kind="spawn_bounded", label=JH), last(rows, kind="spawn_bounded", label=PH)
    if jb or pb:
        add("800 spawns, 16 in flight", fmt(jb["time_all_ready_s"] if jb else None, " s"),
            fmt(pb["time_all_ready_s"] if pb else None, " s"), "", "(info)", None)
    for label, name in ((JH, "JupyterHub"), (PH, "PawsHub")):
        seeds = [r for r in rows if r.get("kind") == "seed" and r.get("label") == label]
        if seeds:
            lines.append(f"seeding {name}: " + ", ".join(f"{r['n']} users in {r['seconds']} s" for r in seeds))
    if anchored:
        lines.append("* not measured for JupyterHub in this run: README anchor (quiet machine), ratio indicative only")
    lines += ["", "hub CPU per request (robust to background load; README = JupyterHub on a quiet machine):",
              f"{'cell':6} {'JupyterHub ms':>14} {'PawsHub ms':>11} {'CPU ratio':>10} {'README JH ms':>13} "
              f"{'vs README':>10} {'PawsHub/README req/s':>21}"]
    for cell in RATE_TARGETS:
        j, p = last(rows, kind="throughput", label=JH, cell=cell), last(rows, kind="throughput", label=PH, cell=cell)
        jc = j["median"].get("hub_cpu_ms_per_req") if j else None
        pc = p["median"].get("hub_cpu_ms_per_req") if p else None
        rc, rr = README_CELLS[cell]
        pr = p["median"]["rps"] if p else None
        lines.append(f"{cell:6} {fmt(jc):>14} {fmt(pc):>11} {fmt(jc / pc if jc and pc else None, 'x'):>10} {rc:>13} "
                     f"{fmt(rc / pc if pc else None, 'x'):>10} {fmt(pr / rr if pr else None, 'x'):>21}")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: compare.py RESULTS.jsonl")
    main(sys.argv[1])
