"""Values crossing between the trusted grader and the sandbox: JSON and npz, never pickle.

``encode(value)`` gives ``(tree, arrays)``: ``tree`` is plain JSON (numbers, strings,
lists, and dicts with a ``"t"`` tag saying what they stand for), ``arrays`` the numpy
arrays it refers to by index, stored in an uncompressed npz.  Functions and classes cross
by name only (``{"t": "ref", "module": ..., "qualname": ...}``), and are looked up again
on the other side among modules already loaded there: no code ever crosses.  A closure
made in a module of backprop_lab (``gradient_descent``'s ``grad``) crosses as the name of
the function that makes it and the values of its cells; the code is the package's own.
Anything else (the learner's own objects, an object array) crosses as ``Opaque``: its type
name only.  On the receiving side an ``Opaque`` equals nothing, so an object whose
``__eq__`` lies cannot pass for the expected value.

Messages are frames: 8 bytes (the JSON's and the npz's lengths), the JSON, the npz.
"""
from __future__ import annotations

import base64
import functools
import io
import json
import math
import re
import struct
import sys
import types
import zipfile
from typing import Any

import numpy as np

MAX_DEPTH = 32
MAX_ITEMS = 200_000
MAX_ARRAY_BYTES = 256 * 2 ** 20
MAX_JSON_BYTES = 32 * 2 ** 20
_HEADER = struct.Struct(">II")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class WireError(ValueError):
    """A value that cannot cross, or a malformed message."""


class Opaque:
    """Stands for an object that could not cross: only its type's name is known.  It
    equals nothing, not even itself."""

    def __init__(self, type_name="object", module=""):
        self.type_name = type_name
        self.module = module

    def __eq__(self, other):
        return False

    __hash__ = object.__hash__

    def __repr__(self):
        return f"<{self.type_name} object>"


def _opaque_class(name):
    """A subclass of Opaque named like the learner's type, so that verdicts say "returned
    a Value" (``type(x).__name__``) rather than "returned an Opaque"."""
    safe = name if _IDENTIFIER.fullmatch(name or "") else "object"
    return type(safe, (Opaque,), {})


# --------------------------------------------------------------------------------------
# Names of functions and classes
# --------------------------------------------------------------------------------------
def _walk(module, qualname):
    """module.qualname through class and module dictionaries (no getattr: no property,
    no lazy loader, no learner-defined __getattr__ runs)."""
    obj = module
    for part in qualname.split("."):
        if not _IDENTIFIER.fullmatch(part):
            return None
        space = vars(obj) if isinstance(obj, (types.ModuleType, type)) else None
        if space is None or part not in space:
            return None
        obj = space[part]
    return obj


def resolve(module_name, qualname, modules=None):
    """The object called ``module_name.qualname`` among loaded modules, or None."""
    if not isinstance(module_name, str) or not isinstance(qualname, str):
        return None
    module = (modules if modules is not None else sys.modules).get(module_name)
    if module is None:
        return None
    return _walk(module, qualname)


def _name_of(obj):
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if isinstance(obj, np.ufunc):
        module, qualname = "numpy", obj.__name__
    if not isinstance(module, str) or not isinstance(qualname, str):
        return None
    if resolve(module, qualname) is obj:
        return module, qualname
    return None


def _package_module(name):
    """Closures are rebuilt only from the code of backprop_lab's own modules."""
    return isinstance(name, str) and name.startswith("backprop_lab.")


def _factory_code(module, qualname):
    """The code object of a function defined inside another function of ``module``:
    ``_quadratic_grad.<locals>.grad`` is found among the constants of the code of
    ``_quadratic_grad``."""
    outer, _, rest = qualname.partition(".<locals>.")
    if not rest:
        return None
    fn = resolve(module, outer)
    code = getattr(fn, "__code__", None)
    for part in rest.split(".<locals>."):
        if not isinstance(code, types.CodeType):
            return None
        code = next((c for c in code.co_consts if isinstance(c, types.CodeType)
                     and c.co_name == part), None)
    return code


# --------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------
class Encoder:
    """Encodes several values into one list of arrays (``encode`` for one value)."""

    def __init__(self, strict):
        self.strict = strict  # True: refuse what cannot cross (cases); False: Opaque
        self.arrays = []
        self.items = 0

    def fail(self, obj, why):
        if self.strict:
            raise WireError(f"cannot send {type(obj).__name__} {why}")
        return {"t": "opaque", "type": type(obj).__name__,
                "module": str(getattr(type(obj), "__module__", ""))}

    def array(self, a):
        if a.dtype.hasobject:
            return self.fail(a, "(an array of Python objects)")
        if a.nbytes > MAX_ARRAY_BYTES:
            return self.fail(a, "(too large)")
        self.arrays.append(np.array(a, copy=True, subok=False))
        return len(self.arrays) - 1

    def encode(self, obj, depth=0):  # noqa: C901 - one branch per kind of value
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            return self.fail(obj, "(nested too deep or too large)")
        if obj is None or type(obj) in (bool, str):
            return obj
        if type(obj) is int:
            return obj if abs(obj) < 2 ** 53 else {"t": "int", "v": str(obj)}
        if type(obj) is float:
            return obj if math.isfinite(obj) else {"t": "float", "v": repr(obj)}
        if type(obj) is complex:
            return {"t": "complex", "re": self.encode(obj.real), "im": self.encode(obj.imag)}
        if type(obj) is bytes:
            return {"t": "bytes", "v": base64.b64encode(obj).decode("ascii")}
        if isinstance(obj, np.generic):
            if isinstance(obj, np.object_) or type(obj).__module__ != "numpy":
                return self.fail(obj, "(a numpy object scalar)")
            index = self.array(np.asarray(obj))
            return index if isinstance(index, dict) else {"t": "scalar", "a": index}
        if isinstance(obj, np.ndarray):
            index = self.array(obj)
            if isinstance(index, dict):
                return index
            tree = {"t": "array", "a": index}
            if type(obj) is not np.ndarray:
                tree["sub"] = type(obj).__name__
            return tree
        if type(obj) in (tuple, list, set, frozenset):
            items = list(obj) if type(obj) in (tuple, list) else sorted(obj, key=repr)
            return {"t": type(obj).__name__, "items": [self.encode(x, depth + 1)
                                                       for x in items]}
        if type(obj) is dict:
            return {"t": "dict", "items": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                                           for k, v in obj.items()]}
        if isinstance(obj, tuple) and hasattr(type(obj), "_fields"):  # a namedtuple
            name = _name_of(type(obj))
            tree = {"t": "tuple", "items": [self.encode(x, depth + 1) for x in obj]}
            if name:
                tree["cls"] = list(name)
            return tree
        if isinstance(obj, functools.partial) and type(obj) is functools.partial:
            return {"t": "partial", "func": self.encode(obj.func, depth + 1),
                    "args": self.encode(tuple(obj.args), depth + 1),
                    "keywords": self.encode(dict(obj.keywords), depth + 1)}
        if callable(obj) or isinstance(obj, types.ModuleType):
            return self.callable(obj, depth)
        return self.fail(obj, "(not a plain value)")

    def callable(self, obj, depth):
        if isinstance(obj, types.ModuleType):
            if sys.modules.get(obj.__name__) is obj:
                return {"t": "module", "name": obj.__name__}
            return self.fail(obj, "(a module that is not loaded)")
        name = _name_of(obj)
        if name:
            return {"t": "ref", "module": name[0], "qualname": name[1]}
        if isinstance(obj, types.FunctionType) and _package_module(obj.__module__):
            code = _factory_code(obj.__module__, obj.__qualname__)
            if code is not None and code == obj.__code__:
                return {"t": "closure", "module": obj.__module__, "qualname": obj.__qualname__,
                        "cells": [self.encode(c.cell_contents, depth + 1)
                                  for c in obj.__closure__ or ()],
                        "defaults": self.encode(tuple(obj.__defaults__ or ()), depth + 1),
                        "kwdefaults": self.encode(dict(obj.__kwdefaults__ or {}), depth + 1)}
        return self.fail(obj, "(a function that is not defined in a loaded module)")


def encode(value, strict=False) -> tuple:
    """``(tree, arrays)`` for ``value``.  strict: raise ``WireError`` for anything that
    cannot be rebuilt on the other side (used for the cases), instead of an opaque
    stand-in (used for what a learner's function returns)."""
    enc = Encoder(strict)
    tree = enc.encode(value)
    return tree, enc.arrays


# --------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------
class _Decoder:
    def __init__(self, arrays, rebuild_code):
        self.arrays = arrays
        self.rebuild_code = rebuild_code  # False in the trusted parent: never make code

    def array(self, index):
        if type(index) is not int or not 0 <= index < len(self.arrays):
            raise WireError("bad array index")
        return self.arrays[index]

    def decode(self, tree, depth=0):  # noqa: C901 - one branch per tag
        if depth > MAX_DEPTH + 2:
            raise WireError("nested too deep")
        if tree is None or type(tree) in (bool, int, float, str):
            return tree
        if type(tree) is not dict or not isinstance(tree.get("t"), str):
            raise WireError("malformed value")
        t = tree["t"]
        if t == "int":
            return int(tree["v"])
        if t == "float":
            return float(tree["v"])
        if t == "complex":
            return complex(self.decode(tree["re"]), self.decode(tree["im"]))
        if t == "bytes":
            return base64.b64decode(tree["v"])
        if t == "scalar":
            return self.array(tree["a"])[()]
        if t == "array":
            return self.array(tree["a"]).copy()
        if t in ("tuple", "list", "set", "frozenset"):
            items = [self.decode(x, depth + 1) for x in tree["items"]]
            cls = tree.get("cls")
            if t == "tuple" and isinstance(cls, list) and len(cls) == 2:
                named = resolve(*cls)
                if isinstance(named, type) and issubclass(named, tuple):
                    return named(*items)
            return {"tuple": tuple, "list": list, "set": set, "frozenset": frozenset}[t](items)
        if t == "dict":
            return {self.decode(k, depth + 1): self.decode(v, depth + 1)
                    for k, v in tree["items"]}
        if t == "module":
            module = sys.modules.get(tree["name"])
            return module if module is not None else _opaque_class("module")()
        if t == "ref":
            obj = resolve(tree.get("module"), tree.get("qualname"))
            if obj is None:
                return _opaque_class(str(tree.get("qualname", "")).rpartition(".")[2])()
            return obj
        if t == "partial":
            func = self.decode(tree["func"], depth + 1)
            if isinstance(func, Opaque):
                return _opaque_class("partial")()
            return functools.partial(func, *self.decode(tree["args"], depth + 1),
                                     **self.decode(tree["keywords"], depth + 1))
        if t == "closure":
            return self.closure(tree, depth)
        if t == "opaque":
            return _opaque_class(str(tree.get("type", "object")))(
                str(tree.get("type", "object")), str(tree.get("module", "")))
        raise WireError(f"unknown tag {t!r}")

    def closure(self, tree, depth):
        module, qualname = tree.get("module"), tree.get("qualname")
        code = (_factory_code(module, qualname) if self.rebuild_code and
                _package_module(module) else None)
        if code is None:
            return _opaque_class("function")("function", str(module))
        cells = tuple(types.CellType(self.decode(c, depth + 1)) for c in tree["cells"])
        if len(cells) != len(code.co_freevars):
            raise WireError("closure cells do not match")
        fn = types.FunctionType(code, vars(sys.modules[module]), code.co_name,
                                self.decode(tree["defaults"], depth + 1) or None, cells)
        fn.__kwdefaults__ = self.decode(tree["kwdefaults"], depth + 1) or None
        fn.__qualname__ = qualname
        return fn


def decode(tree, arrays, rebuild_code=False) -> Any:
    """The value ``encode`` gave ``(tree, arrays)`` for.  rebuild_code: rebuild package
    closures from their factory's code (the sandbox does; the trusted side never builds a
    function from what it receives).  Raises ``WireError`` on anything malformed."""
    try:
        return _Decoder(arrays, rebuild_code).decode(tree)
    except WireError:
        raise
    except (TypeError, KeyError, ValueError, IndexError, AttributeError, OverflowError,
            RecursionError) as e:
        raise WireError(f"malformed value ({type(e).__name__})") from None


# --------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------
def encode_cases(cases) -> tuple:
    """(tree, arrays, io trees) of a list of ``Case``: the tree sends them; the io trees
    (one ``[args, kwargs]`` tree per case) are kept to see later what a call changed."""
    enc = Encoder(strict=True)
    io_trees = [enc.encode([list(c.args), dict(c.kwargs)]) for c in cases]
    tree = {"t": "list", "items": [
        {"t": "dict", "items": [["name", c.name], ["kind", c.kind], ["io", io]]}
        for c, io in zip(cases, io_trees)]}
    return tree, enc.arrays, io_trees


def decode_cases(tree, arrays) -> list:
    """The ``Case`` list ``encode_cases`` sent (package closures rebuilt)."""
    from .spec import Case

    cases = []
    for item in decode(tree, arrays, rebuild_code=True):
        if not isinstance(item, dict):
            raise WireError("malformed case")
        args, kwargs = item["io"]
        cases.append(Case(str(item["name"]), tuple(args), dict(kwargs), str(item["kind"])))
    return cases


# --------------------------------------------------------------------------------------
# npz and frames
# --------------------------------------------------------------------------------------
def arrays_to_npz(arrays) -> bytes:
    if not arrays:
        return b""
    buf = io.BytesIO()
    np.savez(buf, **{f"a{i}": a for i, a in enumerate(arrays)})
    return buf.getvalue()


def npz_to_arrays(blob, limit=MAX_ARRAY_BYTES) -> list:
    """The arrays of an npz written by ``arrays_to_npz``: uncompressed members named a0,
    a1, ..., within ``limit`` bytes in all, read without pickle."""
    if not blob:
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > limit or len(infos) > MAX_ITEMS:
                raise WireError("arrays too large")
            if any(i.compress_type != zipfile.ZIP_STORED for i in infos):
                raise WireError("compressed arrays are not accepted")
            names = {i.filename for i in infos}
            if names != {f"a{k}.npy" for k in range(len(infos))}:
                raise WireError("unexpected npz members")
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            return [npz[f"a{k}"] for k in range(len(infos))]
    except WireError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever is malformed in the bytes
        raise WireError(f"malformed npz ({type(e).__name__})") from None


def pack(message: dict, arrays=()) -> bytes:
    """One frame: the JSON of ``message`` and the npz of ``arrays``."""
    text = json.dumps(message, allow_nan=True, separators=(",", ":")).encode("utf-8")
    blob = arrays_to_npz(list(arrays))
    return _HEADER.pack(len(text), len(blob)) + text + blob


def header_sizes(header: bytes) -> tuple:
    """(JSON length, npz length) of a frame's 8-byte header, checked against the caps."""
    n_json, n_blob = _HEADER.unpack(header)
    if n_json > MAX_JSON_BYTES or n_blob > MAX_ARRAY_BYTES + 2 ** 20:
        raise WireError("message too large")
    return n_json, n_blob


def unpack(text: bytes, blob: bytes) -> tuple:
    """(message dict, arrays) of a frame's body."""
    try:
        message = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise WireError("malformed message") from None
    if type(message) is not dict:
        raise WireError("malformed message")
    return message, npz_to_arrays(blob)


HEADER_SIZE = _HEADER.size
