"""Renders mount_bench.py's figures (results["mount"]): the Mount section's tables and its target rows,
in report.py's shapes."""
from report import TOOLS, fmt_bytes, fmt_ratio, fmt_s, star

TEMPS = ("cold", "warm")
DEPTHS = (1, 10, 50)


def fmt_us(us):
    return "-" if us is None else f"{us:.0f} µs" if us < 10000 else f"{us / 1000:.1f} ms"


def cell(res, tool, key, fmt):
    v = res.get(tool, {}).get(key)
    return f"{fmt(v)}{star(v)}" if v else "-"


def tables(M):
    T = []
    n = M.get("time", {}).get("snapshots", {}).get("history") or M["config"]["history"]
    files = M.get("files", {})
    what = (f"{files['files']} files ({fmt_bytes(files['bytes'])})" if files else "")

    t = M.get("time")
    if t:
        rows = []
        for store, label in (("one", "1 snapshot"), ("history", f"{n} snapshots")):
            for temp in TEMPS:
                rows.append([f"{label} of {what}", temp] +
                            [cell(t, tool, f"{store} {temp}", lambda v: fmt_s(v["wall"])) for tool in TOOLS])
        T.append(("Mount time: from starting the mount until it lists every snapshot",
                  ["store", "page cache", *TOOLS], rows,
                  "Each mount served in the foreground by a process the benchmark starts; the time runs until "
                  "the listing (strata, borg: the mount's root; restic: its ids/) holds every snapshot. "
                  "Cold: page cache dropped before the mount. strata without -f returns at the same point."))

    s = M.get("seq")
    if s:
        rows = []
        for temp in TEMPS:
            base = s.get("plain", {}).get(temp)
            if not base:
                continue
            rows.append([temp, f"{base['mibps']:.0f}{star(base)}"] +
                        [cell(s, tool, temp, lambda v: f"{v['mibps']:.0f}") for tool in TOOLS] +
                        [fmt_ratio(s["strata"][temp]["mibps"] / base["mibps"]) if temp in s.get("strata", {}) else "-"])
        T.append((f"Sequential read of a {fmt_bytes(s['bytes'])} random file, MiB/s (median)",
                  ["page cache", "cat of the plain file", *(f"cat via {x} mount" for x in TOOLS), "strata/plain"],
                  rows,
                  "Cold: each run on a fresh mount (strata: a fresh cache directory, when it has --cache-dir), "
                  "page cache dropped after mounting. Warm: the same mount, the file read once already."))

    r = M.get("rand")
    if r:
        base = r.get("plain cold")
        rows = []
        for depth in DEPTHS:
            for temp in TEMPS:
                key = f"depth {depth} {temp}"
                row = [f"depth {depth}", temp]
                row += [cell(r, tool, key, lambda v: f"{fmt_us(v['p50_us'])} / {fmt_us(v['p99_us'])}") for tool in TOOLS]
                st = r.get("strata", {}).get(key)
                row.append(fmt_ratio(st["p50_us"] / base["p50_us"]) if st and base else "-")
                rows.append(row)
        if base:
            rows.append(["plain file", "cold", f"pread: {fmt_us(base['p50_us'])} / {fmt_us(base['p99_us'])}{star(base)}",
                         "", "", "1.00x"])
        T.append((f"Random 4 KiB reads of a {fmt_bytes(r['bytes'])} file, latency p50 / p99 (median of the runs' "
                  f"percentiles, {r['reads']} reads a run)",
                  ["version", "mount state", *TOOLS, "strata p50 / plain p50"], rows,
                  "Version at depth N: the file after N rounds of scattered 4 KiB in-place edits, each backed up "
                  "(strata: every version a delta, so depth N is a chain of N deltas). pread with "
                  "POSIX_FADV_RANDOM; the page cache is dropped before every run. Cold: a fresh mount "
                  "(and strata cache directory). Warm: the mount has read the whole version once (strata's "
                  "extent map and cache hold it). borg and restic keep whole decoded chunks in the mount "
                  "process, so after a chunk's first read the other reads in it are memory reads: with a "
                  "file of few chunks, even their cold p50 is one."))

    tr = M.get("tree")
    if tr and "plain" in tr:
        rows = []
        for key, label in (("diff", f"`diff -r` of snapshots 1 and 2 ({files.get('changed_v2', '?')} files differ)"),
                           ("cp", "`cp -a` of snapshot 1")):
            base = tr["plain"][key]
            row = [label, f"{fmt_s(base['wall'])}{star(base)}"]
            row += [cell(tr, tool, key, lambda v: fmt_s(v["wall"])) for tool in TOOLS]
            st = tr.get("strata", {}).get(key)
            row.append(fmt_ratio(st["wall"] / base["wall"]) if st else "-")
            rows.append(row)
        T.append((f"Whole snapshots of {what}, median wall time, cold",
                  ["operation", "plain copies", *(f"{x} mount" for x in TOOLS), "strata/plain"], rows,
                  "Cold: each run on a fresh mount, page cache dropped after mounting; the plain runs with the "
                  "page cache dropped. cp -a writes into the page cache (no sync)."))
        rows = []
        for tool in TOOLS:
            ra = tr.get(tool, {}).get("read_all")
            if ra:
                rows.append([tool, fmt_bytes(ra["VmHWM"]), fmt_bytes(ra["VmRSS"]),
                             f"{fmt_s(ra['wall'])}{'*' if ra['disturbed'] else ''}"])
        if rows:
            T.append((f"Mount process memory after reading every file of all {n} snapshots",
                      ["mount", "VmHWM (peak)", "VmRSS", "time to read them all"], rows,
                      "From /proc/PID/status of the process serving the mount (strata: the daemon, run with -f). "
                      "Read with `find MOUNT -type f -exec cat {} +`. Measured for: "
                      f"{M['config'].get('read_all', 'strata').replace(',', ', ')}."))
    return T


def notes(M):
    out = []
    for tool, why in M.get("unavailable", {}).items():
        out.append(f"- {tool}: no figures; {why}")
    out.append("- strata mount " + ("has `--cache-dir`: every cold run used a fresh cache directory."
                                    if M.get("strata_cache_dir") else
                                    "has no `--cache-dir` in this binary: cold runs use a fresh mount only."))
    counters = [(k, v["cache_counters"]) for ph in ("seq", "rand", "tree") for k, v in
                M.get(ph, {}).get("strata", {}).items() if isinstance(v, dict) and "cache_counters" in v]
    if counters:
        out.append("- strata cache counters (extended attributes of the mount root) after each measurement: " +
                   "; ".join(f"{k}: " + ", ".join(f"{n}={x}" for n, x in c.items()) for k, c in counters))
    return out


def targets(M):
    out = []

    def add(name, goal, measured, ok, note=""):
        out.append({"target": "mount: " + name, "goal": goal, "measured": measured, "pass": ok, "note": note})

    s = M.get("seq", {})
    for temp, goal in (("warm", 0.8), ("cold", 0.5)):
        a, b = s.get("strata", {}).get(temp), s.get("plain", {}).get(temp)
        if a and b:
            r = a["mibps"] / b["mibps"]
            add(f"sequential read ({temp})", f">= {goal}x cat of the plain file",
                f"{a['mibps']:.0f} vs {b['mibps']:.0f} MiB/s = {fmt_ratio(r)}", r >= goal)
    r_ = M.get("rand", {})
    base = r_.get("plain cold")
    for depth in DEPTHS:
        a = r_.get("strata", {}).get(f"depth {depth} cold")
        if a and base:
            r = a["p50_us"] / base["p50_us"]
            add(f"random 4 KiB read p50, cold, depth {depth}", "<= 3x pread of the plain file",
                f"{fmt_us(a['p50_us'])} vs {fmt_us(base['p50_us'])} = {fmt_ratio(r)}", r <= 3.0)
    a, b = r_.get("strata", {}).get("depth 50 warm"), r_.get("strata", {}).get("depth 1 warm")
    if a and b:
        r = a["p50_us"] / b["p50_us"]
        add("random read p50 at depth 50 vs depth 1 (extent map cached)", "<= 2x",
            f"{fmt_us(a['p50_us'])} vs {fmt_us(b['p50_us'])} = {fmt_ratio(r)}", r <= 2.0)
    tr = M.get("tree", {})
    a, b = tr.get("strata", {}).get("cp"), tr.get("plain", {}).get("cp")
    if a and b:
        r = a["wall"] / b["wall"]
        add("`cp -a` of a snapshot (cold)", "<= 2x cp -a of the plain copy",
            f"{fmt_s(a['wall'])} vs {fmt_s(b['wall'])} = {fmt_ratio(r)}", r <= 2.0)
    a, b = tr.get("strata", {}).get("diff"), tr.get("plain", {}).get("diff")
    if a and b:
        r = a["wall"] / b["wall"]
        add("`diff -r` across snapshots (cold)", "faster than diff -r of plain copies",
            f"{fmt_s(a['wall'])} vs {fmt_s(b['wall'])} = {fmt_ratio(r)}", r < 1.0)
    t = M.get("time", {}).get("strata", {})
    n = M.get("time", {}).get("snapshots", {}).get("history", "N")
    for store, label in (("one", "1 snapshot"), ("history", f"{n} snapshots")):
        for temp in ("cold", "warm"):
            v = t.get(f"{store} {temp}")
            if v:
                add(f"mount time, {label} ({temp})", "< 0.2 s", fmt_s(v["wall"]), v["wall"] < 0.2,
                    "" if temp == "cold" else "for information")
    ra = tr.get("strata", {}).get("read_all")
    if ra:
        add(f"daemon memory after reading all {n} snapshots", "VmHWM < 200 MiB",
            f"VmHWM {fmt_bytes(ra['VmHWM'])}, VmRSS {fmt_bytes(ra['VmRSS'])}", ra["VmHWM"] < 200 * 2**20,
            "" if n == 100 else f"the target is for 100 snapshots; this run had {n}")
    return out
