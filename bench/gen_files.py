#!/usr/bin/env python3
"""Workloads c and the single-file workloads.

  gen_files.py small DIR COUNT DIRS      COUNT files of 0-8 KiB spread over DIRS directories (seed 3)
  gen_files.py blob FILE MB SEED         a file of MB MiB of random bytes
  gen_files.py scatter FILE N EDITS      version N of FILE: EDITS random 4 KiB-aligned 4 KiB blocks
                                         overwritten in place (seed 5000+N)
  gen_files.py poke FILE OFFSET          flip one byte at OFFSET in place
  gen_files.py edit DIR N PERCENT        version N of a tree of files: PERCENT % of its files (chosen with
                                         seed 7000+N) rewritten with new 0-8 KiB contents
  gen_files.py usrset DEST MB SRC...     copy the first MB MiB of regular files under SRC (sorted paths),
                                         with their directories, into DEST
"""
import os
import random
import shutil
import sys

LETTERS = bytes((ord("a") + i % 26) if i % 9 else ord("\n") for i in range(256))


def small(root, count, dirs):
    rng = random.Random(3)
    names = [os.path.join(root, f"d{i // 20:03d}", f"s{i:04d}") for i in range(dirs)]
    for d in names:
        os.makedirs(d, exist_ok=True)
    total = 0
    for i in range(count):
        size = rng.randint(0, 8192)
        # Half text (compressible), half random bytes.
        data = rng.randbytes(size)
        if i % 2 == 0:
            data = data.translate(LETTERS)
        with open(os.path.join(names[i % dirs], f"f{i:06d}.dat"), "wb") as f:
            f.write(data)
        total += size
    print(f"{count} files, {total} bytes in {dirs} directories")


def blob(path, mb, seed):
    rng = random.Random(seed)
    with open(path, "wb") as f:
        for _ in range(mb):
            f.write(rng.randbytes(1 << 20))


def scatter(path, n, edits):
    rng = random.Random(5000 + n)
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        for _ in range(edits):
            block = rng.randrange(size // 4096)
            f.seek(block * 4096)
            f.write(rng.randbytes(4096))


def edit(root, n, percent):
    """Returns the rewritten files' paths, relative to root."""
    rng = random.Random(7000 + n)
    files = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)
    changed = sorted(rng.sample(files, max(1, round(len(files) * percent / 100))))
    for rel in changed:
        with open(os.path.join(root, rel), "wb") as f:
            f.write(rng.randbytes(rng.randint(0, 8192)))
    return changed


def poke(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0xFF]))


def usrset(dest, mb, srcs):
    limit = mb * 1024 * 1024
    total = 0
    files = []
    for src in srcs:
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames.sort()
            for name in sorted(filenames):
                p = os.path.join(dirpath, name)
                if os.path.isfile(p) and not os.path.islink(p):
                    files.append(p)
    for p in sorted(files):
        size = os.path.getsize(p)
        if total + size > limit:
            continue
        out = os.path.join(dest, p.lstrip("/"))
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copy2(p, out)
        total += size
        if total > limit * 0.995:
            break
    print(f"copied {total} bytes")


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    if a[0] == "small":
        small(a[1], int(a[2]), int(a[3]))
    elif a[0] == "blob":
        blob(a[1], int(a[2]), int(a[3]))
    elif a[0] == "scatter":
        scatter(a[1], int(a[2]), int(a[3]))
    elif a[0] == "edit":
        print(len(edit(a[1], int(a[2]), float(a[3]))), "files rewritten")
    elif a[0] == "poke":
        poke(a[1], int(a[2]))
    elif a[0] == "usrset":
        usrset(a[1], int(a[2]), a[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
