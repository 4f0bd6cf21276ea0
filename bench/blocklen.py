#!/usr/bin/env python3
"""Block-length experiment (driven by bench/blocklen.sh).

  blocklen.py patch TREE_COPY           add the STRATA_BL_POLICY override to ChooseBlockLength() in a
                                        *copy* of the source tree
  blocklen.py run --strata BIN --scratch DIR [--quick]

For each policy: the SQLite series (the same versions as bench.py: v1 then 9 updates of ~1% of the rows)
backed up into a fresh store, recording store growth and backup time per version, and a 100 MiB random
file backed up, given a single 1-byte edit, and backed up again.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_files  # noqa: E402
import gen_sqlite  # noqa: E402
import harness  # noqa: E402
import report  # noqa: E402
from harness import say  # noqa: E402
from tools import Strata  # noqa: E402

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))

POLICIES = ["default", "fixed:1024", "fixed:2048", "fixed:4096", "fixed:8192", "fixed:16384", "sqrt",
            "blocks64k"]
POLICY_DOC = {
    "default": "the tree's ChooseBlockLength() at the benchmarked commit",
    "sqrt": "pow2_floor(sqrt(size)), clamped to [1024, 65536]",
    "blocks64k": "pow2_floor(size / 65536), clamped to [1024, 65536] (the policy of commit 4a1872c)",
}

SIGNATURE = "uint32_t ChooseBlockLength(uint64_t file_size) {"

# Wraps the tree's function: the original is renamed, the wrapper picks a policy from STRATA_BL_POLICY,
# and STRATA_BL_TRACE names a file that gets "size block_length" per call (so the table shows the block
# length a backup really used).
OVERRIDE = r"""
uint32_t ChooseBlockLengthBenchPolicy(uint64_t file_size) {
  const char* policy = std::getenv("STRATA_BL_POLICY");
  std::string p = policy ? policy : "default";
  uint64_t len = 0;
  if (p.rfind("fixed:", 0) == 0) {
    len = std::stoull(p.substr(6));
  } else if (p == "sqrt") {
    uint64_t root = static_cast<uint64_t>(std::sqrt(static_cast<double>(file_size)));
    len = std::clamp<uint64_t>(std::bit_floor(std::max<uint64_t>(root, 1)), 1024, 65536);
  } else if (p == "blocks64k") {
    len = std::clamp<uint64_t>(std::bit_floor(std::max<uint64_t>(file_size / 65536, 1)), 1024, 65536);
  } else {
    len = ChooseBlockLengthOriginal(file_size);
  }
  return static_cast<uint32_t>(len);
}

uint32_t ChooseBlockLength(uint64_t file_size) {
  uint32_t len = ChooseBlockLengthBenchPolicy(file_size);
  if (const char* trace = std::getenv("STRATA_BL_TRACE")) {
    if (std::FILE* f = std::fopen(trace, "a")) {
      std::fprintf(f, "%llu %u\n", static_cast<unsigned long long>(file_size), len);
      std::fclose(f);
    }
  }
  return len;
}
"""


def find_definition(root):
    for sub in ("store", "src"):
        for name in sorted(os.listdir(os.path.join(root, sub))):
            path = os.path.join(root, sub, name)
            if name.endswith(".cc") and SIGNATURE in open(path).read():
                return path
    sys.exit(f"blocklen.py: no definition of ChooseBlockLength under {root}")


def patch(root):
    """Patches the copy of the tree at root (never the work tree)."""
    path = find_definition(root)
    src = open(path).read()
    src = src.replace(SIGNATURE, "uint32_t ChooseBlockLengthOriginal(uint64_t file_size) {", 1)
    start = src.index("uint32_t ChooseBlockLengthOriginal(")
    end = src.index("\n}\n", start) + 3  # the original's closing brace
    src = src[:end] + OVERRIDE + src[end:]
    first = src.index("#include <")
    src = (src[:first] + "#include <algorithm>\n#include <bit>\n#include <cmath>\n#include <cstdio>\n"
           "#include <cstdlib>\n#include <string>\n" + src[first:])
    open(path, "w").write(src)
    print(f"patched {path}")
    return path


def traced_len(trace, size):
    """The block length the last backup chose for a file of `size` bytes."""
    found = None
    if os.path.exists(trace):
        for line in open(trace):
            sz, ln = line.split()
            if int(sz) == size:
                found = int(ln)
    return found


def sig_bytes(size, bl):
    return 12 + -(-size // bl) * 20


def run(args):
    quick = args.quick
    db_mb, versions, big_mb = (64, 4, 32) if quick else (400, 10, 100)
    scr = args.scratch
    harness.open_log(os.path.join(scr, "blocklen.log"))
    strata = Strata(args.strata)
    # The versions of the database, made once and copied into place for each policy.
    vdir = os.path.join(scr, "versions")
    os.makedirs(vdir)
    db = os.path.join(scr, "gen.db")
    gen_sqlite.create(db, db_mb)
    shutil.copy(db, os.path.join(vdir, "v1"))
    for v in range(2, versions + 1):
        gen_sqlite.update(db, v)
        shutil.copy(db, os.path.join(vdir, f"v{v}"))
    os.unlink(db)
    db_size = os.path.getsize(os.path.join(vdir, "v1"))
    big_src = os.path.join(scr, "big.orig")
    gen_files.blob(big_src, big_mb, 21)
    big_size = big_mb << 20
    poke_at = big_size // 2 + 777

    results = {"config": {"db_bytes": db_size, "versions": versions, "big_bytes": big_size,
                          "built_from": os.environ.get("BL_GIT_HEAD"), "patched": os.environ.get("BL_PATCHED")},
               "policies": {}}
    src_dir = os.path.join(scr, "src")
    store = os.path.join(scr, "store")
    for policy in POLICIES:
        env = dict(os.environ)
        env["STRATA_BL_POLICY"] = policy
        trace = os.path.join(scr, f"trace-{policy.replace(':', '-')}")
        env["STRATA_BL_TRACE"] = trace
        res = {}
        # SQLite series.
        shutil.rmtree(src_dir, ignore_errors=True)
        shutil.rmtree(store, ignore_errors=True)
        os.makedirs(src_dir)
        strata.init(store)
        walls, cpus, growth, added, disturbed = [], [], [], [], 0
        for v in range(1, versions + 1):
            harness.run(["cp", os.path.join(vdir, f"v{v}"), os.path.join(src_dir, "app.db")])
            before = harness.du_bytes(store)
            s = harness.timed(**strata.backup(store, src_dir), env=env)
            g = harness.du_bytes(store) - before
            snap = strata.snapshots(store)[-1]
            if v == 1:
                res["first_wall"] = s.wall
                res["first_growth"] = g
            else:
                walls.append(s.wall)
                cpus.append(s.cpu)
                growth.append(g)
                added.append(snap["added_bytes"])
                disturbed += s.disturbed
            say(f"  {policy} sqlite v{v}: {s} growth {g / 2**20:.2f} MiB")
        res["incr_wall"] = harness.median(walls)
        res["incr_cpu"] = harness.median(cpus)
        res["growth"] = harness.median(growth)
        res["added"] = harness.median(added)
        res["disturbed"] = disturbed
        res["bl_sqlite"] = traced_len(trace, db_size)
        # Reading the deepest version back (warm), as a check and for the extent-map cost.
        cat = strata.cat(store, versions - 1, "app.db")
        out = subprocess.run(cat["cmd"], stdout=subprocess.PIPE, check=True).stdout
        with open(os.path.join(vdir, f"v{versions}"), "rb") as f:
            res["cat_ok"] = out == f.read()
        del out
        m = harness.repeat(cat["cmd"], 3)
        res["cat_warm_wall"] = m.wall
        # 100 MiB random file, one byte changed.
        shutil.rmtree(src_dir)
        shutil.rmtree(store)
        os.makedirs(src_dir)
        strata.init(store)
        big = os.path.join(src_dir, "big.bin")
        harness.run(["cp", big_src, big])
        harness.timed(**strata.backup(store, src_dir), env=env)
        gen_files.poke(big, poke_at)
        before = harness.du_bytes(store)
        s = harness.timed(**strata.backup(store, src_dir), env=env)
        res["big_growth"] = harness.du_bytes(store) - before
        res["big_added"] = strata.snapshots(store)[-1]["added_bytes"]
        res["big_wall"] = s.wall
        res["big_disturbed"] = s.disturbed
        res["bl_big"] = traced_len(trace, big_size)
        say(f"  {policy} 100 MiB 1-byte edit: {s} growth {res['big_growth'] / 1024:.0f} KiB")
        results["policies"][policy] = res
        with open(os.path.join(scr, "blocklen.json"), "w") as f:
            json.dump(results, f, indent=1)
    name = "blocklen-quick.json" if quick else "blocklen.json"
    shutil.copy(os.path.join(scr, "blocklen.json"), os.path.join(BENCH_DIR, name))
    write_section(results, quick)


def write_section(results, quick):
    c = results["config"]
    rows = []
    for policy, r in results["policies"].items():
        rows.append([
            policy + (" (current)" if policy == "default" else ""),
            f"{r['bl_sqlite']} / {r['bl_big']}",
            report.fmt_bytes(r["growth"]),
            report.fmt_bytes(sig_bytes(c["db_bytes"], r["bl_sqlite"])),
            report.fmt_s(r["incr_wall"]) + (f" [{r['disturbed']} disturbed]" if r["disturbed"] else ""),
            report.fmt_s(r["first_wall"]),
            report.fmt_s(r["cat_warm_wall"]) + ("" if r["cat_ok"] else " WRONG CONTENT"),
            report.fmt_bytes(r["big_growth"]) + (" ok" if r["big_growth"] < 2**20 else " over 1 MiB"),
            report.fmt_bytes(sig_bytes(c["big_bytes"], r["bl_big"])),
            report.fmt_s(r["big_wall"]) + ("*" if r["big_disturbed"] else ""),
        ])
    big = f"{c['big_bytes'] >> 20} MiB"
    header = ["policy", f"block length SQLite / {big}", "SQLite growth per version (median)",
              "of which signature (computed)", "SQLite incremental backup (median)", "SQLite first backup",
              f"cat depth {c['versions'] - 1} (warm)", f"{big} 1-byte edit: growth (target < 1 MiB)",
              "of which signature (computed)", f"{big} incremental backup"]
    docs = "".join(f"- `{k}`: {v}\n" for k, v in POLICY_DOC.items())
    built = c.get("built_from")
    body = ((f"strata built from {built} in a copy of the tree (`{c.get('patched')}` patched there). " if built else "")
            + f"SQLite: {report.fmt_bytes(c['db_bytes'])}, {c['versions'] - 1} later versions (~1% of the rows in "
            f"200 ranges each), growth = `du -sb` of the store after minus before (delta literals + new "
            f"signature + version record, tree, index). {big} file: random bytes, one byte flipped in the "
            f"middle. Signature size = 12 + 20 bytes per block (BLAKE2b truncated to 16 + rolling 4). Single "
            f"runs per version; times are medians over the {c['versions'] - 1} versions.\n\n"
            + report.md_table(header, rows) + "\n\n" + docs + "\n")
    path = os.path.join(BENCH_DIR, "RESULTS-quick.md" if quick else "RESULTS.md")
    text = open(path).read() if os.path.exists(path) else "## Block-length experiment\n\n<!-- keep:blocklen -->\n<!-- /keep:blocklen -->\n"
    new, n = re.subn(r"<!-- keep:blocklen -->\n.*?<!-- /keep:blocklen -->",
                     lambda _: f"<!-- keep:blocklen -->\n{body}<!-- /keep:blocklen -->", text, flags=re.S)
    if n == 0:
        new = text + f"\n## Block-length experiment\n\n<!-- keep:blocklen -->\n{body}<!-- /keep:blocklen -->\n"
    with open(path, "w") as f:
        f.write(new)
    print(report.md_table(header, rows))
    print(f"wrote the block-length section of {path}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("patch")
    p.add_argument("root")
    r = sub.add_parser("run")
    r.add_argument("--strata", required=True)
    r.add_argument("--scratch", required=True)
    r.add_argument("--quick", action="store_true")
    w = sub.add_parser("section")
    w.add_argument("json")
    w.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.cmd == "patch":
        patch(args.root)
    elif args.cmd == "section":
        with open(args.json) as f:
            write_section(json.load(f), args.quick)
    else:
        run(args)


if __name__ == "__main__":
    main()
