#!/usr/bin/env python3
"""The mount benchmark: reading backups through `strata mount`, `borg mount` and `restic mount` against
the same operations on the plain files, all measured in one run.

  mount_bench.py run --strata BIN --scratch DIR [--quick] [--only PHASES]
                    [--workloads DIR [--prepare [--rebuild-strata WORKLOADS]]]
                    --merge RESULTS_JSON

Phases (default all): time (mount time, 1 and N snapshots), seq (sequential read of one big file), rand
(random 4 KiB reads at chain depth 1, 10, 50), tree (diff -r across snapshots, cp -a of a snapshot, the
daemons' memory after reading every snapshot). The figures go to RESULTS_JSON under "mount" (the phases
run replace theirs, the rest stays) and report.py renders them. bench/run.sh --only mount is the entry
point: it installs dependencies, builds strata and picks the scratch directory.

Building the workloads (the file trees and every tool's repositories: most of a full run's hour) needs no
quiet machine; measuring does. --workloads DIR keeps them in DIR, with what each measurement needs to know
about them in DIR/workloads.json, and a later run with the same DIR and size measures without rebuilding;
--prepare only builds them.

Every mount is served by a process this script starts in the foreground and owns; every mount is
unmounted on the way out, whatever happens.
"""
import argparse
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_files  # noqa: E402
import harness  # noqa: E402
import report  # noqa: E402
from bench import Repos, machine_info, rmrf, sha256  # noqa: E402
from harness import say  # noqa: E402
from tools import Borg, Restic, Strata  # noqa: E402

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
RANDREAD = os.path.join(BENCH_DIR, "randread.py")
PHASES = ["time", "seq", "rand", "tree"]

FULL = dict(mode="full", files=50000, dirs=250, history=100, edit_percent=1, big_mb=1024, chain_mb=256,
            chain_versions=50, chain_edits=64, max_chain=64, reads=1000, reps=3, time_reps=5, read_all="strata")
# read_all: whose memory is measured after reading every snapshot. In the full run borg and restic would
# take some 45 min more to serve 100 x 50k files, for figures no target needs.
QUICK = dict(mode="quick", files=2000, dirs=20, history=5, edit_percent=1, big_mb=128, chain_mb=16,
             chain_versions=50, chain_edits=16, max_chain=64, reads=200, reps=2, time_reps=3,
             read_all="strata,borg,restic")
DEPTHS = (1, 10, 50)
# What each workload leaves behind for the measurements, saved in workloads.json when they are kept.
WORKLOAD_STATE = {"files": ("files", "plain1", "plain2", "changed2"), "big": ("big", "big_sha"),
                  "chain": ("chain", "chain_digest", "chain_index")}


class Unavailable(Exception):
    """A tool's mount does not work here; its figures are left out, with the reason."""


class MountBench(Repos):
    def __init__(self, strata_bin, scratch, cfg, workloads=None):
        self.cfg = cfg
        self.reps = cfg["reps"]
        self.base = os.path.join(scratch, "mount")
        kept = workloads or self.base
        self.w = os.path.join(kept, "w")
        self.r = os.path.join(kept, "r")
        for d in (self.base, self.w, self.r):
            os.makedirs(d, exist_ok=True)
        self.strata = Strata(strata_bin)
        self.tools = [self.strata, Borg(os.path.join(kept, "borgbase")),
                      Restic(os.path.join(kept, "resticcache"))]
        self.state_file = os.path.join(workloads, "workloads.json") if workloads else None
        self.cache_flag = "--cache-dir" in self.strata.mount_options()
        self.live = {}  # mount point -> (tool, Popen) of every mount this run has up
        self.M = {"config": cfg, "unavailable": {}, "checks": [], "phase_seconds": {},
                  "strata_cache_dir": self.cache_flag}
        self.ready = set()  # workloads built so far
        self.phase = ""
        self.load_workloads()

    # ---------------------------------------------------------------- mounts

    def mount(self, tool, repo):
        """Mounts repo (a fresh cache directory for strata, when it has one) and returns (Sample of the
        time until the mount lists every snapshot, mount point)."""
        if tool.name in self.M["unavailable"]:
            raise Unavailable(self.M["unavailable"][tool.name])
        mnt = os.path.join(self.base, f"mnt-{tool.name}")
        os.makedirs(mnt, exist_ok=True)
        cache_dir = None
        if tool is self.strata and self.cache_flag:
            cache_dir = os.path.join(self.base, "strata-cache")
            rmrf(cache_dir)
            os.makedirs(cache_dir)
        names = set(tool.snapshot_names(repo))
        listing = tool.listing(mnt)

        def listed():
            try:
                return names <= set(os.listdir(listing))
            except OSError:
                return False

        spec = tool.mount(repo, mnt, cache_dir)
        try:
            s, p = harness.timed_start(spec["cmd"], listed, env=spec.get("env"))
        except RuntimeError as e:
            if tool is self.strata:
                raise
            self.M["unavailable"][tool.name] = f"{tool.name} mount failed: {e} (its output is in bench.log)"
            say(f"  {self.M['unavailable'][tool.name]}; carrying on without it")
            raise Unavailable(str(e)) from e
        self.live[mnt] = (tool, p)
        return s, mnt

    def umount(self, mnt):
        tool, p = self.live.pop(mnt)
        for _ in range(20):
            if subprocess.run(tool.umount(mnt), stdout=harness.LOG, stderr=harness.LOG).returncode == 0:
                break
            time.sleep(0.5)  # busy for a moment after a reader exits
        else:
            subprocess.run(["fusermount3", "-u", "-z", mnt], stdout=harness.LOG, stderr=harness.LOG)
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.terminate()
            p.wait()

    def umount_all(self):
        for mnt in list(self.live):
            self.umount(mnt)

    def remount(self, tool, repo):
        for mnt, (t, _) in list(self.live.items()):
            if t is tool:
                self.umount(mnt)
        return self.mount(tool, repo)[1]

    def counters(self, mnt):
        """The cache's hit/miss counters, if this strata's mount root has them as extended attributes."""
        try:
            return {n: os.getxattr(mnt, n).decode(errors="replace") for n in os.listxattr(mnt)}
        except OSError:
            return {}

    def memory(self, mnt):
        """VmHWM and VmRSS, in bytes, of the process serving mnt."""
        out = {}
        with open(f"/proc/{self.live[mnt][1].pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS"):
                    out[k] = int(v.split()[0]) * 1024
        return out

    def per_tool(self, fn):
        """Runs fn(tool) for each tool; a tool whose mount does not work here is skipped."""
        for tool in self.tools:
            try:
                fn(tool)
            except Unavailable:
                pass
            finally:
                self.umount_all()

    def cold_samples(self, tool, repo, take, prepare=None):
        """Each sample on a fresh mount (fresh cache), page cache dropped after mounting: take(mnt) ->
        Sample. prepare() runs before the mount and the sync that drops the page cache, so what it writes
        (removing the last sample's copy) is on disk before the sample starts, as for the plain baseline.
        Returns the Measurement; the last mount stays up."""
        def one():
            if prepare:
                prepare()
            mnt = self.remount(tool, repo)
            harness.drop_caches()
            return take(mnt)
        return harness.repeat_samples(one, self.reps)

    def check(self, what, ok, detail=""):
        self.M["checks"].append({"what": what, "ok": bool(ok), "detail": detail, "phase": self.phase})
        say(f"  check {what}: {'ok' if ok else 'FAILED'} {detail}")

    def record(self, out, key, m, tool=None, mnt=None, **extra):
        out[key] = m.to_json()
        out[key].update(extra)
        if tool is self.strata and mnt:
            c = self.counters(mnt)
            if c:
                out[key]["cache_counters"] = c

    # ---------------------------------------------------------------- workloads

    def backup_all(self, dataset, src, strata_extra=()):
        for tool in self.tools:
            extra = strata_extra if tool is self.strata else ()
            harness.run(**tool.backup(self.repo(tool, dataset), src, extra))

    def need(self, workload):
        if workload in self.ready:
            return
        say(f"  building workload: {workload}")
        checks = len(self.M["checks"])
        getattr(self, "make_" + workload)()
        self.ready.add(workload)
        if self.state_file:
            state = self.saved_workloads()
            state[workload] = {"attrs": {a: getattr(self, a) for a in WORKLOAD_STATE[workload]},
                               "files_info": self.M.get("files"), "checks": self.M["checks"][checks:]}
            tmp = self.state_file + ".tmp"
            with open(tmp, "w") as f:
                json.dump({"config": self.cfg, "workloads": state}, f, indent=1, default=sorted)
            os.replace(tmp, self.state_file)

    def saved_workloads(self):
        """The kept workloads of this size, by name ({} when none are, or they were made for another size)."""
        if not self.state_file or not os.path.exists(self.state_file):
            return {}
        with open(self.state_file) as f:
            saved = json.load(f)
        return saved["workloads"] if saved["config"] == self.cfg else {}

    def load_workloads(self):
        for name, st in self.saved_workloads().items():
            for a, v in st["attrs"].items():
                setattr(self, a, v)
            # JSON keys are strings; the measurements look these up by depth.
            if name == "chain":
                self.chain_digest = {int(k): v for k, v in self.chain_digest.items()}
                self.chain_index = {t: {int(k): i for k, i in d.items()} for t, d in self.chain_index.items()}
            if name == "files":
                self.changed2 = set(self.changed2)
                self.M["files"] = st["files_info"]
            self.M["checks"] += st["checks"]
            self.ready.add(name)
            say(f"  reusing kept workload: {name}")

    def prepare(self, rebuild_strata=()):
        """Builds the workloads not kept yet; those named in rebuild_strata are built again for strata
        alone (after a change to what strata writes), their sources regenerated as before (the generators
        are seeded) and the other tools' repositories kept."""
        self.phase = "prepare"
        if rebuild_strata:
            others = self.tools
            self.tools = [self.strata]
            try:
                for name in rebuild_strata:
                    self.ready.discard(name)
                    self.need(name)
            finally:
                self.tools = others
        for name in WORKLOAD_STATE:
            self.need(name)

    def make_files(self):
        """Store "one": 1 snapshot of the small-file tree; store "history": N snapshots, each rewriting
        edit_percent % of the files. Plain copies of versions 1 and 2 stay for diff -r and cp -a."""
        c = self.cfg
        self.files = os.path.join(self.w, "files")
        for d in ("files", "plain1", "plain2"):
            rmrf(os.path.join(self.w, d))
        gen_files.small(self.files, c["files"], c["dirs"])
        self.plain1 = os.path.join(self.w, "plain1")
        self.plain2 = os.path.join(self.w, "plain2")
        harness.run(["cp", "-a", self.files, self.plain1])
        for tool in self.tools:
            self.fresh_repo(tool, "one")
            self.fresh_repo(tool, "history")
        self.backup_all("one", self.files)
        self.backup_all("history", self.files)
        for v in range(2, c["history"] + 1):
            changed = gen_files.edit(self.files, v, c["edit_percent"])
            if v == 2:
                self.changed2 = set(changed)
                harness.run(["cp", "-a", self.files, self.plain2])
            self.backup_all("history", self.files)
        self.M["files"] = {"files": c["files"], "bytes": harness.tree_bytes(self.plain1),
                           "snapshots": c["history"], "changed_v2": len(self.changed2)}

    def make_big(self):
        d = os.path.join(self.w, "big")
        rmrf(d)
        os.makedirs(d)
        self.big = os.path.join(d, "big.bin")
        gen_files.blob(self.big, self.cfg["big_mb"], 13)
        self.big_sha = sha256(self.big)
        for tool in self.tools:
            self.fresh_repo(tool, "big")
        self.backup_all("big", d)

    def make_chain(self):
        """A random file backed up chain_versions + 1 times, each version overwriting scattered 4 KiB
        blocks in place; strata keeps every version a delta (--max-chain), so version N is at depth N.
        borg and restic have no chains (a version's cost does not depend on the ones before), so they
        back up only version 0 and the versions read."""
        c = self.cfg
        d = os.path.join(self.w, "chain")
        rmrf(d)
        os.makedirs(d)
        self.chain = os.path.join(d, "blob.bin")
        gen_files.blob(self.chain, c["chain_mb"], 11)
        for tool in self.tools:
            self.fresh_repo(tool, "chain")
        self.chain_digest = {}
        # depth -> snapshot index, per tool; a rebuild for strata alone keeps the others'.
        self.chain_index = {**getattr(self, "chain_index", {}), **{t.name: {} for t in self.tools}}
        growth = []
        strata_repo = self.repo(self.strata, "chain")
        for v in range(0, c["chain_versions"] + 1):
            if v:
                gen_files.scatter(self.chain, v, c["chain_edits"])
            before = harness.du_bytes(strata_repo)
            harness.run(**self.strata.backup(strata_repo, d, ["--max-chain", str(c["max_chain"])]))
            if v:
                growth.append(harness.du_bytes(strata_repo) - before)
            self.chain_index["strata"][v] = v
            if v in (0, *DEPTHS):
                for tool in self.tools[1:]:
                    harness.run(**tool.backup(self.repo(tool, "chain"), d))
                    self.chain_index[tool.name][v] = len(self.chain_index[tool.name])
            if v in DEPTHS:
                self.chain_digest[v] = self.randread(self.chain)["sha256"]
        # A version stored in full would grow the store by about the file's size.
        self.check(f"strata stored all {c['chain_versions']} later versions as deltas (chain depth = version)",
                   max(growth) < os.path.getsize(self.chain) / 4, f"largest growth {max(growth)} bytes")

    def randread(self, path):
        return json.loads(harness.capture(["python3", RANDREAD, path, str(self.cfg["reads"]), "1"]))

    # ---------------------------------------------------------------- phases

    def phase_time(self):
        """Time from starting the mount until it lists every snapshot, for 1 and N snapshots, page cache
        dropped before each mount (cold) or not (warm: right after the previous mount)."""
        self.need("files")
        out = self.M["time"] = {}

        def run(tool):
            for store in ("one", "history"):
                repo = self.repo(tool, store)
                for temp in ("cold", "warm"):
                    def one():
                        if temp == "cold":
                            harness.drop_caches()
                        s, mnt = self.mount(tool, repo)
                        self.umount(mnt)
                        return s
                    if temp == "warm":
                        self.umount(self.mount(tool, repo)[1])
                    m = harness.repeat_samples(one, self.cfg["time_reps"])
                    out.setdefault(tool.name, {})[f"{store} {temp}"] = m.to_json()
                    say(f"  mount time {tool.name} {store} {temp}: {m.wall:.3f}s {m.walls()}")
        self.per_tool(run)
        out["snapshots"] = {"one": 1, "history": self.cfg["history"]}

    def phase_seq(self):
        """cat of the big file through each mount: cold (fresh mount and cache, page cache dropped) and
        warm (the same mount, the file read once already), vs cat of the plain file."""
        self.need("big")
        out = self.M["seq"] = {"bytes": os.path.getsize(self.big)}
        size = out["bytes"]
        for temp in ("cold", "warm"):
            if temp == "warm":
                harness.run(["cat", self.big], stdout=subprocess.DEVNULL)
            m = harness.repeat(["cat", self.big], max(self.reps, 5), cold=temp == "cold")
            self.record(out.setdefault("plain", {}), temp, m, mibps=size / 2**20 / m.wall)
            say(f"  seq plain cat {temp}: {m.wall:.3f}s {size / 2**20 / m.wall:.0f} MiB/s")

        def run(tool):
            repo = self.repo(tool, "big")
            res = out.setdefault(tool.name, {})
            path = lambda mnt: os.path.join(tool.snapshot_dir(repo, mnt, -1, os.path.dirname(self.big)),  # noqa
                                            "big.bin")
            m = self.cold_samples(tool, repo, lambda mnt: harness.timed(["cat", path(mnt)]))
            mnt = next(iter(self.live))
            self.record(res, "cold", m, tool, mnt, mibps=size / 2**20 / m.wall)
            self.check(f"the big file read through {tool.name} mount is the file", sha256(path(mnt)) == self.big_sha)
            m = harness.repeat(["cat", path(mnt)], self.reps)
            self.record(res, "warm", m, tool, mnt, mibps=size / 2**20 / m.wall)
            say(f"  seq {tool.name}: cold {res['cold']['mibps']:.0f} MiB/s, warm {res['warm']['mibps']:.0f} MiB/s")
        self.per_tool(run)

    def phase_rand(self):
        """Random 4 KiB preads of the chain file at depth 1, 10 and 50: cold (fresh mount and cache) and
        warm (the mount has read the whole file once, which leaves its composed extent map in the caches;
        the block cache admits only frames read in part, so not the frames); the page cache is dropped
        before every sample."""
        self.need("chain")
        c = self.cfg
        out = self.M["rand"] = {"bytes": os.path.getsize(self.chain), "reads": c["reads"]}
        cmd = lambda path: ["python3", RANDREAD, path, str(c["reads"]), "1"]  # noqa: E731

        def summary(m, **extra):
            rs = [json.loads(s.out) for s in m.samples]
            return dict(p50_us=harness.median([r["p50_us"] for r in rs]),
                        p99_us=harness.median([r["p99_us"] for r in rs]), **extra), rs

        m = harness.repeat(cmd(self.chain), max(self.reps, 5), cold=True, capture=True)
        fig, _ = summary(m)
        self.record(out, "plain cold", m, **fig)
        say(f"  rand plain cold: p50 {fig['p50_us']:.0f} us p99 {fig['p99_us']:.0f} us")

        def run(tool):
            repo = self.repo(tool, "chain")
            res = out.setdefault(tool.name, {})
            for depth in DEPTHS:
                index = self.chain_index[tool.name][depth]
                path = lambda mnt: os.path.join(tool.snapshot_dir(repo, mnt, index, os.path.dirname(self.chain)),  # noqa
                                                "blob.bin")
                for temp in ("cold", "warm"):
                    if temp == "cold":
                        m = self.cold_samples(tool, repo, lambda mnt: harness.timed(cmd(path(mnt)), capture=True))
                        mnt = next(iter(self.live))
                    else:
                        harness.run(["cat", path(mnt)], stdout=subprocess.DEVNULL)
                        m = harness.repeat(cmd(path(mnt)), self.reps, cold=True, capture=True)
                    fig, rs = summary(m)
                    self.record(res, f"depth {depth} {temp}", m, tool, mnt, **fig)
                    self.check(f"random reads through {tool.name} mount at depth {depth} ({temp}) are that version's",
                               all(r["sha256"] == self.chain_digest[depth] for r in rs))
                    say(f"  rand {tool.name} depth {depth} {temp}: p50 {fig['p50_us']:.0f} us p99 {fig['p99_us']:.0f} us")
                self.umount_all()
        self.per_tool(run)

    def phase_tree(self):
        """diff -r of snapshots 1 and 2 and cp -a of snapshot 1, cold, vs the same on the plain copies;
        then each daemon's memory after reading every file of every snapshot of the N-snapshot store."""
        self.need("files")
        out = self.M["tree"] = {}
        dest = os.path.join(self.base, "copy")
        diff_ok = (0, 1)  # 1: differences found

        def differing(sample, a, b):
            """The paths diff -r named as differing (binary files, or a text diff), relative to a."""
            got, other = set(), []
            for line in sample.out.splitlines():
                mt = re.match(r"Binary files (\S+) and \S+ differ$", line) or re.match(r"diff -r (\S+) \S+$", line)
                if mt:
                    got.add(os.path.relpath(mt.group(1), a))
                elif line.startswith("Only in"):
                    other.append(line)
            return got, other

        def check_diff(name, m, a, b):
            got, other = differing(m.samples[-1], a, b)
            self.check(f"diff -r across {name} names exactly the files changed in version 2",
                       got == self.changed2 and not other,
                       f"{len(got)} named, {len(self.changed2)} changed, {other[:3]}")

        m = harness.repeat(["diff", "-r", self.plain1, self.plain2], self.reps, cold=True, capture=True,
                           ok_codes=diff_ok)
        self.record(out.setdefault("plain", {}), "diff", m)
        check_diff("the plain copies", m, self.plain1, self.plain2)
        m = harness.repeat(["cp", "-a", self.plain1, dest], self.reps, prepare=lambda: rmrf(dest), cold=True)
        self.record(out["plain"], "cp", m)
        rmrf(dest)
        say(f"  plain: diff -r {out['plain']['diff']['wall']:.2f}s, cp -a {out['plain']['cp']['wall']:.2f}s")

        def run(tool):
            repo = self.repo(tool, "history")
            res = out.setdefault(tool.name, {})
            snap = lambda mnt, i: tool.snapshot_dir(repo, mnt, i, self.files)  # noqa: E731
            m = self.cold_samples(tool, repo, lambda mnt: harness.timed(
                ["diff", "-r", snap(mnt, 0), snap(mnt, 1)], capture=True, ok_codes=diff_ok))
            mnt = next(iter(self.live))
            self.record(res, "diff", m, tool, mnt)
            check_diff(f"{tool.name} mount's snapshots", m, snap(mnt, 0), snap(mnt, 1))

            m = self.cold_samples(tool, repo, lambda mnt: harness.timed(["cp", "-a", snap(mnt, 0), dest]),
                                  prepare=lambda: rmrf(dest))
            self.record(res, "cp", m, tool, next(iter(self.live)))
            p = subprocess.run(["diff", "-r", "--no-dereference", self.plain1, dest], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            self.check(f"cp -a of a snapshot from {tool.name} mount equals version 1", p.returncode == 0,
                       p.stdout[:300])
            rmrf(dest)
            say(f"  {tool.name}: diff -r {res['diff']['wall']:.2f}s, cp -a {res['cp']['wall']:.2f}s")

            if tool.name not in self.cfg["read_all"].split(","):
                return
            # Every file of every snapshot, in one find: the daemon's memory after it has served them all.
            mnt = self.remount(tool, repo)
            s = harness.timed(f"find {tool.listing(mnt)} -type f -exec cat {{}} + > /dev/null", shell=True)
            res["read_all"] = {"wall": s.wall, "cpu": s.cpu, "disturbed": s.disturbed, **self.memory(mnt)}
            c = self.counters(mnt) if tool is self.strata else {}
            if c:
                res["read_all"]["cache_counters"] = c
            say(f"  {tool.name}: read every snapshot in {s.wall:.1f}s; VmHWM {res['read_all']['VmHWM'] >> 20} MiB")
        self.per_tool(run)

    # ---------------------------------------------------------------- driver

    def run(self, phases):
        t0 = time.time()
        for name in phases:
            say(f"== mount: {name}")
            self.phase = name
            p0 = time.time()
            try:
                getattr(self, "phase_" + name)()
            finally:
                self.umount_all()
            self.M["phase_seconds"][name] = round(time.time() - p0, 1)
        self.M["seconds"] = round(time.time() - t0, 1)
        self.M["waited_for_quiet_seconds"] = round(harness.waited_total)


def merge(R, M, phases):
    """Puts this run's mount figures into the results R: phases run replace theirs, the rest stays."""
    old = R.get("mount", {})
    new = dict(old)
    new.update({k: v for k, v in M.items() if k not in PHASES})
    for p in PHASES:
        if p in phases and p in M:
            new[p] = M[p]
    new["phase_seconds"] = {**old.get("phase_seconds", {}), **M["phase_seconds"]}
    kept = [c for c in old.get("checks", []) if c.get("phase") not in phases]
    new["checks"] = kept + M["checks"]
    R["mount"] = new


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--strata", required=True)
    r.add_argument("--scratch", required=True)
    r.add_argument("--quick", action="store_true")
    r.add_argument("--only", help="comma-separated phases (" + ",".join(PHASES) + ")")
    r.add_argument("--merge", required=True, help="results.json to put the figures in (made if missing)")
    r.add_argument("--out", default=BENCH_DIR)
    r.add_argument("--workloads", help="keep the workloads here and reuse those already kept")
    r.add_argument("--prepare", action="store_true", help="only build the workloads (needs --workloads)")
    r.add_argument("--rebuild-strata", default="",
                   help="with --prepare: comma-separated workloads (" + ",".join(WORKLOAD_STATE) +
                   ") to build again for strata alone")
    args = ap.parse_args()
    phases = args.only.split(",") if args.only else PHASES
    bad = [p for p in phases if p not in PHASES]
    if bad:
        sys.exit(f"mount_bench.py: unknown phases {bad} (known: {PHASES})")
    harness.open_log(os.path.join(args.scratch, "bench.log"))
    cfg = QUICK if args.quick else FULL
    if args.prepare and not args.workloads:
        sys.exit("mount_bench.py: --prepare needs --workloads")
    b = MountBench(args.strata, args.scratch, cfg, args.workloads)
    rebuild = [w for w in args.rebuild_strata.split(",") if w]
    if [w for w in rebuild if w not in WORKLOAD_STATE] or (rebuild and not args.prepare):
        sys.exit(f"mount_bench.py: --rebuild-strata takes workloads of {list(WORKLOAD_STATE)}, with --prepare")
    if args.prepare:
        b.prepare(rebuild)
        return
    # SIGTERM / SIGHUP unwind like Ctrl-C, so the finally below unmounts.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))
    b.M["machine"] = machine_info(args.scratch, b.tools)
    b.M["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    try:
        b.run(phases)
    finally:
        b.umount_all()
        with open(os.path.join(args.scratch, "mount-results.json"), "w") as f:
            json.dump(b.M, f, indent=1)
    R = {}
    if os.path.exists(args.merge):
        with open(args.merge) as f:
            R = json.load(f)
    R.setdefault("config", {"mode": cfg["mode"], "reps": cfg["reps"]})
    R.setdefault("machine", b.M["machine"])
    merge(R, b.M, phases)
    with open(args.merge, "w") as f:
        json.dump(R, f, indent=1)
    report.emit(R, args.out)


if __name__ == "__main__":
    main()
