#!/usr/bin/env bash
# The benchmark command.  Creates benchmarks/.venv (first time), installs the course and the
# benchmark extras there (PyTorch CPU build, Keras 3; never in the course's environment),
# then runs the harness:
#   bash benchmarks/run.sh                                   # print the table
#   bash benchmarks/run.sh --markdown benchmarks/results.md  # ... and save it for the README
# Any option is passed on to benchmarks/run.py (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=benchmarks/.venv
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
LOG="$VENV/install.log"
echo "Installing the course and the benchmark extras into $VENV (log: $LOG) ..."
if ! "$VENV/bin/python" -m pip install --quiet -e ".[course]" -r benchmarks/requirements.txt \
    >"$LOG" 2>&1; then
  cat "$LOG" >&2
  exit 1
fi
# Some processors get OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE set because older OpenBLAS builds
# misbehave there; a current numpy runs slower with them.  This process (and only this one)
# drops both, and the report says so.  Tests and CI keep them.
removed=""
for name in OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; do
  if [ -n "${!name+x}" ]; then
    removed="$removed $name=${!name}"
    unset "$name"
  fi
done
export BENCH_UNSET_ENV="$removed" BENCH_COMMAND="bash benchmarks/run.sh $*" KERAS_BACKEND=torch
exec "$VENV/bin/python" benchmarks/run.py "$@"
