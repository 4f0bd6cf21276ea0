#!/usr/bin/env python3
"""strata benchmark driver: builds the workloads under a scratch directory, measures strata, borg, restic
and a native baseline side by side, and writes the results (bench/results.json, bench/RESULTS.md).

  bench.py run --strata BIN --scratch DIR [--quick]
  bench.py report RESULTS_JSON          (re-render RESULTS.md and the table from saved numbers)

bench/run.sh is the entry point: it installs dependencies, builds strata and picks the scratch directory.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_files  # noqa: E402
import gen_sqlite  # noqa: E402
import gen_tree  # noqa: E402
import harness  # noqa: E402
import report  # noqa: E402
from harness import say  # noqa: E402
from tools import Borg, Restic, Strata  # noqa: E402

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)

FULL = dict(mode="full", tree_mb=0, releases=10, db_mb=400, db_versions=10, small_count=100000, small_dirs=300,
            usr_mb=1024, chain_mb=64, chain_versions=50, chain_edits=64, reps=3)
QUICK = dict(mode="quick", tree_mb=40, releases=4, db_mb=64, db_versions=4, small_count=10000, small_dirs=60,
             usr_mb=150, chain_mb=16, chain_versions=50, chain_edits=16, reps=3)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                return h.hexdigest()
            h.update(b)


def rmrf(path):
    if os.path.lexists(path):
        shutil.rmtree(path)


class Repos:
    """The repositories of a benchmark: one per tool and data set under self.r."""

    def repo(self, tool, dataset):
        return os.path.join(self.r, f"{tool.name}-{dataset}")

    def fresh_repo(self, tool, dataset):
        path = self.repo(tool, dataset)
        rmrf(path)
        tool.init(path)
        return path


def machine_info(scratch, tools):
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    fs = harness.capture(["df", "-T", scratch]).splitlines()[-1].split()
    try:
        head = subprocess.run(["git", "-C", REPO_DIR, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO_DIR, "status", "--porcelain", "--untracked-files=no"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
        dirty_files = len([l for l in dirty.splitlines() if l.strip()])
    except OSError:
        head, dirty_files = "?", 0
    return {
        "nproc": os.cpu_count(), "ram_bytes": mem, "cpu": cpu, "kernel": platform.release(),
        "os": harness.capture(["sh", "-c", ". /etc/os-release; echo $PRETTY_NAME"]).strip(),
        "scratch": scratch, "scratch_fs": fs[1], "scratch_dev": fs[0],
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": {t.name: t.version() for t in tools},
        "git_head": head, "git_modified_files": dirty_files,
        "strata_sha256": sha256(tools[0].bin),
    }


class Bench(Repos):
    def __init__(self, args, cfg):
        self.cfg = cfg
        self.scr = args.scratch
        self.w = os.path.join(self.scr, "w")
        self.r = os.path.join(self.scr, "r")
        self.dest = os.path.join(self.scr, "restore")
        for d in (self.w, self.r):
            os.makedirs(d, exist_ok=True)
        self.strata = Strata(args.strata)
        self.borg = Borg(os.path.join(self.scr, "borgbase"))
        self.restic = Restic(os.path.join(self.scr, "resticcache"))
        self.tools = [self.strata, self.borg, self.restic]
        self.R = {"config": cfg, "first": {}, "incr": {}, "nochange": {}, "restore": {}, "cat": {}, "chain": {},
                  "checks": [], "phase_seconds": {}}
        self.reps = cfg["reps"]
        self.rerun = False

    def check(self, what, ok, detail=""):
        self.R["checks"].append({"what": what, "ok": bool(ok), "detail": detail})
        say(f"  check {what}: {'ok' if ok else 'FAILED'} {detail}")

    def phase(self, name, fn):
        say(f"== {name}")
        t0 = time.time()
        fn()
        self.R["phase_seconds"][name] = round(time.time() - t0, 1)
        self.save()

    def save(self):
        if self.R.get("reruns") and self.rerun:
            self.R["reruns"][-1]["waited_for_quiet_seconds"] = round(harness.waited_total)
        else:
            self.R["waited_for_quiet_seconds"] = round(harness.waited_total)
        with open(os.path.join(self.scr, "results.json"), "w") as f:
            json.dump(self.R, f, indent=1)

    # ---------------------------------------------------------------- workloads

    def make_workloads(self):
        c = self.cfg
        self.tree = os.path.join(self.w, "tree")
        if c["tree_mb"]:
            gen_files.usrset(self.tree, c["tree_mb"], ["/usr/include"])
        else:
            harness.run(["cp", "-a", "/usr/include", self.tree])
        self.db_dir = os.path.join(self.w, "db")
        os.makedirs(self.db_dir)
        self.db = os.path.join(self.db_dir, "app.db")
        gen_sqlite.create(self.db, c["db_mb"])
        self.small = os.path.join(self.w, "small")
        gen_files.small(self.small, c["small_count"], c["small_dirs"])
        self.usr = os.path.join(self.w, "usr")
        gen_files.usrset(self.usr, c["usr_mb"], ["/usr/lib"])
        self.chain_dir = os.path.join(self.w, "chain")
        os.makedirs(self.chain_dir)
        self.blob = os.path.join(self.chain_dir, "blob.bin")
        gen_files.blob(self.blob, c["chain_mb"], 11)
        self.sizes = {"tree": harness.tree_bytes(self.tree), "sqlite": os.path.getsize(self.db),
                      "small": harness.tree_bytes(self.small), "usr": harness.tree_bytes(self.usr),
                      "chain": os.path.getsize(self.blob)}
        files = {}
        for k, p in (("tree", self.tree), ("small", self.small), ("usr", self.usr)):
            files[k] = sum(len(fs) for _, _, fs in os.walk(p))
        self.R["workloads"] = {"bytes": self.sizes, "files": files}
        for k, v in self.sizes.items():
            say(f"  workload {k}: {v / 2**20:.1f} MiB" + (f", {files[k]} files" if k in files else ""))

    # ---------------------------------------------------------------- first backups

    def first_backups(self):
        """Cold-cache first backups into fresh repositories, tools interleaved per repetition; the last
        repetition's repositories are kept for the later phases."""
        sets = [("tree", self.tree), ("small", self.small), ("usr", self.usr)]
        for dataset, src in sets:
            out = self.R["first"].setdefault(dataset, {})
            samples = {t.name: [] for t in self.tools}
            rejected = {t.name: 0 for t in self.tools}
            for rep in range(self.reps):
                for tool in self.tools:
                    while True:
                        repo = self.fresh_repo(tool, dataset)
                        harness.drop_caches()
                        s = harness.timed(**tool.backup(repo, src))
                        if s.disturbed and rejected[tool.name] < self.reps:
                            rejected[tool.name] += 1
                            continue
                        break
                    samples[tool.name].append(s)
                    say(f"  first backup {dataset} {tool.name} rep {rep + 1}: {s}")
            for tool in self.tools:
                m = harness.Measurement(samples[tool.name], rejected[tool.name])
                out[tool.name] = m.to_json()
                out[tool.name]["mibps"] = self.sizes[dataset] / 2**20 / m.wall
                out[tool.name]["store_bytes"] = harness.du_bytes(self.repo(tool, dataset))
            self.save()

    # ---------------------------------------------------------------- restore

    def restore_set(self, dataset, src, index=-1, tools=None):
        out = self.R["restore"].setdefault(dataset, {})
        size = self.sizes[dataset]

        def prep():
            rmrf(self.dest)

        for tool in tools or self.tools:
            repo = self.repo(tool, dataset)
            m = harness.repeat(lambda: tool.restore(repo, index, self.dest), self.reps, prepare=prep, cold=True)
            out[tool.name] = m.to_json()
            out[tool.name]["mibps"] = size / 2**20 / m.wall
            say(f"  restore {dataset} {tool.name}: {m.wall:.2f}s {out[tool.name]['mibps']:.0f} MiB/s {m.walls()}")
            if tool is self.strata:
                # The restored copy must equal the source (content, names, modes).
                p = subprocess.run(["diff", "-r", "--no-dereference", src, self.dest], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
                self.check(f"strata restore of {dataset} equals the source", p.returncode == 0, p.stdout[:300])
        m = harness.repeat(["cp", "-a", src, self.dest], self.reps, prepare=prep, cold=True)
        out["cp -a"] = m.to_json()
        out["cp -a"]["mibps"] = size / 2**20 / m.wall
        say(f"  restore {dataset} cp -a: {m.wall:.2f}s {out['cp -a']['mibps']:.0f} MiB/s")
        rmrf(self.dest)
        self.save()

    # ---------------------------------------------------------------- no-change backup

    def nochange(self):
        out = self.R["nochange"]
        find = ["find", self.small, "-printf", "%s %T@ %C@ %i\n"]
        for cold in (False, True):
            key = "cold" if cold else "warm"
            res = out.setdefault(key, {})
            if not cold:
                harness.run(find, stdout=subprocess.DEVNULL)  # warm the inode and dentry caches
            for tool in self.tools:
                repo = self.repo(tool, "small")
                m = harness.repeat(lambda: tool.backup(repo, self.small), self.reps, cold=cold)
                res[tool.name] = m.to_json()
                say(f"  no-change {key} {tool.name}: {m.wall:.3f}s {m.walls()}")
            m = harness.repeat(find, max(self.reps, 5), cold=cold)
            res["find"] = m.to_json()
            say(f"  no-change {key} find walk: {m.wall:.3f}s {m.walls()}")
        snaps = self.strata.snapshots(self.repo(self.strata, "small"))
        last = snaps[-1]
        self.check("strata no-change backup read no file content", last["bytes_read"] == 0,
                   f"bytes_read={last['bytes_read']} files_unchanged={last['files_unchanged']}")
        self.save()

    # ---------------------------------------------------------------- incremental series

    def series(self, dataset, src, versions, make_version, first_repos_exist):
        """Backs up version 1 (unless the first-backup phase left repositories) and versions 2..N,
        each tool in turn after each new version, recording time and store growth."""
        out = self.R["incr"].setdefault(dataset, {t.name: [] for t in self.tools})
        if not first_repos_exist:
            first = self.R["first"].setdefault(dataset, {})
            for tool in self.tools:
                repo = self.fresh_repo(tool, dataset)
                harness.drop_caches()
                s = harness.timed(**tool.backup(repo, src))
                first[tool.name] = {"wall": s.wall, "cpu": s.cpu, "walls": [round(s.wall, 3)], "rejected": 0,
                                    "disturbed": s.disturbed, "mibps": self.sizes[dataset] / 2**20 / s.wall,
                                    "store_bytes": harness.du_bytes(repo), "single": True}
                say(f"  first backup {dataset} {tool.name}: {s}")
        for v in range(2, versions + 1):
            make_version(v)
            for tool in self.tools:
                repo = self.repo(tool, dataset)
                before = harness.du_bytes(repo)
                s = harness.timed(**tool.backup(repo, src))
                after = harness.du_bytes(repo)
                rec = {"version": v, "wall": s.wall, "cpu": s.cpu, "foreign": s.foreign, "disturbed": s.disturbed,
                       "growth": after - before}
                if tool is self.strata:
                    snap = self.strata.snapshots(repo)[-1]
                    rec["added_bytes"] = snap["added_bytes"]
                    rec["bytes_read"] = snap["bytes_read"]
                out[tool.name].append(rec)
                say(f"  {dataset} v{v} {tool.name}: {s} growth {rec['growth'] / 2**20:.2f} MiB")
            self.save()

    def tree_series(self):
        def make(v):
            gen_tree.release(self.tree, v, 0.02)
        self.series("tree", self.tree, self.cfg["releases"], make, True)

    def sqlite_series(self):
        self.db_hashes = {1: sha256(self.db)}

        def make(v):
            gen_sqlite.update(self.db, v)
            self.db_hashes[v] = sha256(self.db)
        self.series("sqlite", self.db_dir, self.cfg["db_versions"], make, False)

    # ---------------------------------------------------------------- cat at depth

    def cat_sqlite(self):
        out = self.R["cat"]
        repo = self.repo(self.strata, "sqlite")
        n = self.cfg["db_versions"]
        size = self.sizes["sqlite"]
        for depth in sorted({0, 1, n - 1}):
            spec = self.strata.cat(repo, depth, "app.db")
            got = hashlib.sha256(subprocess.run(spec["cmd"], stdout=subprocess.PIPE, check=True).stdout).hexdigest()
            self.check(f"strata cat of SQLite version {depth + 1} (depth {depth}) is that version",
                       got == self.db_hashes[depth + 1])
            for cold in (True, False):
                if not cold:
                    harness.run(spec["cmd"], stdout=subprocess.DEVNULL)
                m = harness.repeat(spec["cmd"], self.reps, cold=cold)
                key = f"depth {depth} {'cold' if cold else 'warm'}"
                out[key] = m.to_json()
                out[key]["mibps"] = size / 2**20 / m.wall
                say(f"  cat sqlite {key}: {m.wall:.3f}s {out[key]['mibps']:.0f} MiB/s")
        for cold in (True, False):
            if not cold:
                harness.run(["cat", self.db], stdout=subprocess.DEVNULL)
            m = harness.repeat(["cat", self.db], max(self.reps, 5), cold=cold)
            key = f"plain cat {'cold' if cold else 'warm'}"
            out[key] = m.to_json()
            out[key]["mibps"] = size / 2**20 / m.wall
            say(f"  cat sqlite {key}: {m.wall:.3f}s {out[key]['mibps']:.0f} MiB/s")
        self.save()

    # ---------------------------------------------------------------- deep chain

    def chain(self):
        c = self.cfg
        out = self.R["chain"]
        repo = self.fresh_repo(self.strata, "chain")
        hashes = {0: sha256(self.blob)}
        times = []
        growth = []
        for v in range(0, c["chain_versions"] + 1):
            if v > 0:
                gen_files.scatter(self.blob, v, c["chain_edits"])
                hashes[v] = sha256(self.blob)
            before = harness.du_bytes(repo)
            s = harness.timed(**self.strata.backup(repo, self.chain_dir, ["--max-chain", "60"]), quiet=False)
            if v > 0:
                times.append(s.wall)
                growth.append(harness.du_bytes(repo) - before)
        out["backup_wall_median"] = harness.median(times)
        out["growth_median"] = harness.median(growth)
        out["edit_bytes_per_version"] = c["chain_edits"] * 4096
        size = self.sizes["chain"]
        depths = [d for d in (1, 10, 50) if d <= c["chain_versions"]]
        for depth in depths:
            spec = self.strata.cat(repo, depth, "blob.bin")
            got = hashlib.sha256(subprocess.run(spec["cmd"], stdout=subprocess.PIPE, check=True).stdout).hexdigest()
            self.check(f"strata cat of the {size >> 20} MiB file at depth {depth} is that version", got == hashes[depth])
            for cold in (True, False):
                key = f"cat depth {depth} {'cold' if cold else 'warm'}"
                if not cold:
                    harness.run(spec["cmd"], stdout=subprocess.DEVNULL)
                m = harness.repeat(spec["cmd"], self.reps, cold=cold)
                out[key] = m.to_json()
                out[key]["mibps"] = size / 2**20 / m.wall
                say(f"  chain {key}: {m.wall:.3f}s {out[key]['mibps']:.0f} MiB/s")
        for depth in (1, 50):
            if depth > c["chain_versions"]:
                continue
            for cold in (True, False):
                key = f"restore depth {depth} {'cold' if cold else 'warm'}"

                def prep():
                    rmrf(self.dest)
                if not cold:
                    prep()
                    harness.run(self.strata.restore(repo, depth, self.dest)["cmd"])
                m = harness.repeat(lambda: self.strata.restore(repo, depth, self.dest), self.reps, prepare=prep,
                                   cold=cold)
                out[key] = m.to_json()
                out[key]["mibps"] = size / 2**20 / m.wall
                say(f"  chain {key}: {m.wall:.3f}s {out[key]['mibps']:.0f} MiB/s")
        rmrf(self.dest)
        for cold in (True, False):
            key = f"plain cat {'cold' if cold else 'warm'}"
            if not cold:
                harness.run(["cat", self.blob], stdout=subprocess.DEVNULL)
            m = harness.repeat(["cat", self.blob], max(self.reps, 5), cold=cold)
            out[key] = m.to_json()
            out[key]["mibps"] = size / 2**20 / m.wall
            say(f"  chain {key}: {m.wall:.3f}s {out[key]['mibps']:.0f} MiB/s")
        self.save()

    # ---------------------------------------------------------------- driver

    PHASES = ["first", "restore_usr", "nochange", "tree", "restore_tree", "sqlite", "restore_sqlite", "cat",
              "chain"]

    def setup_repos(self, dataset, src):
        """Untimed first backups, for a re-run of a phase whose repositories the first-backup phase makes."""
        for tool in self.tools:
            repo = self.fresh_repo(tool, dataset)
            harness.run(**{k: v for k, v in tool.backup(repo, src).items()})

    def run_all(self, only=None):
        t0 = time.time()
        want = set(only or self.PHASES)
        # A re-run of some phases runs what they depend on: series before their restores and reads.
        if want & {"restore_tree"}:
            want.add("tree")
        if want & {"restore_sqlite", "cat"}:
            want.add("sqlite")
        self.rerun = bool(only)
        if only:
            # Drop the old figures of what is re-run; the rest of the merged results stays.
            R = self.R
            if "first" in want:
                for ds in ("tree", "small", "usr"):
                    R["first"].pop(ds, None)
            if "sqlite" in want:
                R["first"].pop("sqlite", None)
            for ph, ds in (("tree", "tree"), ("sqlite", "sqlite")):
                if ph in want:
                    R["incr"].pop(ds, None)
            for ph, ds in (("restore_usr", "usr"), ("restore_tree", "tree"), ("restore_sqlite", "sqlite")):
                if ph in want:
                    R["restore"].pop(ds, None)
            for ph in ("nochange", "cat", "chain"):
                if ph in want:
                    R[ph] = {}
            self.R["reruns"] = self.R.get("reruns", []) + [{
                "phases": sorted(want, key=self.PHASES.index),
                "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}]
        else:
            self.R["machine"] = machine_info(self.scr, self.tools)
        self.phase("build workloads", self.make_workloads)
        if "first" in want:
            self.phase("first backups (cold, fresh repositories)", self.first_backups)
        else:
            for ds, src, needed in (("usr", self.usr, "restore_usr"), ("small", self.small, "nochange"),
                                    ("tree", self.tree, "tree")):
                if needed in want:
                    self.setup_repos(ds, src)
        if "restore_usr" in want:
            self.phase("restore of the 1 GiB /usr set", lambda: self.restore_set("usr", self.usr))
        if "nochange" in want:
            self.phase("no-change backup of the small files", self.nochange)
        if "tree" in want:
            self.phase("source tree releases", self.tree_series)
        if "restore_tree" in want:
            self.phase("restore of the last source tree release", lambda: self.restore_set("tree", self.tree))
        if "sqlite" in want:
            self.phase("SQLite versions", self.sqlite_series)
        if "restore_sqlite" in want:
            self.phase("restore of the last SQLite version", lambda: self.restore_set("sqlite", self.db_dir))
        if "cat" in want:
            self.phase("strata cat of the SQLite file", self.cat_sqlite)
        if "chain" in want:
            self.phase("deep delta chain", self.chain)
        if only:
            self.R["reruns"][-1]["seconds"] = round(time.time() - t0, 1)
        else:
            self.R["total_seconds"] = round(time.time() - t0, 1)
        self.save()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--strata", required=True)
    r.add_argument("--scratch", required=True)
    r.add_argument("--quick", action="store_true")
    r.add_argument("--out", default=BENCH_DIR)
    r.add_argument("--only", help="comma-separated phases to re-run (" + ",".join(Bench.PHASES) + "), "
                   "merging their figures into --merge")
    r.add_argument("--merge", help="results.json to update with the re-run phases")
    p = sub.add_parser("report")
    p.add_argument("results")
    p.add_argument("--out", default=BENCH_DIR)
    args = ap.parse_args()
    if args.cmd == "report":
        with open(args.results) as f:
            R = json.load(f)
        report.emit(R, args.out)
        return
    harness.open_log(os.path.join(args.scratch, "bench.log"))
    cfg = QUICK if args.quick else FULL
    b = Bench(args, cfg)
    only = None
    if args.only:
        only = args.only.split(",")
        bad = [p for p in only if p not in Bench.PHASES]
        if bad or not args.merge:
            sys.exit(f"bench.py: --only needs --merge and phases from {Bench.PHASES} (bad: {bad})")
        with open(args.merge) as f:
            b.R = json.load(f)
        recorded = b.R["machine"].get("strata_sha256")
        if recorded and recorded != sha256(args.strata):
            sys.exit("bench.py: this strata binary is not the one the merged results were measured with "
                     "(pass the same binary with run.sh --strata)")
    try:
        b.run_all(only)
    finally:
        b.save()
    name = "results-quick.json" if args.quick else "results.json"
    shutil.copy(os.path.join(args.scratch, "results.json"), os.path.join(args.out, name))
    report.emit(b.R, args.out)


if __name__ == "__main__":
    main()
