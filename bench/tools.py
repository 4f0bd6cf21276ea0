"""The three backup tools behind one small interface: init a repository, describe a backup / restore
command (a dict of harness.timed() arguments), list snapshots."""
import json
import os

import harness


class Strata:
    name = "strata"

    def __init__(self, binary):
        self.bin = binary

    def version(self):
        return harness.capture([self.bin, "--version"]).strip()

    def init(self, repo):
        harness.run([self.bin, "init", "-s", repo])

    def backup(self, repo, src, extra=()):
        return {"cmd": [self.bin, "backup", "-s", repo, src, *extra]}

    def snapshots(self, repo):
        return json.loads(harness.capture([self.bin, "snapshots", "-s", repo, "--json"]))

    def snap(self, repo, index):
        return self.snapshots(repo)[index]["id"]

    def restore(self, repo, index, dest):
        return {"cmd": [self.bin, "restore", "-s", repo, self.snap(repo, index), dest]}

    def cat(self, repo, index, path):
        return {"cmd": [self.bin, "cat", "-s", repo, self.snap(repo, index), path]}


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
