#!/usr/bin/env bash
# Set-up and entry points for backprop_lab.
#   bash run.sh lab    create .venv (first time), install the course, open JupyterLab
#   bash run.sh test   create .venv (first time), install the course and test tools, run every test
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
case "${1:-}" in
  lab)
    .venv/bin/python -m pip install --quiet -r requirements.txt
    .venv/bin/python -m backprop_lab doctor || true
    exec .venv/bin/jupyter lab notebooks/00_start_here.ipynb "${@:2}"
    ;;
  test)
    .venv/bin/python -m pip install --quiet -e ".[test]"
    exec .venv/bin/python -m pytest "${@:2}"
    ;;
  *)
    echo "usage: bash run.sh lab | bash run.sh test [pytest options]" >&2
    exit 2
    ;;
esac
