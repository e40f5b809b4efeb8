"""The Keras shell's machinery, private: nothing here is part of the course.

    checks.py       argument checks shared by every public function (messages name the
                    argument and the fix)
    plug.py         ``use_functions``: run a learner's own functional-core functions
    trainer.py      the one fit / evaluate / predict loop
    fast_dense.py   a strategy of the trainer: Dense stacks with plain SGD, in place
    saving.py       the ``.npz`` model file: atomic writes, no pickle

The shell modules (``layers``, ``losses``, ``optimizers``, ...) import ``checks`` and
``plug``; ``models`` imports ``trainer`` and ``saving``.  Nothing here imports ``models``.
"""
