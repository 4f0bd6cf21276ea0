#!/usr/bin/env python3
"""Workload a: a source tree over releases.

  gen_tree.py release DIR N [--fraction F]

Turns the tree in DIR (release N-1) into release N, in place: edits ~2% of the regular files (inserts and
deletes a few lines in the middle), adds a few files and deletes a few. Deterministic: the random choices
are seeded with N, and the file list is sorted, so the same starting tree always gives the same releases.
"""
import os
import random
import sys


def regular_files(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            p = os.path.join(dirpath, name)
            if os.path.isfile(p) and not os.path.islink(p):
                out.append(p)
    out.sort()
    return out


WORDS = ("int char void static const struct return if else for while unsigned long size_t namespace "
         "template typename class public private protected virtual override nullptr true false define "
         "include ifdef endif buffer length offset count index value result status error").split()


def code_line(rng):
    n = rng.randint(2, 10)
    indent = "  " * rng.randint(0, 3)
    return indent + " ".join(rng.choice(WORDS) for _ in range(n)) + ";\n"


def edit_file(path, rng):
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if len(lines) < 4:
        lines = lines + [b""] * 4
    mid_lo, mid_hi = len(lines) // 4, max(len(lines) // 4 + 1, 3 * len(lines) // 4)
    # Delete a few lines somewhere in the middle, then insert a few elsewhere in the middle.
    at = rng.randint(mid_lo, mid_hi)
    del lines[at:at + rng.randint(0, 5)]
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(min(mid_lo, len(lines)), min(mid_hi, len(lines)))
        new = [code_line(rng).rstrip("\n").encode() for _ in range(rng.randint(1, 8))]
        lines[at:at] = new
    with open(path, "wb") as f:  # in place: same inode, new mtime/ctime
        f.write(b"\n".join(lines))


def release(root, n, fraction):
    rng = random.Random(1000 + n)
    files = regular_files(root)
    k = max(1, int(len(files) * fraction))
    for p in rng.sample(files, k):
        edit_file(p, rng)
    # Delete a few files.
    for p in rng.sample(files, 5):
        if os.path.exists(p):
            os.unlink(p)
    # Add a few new files next to existing ones.
    for i in range(8):
        d = os.path.dirname(rng.choice(files))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"added_r{n}_{i}.h"), "w") as f:
            for _ in range(rng.randint(20, 400)):
                f.write(code_line(rng))
    return k


def main():
    if len(sys.argv) < 4 or sys.argv[1] != "release":
        sys.exit(__doc__)
    root, n = sys.argv[2], int(sys.argv[3])
    fraction = 0.02
    if "--fraction" in sys.argv:
        fraction = float(sys.argv[sys.argv.index("--fraction") + 1])
    k = release(root, n, fraction)
    print(f"release {n}: edited {k} files, deleted 5, added 8")


if __name__ == "__main__":
    main()
