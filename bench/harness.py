"""Timing harness shared by bench.py and blocklen.py.

Every measured command is timed for wall clock and its own CPU (user + sys of the whole process tree,
from RUSAGE_CHILDREN). The machine's total busy CPU over the same interval (from /proc/stat) minus the
command's own CPU is the "foreign" CPU: work done by anything else, such as a compiler another engineer
started on the same cores. A sample whose foreign CPU averages more than DISTURBED_CORES over its wall
time is marked disturbed; repeated measurements redo disturbed samples (a bounded number of times) and
take the median of the clean ones.
"""
import os
import resource
import statistics
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1
DISTURBED_CORES = 0.30   # foreign CPU, in cores, above which a sample counts as disturbed
QUIET_CORES = 0.15       # what "quiet" means before a measurement starts
QUIET_MAX_WAIT = int(os.environ.get("BENCH_QUIET_MAX_WAIT", "60"))  # seconds to wait for quiet per measurement
WAIT_BUDGET = 600        # seconds of such waiting in a whole run; past it, waits are cut to 10 s
waited_total = 0.0

LOG = None


def open_log(path):
    global LOG
    LOG = open(path, "a", buffering=1)


def log(msg):
    line = time.strftime("%H:%M:%S ") + msg
    if LOG:
        LOG.write(line + "\n")


def say(msg):
    print(msg, flush=True)
    log(msg)


def cpu_busy_seconds():
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    v = [int(x) for x in parts]
    idle = v[3] + v[4]  # idle + iowait
    return (sum(v[:8]) - idle) / HZ


def wait_quiet(window=0.5):
    """Waits until the machine's busy CPU over a short window is below QUIET_CORES (bounded per call by
    QUIET_MAX_WAIT, and over the whole run by WAIT_BUDGET)."""
    global waited_total
    start = time.time()
    limit = QUIET_MAX_WAIT if waited_total < WAIT_BUDGET else min(10, QUIET_MAX_WAIT)
    while True:
        b0 = cpu_busy_seconds()
        time.sleep(window)
        busy = (cpu_busy_seconds() - b0) / window
        waited = time.time() - start
        if busy < QUIET_CORES or waited > limit:
            if busy >= QUIET_CORES:
                log(f"wait_quiet: still {busy:.2f} cores busy after {waited:.0f}s, measuring anyway")
            if waited > 1:
                waited_total += waited - window
                log(f"wait_quiet: waited {waited:.1f}s (run total {waited_total:.0f}s)")
            return waited


def drop_caches():
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


class Sample:
    def __init__(self, wall, user, sys_, foreign, out=None):
        self.wall, self.user, self.sys, self.foreign = wall, user, sys_, foreign
        self.out = out  # the command's standard output, when timed() was asked to capture it

    @property
    def cpu(self):
        return self.user + self.sys

    @property
    def disturbed(self):
        return self.wall > 0 and self.foreign / self.wall > DISTURBED_CORES

    def __repr__(self):
        flag = " DISTURBED" if self.disturbed else ""
        return f"wall={self.wall:.3f}s cpu={self.cpu:.3f}s foreign={self.foreign:.2f}s{flag}"


def run(cmd, *, env=None, cwd=None, stdout=None, ok_codes=(0,), shell=False):
    """Runs cmd once, untimed; raises on failure. Output goes to the log unless stdout is given."""
    out = stdout if stdout is not None else LOG
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=out, stderr=LOG, shell=shell)
    if p.returncode not in ok_codes:
        raise RuntimeError(f"command failed ({p.returncode}): {cmd}")
    return p


def capture(cmd, *, env=None, cwd=None, shell=False):
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=LOG, shell=shell, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"command failed ({p.returncode}): {cmd}")
    return p.stdout


def timed(cmd, env=None, cwd=None, stdout=subprocess.DEVNULL, ok_codes=(0,), shell=False, quiet=True,
          capture=False):
    """Runs cmd once and returns a Sample (with its standard output as text if capture)."""
    if capture:
        stdout = subprocess.PIPE
    if quiet:
        wait_quiet()
    log(f"run: {cmd if isinstance(cmd, str) else ' '.join(map(str, cmd))}")
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    b0 = cpu_busy_seconds()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=stdout, stderr=LOG, shell=shell, text=capture,
                       errors="replace" if capture else None)
    t1 = time.perf_counter()
    b1 = cpu_busy_seconds()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in ok_codes:
        raise RuntimeError(f"command failed ({p.returncode}): {cmd}")
    user = r1.ru_utime - r0.ru_utime
    sys_ = r1.ru_stime - r0.ru_stime
    s = Sample(t1 - t0, user, sys_, max(0.0, (b1 - b0) - user - sys_), p.stdout if capture else None)
    log(f"  -> {s}")
    return s


def process_cpu_seconds(pid):
    """user + sys of a live process so far (its reaped children included), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / HZ


def timed_start(cmd, ready, env=None, timeout=300, poll=0.001):
    """Starts a long-running cmd (a mount served in the foreground) and times it until ready() is true.
    Returns (Sample, Popen): the process keeps running, and belongs to the caller. Its CPU is read from
    /proc while it runs, so it does not count as foreign."""
    wait_quiet()
    log(f"start: {' '.join(map(str, cmd))}")
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    b0 = cpu_busy_seconds()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=LOG, stderr=LOG, start_new_session=True)
    while not ready():
        if p.poll() is not None:
            raise RuntimeError(f"exited ({p.returncode}) before it was ready: {cmd}")
        if time.perf_counter() - t0 > timeout:
            p.terminate()
            p.wait()
            raise RuntimeError(f"not ready after {timeout} s: {cmd}")
        time.sleep(poll)
    t1 = time.perf_counter()
    b1 = cpu_busy_seconds()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    own = process_cpu_seconds(p.pid) + (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    s = Sample(t1 - t0, own, 0.0, max(0.0, (b1 - b0) - own))
    log(f"  -> ready: {s} (pid {p.pid})")
    return s, p


class Measurement:
    """The clean samples of one repeated measurement (and how many were thrown away as disturbed)."""

    def __init__(self, samples, rejected):
        self.samples = samples
        self.rejected = rejected

    @property
    def wall(self):
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self):
        return statistics.median(s.cpu for s in self.samples)

    @property
    def disturbed(self):
        return any(s.disturbed for s in self.samples)

    def walls(self):
        return [round(s.wall, 3) for s in self.samples]

    def to_json(self):
        return {"wall": self.wall, "cpu": self.cpu, "walls": self.walls(), "rejected": self.rejected,
                "disturbed": self.disturbed}


def repeat_samples(take, reps, max_redo=None):
    """Calls take() (which returns a Sample) until it has `reps` samples, redoing disturbed ones up to
    max_redo times in all (default: reps)."""
    return alternate({None: take}, reps, max_redo=max_redo)[None]


def alternate(takes, reps, *, prepare=None, max_redo=None):
    """repeat_samples for measurements compared with one another: `takes` maps a name to its take(); in
    each of `reps` rounds every one is sampled in turn (prepare(name) first), so that a machine whose speed
    drifts weighs on all alike. Returns a Measurement per name."""
    if max_redo is None:
        max_redo = reps
    samples = {name: [] for name in takes}
    rejected = dict.fromkeys(takes, 0)
    for _ in range(reps):
        for name, take in takes.items():
            while True:
                if prepare:
                    prepare(name)
                s = take()
                if not s.disturbed or rejected[name] >= max_redo:
                    samples[name].append(s)
                    break
                rejected[name] += 1
                log("  (disturbed: redoing)")
    return {name: Measurement(samples[name], rejected[name]) for name in takes}


def repeat(spec, reps, *, prepare=None, cold=False, max_redo=None, **kw):
    """Runs a measurement `reps` times (prepare() before each, caches dropped if cold) and redoes
    disturbed samples up to max_redo times in all. `spec` is a command, or a function returning a dict of
    timed() arguments (cmd, env, cwd, ...)."""
    def take():
        if prepare:
            prepare()
        if cold:
            drop_caches()
        args = dict(kw)
        if callable(spec):
            args.update(spec())
        else:
            args["cmd"] = spec
        return timed(**args)
    return repeat_samples(take, reps, max_redo)


def tree_bytes(root):
    """Sum of the sizes of the regular files under root (what a backup has to read)."""
    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        for n in filenames:
            st = os.lstat(os.path.join(dirpath, n))
            if (st.st_mode & 0o170000) == 0o100000:
                total += st.st_size
    return total


def du_bytes(path):
    out = subprocess.run(["du", "-sb", path], stdout=subprocess.PIPE, text=True, check=True).stdout
    return int(out.split()[0])


def median(xs):
    return statistics.median(xs) if xs else float("nan")
