#!/usr/bin/env python3
"""Random 4 KiB reads of one file, each timed on its own.

  randread.py FILE COUNT SEED

Reads COUNT distinct 4 KiB-aligned blocks (chosen with SEED, so the same blocks for every copy of a file
of the same size) with pread, in random order, with readahead off (POSIX_FADV_RANDOM) so each read asks
for its own 4 KiB. Prints JSON: the p50 / p99 / mean latency in microseconds and the SHA-256 of the
blocks read, in read order (what a correct copy of the file must give).
"""
import hashlib
import json
import os
import random
import statistics
import sys
import time

BLOCK = 4096


def blocks(size, count, seed):
    n = size // BLOCK
    return random.Random(seed).sample(range(n), min(count, n))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    path, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    fd = os.open(path, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
    h = hashlib.sha256()
    lat = []
    for b in blocks(os.fstat(fd).st_size, count, seed):
        t0 = time.perf_counter_ns()
        data = os.pread(fd, BLOCK, b * BLOCK)
        lat.append((time.perf_counter_ns() - t0) / 1000)
        h.update(data)
    os.close(fd)
    lat.sort()
    print(json.dumps({"n": len(lat), "p50_us": statistics.median(lat), "p99_us": lat[int(len(lat) * 0.99)],
                      "mean_us": statistics.fmean(lat), "sha256": h.hexdigest()}))


if __name__ == "__main__":
    main()
