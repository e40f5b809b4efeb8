#!/usr/bin/env bash
# Set-up and entry points for backprop_lab.
#   bash run.sh lab    create .venv (first time), install the course, open JupyterLab
#   bash run.sh test   create .venv (first time), install the course and test tools, run every test
# Extra arguments go to JupyterLab (lab) or pytest (test).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}

if ! command -v "$PY" >/dev/null 2>&1; then
  echo "run.sh: $PY not found. Install Python 3.9 or newer (or set PYTHON=/path/to/python3)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv; then
    rm -rf .venv
    echo "run.sh: could not create a virtual environment. On Debian or Ubuntu install it with" >&2
    echo "        sudo apt-get install python3-venv   and run this command again." >&2
    exit 1
  fi
  .venv/bin/python -m pip install --quiet --upgrade pip
fi

case "${1:-}" in
  lab)
    .venv/bin/python -m pip install --quiet -r requirements.txt
    .venv/bin/python -m backprop_lab doctor || true
    extra=()
    [ "$(id -u)" = 0 ] && extra+=(--allow-root)   # Jupyter refuses root unless told
    exec .venv/bin/jupyter lab notebooks/00_start_here.ipynb "${extra[@]}" "${@:2}"
    ;;
  test)
    .venv/bin/python -m pip install --quiet -e ".[test]"
    exec .venv/bin/python -m pytest "${@:2}"
    ;;
  *)
    echo "usage: bash run.sh lab [jupyter options] | bash run.sh test [pytest options]" >&2
    exit 2
    ;;
esac
