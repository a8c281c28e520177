"""Static shapes of the values in generated code, from the argument shapes.

A derivative specialized on its arguments' shapes (see ``api``) knows the
shape of every array parameter. This analysis carries those shapes through
the generated function -- forward sweep, stack, reverse sweep -- with
NumPy's rules for the operations whose result shape follows from their
operands' shapes alone (arithmetic and broadcasting, ufuncs, ``@``,
reductions with a constant ``axis``, ``.T``, integer and constant-slice
indexing, and srcgrad's own runtime helpers).

A shape is one of:

* a tuple: an ``ndarray`` of exactly that shape (``()`` may also be a NumPy
  scalar: ufuncs turn 0-d arrays into scalars);
* :data:`FLOAT`: a Python or NumPy scalar; :data:`INT`: a Python int;
* :data:`BOTTOM`: no value yet (the ``None`` placeholders of loops);
* ``None``: not known statically. Anything the table does not cover is
  ``None`` -- notably values whose shape depends on data (boolean masks,
  ``np.nonzero``, ``np.unique``) -- so a rewrite guided by a shape never
  rests on a guess.

Loops are iterated to a fixpoint; a variable whose shape changes from one
iteration to the next becomes ``None``. A value popped from the stack is an
earlier value of the variable it restores (ReverseMode pushes a variable
before overwriting it and pops it back into the same name), so its shape is
the join of every shape that variable ever held.
"""

from __future__ import annotations

import builtins

import gast
import numpy as np

FLOAT = "float"
INT = "int"
BOTTOM = "bottom"

_REDUCTIONS = {"sum", "mean", "max", "min", "amax", "amin", "prod", "var", "std"}
_SAME_SHAPE_METHODS = {"copy", "astype", "conj", "conjugate"}
_LIKE = {"zeros_like", "ones_like", "empty_like", "full_like"}


def join(a, b):
    """The least shape describing both ``a`` and ``b``."""
    if a == BOTTOM:
        return b
    if b == BOTTOM or a == b:
        return a
    return None


def is_array(shape):
    """An ``ndarray`` for certain (a tuple of at least one dimension)."""
    return isinstance(shape, tuple) and len(shape) >= 1


def broadcast(*shapes):
    """NumPy's broadcast of operand shapes; scalars stay scalars."""
    if any(s is None for s in shapes):
        return None
    present = [s for s in shapes if s != BOTTOM]  # a zero placeholder takes any shape
    if not present:
        return None
    shapes = present
    tuples = [s for s in shapes if isinstance(s, tuple)]
    if not tuples:
        return INT if all(s == INT for s in shapes) else FLOAT
    try:
        out = np.broadcast_shapes(*tuples)
    except ValueError:
        return None
    return out


def reduced(shape, axis, keepdims):
    """Shape of a reduction of a ``shape`` array over ``axis``."""
    if not isinstance(shape, tuple):
        return FLOAT if shape in (FLOAT, INT) and axis is None and not keepdims else None
    ndim = len(shape)
    if axis is None:
        return (1,) * ndim if keepdims else FLOAT
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    try:
        axes = {a + ndim if a < 0 else a for a in axes}
    except TypeError:
        return None
    if any(not 0 <= a < ndim for a in axes):
        return None
    if keepdims:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    out = tuple(n for i, n in enumerate(shape) if i not in axes)
    return out if out else FLOAT


def matmul(a, b):
    """Shape of ``a @ b``."""
    if not (is_array(a) and is_array(b)):
        return None
    if a[-1] != (b[0] if len(b) == 1 else b[-2]):
        return None
    if len(a) == 1 and len(b) == 1:
        return FLOAT
    if len(a) == 1:
        return b[:-2] + b[-1:]
    if len(b) == 1:
        return a[:-1]
    try:
        batch = np.broadcast_shapes(a[:-2], b[:-2])
    except ValueError:
        return None
    return tuple(batch) + (a[-2], b[-1])


def constant(node):
    """The Python value of a literal (number, None, bool, tuple of them); raises if not one."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.Tuple):
        return tuple(constant(e) for e in node.elts)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return -constant(node.operand)
    raise ValueError("not a literal")


def is_constant(node):
    try:
        constant(node)
    except (ValueError, TypeError):
        return False
    return True


class Resolver:
    """The object a callee expression of generated code names, or None."""

    def __init__(self, fn, injected):
        self.fn = fn
        self.injected = injected
        self.locals = set()

    def __call__(self, node):
        if isinstance(node, gast.Name):
            if node.id in self.locals:
                return None
            if node.id in self.injected:
                return self.injected[node.id]
            code = self.fn.__code__
            if node.id in code.co_freevars and self.fn.__closure__:
                try:
                    return self.fn.__closure__[code.co_freevars.index(node.id)].cell_contents
                except ValueError:
                    return None
            if node.id in self.fn.__globals__:
                return self.fn.__globals__[node.id]
            return getattr(builtins, node.id, None)
        if isinstance(node, gast.Attribute):
            base = self(node.value)
            return None if base is None else getattr(base, node.attr, None)
        return None


def call_argument(node, position, keyword, default=BOTTOM):
    """The node of a call's argument given by position or keyword, else ``default``."""
    for kw in node.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and len(node.args) > position:
        return node.args[position]
    return default


def reduction_shape(operand_shape, node, axis_position, literal=None):
    """Shape of a reduction call ``node`` (function or method) of an operand.

    ``literal`` reads a node's constant value (default :func:`constant`).
    """
    literal = literal or constant
    axis_node = call_argument(node, axis_position, "axis", None)
    keep_node = call_argument(node, None, "keepdims", None)
    if any(kw.arg not in ("axis", "keepdims", "ddof") for kw in node.keywords):
        return None
    if len(node.args) > axis_position + 1:
        return None
    try:
        axis = None if axis_node is None else literal(axis_node)
        keepdims = False if keep_node is None else bool(literal(keep_node))
    except (ValueError, TypeError):
        return None
    return reduced(operand_shape, axis, keepdims)
