"""Small helpers to build, copy and annotate gast nodes.

Passes build nodes through these so the trees they make are uniform (every
``Name`` has its ``ctx``, every statement keeps the source line it came from).
Annotations (facts passes attach to nodes) go through :func:`anno_get` /
:func:`anno_set` only.
"""

from __future__ import annotations

import gast

_ANNO = "_srcgrad_anno"


def anno_get(node, key, default=None):
    return getattr(node, _ANNO, {}).get(key, default)


def anno_set(node, key, value):
    annos = getattr(node, _ANNO, None)
    if annos is None:
        annos = {}
        setattr(node, _ANNO, annos)
    annos[key] = value
    return node


def load(name):
    return gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)


def store(name):
    return gast.Name(id=name, ctx=gast.Store(), annotation=None, type_comment=None)


def const(value):
    return gast.Constant(value=value, kind=None)


def assign(target, value, like=None):
    """``target = value``; ``target`` is a name (str) or a store node."""
    if isinstance(target, str):
        target = store(target)
    node = gast.Assign(targets=[target], value=value, type_comment=None)
    return located(node, like)


def expr_stmt(value, like=None):
    return located(gast.Expr(value=value), like)


def call(func, args=(), keywords=()):
    if isinstance(func, str):
        func = load(func)
    return gast.Call(func=func, args=list(args), keywords=list(keywords))


def attr(value, name):
    if isinstance(value, str):
        value = load(value)
    return gast.Attribute(value=value, attr=name, ctx=gast.Load())


def binop(left, op, right):
    return gast.BinOp(left=left, op=op, right=right)


def if_(test, body, orelse=(), like=None):
    return located(gast.If(test=test, body=list(body) or [gast.Pass()], orelse=list(orelse)), like)


def not_(value):
    return gast.UnaryOp(op=gast.Not(), operand=value)


def located(node, like):
    """Give ``node`` the source position (and origin annotation) of ``like``."""
    if like is not None:
        for field in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
            if hasattr(like, field):
                setattr(node, field, getattr(like, field))
        origin = anno_get(like, "origin")
        if origin is not None:
            anno_set(node, "origin", origin)
    return node


def comment(text, like=None):
    """A statement that codegen renders as ``# text``."""
    return expr_stmt(call("__srcgrad_comment__", [const(text)]), like)


_POSITION = ("lineno", "col_offset", "end_lineno", "end_col_offset")


def deepcopy(node):
    """A copy of a gast tree (much faster than ``copy.deepcopy``).

    Annotations are carried over (the dict itself is copied, its values shared).
    """
    if isinstance(node, list):
        return [deepcopy(n) for n in node]
    if not isinstance(node, gast.AST):
        return node
    new = node.__class__(**{f: deepcopy(getattr(node, f, None)) for f in node._fields})
    for attr_name in _POSITION:
        value = getattr(node, attr_name, None)
        if value is not None:
            setattr(new, attr_name, value)
    annos = getattr(node, _ANNO, None)
    if annos is not None:
        setattr(new, _ANNO, dict(annos))
    return new


def names_loaded(node):
    """Names read anywhere under ``node`` (in first-seen order)."""
    seen = {}
    for sub in gast.walk(node):
        if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load):
            seen.setdefault(sub.id, None)
    return list(seen)


def names_stored(node):
    seen = {}
    for sub in gast.walk(node):
        if isinstance(sub, gast.Name) and isinstance(sub.ctx, (gast.Store, gast.Param)):
            seen.setdefault(sub.id, None)
    return list(seen)


def all_names(node):
    return {sub.id for sub in gast.walk(node) if isinstance(sub, gast.Name)}


def is_name(node, name=None):
    return isinstance(node, gast.Name) and (name is None or node.id == name)


def dotted(node):
    """``np.linalg.norm`` -> ``['np', 'linalg', 'norm']``; None if not a dotted name."""
    parts = []
    while isinstance(node, gast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, gast.Name):
        parts.append(node.id)
        return parts[::-1]
    return None


class Renamer(gast.NodeTransformer):
    """Rename ``Name`` nodes by a mapping (both loads and stores)."""

    def __init__(self, mapping, loads=True, stores=True):
        self.mapping = mapping
        self.loads = loads
        self.stores = stores

    def visit_Name(self, node):
        if node.id in self.mapping:
            is_load = isinstance(node.ctx, gast.Load)
            if (is_load and self.loads) or (not is_load and self.stores):
                node.id = self.mapping[node.id]
        return node


def rename(node, mapping, loads=True, stores=True):
    return Renamer(mapping, loads, stores).visit(node)


def walk(node):
    """Every node under ``node`` (itself included), in no particular order.

    A faster ``gast.walk`` for passes that only count or collect; use
    ``gast.walk`` where the order of nodes matters.
    """
    stack = [node]
    ast_type = gast.AST
    while stack:
        node = stack.pop()
        yield node
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, ast_type))
            elif isinstance(value, ast_type):
                stack.append(value)


_STATEMENT_FIELDS = ("body", "orelse", "handlers", "finalbody")


def statements(node):
    """The statements under ``node``, in the order ``gast.walk`` meets them.

    Expressions never contain statements, so only statement lists are
    visited: the same breadth-first order as ``gast.walk`` restricted to
    statements, at a fraction of the cost.
    """
    queue = [node]
    index = 0
    while index < len(queue):
        current = queue[index]
        index += 1
        if current is not node:
            yield current
        for field in _STATEMENT_FIELDS:
            block = getattr(current, field, None)
            if isinstance(block, list):
                queue.extend(item for item in block if isinstance(item, gast.stmt))
