#!/usr/bin/env python3
"""What `strata diff` must report between two source trees, worked out without strata.

  diff_oracle.py OLD NEW    prints one line per changed path, sorted: "KIND PATH [FIELDS]"

KIND is + (only in NEW), - (only in OLD), M (content differs), T (type differs) or m (same type and
content, other metadata). Which paths exist and whose content differs comes from `diff -rq
--no-dereference`; types and metadata (mode, owner, ns mtime, xattrs, symlink target, device number) from
lstat. FIELDS, for M and m, names the metadata that differs, as strata diff --json does.
"""
import os
import stat
import subprocess
import sys


def descendants(root, rel):
    path = os.path.join(root, rel)
    out = []
    if os.path.isdir(path) and not os.path.islink(path):
        for dirpath, dirnames, filenames in os.walk(path):
            for n in dirnames + filenames:
                out.append(os.path.relpath(os.path.join(dirpath, n), root))
    return out


def xattrs(path):
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return {}
    return {n: os.getxattr(path, n, follow_symlinks=False) for n in names}


def metadata_fields(a, b):
    sa, sb = os.lstat(a), os.lstat(b)
    fields = []
    if stat.S_IMODE(sa.st_mode) != stat.S_IMODE(sb.st_mode):
        fields.append("mode")
    if (sa.st_uid, sa.st_gid) != (sb.st_uid, sb.st_gid):
        fields.append("owner")
    if sa.st_mtime_ns != sb.st_mtime_ns:
        fields.append("mtime")
    if xattrs(a) != xattrs(b):
        fields.append("xattrs")
    if stat.S_ISLNK(sa.st_mode) and os.readlink(a) != os.readlink(b):
        fields.append("link_target")
    if (stat.S_ISCHR(sa.st_mode) or stat.S_ISBLK(sa.st_mode)) and sa.st_rdev != sb.st_rdev:
        fields.append("device")
    return fields


def main():
    old, new = sys.argv[1], sys.argv[2]
    run = subprocess.run(["diff", "-rq", "--no-dereference", old, new], capture_output=True)
    if run.returncode > 1:
        sys.exit("diff failed: " + run.stderr.decode())
    kinds = {}
    for line in run.stdout.decode("utf-8", "surrogateescape").splitlines():
        if line.startswith("Only in "):
            where, name = line[len("Only in "):].split(": ", 1)
            side, kind = (old, "-") if where == old or where.startswith(old + "/") else (new, "+")
            rel = os.path.relpath(os.path.join(where, name), side)
            for p in [rel] + descendants(side, rel):
                kinds[p] = kind
        elif line.startswith("Files ") and line.endswith(" differ"):
            a = line[len("Files "):-len(" differ")].split(" and ", 1)[0]
            kinds[os.path.relpath(a, old)] = "M"
        elif line.startswith("File ") and " while file " in line:
            first, second = line[len("File "):].split(" while file ", 1)
            a, type_a = first.split(" is a ", 1)
            type_b = second.split(" is a ", 1)[1]
            # diff names an empty regular file apart; it is still a regular file.
            type_a, type_b = (t.replace("regular empty file", "regular file") for t in (type_a, type_b))
            if type_a != type_b:
                rel = os.path.relpath(a, old)
                kinds[rel] = "T"
                for p in descendants(old, rel):
                    kinds[p] = "-"
                for p in descendants(new, rel):
                    kinds[p] = "+"
        elif not line.startswith("Symbolic links "):
            sys.exit("unexpected diff output: " + line)
    # Same type on both sides, content equal or not comparable by diff: metadata decides.
    for dirpath, dirnames, filenames in os.walk(old):
        for n in dirnames + filenames:
            rel = os.path.relpath(os.path.join(dirpath, n), old)
            a, b = os.path.join(old, rel), os.path.join(new, rel)
            if kinds.get(rel, "M") != "M" or not os.path.lexists(b):
                continue
            if stat.S_IFMT(os.lstat(a).st_mode) != stat.S_IFMT(os.lstat(b).st_mode):
                continue
            fields = metadata_fields(a, b)
            if rel in kinds:
                kinds[rel] = "M " + ",".join(fields)
            elif fields:
                kinds[rel] = "m " + ",".join(fields)
    for rel in sorted(kinds):
        kind, _, fields = kinds[rel].partition(" ")
        print(f"{kind} {rel} {fields}".rstrip() if kind in "Mm" else f"{kind} {rel}")


if __name__ == "__main__":
    main()
