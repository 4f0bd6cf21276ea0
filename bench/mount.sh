#!/usr/bin/env bash
# The mount benchmark alone: bench/run.sh --only mount (same options: --quick, --keep, --scratch DIR,
# --strata BIN). See bench/README.md.
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" --only mount "$@"
