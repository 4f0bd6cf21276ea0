#!/usr/bin/env python3
"""Encrypted vs plain strata stores (bench/crypto.sh runs it; see bench/README.md).

  crypto.py --strata BIN --scratch DIR [--quick]

The dataset is mixed: /usr/lib files (binaries, some text), small files of which half compress, and one
file of alternating compressible and random MiB. Backup stores are made with --kdf minimum so that the
backup ratio measures the data path; the unlock row measures the default strength on its own.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_files  # noqa: E402
import harness  # noqa: E402
import tools  # noqa: E402

PASSWORD = "crypto-bench-password"
REPS = 5  # the disk of a VM stalls now and then: one slow sample in five leaves the median alone
UNLOCK_REPS = 5
RAND_READS = 2000
RANDREAD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "randread.py")


def mixed_blob(path, mib, seed):
    """Alternating MiB of text-like (compressible) and random bytes."""
    rng = random.Random(seed)
    with open(path, "wb") as f:
        for i in range(mib):
            chunk = rng.randbytes(1 << 20)
            f.write(chunk.translate(gen_files.LETTERS) if i % 2 == 0 else chunk)


def kinds():
    """(name, init arguments) of the two stores compared."""
    return [("plain", ("--encryption", "none")), ("encrypted", ("--kdf", "minimum"))]


def wait_until(ready, timeout, what):
    """Polls ready() until it is true; raises naming `what` after `timeout` seconds."""
    t0 = time.time()
    while not ready():
        if time.time() - t0 > timeout:
            raise RuntimeError(f"{what} after {timeout} s")
        time.sleep(0.05)


def wait_cache_written(log):
    """Waits for an unmounted daemon's last log line: its cache counters, logged once its writes are done."""
    wait_until(lambda: any(": hits=" in line for line in open(log)), 120, f"no cache counters in {log}")


def cache_counters(log):
    """The hit and store counters of the cache line an unmounted daemon logged."""
    line = [x for x in open(log) if ": hits=" in x][-1]
    fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
    return f"hits={fields['hits']} stored={fields['stored']}"


def has_cache(mnt):
    try:
        os.getxattr(mnt, "user.strata.cache")
        return True
    except OSError:
        return False


def wait_cache_attached(mnt):
    """Waits until the mount serves from its block cache (the root's cache xattr appears): an existing cache
    is checked whole before it is used, and reads meanwhile go to the store."""
    wait_until(lambda: has_cache(mnt), 120, f"{mnt}: no block cache attached")


def wait_mounted(mnt):
    wait_until(lambda: os.path.ismount(mnt), 60, f"{mnt} not mounted")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", required=True)
    ap.add_argument("--scratch", required=True)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    os.environ["STRATA_PASSWORD"] = PASSWORD
    harness.open_log(os.path.join(a.scratch, "crypto.log"))
    strata = tools.Strata(a.strata)
    usr_mb, small_count, blob_mb = (8, 2000, 16) if a.quick else (600, 40000, 1024)

    data = os.path.join(a.scratch, "data")
    gen_files.usrset(os.path.join(data, "usr"), usr_mb, ["/usr/lib"])
    gen_files.small(os.path.join(data, "small"), small_count, max(1, small_count // 200))
    mixed_blob(os.path.join(data, "blob"), blob_mb // 4, 21)
    size = harness.tree_bytes(data)
    big = os.path.join(a.scratch, "big")
    os.makedirs(big)
    mixed_blob(os.path.join(big, "file"), blob_mb, 22)
    harness.say(f"dataset {size / 2**20:.0f} MiB, big file {blob_mb} MiB, {strata.version()}")

    # Every measurement alternates between the two stores, one sample of each per round, so that a
    # machine whose speed drifts (a virtual disk, a neighbour) weighs on both alike.
    names = [name for name, _ in kinds()]
    init_of = dict(kinds())
    rows, counters = {}, {}

    def fresh(repo, name):
        shutil.rmtree(repo, ignore_errors=True)
        strata.init(repo, init_of[name])

    def report_walls(what, ms):
        for name in names:
            harness.say(f"{what} {name}: {ms[name].wall:.2f} s {ms[name].walls()}")

    repos = {name: os.path.join(a.scratch, f"store-{name}") for name in names}
    rows["backup"] = harness.alternate(
        {name: lambda name=name: harness.timed(strata.backup(repos[name], data)["cmd"])
         for name in names}, REPS, prepare=lambda name: fresh(repos[name], name))
    report_walls("backup", rows["backup"])

    big_repos = {name: os.path.join(a.scratch, f"big-{name}") for name in names}
    mnts = {name: os.path.join(a.scratch, f"mnt-{name}") for name in names}
    paths = {name: os.path.join(mnts[name], "latest", "file") for name in names}
    for name in names:
        fresh(big_repos[name], name)
        harness.run(strata.backup(big_repos[name], big)["cmd"])
        os.makedirs(mnts[name])

    # Without the disk block cache: the data path alone (pack reads, decryption, decompression).
    try:
        for name in names:
            harness.run([a.strata, "mount", "-s", big_repos[name], mnts[name], "--no-cache"])
            wait_mounted(mnts[name])
        # No redoing of "disturbed" samples through a mount: the daemon's CPU counts as foreign.
        rows["cat"] = harness.alternate({name: lambda name=name: harness.timed(["cat", paths[name]])
                                         for name in names}, REPS, prepare=lambda name: harness.drop_caches(),
                                        max_redo=0)
    finally:
        for name in names:
            if os.path.ismount(mnts[name]):
                harness.run(strata.umount(mnts[name]))
    report_walls("cat", rows["cat"])

    # Through a mount with the block cache, which a first mount filled with random 4 KiB reads. The cache
    # admits only frames a random reader read in part (strata(1), "Block cache"), so `cat` reads most
    # frames from the packs, and the random reads come from the cache: an encrypted store's cache values
    # are sealed, and this is where opening them shows. Each sample on a fresh mount (empty in-memory
    # caches) once its cache is attached, the page cache dropped.
    caches = {name: os.path.join(a.scratch, f"cache-{name}") for name in names}

    def rand(name):
        return ["python3", RANDREAD, paths[name], str(RAND_READS), "1"]

    def cached_mount(name, log):
        harness.run([a.strata, "mount", "-s", big_repos[name], mnts[name], "--cache-dir", caches[name],
                     "--log-file", log])
        wait_mounted(mnts[name])
        wait_cache_attached(mnts[name])

    for name in names:
        fill_log = os.path.join(a.scratch, f"mount-{name}-fill.log")
        cached_mount(name, fill_log)
        try:
            harness.run(rand(name), stdout=subprocess.DEVNULL)
        finally:
            harness.run(strata.umount(mnts[name]))
        wait_cache_written(fill_log)
    rand_want = json.loads(harness.capture(["python3", RANDREAD, os.path.join(big, "file"), str(RAND_READS),
                                            "1"]))["sha256"]
    for what, cmd in (("cat_cached", lambda name: ["cat", paths[name]]), ("rand_cached", rand)):
        logs = {name: [] for name in names}

        def take(name, what=what, cmd=cmd, logs=logs):
            logs[name].append(os.path.join(a.scratch, f"mount-{name}-{what}-{len(logs[name])}.log"))
            cached_mount(name, logs[name][-1])
            try:
                harness.drop_caches()
                return harness.timed(cmd(name), capture=what == "rand_cached")
            finally:
                harness.run(strata.umount(mnts[name]))
                wait_cache_written(logs[name][-1])

        ms = harness.alternate({name: lambda name=name, take=take: take(name) for name in names}, REPS,
                               max_redo=0)
        for name in names:
            counters[(name, what)] = cache_counters(logs[name][-1])
            m = ms[name]
            if what == "cat_cached":
                rows.setdefault(what, {})[name] = m
                harness.say(f"cat again with the block cache {name}: {m.wall:.2f} s {m.walls()} "
                            f"({counters[(name, what)]})")
            else:
                results = [json.loads(x.out) for x in m.samples]
                # The same blocks of the original file: a mount that read other bytes is not measured.
                if any(r["sha256"] != rand_want for r in results):
                    raise RuntimeError(f"random reads through the {name} mount read bytes that differ from the file")
                p50s = [r["p50_us"] for r in results]
                means = [r["mean_us"] for r in results]
                rows.setdefault(what, {})[name] = (harness.median(p50s), harness.median(means))
                harness.say(f"random 4 KiB reads from the block cache {name}: p50 {harness.median(p50s):.0f} us "
                            f"{p50s}, mean {harness.median(means):.0f} us {means} ({counters[(name, what)]})")

    empties = {name: os.path.join(a.scratch, f"empty-{name}") for name in names}
    for name in names:
        strata.init(empties[name], init_of[name] if name == "plain" else ())  # the default strength
    rows["unlock"] = harness.alternate(
        {name: lambda name=name: harness.timed([a.strata, "snapshots", "-s", empties[name]]) for name in names},
        UNLOCK_REPS)
    for name in names:
        m = rows["unlock"][name]
        harness.say(f"snapshots on an empty {name} store: {m.wall:.3f} s {m.walls()}")

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "RESULTS-crypto-quick.md" if a.quick else "RESULTS-crypto.md")
    with open(out, "w") as f:
        f.write(report(rows, counters, size, blob_mb, strata.version(), a.quick))
    harness.say(f"wrote {out}")


def report(rows, counters, size, blob_mb, version, quick):
    mib = size / 2**20

    def flag(ratio):
        return "" if ratio >= 0.85 else " (below 0.85x)"

    def line(what, m, amount):
        p, e = m["plain"], m["encrypted"]
        ratio = p.wall / e.wall  # throughput of encrypted relative to plain
        rate = (lambda x: f"{amount / x.wall:.0f} MiB/s") if amount else (lambda x: f"{x.wall * 1000:.0f} ms")
        return f"| {what} | {p.wall:.2f} s, {rate(p)} | {e.wall:.2f} s, {rate(e)} | {ratio:.2f}x{flag(ratio)} |\n"

    def cache(what):
        return f"plain {counters[('plain', what)]}, encrypted {counters[('encrypted', what)]}"

    rp, re_ = rows["rand_cached"]["plain"], rows["rand_cached"]["encrypted"]
    up, ue = rows["unlock"]["plain"], rows["unlock"]["encrypted"]
    return (
        f"# Encrypted vs plain stores{' (quick run: sizes too small for meaningful figures)' if quick else ''}\n\n"
        f"{version}, {time.strftime('%Y-%m-%d')}, bench/crypto.sh{' --quick' if quick else ''}. Medians of "
        f"{REPS} (unlock: {UNLOCK_REPS}); ratio = encrypted throughput / plain throughput (target >= 0.85x).\n\n"
        "| measurement | plain | encrypted | ratio |\n|---|---|---|---|\n"
        + line(f"first backup, mixed {mib:.0f} MiB (fresh store each time)", rows["backup"], mib)
        + line(f"cold `cat` of a {blob_mb} MiB file through the mount (no disk cache)", rows["cat"], blob_mb)
        + line("`cat` of the same file again, through a mount with a block cache (page cache dropped)",
               rows["cat_cached"], blob_mb)
        + "".join(f"| {RAND_READS} random 4 KiB reads of it from a populated block cache (page cache dropped), "
                  f"{stat} latency | {rp[i]:.0f} us | {re_[i]:.0f} us | {rp[i] / re_[i]:.2f}x{flag(rp[i] / re_[i])} |\n"
                  for i, stat in enumerate(("p50", "mean")))
        + f"| `strata snapshots` on an empty store (unlock at the default strength) | {up.wall * 1000:.0f} ms "
        f"| {ue.wall * 1000:.0f} ms | +{(ue.wall - up.wall) * 1000:.0f} ms per command |\n\n"
        "Backup stores are encrypted with `--kdf minimum`, so the backup row measures the data path; the last "
        "row is the unlock (one Argon2id derivation at moderate strength) every command pays once.\n\n"
        "The block cache was filled by one mount making the same random reads. It admits only frames a "
        "random reader read in part (strata(1), \"Block cache\"): the `cat` row reads most frames from the "
        "packs, and the random reads come from the cache. Each sample starts once the mount has attached "
        "its cache (it checks an existing one whole first). The mean latency is the reads' throughput. "
        f"Cache counters of the last sample: `cat`: {cache('cat_cached')}; random reads: "
        f"{cache('rand_cached')}.\n"
    )


if __name__ == "__main__":
    main()
