"""The three backup tools behind one small interface: init a repository, describe a backup / restore /
mount command (a dict of harness.timed() arguments), list snapshots, and find a snapshot's directory in a
mount of the repository."""
import json
import os

import harness


class Strata:
    name = "strata"

    def __init__(self, binary):
        self.bin = binary

    def version(self):
        return harness.capture([self.bin, "--version"]).strip()

    def init(self, repo, encryption=("--encryption", "none")):
        """A plain store by default, as the comparisons with borg (-e none) have always measured; the
        crypto benchmark passes ("--kdf", STRENGTH) for an encrypted one."""
        harness.run([self.bin, "init", "-s", repo, *encryption])

    def backup(self, repo, src, extra=()):
        return {"cmd": [self.bin, "backup", "-s", repo, src, *extra]}

    def snapshots(self, repo):
        lines = harness.capture([self.bin, "snapshots", "-s", repo, "--json"]).splitlines()
        return [o for o in map(json.loads, lines) if o.get("type") == "snapshot"]

    def snap(self, repo, index):
        return self.snapshots(repo)[index]["id"]

    def restore(self, repo, index, dest):
        return {"cmd": [self.bin, "restore", "-s", repo, self.snap(repo, index), dest]}

    def cat(self, repo, index, path):
        return {"cmd": [self.bin, "cat", "-s", repo, self.snap(repo, index), path]}

    def mount_options(self):
        """The mount's options this binary knows (the LMDB block cache's --cache-dir comes and goes)."""
        return harness.capture([self.bin, "mount", "--help"])

    def mount(self, repo, mnt, cache_dir=None):
        cmd = [self.bin, "mount", "-f", "-s", repo, mnt]
        if cache_dir:
            cmd += ["--cache-dir", cache_dir]
        return {"cmd": cmd}

    def umount(self, mnt):
        return [self.bin, "umount", mnt]

    def listing(self, mnt):
        """The directory of a mount that lists the snapshots."""
        return mnt

    def snapshot_names(self, repo):
        """What the mount's root lists, oldest first."""
        return [s["name"] for s in self.snapshots(repo)]

    def snapshot_dir(self, repo, mnt, index, src):
        # With one source path, a snapshot's root is that directory's contents.
        return os.path.join(mnt, self.snapshot_names(repo)[index])


class Borg:
    name = "borg"

    def __init__(self, base_dir):
        self.base_env = dict(os.environ)
        self.base_env.update({
            "BORG_BASE_DIR": base_dir,
            "BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK": "yes",
            "BORG_RELOCATED_REPO_ACCESS_IS_OK": "yes",
        })
        self.counters = {}

    def env(self, repo):
        e = dict(self.base_env)
        e["BORG_REPO"] = repo
        return e

    def version(self):
        return harness.capture(["borg", "--version"], env=self.base_env).strip()

    def init(self, repo):
        harness.run(["borg", "init", "-e", "none"], env=self.env(repo))
        self.counters[repo] = 0

    def backup(self, repo, src, extra=()):
        self.counters[repo] = self.counters.get(repo, 0) + 1
        name = f"v{self.counters[repo]}"
        # Exit code 1 is a warning (e.g. a file changed while read); the archive is made.
        return {"cmd": ["borg", "create", "--compression", "zstd,3", f"::{name}", src, *extra],
                "env": self.env(repo), "ok_codes": (0, 1)}

    def archives(self, repo):
        out = json.loads(harness.capture(["borg", "list", "--json"], env=self.env(repo)))
        return [a["name"] for a in out["archives"]]

    def restore(self, repo, index, dest):
        name = self.archives(repo)[index]
        os.makedirs(dest, exist_ok=True)
        return {"cmd": ["borg", "extract", f"::{name}"], "env": self.env(repo), "cwd": dest}

    def mount(self, repo, mnt, cache_dir=None):
        # Foreground, so the caller owns the serving process. The whole repository: one directory per
        # archive, each loaded on first access.
        return {"cmd": ["borg", "mount", "-f", "::", mnt], "env": self.env(repo)}

    def umount(self, mnt):
        return ["fusermount3", "-u", mnt]

    def listing(self, mnt):
        return mnt

    def snapshot_names(self, repo):
        return self.archives(repo)

    def snapshot_dir(self, repo, mnt, index, src):
        # Archives keep the absolute source path, less its leading slash.
        return os.path.join(mnt, self.archives(repo)[index], src.lstrip("/"))


class Restic:
    name = "restic"

    def __init__(self, cache_dir):
        self.base_env = dict(os.environ)
        self.base_env.update({"RESTIC_PASSWORD": "x", "RESTIC_CACHE_DIR": cache_dir})

    def env(self, repo):
        e = dict(self.base_env)
        e["RESTIC_REPOSITORY"] = repo
        return e

    def version(self):
        return harness.capture(["restic", "version"], env=self.base_env).strip()

    def init(self, repo):
        harness.run(["restic", "init"], env=self.env(repo))

    def backup(self, repo, src, extra=()):
        # Exit code 3: some files could not be read, snapshot made.
        return {"cmd": ["restic", "backup", "-q", src, *extra], "env": self.env(repo), "ok_codes": (0, 3)}

    def snapshots(self, repo):
        snaps = json.loads(harness.capture(["restic", "snapshots", "--json"], env=self.env(repo)))
        snaps.sort(key=lambda s: s["time"])
        return [s["id"] for s in snaps]

    def restore(self, repo, index, dest):
        sid = self.snapshots(repo)[index]
        return {"cmd": ["restic", "restore", sid, "--target", dest], "env": self.env(repo)}

    def mount(self, repo, mnt, cache_dir=None):
        # restic mount always stays in the foreground.
        return {"cmd": ["restic", "mount", mnt], "env": self.env(repo)}

    def umount(self, mnt):
        return ["fusermount3", "-u", mnt]

    def listing(self, mnt):
        return os.path.join(mnt, "ids")

    def snapshot_names(self, repo):
        """What ids/ in the mount lists: short snapshot ids."""
        return [sid[:8] for sid in self.snapshots(repo)]

    def snapshot_dir(self, repo, mnt, index, src):
        return os.path.join(self.listing(mnt), self.snapshot_names(repo)[index], src.lstrip("/"))
