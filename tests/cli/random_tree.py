#!/usr/bin/env python3
"""Random trees for the diff, log and export-tar tests, and random edits of them.

  random_tree.py make DIR SEED     a tree of ~200 entries: nested dirs, files of random bytes, symlinks,
                                   fifos, hardlinks, xattrs (user.*), as root other owners, ns mtimes
  random_tree.py mutate DIR SEED   ~44 random edits: content, deletions (files and whole dirs), additions,
                                   chmod, mtime only, chown (root), xattrs, symlink targets, type changes,
                                   new hardlinks

Only the tree is written; what a test expects is worked out from the trees themselves (diff -rq, lstat).
"""
import os
import random
import shutil
import sys

ROOT = os.geteuid() == 0


def xattrs_supported(d):
    try:
        os.setxattr(d, "user.probe", b"1")
        os.removexattr(d, "user.probe")
        return True
    except OSError:
        return False


class Tree:
    def __init__(self, root, seed):
        self.root = root
        self.rng = random.Random(seed)
        self.xattrs = xattrs_supported(root)

    def rand_time(self):
        return self.rng.randrange(1_000_000_000, 1_900_000_000) * 1_000_000_000 + self.rng.randrange(10**9)

    def write_file(self, path):
        size = self.rng.choice([0, 1, 100, 4096, 5000, 70000, self.rng.randrange(1, 300000)])
        with open(path, "wb") as f:
            f.write(self.rng.randbytes(size))
        self.decorate(path)

    def decorate(self, path):
        r = self.rng
        if not os.path.islink(path):
            os.chmod(path, r.choice([0o644, 0o600, 0o755, 0o640, 0o444, 0o750]))
        if self.xattrs and self.xattr_capable(path) and r.random() < 0.2:
            os.setxattr(path, "user.note", r.randbytes(r.randrange(0, 40)))
        if ROOT and r.random() < 0.15:
            os.chown(path, r.randrange(1000, 70000), r.randrange(1000, 70000), follow_symlinks=False)
        os.utime(path, ns=(self.rand_time(), self.rand_time()), follow_symlinks=False)

    def xattr_capable(self, p):
        # user.* xattrs exist on regular files and directories only.
        return not os.path.islink(p) and (os.path.isfile(p) or os.path.isdir(p))

    def name(self, prefix):
        return f"{prefix}{self.rng.randrange(10**6):06d}"

    def make_dir(self, path, depth):
        os.mkdir(path)
        for _ in range(self.rng.randrange(2, 9)):
            self.make_entry(os.path.join(path, self.name("e")), depth + 1)
        self.decorate(path)

    def make_entry(self, path, depth):
        if os.path.lexists(path):
            return
        kind = self.rng.random()
        if kind < 0.25 and depth < 4:
            self.make_dir(path, depth)
        elif kind < 0.85:
            self.write_file(path)
        elif kind < 0.93:
            os.symlink(self.name("target-"), path)
            self.decorate(path)
        else:
            os.mkfifo(path)
            self.decorate(path)

    def entries(self, want=None):
        out = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            for n in dirnames + filenames:
                p = os.path.join(dirpath, n)
                if want is None or want(p):
                    out.append(p)
        out.sort()
        return out

    def regular(self, p):
        return os.path.isfile(p) and not os.path.islink(p)

    def touch_parent(self, p):
        # Edits leave the parent's mtime at "now"; a fixed random one keeps the trees reproducible.
        os.utime(os.path.dirname(p), ns=(self.rand_time(), self.rand_time()))

    def mutate_one(self, op=None):
        r = self.rng
        op = op or r.choice(["content", "content", "delete", "delete_dir", "add", "add_dir", "chmod", "mtime",
                       "chown", "xattr", "retarget", "to_dir", "to_file", "to_symlink", "link"])
        if op == "content":
            files = self.entries(self.regular)
            if files:
                p = r.choice(files)
                with open(p, "r+b") as f:
                    f.seek(r.randrange(0, os.path.getsize(p) + 1))
                    f.write(r.randbytes(r.randrange(1, 3000)))
                os.utime(p, ns=(self.rand_time(), self.rand_time()))
        elif op == "delete":
            cands = self.entries(lambda p: not os.path.isdir(p) or os.path.islink(p))
            if cands:
                p = r.choice(cands)
                os.unlink(p)
                self.touch_parent(p)
        elif op == "delete_dir":
            dirs = self.entries(lambda p: os.path.isdir(p) and not os.path.islink(p))
            if dirs:
                p = r.choice(dirs)
                shutil.rmtree(p)
                self.touch_parent(p)
        elif op in ("add", "add_dir"):
            dirs = [self.root] + self.entries(lambda p: os.path.isdir(p) and not os.path.islink(p))
            p = os.path.join(r.choice(dirs), self.name("new"))
            if op == "add_dir":
                self.make_dir(p, 2)
            else:
                self.write_file(p)
            self.touch_parent(p)
        elif op in ("chmod", "mtime", "chown", "xattr"):
            cands = self.entries(lambda p: not os.path.islink(p))
            if not cands:
                return
            p = r.choice(cands)
            if op == "chmod":
                os.chmod(p, os.stat(p).st_mode & 0o7777 ^ r.choice([0o1, 0o20, 0o400, 0o4000]))
            elif op == "mtime":
                os.utime(p, ns=(self.rand_time(), self.rand_time()))
            elif op == "chown" and ROOT:
                os.chown(p, r.randrange(1000, 70000), r.randrange(1000, 70000))
            elif op == "xattr" and self.xattrs and self.xattr_capable(p):
                os.setxattr(p, "user.changed", r.randbytes(r.randrange(1, 30)))
        elif op == "retarget":
            links = self.entries(os.path.islink)
            if links:
                p = r.choice(links)
                os.unlink(p)
                os.symlink(self.name("retarget-"), p)
                self.decorate(p)
                self.touch_parent(p)
        elif op == "to_dir":
            files = self.entries(self.regular)
            if files:
                p = r.choice(files)
                os.unlink(p)
                self.make_dir(p, 3)
                self.touch_parent(p)
        elif op == "to_file":
            dirs = self.entries(lambda p: os.path.isdir(p) and not os.path.islink(p))
            if dirs:
                p = r.choice(dirs)
                shutil.rmtree(p)
                self.write_file(p)
                self.touch_parent(p)
        elif op == "to_symlink":
            files = self.entries(self.regular)
            if files:
                p = r.choice(files)
                os.unlink(p)
                os.symlink(self.name("was-a-file-"), p)
                self.decorate(p)
                self.touch_parent(p)
        elif op == "link":
            files = self.entries(self.regular)
            if files:
                src = r.choice(files)
                p = os.path.join(os.path.dirname(src), self.name("hardlink"))
                os.link(src, p)
                self.touch_parent(p)


def main():
    cmd, root, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == "make":
        os.makedirs(root)
        t = Tree(root, seed)
        for _ in range(25):
            t.make_entry(os.path.join(root, t.name("top")), 0)
        # A few hardlink groups from the start.
        files = t.entries(t.regular)
        for src in t.rng.sample(files, min(4, len(files))):
            os.link(src, os.path.join(os.path.dirname(src), t.name("hl")))
        os.utime(root, ns=(t.rand_time(), t.rand_time()))
    elif cmd == "mutate":
        t = Tree(root, seed)
        # Content edits first, so that every run has some that survive the later edits.
        for _ in range(4):
            t.mutate_one("content")
        for _ in range(40):
            t.mutate_one()
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
