"""Renders bench.py's results: a plain table on stdout and bench/RESULTS.md.

Hand-written parts of RESULTS.md survive a re-render: everything between `<!-- keep:NAME -->` and
`<!-- /keep:NAME -->` markers is carried over (the block-length experiment, which blocklen.py writes, and
the notes)."""
import os
import re
import statistics

TOOLS = ("strata", "borg", "restic")
KEEP_RE = re.compile(r"<!-- keep:(\w+) -->\n(.*?)<!-- /keep:\1 -->", re.S)


def mib(b):
    return b / 2**20


def fmt_bytes(b):
    if b is None:
        return "-"
    if abs(b) >= 2**30:
        return f"{b / 2**30:.2f} GiB"
    if abs(b) >= 2**20:
        return f"{b / 2**20:.2f} MiB"
    if abs(b) >= 2**10:
        return f"{b / 2**10:.1f} KiB"
    return f"{b} B"


def fmt_s(s):
    if s is None or s != s:
        return "-"
    return f"{s:.3f} s" if s < 10 else f"{s:.1f} s"


def fmt_ratio(r):
    if r is None or r != r:
        return "-"
    return f"{r:.2f}x"


def star(m):
    return "*" if m and m.get("disturbed") else ""


def series_stats(recs):
    """Median wall time (disturbed samples left out while at least half are clean), median CPU and
    median / total store growth over the later versions."""
    if not recs:
        return None
    clean = [r for r in recs if not r["disturbed"]]
    use = clean if len(clean) * 2 >= len(recs) else recs
    return {
        "wall": statistics.median(r["wall"] for r in use),
        "cpu": statistics.median(r["cpu"] for r in recs),
        "growth": statistics.median(r["growth"] for r in recs),
        "growth_total": sum(r["growth"] for r in recs),
        "n": len(recs), "disturbed": len(recs) - len(clean),
        "added": statistics.median(r["added_bytes"] for r in recs) if "added_bytes" in recs[0] else None,
    }


def targets(R):
    out = []

    def add(name, goal, value_desc, ok, note=""):
        out.append({"target": name, "goal": goal, "measured": value_desc, "pass": ok, "note": note})

    sq = {t: series_stats(R.get("incr", {}).get("sqlite", {}).get(t, [])) for t in TOOLS}
    if sq["strata"] and sq["borg"]:
        r = sq["strata"]["growth"] / sq["borg"]["growth"]
        add("store growth per SQLite version", "<= 0.4x borg",
            f"{fmt_bytes(sq['strata']['growth'])} vs borg {fmt_bytes(sq['borg']['growth'])} = {fmt_ratio(r)}", r <= 0.4)
    for ds, label in (("tree", "source tree release"), ("sqlite", "SQLite version")):
        st = {t: series_stats(R.get("incr", {}).get(ds, {}).get(t, [])) for t in TOOLS}
        if st["strata"] and st["borg"]:
            r = st["strata"]["wall"] / st["borg"]["wall"]
            add(f"incremental backup time, {label}", "<= 0.5x borg",
                f"{fmt_s(st['strata']['wall'])} vs borg {fmt_s(st['borg']['wall'])} = {fmt_ratio(r)}", r <= 0.5)
    for ds, label in (("usr", "1 GiB /usr/lib set"), ("tree", "source tree (release 1)"), ("small", "100k small files")):
        f = R.get("first", {}).get(ds, {})
        if "strata" in f and "restic" in f:
            r = f["strata"]["mibps"] / f["restic"]["mibps"]
            add(f"first backup speed, {label}", ">= restic (1.00x)",
                f"{f['strata']['mibps']:.1f} vs restic {f['restic']['mibps']:.1f} MiB/s = {fmt_ratio(r)}", r >= 1.0)
    nc = R.get("nochange", {})
    for key in ("warm", "cold"):
        if key in nc and "strata" in nc[key]:
            r = nc[key]["strata"]["wall"] / nc[key]["find"]["wall"]
            add(f"no-change backup of the small files ({key})", "<= 3x the find walk",
                f"{fmt_s(nc[key]['strata']['wall'])} vs find {fmt_s(nc[key]['find']['wall'])} = {fmt_ratio(r)}",
                r <= 3.0, "the target" if key == "warm" else "for information")
    ch = R.get("chain", {})
    for key in ("cold", "warm"):
        a, b = ch.get(f"restore depth 1 {key}"), ch.get(f"restore depth 50 {key}")
        if a and b:
            r = b["wall"] / a["wall"]
            add(f"restore at depth 50 vs depth 1 ({key})", "<= 1.5x",
                f"{fmt_s(b['wall'])} vs {fmt_s(a['wall'])} = {fmt_ratio(r)}", r <= 1.5)
    return out


def tables(R):
    """Returns a list of (title, header, rows, footnote)."""
    T = []
    sizes = R["workloads"]["bytes"]
    files = R["workloads"]["files"]

    # First backups.
    rows = []
    names = {"tree": f"source tree, release 1 ({mib(sizes['tree']):.0f} MiB, {files['tree']} files)",
             "small": f"small files ({mib(sizes['small']):.0f} MiB, {files['small']} files)",
             "usr": f"/usr/lib set ({mib(sizes['usr']):.0f} MiB, {files['usr']} files)",
             "sqlite": f"SQLite v1 ({mib(sizes['sqlite']):.0f} MiB, 1 file; one run)"}
    for ds in ("tree", "small", "usr", "sqlite"):
        f = R["first"].get(ds)
        if not f:
            continue
        row = [names[ds]]
        for t in TOOLS:
            row.append(f"{f[t]['mibps']:.1f} ({fmt_s(f[t]['wall'])}){star(f[t])}")
        row.append(fmt_ratio(f["strata"]["mibps"] / f["restic"]["mibps"]))
        row.append(fmt_ratio(f["strata"]["mibps"] / f["borg"]["mibps"]))
        row.append(" / ".join(fmt_bytes(f[t]["store_bytes"]) for t in TOOLS))
        rows.append(row)
    T.append(("First backup, MiB/s (median wall time), cold page cache, fresh repository",
              ["workload", "strata", "borg", "restic", "strata/restic speed", "strata/borg speed",
               "store size strata / borg / restic"], rows,
              "Median of the repetitions (SQLite v1: a single run, as the start of its series)."))

    # Incremental backups.
    rows = []
    for ds, label in (("tree", "source tree, per release"), ("sqlite", "SQLite, per version")):
        st = {t: series_stats(R["incr"].get(ds, {}).get(t, [])) for t in TOOLS}
        if not st["strata"]:
            continue
        row = [f"{label} ({st['strata']['n']} backups)"]
        for t in TOOLS:
            d = f" [{st[t]['disturbed']} disturbed]" if st[t]["disturbed"] else ""
            row.append(f"{fmt_s(st[t]['wall'])} (cpu {fmt_s(st[t]['cpu'])}){d}")
        row.append(fmt_ratio(st["strata"]["wall"] / st["borg"]["wall"]))
        row.append(fmt_ratio(st["strata"]["wall"] / st["restic"]["wall"]))
        rows.append(row)
    T.append(("Incremental backup time, median over the later versions (source warm in the page cache)",
              ["workload", "strata", "borg", "restic", "strata/borg", "strata/restic"], rows,
              "cpu = user+sys of the backup process tree. Samples during which other processes used more than "
              "0.3 cores are 'disturbed' and left out of the median while at least half are clean."))

    # Store growth.
    rows = []
    for ds, label in (("tree", "source tree, per release"), ("sqlite", "SQLite, per version")):
        st = {t: series_stats(R["incr"].get(ds, {}).get(t, [])) for t in TOOLS}
        if not st["strata"]:
            continue
        row = [label]
        for t in TOOLS:
            row.append(f"{fmt_bytes(st[t]['growth'])} (total {fmt_bytes(st[t]['growth_total'])})")
        row.append(fmt_ratio(st["strata"]["growth"] / st["borg"]["growth"]))
        row.append(fmt_ratio(st["strata"]["growth"] / st["restic"]["growth"]))
        row.append(fmt_bytes(st["strata"]["added"]))
        rows.append(row)
    T.append(("Store growth per version (`du -sb` of the repository after minus before), median",
              ["workload", "strata", "borg", "restic", "strata/borg", "strata/restic", "strata added_bytes"], rows,
              "total = sum over all later versions. added_bytes is strata's own count from `snapshots --json`."))

    # Per-version detail for SQLite.
    sq = R["incr"].get("sqlite", {})
    if sq.get("strata"):
        rows = []
        for i, rec in enumerate(sq["strata"]):
            row = [f"v{rec['version']}"]
            for t in TOOLS:
                r = sq[t][i]
                row.append(f"{fmt_s(r['wall'])}{'*' if r['disturbed'] else ''} / {fmt_bytes(r['growth'])}")
            rows.append(row)
        T.append(("SQLite series, each version: backup wall time / store growth",
                  ["version", "strata", "borg", "restic"], rows, "* disturbed sample."))

    # No-change.
    nc = R.get("nochange", {})
    rows = []
    for key in ("warm", "cold"):
        if key not in nc:
            continue
        row = [f"{key} cache"]
        for t in TOOLS:
            row.append(f"{fmt_s(nc[key][t]['wall'])}{star(nc[key][t])}")
        row.append(f"{fmt_s(nc[key]['find']['wall'])}{star(nc[key]['find'])}")
        row.append(fmt_ratio(nc[key]["strata"]["wall"] / nc[key]["find"]["wall"]))
        row.append(fmt_ratio(nc[key]["borg"]["wall"] / nc[key]["find"]["wall"]))
        row.append(fmt_ratio(nc[key]["restic"]["wall"] / nc[key]["find"]["wall"]))
        rows.append(row)
    if rows:
        T.append((f"No-change backup of the small files ({files['small']} files), median wall time",
                  ["page cache", "strata", "borg", "restic", "find walk", "strata/find", "borg/find", "restic/find"],
                  rows, "find walk = `find DIR -printf '%s %T@ %C@ %i\\n' > /dev/null`. Cold: caches dropped "
                  "before each run (for the tools this includes reading their own repository metadata)."))

    # Restore.
    rows = []
    rnames = {"usr": "/usr/lib set", "tree": "source tree, last release", "sqlite": "SQLite, last version"}
    for ds in ("usr", "tree", "sqlite"):
        r = R["restore"].get(ds)
        if not r:
            continue
        row = [f"{rnames[ds]} ({mib(sizes[ds]):.0f} MiB)"]
        for t in TOOLS + ("cp -a",):
            row.append(f"{r[t]['mibps']:.0f} ({fmt_s(r[t]['wall'])}){star(r[t])}")
        row.append(fmt_ratio(r["strata"]["mibps"] / r["cp -a"]["mibps"]))
        rows.append(row)
    T.append(("Restore of a whole snapshot, MiB/s (median wall time), cold page cache",
              ["snapshot", "strata", "borg", "restic", "cp -a of the source", "strata/cp speed"], rows,
              "Restores write into the page cache (no sync inside the timing), the same for cp -a."))

    # cat.
    c = R.get("cat", {})
    if c:
        n = R["config"]["db_versions"]
        rows = []
        for key in sorted(k for k in c if k.startswith("depth")):
            depth = int(key.split()[1])
            temp = key.split()[2]
            base = c[f"plain cat {temp}"]
            rows.append([f"SQLite v{depth + 1}, depth {depth}", temp, f"{c[key]['mibps']:.0f}{star(c[key])}",
                         f"{base['mibps']:.0f}", fmt_ratio(c[key]["mibps"] / base["mibps"])])
        T.append((f"`strata cat` of the SQLite file ({mib(sizes['sqlite']):.0f} MiB), MiB/s, vs `cat` of the plain file",
                  ["version", "cache", "strata cat", "cat", "strata/cat speed"], rows,
                  f"The series has {n} versions, so the deepest delta is depth {n - 1}. Cold: caches dropped before "
                  "each run; warm: the store (or the file) is in the page cache."))

    ch = R.get("chain", {})
    if ch:
        rows = []
        for what in ("cat", "restore"):
            for depth in (1, 10, 50):
                for temp in ("cold", "warm"):
                    k = f"{what} depth {depth} {temp}"
                    if k not in ch:
                        continue
                    base = ch[f"plain cat {temp}"]
                    d1 = ch[f"{what} depth 1 {temp}"]
                    rows.append([f"strata {what}, depth {depth}", temp, f"{ch[k]['mibps']:.0f}{star(ch[k])}",
                                 fmt_s(ch[k]["wall"]), f"{base['mibps']:.0f}",
                                 fmt_ratio(ch[k]["mibps"] / base["mibps"]), fmt_ratio(ch[k]["wall"] / d1["wall"])])
        T.append((f"Deep delta chain: a {mib(sizes['chain']):.0f} MiB random file, "
                  f"{R['config']['chain_versions']} versions of {R['config']['chain_edits']} scattered 4 KiB edits "
                  "(`--max-chain 60`)",
                  ["read", "cache", "MiB/s", "wall", "plain cat MiB/s", "vs cat speed", "time vs depth 1"], rows,
                  f"Backup per version: median {fmt_s(ch['backup_wall_median'])}, store growth median "
                  f"{fmt_bytes(ch['growth_median'])} for {fmt_bytes(ch['edit_bytes_per_version'])} of edits."))
    return T


def sections(tables):
    """Markdown lines for (title, header, rows, footnote) tables, each under its own heading."""
    out = []
    for title, header, rows, foot in tables:
        out += [f"### {title}\n", md_table(header, rows), ""]
        if foot:
            out.append(foot + "\n")
    return out


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        out.append("| " + " | ".join(str(x) for x in r) + " |")
    return "\n".join(out)


def text_table(header, rows):
    cols = [header] + rows
    widths = [max(len(str(r[i])) for r in cols) for i in range(len(header))]
    line = lambda r: "  ".join(str(x).ljust(w) for x, w in zip(r, widths))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def mount_section(M, MT):
    """The Mount section: mount_bench.py's own run (date, binary, time), its tables, notes and checks."""
    import mount_report

    m = M["machine"]
    L = ["## Mount\n",
         f"Measured by `bench/run.sh{' --quick' if M['config']['mode'] == 'quick' else ''} --only mount` on "
         f"{M['date']} ({M.get('seconds', 0) / 60:.1f} min, of which "
         f"{M.get('waited_for_quiet_seconds', 0) / 60:.0f} min waiting for a quiet machine) with "
         f"{m['versions']['strata']} (git {m['git_head']}), {m['versions']['borg']} (with llfuse), "
         f"{m['versions']['restic'].splitlines()[0]}; its targets are the `mount:` rows above. Each figure's "
         "baseline and the three mounts were measured in the same run.\n"]
    L += sections(MT)
    L += mount_report.notes(M) + [""]
    if M.get("checks"):
        L.append("### Mount correctness checks\n")
        L.append(md_table(["check", "result"], [[c["what"], ("ok" if c["ok"] else "FAILED " + c["detail"])]
                                                 for c in M["checks"]]))
        L.append("")
    L.append(md_table(["mount phase", "seconds"], [[k, v] for k, v in M.get("phase_seconds", {}).items()]))
    L.append("")
    return L


def emit(R, out_dir):
    import mount_report  # here, not at the top: mount_report imports this module's formatters

    M = R.get("mount")
    T = tables(R) if "workloads" in R else []
    MT = mount_report.tables(M) if M else []
    tg = targets(R) + (mount_report.targets(M) if M else [])
    quick = R["config"]["mode"] == "quick"
    # stdout
    print()
    for title, header, rows, _ in T + MT:
        print(title)
        print(text_table(header, rows))
        print()
    print("Targets")
    print(text_table(["target", "goal", "measured", "result"],
                     [[t["target"], t["goal"], t["measured"], "PASS" if t["pass"] else "FAIL"] for t in tg]))
    print()
    for c in R.get("checks", []) + (M or {}).get("checks", []):
        if not c["ok"]:
            print(f"CHECK FAILED: {c['what']} {c['detail']}")

    name = "RESULTS-quick.md" if quick else "RESULTS.md"
    path = os.path.join(out_dir, name)
    kept = {}
    if os.path.exists(path):
        with open(path) as f:
            kept = {m.group(1): m.group(2) for m in KEEP_RE.finditer(f.read())}
    m = R["machine"]
    L = []
    L.append(f"# strata benchmark results{' (quick mode)' if quick else ''}\n")
    L.append(f"Produced by `bench/run.sh{' --quick' if quick else ''}` on {m['date']}; total run time "
             f"{R.get('total_seconds', 0) / 60:.1f} min. Raw numbers: `bench/results{'-quick' if quick else ''}.json`.\n")
    reruns = R.get("reruns", [])
    if reruns:
        L.append("Phases re-run afterwards with the same strata binary, because the full run's figures were "
                 "disturbed by other engineers' builds (their figures replace the full run's):\n")
        for r in reruns:
            L.append(f"- {r['date']}: {', '.join(r['phases'])} ({r.get('seconds', 0) / 60:.1f} min)")
        L.append("")
    L.append(f"Waiting for a quiet machine took {R.get('waited_for_quiet_seconds', 0) / 60:.0f} min of the run.\n")
    L.append("## Machine\n")
    L.append(md_table(["", ""], [
        ["CPU", f"{m['cpu']} ({m['nproc']} cores)"],
        ["RAM", f"{m['ram_bytes'] / 2**30:.1f} GiB"],
        ["OS / kernel", f"{m['os']} / {m['kernel']}"],
        ["scratch file system", f"{m['scratch_fs']} on {m['scratch_dev']} ({m['scratch']})"],
        ["strata", f"{m['versions']['strata']} (git {m['git_head']}, {m['git_modified_files']} tracked files "
                   "modified in the shared work tree at the time), Release build"],
        ["borg", m["versions"]["borg"] + " (`borg init -e none`, `--compression zstd,3`, default chunker)"],
        ["restic", m["versions"]["restic"].splitlines()[0] + " (repository v2, compression auto, RESTIC_PASSWORD=x)"],
    ]))
    L.append("")
    L.append("Caveat: the 2 cores are shared with other engineers, who were compiling at times during the run. "
             "Every timed command records the CPU that other processes used while it ran (from /proc/stat); "
             "before each measurement the harness waits (up to 60 s) for the machine to be quiet, repeated "
             "measurements redo a sample disturbed by more than 0.3 cores of foreign load, and figures that "
             "still include a disturbed sample are marked `*`. CPU times (user+sys) are given where wall "
             "time alone could mislead.\n")
    L.append("## Targets\n")
    L.append(md_table(["target", "goal", "measured", "result", "note"],
                      [[t["target"], t["goal"], t["measured"], "**PASS**" if t["pass"] else "**FAIL**", t["note"]]
                       for t in tg]))
    L.append("")
    L.append("## Figures\n")
    L.append("Ratios are strata over the baseline named in the column. Timing figures are medians of "
             f"{R['config']['reps']} runs unless a table says otherwise.\n")
    L += sections(T)
    checks = R.get("checks", [])
    if checks:
        L.append("### Correctness checks made during the run\n")
        L.append(md_table(["check", "result"], [[c["what"], ("ok" if c["ok"] else "FAILED " + c["detail"])]
                                                 for c in checks]))
        L.append("")
    L.append("### Time per phase\n")
    L.append(md_table(["phase", "seconds"], [[k, v] for k, v in R.get("phase_seconds", {}).items()]))
    L.append("")
    if M:
        L += mount_section(M, MT)
    for name_, title in (("blocklen", "Block-length experiment"), ("notes", "Observations")):
        L.append(f"## {title}\n")
        body = kept.get(name_, f"(not run yet; see bench/README.md)\n")
        L.append(f"<!-- keep:{name_} -->\n{body}<!-- /keep:{name_} -->\n")
    with open(path, "w") as f:
        f.write("\n".join(L))
    print(f"wrote {path}")
