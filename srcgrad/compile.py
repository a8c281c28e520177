"""Turn generated text into live functions, registered in ``linecache``.

Each unit's functions are compiled inside a never-called scope function whose
parameters are the names the generated code needs besides the user's globals
(injected objects, the original function's closure variables). The code
objects are then bound with the user's own globals (so module constants are
read live) and with closure cells: fresh ones for injected objects, shared
ones for generated helpers (so recursion works), and the original function's
own cells for its closure variables.
"""

from __future__ import annotations

import hashlib
import linecache
import textwrap
import types

_SCOPE = "__srcgrad_scope__"
_late_cells: dict = {}


class LateRef:
    """A generated function that may not exist yet (a helper, a recursive call)."""

    __slots__ = ("key", "part", "__weakref__")

    def __init__(self, key, part):
        self.key = key
        self.part = part

    def __repr__(self):
        return f"LateRef({self.part})"


_late_refs: dict = {}


def late_ref(key, part):
    ref = _late_refs.get((key, part))
    if ref is None:
        ref = _late_refs[(key, part)] = LateRef(key, part)
    return ref


def late_cell(ref):
    cell = _late_cells.get(id(ref))
    if cell is None:
        cell = _late_cells[id(ref)] = types.CellType()
    return cell


def register_source(label, text):
    digest = hashlib.sha1(text.encode()).hexdigest()[:10]
    filename = f"<srcgrad {label} {digest}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    return filename


class CompiledUnit:
    """Code objects of one unit, ready to be bound to an original function."""

    def __init__(self, body_text, names, injected, original, label):
        self.body_text = body_text
        self.names = names
        self.injected = dict(injected)
        free = sorted(set(self.injected) | set(original.__code__.co_freevars))
        header = f"def {_SCOPE}({', '.join(free)}):\n"
        self.text = header + textwrap.indent(body_text, "    ") + "    return None\n"
        self.filename = register_source(label, self.text)
        module_code = compile(self.text, self.filename, "exec")
        scope = next(c for c in module_code.co_consts
                     if isinstance(c, types.CodeType) and c.co_name == _SCOPE)
        self.codes = {c.co_name: c for c in scope.co_consts if isinstance(c, types.CodeType)}

    def bind(self, original, name, with_defaults=True):
        """A live function for ``name``, closing over ``original``'s cells."""
        code = self.codes[name]
        original_free = original.__code__.co_freevars
        cells = []
        for free in code.co_freevars:
            if free in self.injected:
                obj = self.injected[free]
                cells.append(late_cell(obj) if isinstance(obj, LateRef)
                             else types.CellType(obj))
            elif free in original_free and original.__closure__:
                cells.append(original.__closure__[original_free.index(free)])
            else:
                cells.append(types.CellType())
        defaults = original.__defaults__ if with_defaults else None
        fn = types.FunctionType(code, original.__globals__, name, defaults, tuple(cells))
        if with_defaults and original.__kwdefaults__:
            fn.__kwdefaults__ = dict(original.__kwdefaults__)
        fn.__srcgrad_unit__ = self
        fn.__module__ = original.__module__
        return fn
