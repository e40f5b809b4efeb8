#!/usr/bin/env bash
# Set-up and entry points for backprop_lab.
#   bash run.sh lab    create .venv (first time), install the course, open JupyterLab
#   bash run.sh test   create .venv (first time), install the course and test tools, run every test
# Extra arguments go to JupyterLab (lab) or pytest (test).
#
# The installs are skipped when nothing they depend on changed since the last one
# (.venv/.installed-lab and .venv/.installed-test hold a checksum of the install files),
# so a second `bash run.sh lab` goes straight to JupyterLab.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
# Some systems set this; it makes every process compile the course's code again.
unset PYTHONDONTWRITEBYTECODE

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

# install NAME ARGS...: pip install ARGS unless the install files are unchanged since the
# last successful install under NAME.
install() {
  local name=$1 stamp=".venv/.installed-$1" sum
  shift
  sum=$(cat pyproject.toml requirements.txt | cksum)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    return
  fi
  rm -f "$stamp"
  .venv/bin/python -m pip install --quiet "$@"
  echo "$sum" > "$stamp"
}

case "${1:-}" in
  lab)
    install lab -r requirements.txt
    .venv/bin/python -m backprop_lab doctor || true
    extra=()
    [ "$(id -u)" = 0 ] && extra+=(--allow-root)   # Jupyter refuses root unless told
    exec .venv/bin/jupyter lab notebooks/00_start_here.ipynb "${extra[@]}" "${@:2}"
    ;;
  test)
    install test -r requirements.txt -e ".[test]"
    workers=()
    # pytest-xdist: one worker per core; a notebook's cells stay in one worker, and the
    # browser tests share one (see conftest.py)
    .venv/bin/python -c "import xdist" 2>/dev/null && workers=(-n auto)
    exec .venv/bin/python -m pytest "${workers[@]}" "${@:2}"
    ;;
  *)
    echo "usage: bash run.sh lab [jupyter options] | bash run.sh test [pytest options]" >&2
    exit 2
    ;;
esac
