#!/usr/bin/env python3
"""Workload b: a SQLite database and its later versions.

  gen_sqlite.py create DB MB       build a ~MB MB database (page size 4096, rollback journal)
  gen_sqlite.py update DB N        version N: rewrite ~1% of the rows in 200 random key ranges, in place

Table t(id INTEGER PRIMARY KEY, payload TEXT): ~200 bytes of random lowercase text per row. Updates keep
each payload's length, so the rows stay on their pages and the changed pages are rewritten in place (no
VACUUM, no page splits). Deterministic: seed 42 for the build, 7000+N for version N.
"""
import random
import sqlite3
import sys

ROW_BYTES = 200
# 256 byte values -> 26 letters, so random bytes become random lowercase text.
LETTERS = bytes((ord("a") + i % 26) for i in range(256))


def payloads(rng, count):
    raw = rng.randbytes(count * ROW_BYTES).translate(LETTERS)
    for i in range(count):
        yield raw[i * ROW_BYTES:(i + 1) * ROW_BYTES].decode()


def create(path, mb):
    # ~225 bytes per row on disk with page and cell overhead.
    rows = int(mb * 1024 * 1024 / 225)
    rng = random.Random(42)
    db = sqlite3.connect(path)
    db.execute("PRAGMA page_size = 4096")
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
    batch = 100000
    for start in range(0, rows, batch):
        n = min(batch, rows - start)
        db.executemany("INSERT INTO t VALUES (?, ?)", zip(range(start + 1, start + n + 1), payloads(rng, n)))
        db.commit()
    db.close()
    print(f"created {path}: {rows} rows")


def update(path, n):
    rng = random.Random(7000 + n)
    db = sqlite3.connect(path)
    (rows,) = db.execute("SELECT max(id) FROM t").fetchone()
    ranges = 200
    per_range = max(1, rows // 100 // ranges)  # ~1% of the rows in all
    changed = 0
    for _ in range(ranges):
        lo = rng.randint(1, rows - per_range)
        ids = range(lo, lo + per_range)
        db.executemany("UPDATE t SET payload = ? WHERE id = ?", ((p, i) for p, i in zip(payloads(rng, per_range), ids)))
        changed += per_range
    db.commit()
    db.close()
    print(f"version {n}: updated {changed} rows in {ranges} ranges")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("create", "update"):
        sys.exit(__doc__)
    if sys.argv[1] == "create":
        create(sys.argv[2], float(sys.argv[3]))
    else:
        update(sys.argv[2], int(sys.argv[3]))


if __name__ == "__main__":
    main()
