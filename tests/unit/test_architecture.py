"""The package's shape, as DESIGN.md and CONTRIBUTING.md describe it: layers that only
import downwards, no import cycles (counting imports inside functions too), no module
over ~500 lines but the exercise catalogues, and one update rule.

Imports are read from the source with ``ast``, so nothing is imported to check them.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "backprop_lab"
MAX_LINES = 500

#: The layer of every module (a prefix of its dotted name below ``backprop_lab``):
#: 1 formulas, 2 the Keras shell and its machinery, 3 learner tools, 4 course, 5 UI and
#: the command line.  A module may import its own layer or lower ones only.
LAYERS = {
    "config": 1, "functional": 1, "autodiff": 1, "i18n": 1,
    "utils": 2, "datasets": 2, "activations": 2, "initializers": 2, "regularizers": 2,
    "losses": 2, "metrics": 2, "optimizers": 2, "callbacks": 2, "layers": 2, "models": 2,
    "_engine": 2,
    "gradcheck": 3, "train_loop": 3, "plots": 3,
    "grading": 4, "exercises": 4, "course": 4,
    "widgets": 5, "cli": 5, "__main__": 5,
}


def module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(importer, node):
    """The backprop_lab modules an import statement names (relative ones resolved)."""
    is_package = MODULES[importer].name == "__init__.py"
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "backprop_lab"]
    if node.level:
        base = importer.split(".")
        base = base[:len(base) - node.level + (1 if is_package else 0)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if target.split(".")[0] != "backprop_lab":
        return []
    found = []
    for alias in node.names:  # `from pkg import module` names a module
        candidate = f"{target}.{alias.name}"
        found.append(candidate if candidate in MODULES else target)
    return found


def imports_of(name):
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update(m for m in _resolve(name, node) if m in MODULES and m != name)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def layer(name):
    parts = name.split(".")[1:]
    if not parts:
        return None  # the package itself: lazy submodules, no layer of its own
    return LAYERS.get(parts[0])


def test_every_module_has_a_layer():
    missing = [name for name in MODULES if name != "backprop_lab" and layer(name) is None]
    assert not missing, f"give these modules a layer in LAYERS (and CONTRIBUTING.md): {missing}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down(name):
    own = layer(name)
    if own is None:
        return
    upward = sorted(m for m in GRAPH[name] if layer(m) is not None and layer(m) > own)
    assert not upward, (f"{name} (layer {own}) imports {upward} "
                        f"(layers {[layer(m) for m in upward]}): a lower layer never imports "
                        "a higher one")


def test_no_import_cycles():
    """Depth-first search for a cycle; a package's own submodules are not counted as
    importing it (Python imports a package before its submodules anyway)."""
    def edges(name):
        return [m for m in GRAPH[name] if not name.startswith(m + ".")]

    state, stack = {}, []

    def visit(name):
        state[name] = "open"
        stack.append(name)
        for m in edges(name):
            if state.get(m) == "open":
                cycle = stack[stack.index(m):] + [m]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if m not in state:
                visit(m)
        stack.pop()
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_size(name):
    path = MODULES[name]
    if path.parent.name == "exercises" and path.name.startswith("nb"):
        return  # catalogues of mistakes are data
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, (f"{path.relative_to(PACKAGE.parent)} has {lines} lines: split "
                                f"it by job (see CONTRIBUTING.md)")


def test_import_graph_sees_imports():
    """The reader of imports must see real edges, or the tests above prove nothing."""
    assert "backprop_lab.functional" in GRAPH["backprop_lab.layers.core"]
    assert "backprop_lab._engine.trainer" in GRAPH["backprop_lab.models"]
    assert "backprop_lab.exercises" in GRAPH["backprop_lab.grading.grader"]
    assert "backprop_lab.autodiff" in GRAPH["backprop_lab.plots.graphs"]  # in a function


RATE_NAMES = {"learning_rate", "_learning_rate", "lr", "eta"}


def _is_rate(node):
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
    return name in RATE_NAMES


def _rate_times(node):
    """True for an expression ``rate * something`` (or ``something * rate``)."""
    return (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)
            and (_is_rate(node.left) or _is_rate(node.right)))


def update_expressions(tree):
    """Lines where code adds or subtracts a learning rate times something: ``w - lr * g``,
    ``w -= lr * g``, ``v * m - lr * g``."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)) \
                and (_rate_times(node.left) or _rate_times(node.right)):
            lines.append(node.lineno)
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub)) \
                and _rate_times(node.value):
            lines.append(node.lineno)
    return lines


def test_the_update_rule_lives_in_functional():
    """Weights change through functional's update functions only: no other module of the
    package computes ``w - learning_rate * grad`` itself (the exercise catalogues, whose
    references and typical mistakes are update rules, aside)."""
    offenders = []
    for name, path in MODULES.items():
        if name.startswith(("backprop_lab.functional", "backprop_lab.exercises")):
            continue
        source = path.read_text(encoding="utf-8")
        for number in update_expressions(ast.parse(source)):
            offenders.append(f"{path.relative_to(PACKAGE.parent)}:{number}: "
                             f"{source.splitlines()[number - 1].strip()}")
    assert not offenders, "an update written outside functional:\n" + "\n".join(offenders)
    sample = ast.parse("w = w - learning_rate * dw\nv -= lr * g")
    assert sorted(update_expressions(sample)) == [1, 2]
    functional = [path for name, path in MODULES.items()
                  if name.startswith("backprop_lab.functional")]
    assert sum(len(update_expressions(ast.parse(path.read_text()))) for path in functional) >= 3


TYPED_MODULES = ["functional", "models", "layers", "optimizers", "gradcheck", "grading"]


def _public_callables(module):
    """Public functions of a module, and public methods of its public classes, that the
    module defines (not what it imports)."""
    import importlib
    import inspect

    mod = importlib.import_module(f"backprop_lab.{module}")
    names = getattr(mod, "__all__", None) or [n for n in vars(mod) if not n.startswith("_")]
    found = []
    for name in names:
        obj = getattr(mod, name)
        if not getattr(obj, "__module__", "").startswith(mod.__name__):
            continue
        if inspect.isfunction(obj):
            found.append((f"{module}.{name}", obj))
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if inspect.isfunction(member) and (not attr.startswith("_")
                                                   or attr in ("__init__", "__call__")):
                    found.append((f"{module}.{name}.{attr}", member))
    return found


@pytest.mark.parametrize("module", TYPED_MODULES)
def test_public_api_has_type_hints(module):
    import inspect

    missing = []
    for label, fn in _public_callables(module):
        sig = inspect.signature(fn)
        for p in sig.parameters.values():
            if p.name in ("self", "cls") or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            if p.annotation is inspect.Parameter.empty:
                missing.append(f"{label}({p.name})")
        if sig.return_annotation is inspect.Signature.empty and not label.endswith("__init__"):
            missing.append(f"{label} -> ?")
    assert not missing, f"{len(missing)} without type hints:\n" + "\n".join(missing)


def test_every_public_module_is_reachable_from_the_package():
    """``backprop_lab.<name>`` works after ``import backprop_lab`` for every public module
    or package (a new one must be added to ``_SUBMODULES``)."""
    import pkgutil

    import backprop_lab

    public = {m.name for m in pkgutil.iter_modules(backprop_lab.__path__)
              if not m.name.startswith("_")}
    missing = {name for name in public if not hasattr(backprop_lab, name)}
    assert not missing, f"add {sorted(missing)} to _SUBMODULES in backprop_lab/__init__.py"
