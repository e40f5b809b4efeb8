"""``python -m backprop_lab <command>``: see ``backprop_lab.cli``."""
import sys

from .cli import run_from_shell

if __name__ == "__main__":
    sys.exit(run_from_shell())
