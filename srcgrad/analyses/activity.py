"""Which names are *active*: depend on a ``wrt`` input and reach the output.

Flow-insensitive fixpoints over the ANF statements: a name is *varied* if a
differentiable primitive computes it from a varied name, and *useful* if a
differentiable primitive uses it to compute a useful name. Only active
statements get reverse code; the rest run in the forward sweep alone.
"""

from __future__ import annotations

import gast

from ..adjoints import registry
from ..astutil import anno_get, statements

NONDIFF_MEMBERS = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides",
                   "argmax", "argmin", "argsort", "nonzero", "argpartition", "searchsorted",
                   "index", "count", "keys", "__len__", "tolist_shape"}


def is_differentiable(prim):
    """Can this primitive carry a derivative from its arguments to its target?"""
    if prim.kind in ("attribute", "method"):
        return prim.callee_name not in NONDIFF_MEMBERS
    if prim.kind in ("copy", "subscript", "literal", "dict"):
        return True
    if prim.kind in ("op", "call"):
        if prim.callee is None:
            return prim.kind == "call"  # unresolved: error later if it turns out active
        return not registry.is_nondifferentiable(prim.callee)
    return False


def analyse(ctx, wrt, output):
    stmts = [s for s in statements(ctx.node) if isinstance(s, gast.Assign)]
    edges = []  # (target, source) for differentiable primitives
    for stmt in stmts:
        prim = anno_get(stmt, "prim")
        if not is_differentiable(prim):
            continue
        atoms = list(prim.args) + list(prim.keywords.values())
        for atom in atoms:
            if isinstance(atom, gast.Name):
                edges.append((prim.target, atom.id))
    varied = set(wrt)
    changed = True
    while changed:
        changed = False
        for target, source in edges:
            if source in varied and target not in varied:
                varied.add(target)
                changed = True
    useful = {output}
    changed = True
    while changed:
        changed = False
        for target, source in edges:
            if target in useful and source not in useful:
                useful.add(source)
                changed = True
    return varied & useful
