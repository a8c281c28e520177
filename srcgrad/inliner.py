"""Inline an adjoint rule's body at a call site, under fresh names.

``inline(rule, ...)`` substitutes the rule's parameters with the call's atoms
(``g`` with the output's cotangent, ``out`` with the output), renames the
rule's locals, gives the rule module's globals names in the generated code,
keeps only the cotangents of active arguments (dropping statements nothing
then needs) and, between scalars, drops ``unbroadcast``.
"""

from __future__ import annotations

import builtins
import math

import gast
import numpy as np

from .astutil import deepcopy, names_loaded, names_stored
from .runtime import unbroadcast


def _parts(rule):
    """The rule split once: (param node names, prelude, cotangent exprs, locals)."""
    parts = getattr(rule, "_parts", None)
    if parts is not None:
        return parts
    tree = rule.tree
    arg_names = [a.id for a in tree.args.args]
    body = tree.body
    ret = body[-1].value
    prelude = list(body[:-1])
    # A tuple literal gives the cotangents of the parameters in order (it may be
    # shorter than the parameter list); any other expression is the cotangent of
    # the first parameter alone.
    exprs = list(ret.elts) if isinstance(ret, gast.Tuple) and len(rule.params) > 1 else [ret]
    stmt_info = [(stmt, set(names_stored(stmt)), set(names_loaded(stmt))) for stmt in prelude]
    locals_ = set()
    for _, stored, _ in stmt_info:
        locals_ |= stored
    expr_reads = [set(names_loaded(e)) for e in exprs]
    parts = (arg_names, stmt_info, exprs, expr_reads, locals_)
    rule._parts = parts
    return parts


def reads_out(rule, wanted):
    """Does the rule's code for the ``wanted`` cotangents read the primal output?"""
    arg_names, stmt_info, exprs, expr_reads, _ = _parts(rule)
    out_name = arg_names[1]
    needed = set()
    for param, reads in zip(rule.params, expr_reads):
        if param in wanted:
            needed |= reads
    for _stmt, stored, loaded in reversed(stmt_info):
        if stored & needed:
            needed |= loaded
    return out_name in needed


def _broadcasting(target):
    """An elementwise operation: its output has the broadcast shape of its arguments."""
    if isinstance(target, np.ufunc):
        return target.signature is None
    if getattr(target, "__module__", None) in ("operator", "_operator"):
        return True
    return target in (np.where, np.clip, np.float_power, np.power, getattr(math, "pow", None))


def inline(rule, g, out, bound, wanted, scalar_params, namer, injector):
    """Inline ``rule``.

    Args:
        rule: a :class:`~srcgrad.adjoints.registry.Rule`.
        g, out: expression nodes for the cotangent and the primal output.
        bound: primal parameter name -> atom node (missing ones take defaults).
        wanted: parameter names whose cotangents are needed.
        scalar_params: parameter names known to be scalars, plus ``"out"`` if
            the output is a scalar; ``unbroadcast(e, p)`` becomes ``e`` when
            both ``p`` and ``out`` are in it.

    Returns:
        ``(prelude_statements, {param: cotangent_expression})``.
    """
    arg_names, stmt_info, exprs, expr_reads, locals_ = _parts(rule)
    subst = {arg_names[0]: g, arg_names[1]: out}
    for name, param in zip(arg_names[2:], rule.params):
        if param in bound:
            subst[name] = bound[param]
        else:
            subst[name] = gast.Constant(value=rule.defaults.get(param), kind=None)
    chosen = {}
    needed = set()
    for param, expr, reads in zip(rule.params, exprs, expr_reads):
        if param in wanted and not (isinstance(expr, gast.Constant) and expr.value is None):
            chosen[param] = expr
            needed |= reads
    kept = []
    for stmt, stored, loaded in reversed(stmt_info):
        if stored & needed:
            kept.append(stmt)
            needed |= loaded
    kept.reverse()
    renames = {}
    for stmt in kept:
        for name in sorted(names_stored(stmt)):
            renames[name] = namer.fresh(name)
    fn_globals = rule.fn.__globals__
    unbroadcast_name = injector.name_for(unbroadcast, "unbroadcast")
    scalar_atoms = {_atom_key(subst[n]) for n, p in zip(arg_names[2:], rule.params)
                    if p in scalar_params}
    out_scalar = "out" in scalar_params
    # unbroadcast(e, p) is the identity when nothing else in the call is an array:
    # the output then has p's shape.
    param_of_atom = {_atom_key(subst[n]): p for n, p in zip(arg_names[2:], rule.params)
                     if p in bound}
    array_like = {p for p in rule.params
                  if p in bound and p not in scalar_params
                  and not isinstance(bound[p], gast.Constant)}

    def needless_unbroadcast(like):
        if not _broadcasting(rule.target):
            return False  # unbroadcast, unreduce, sum...: the output has its own shape
        key = _atom_key(like)
        if out_scalar and key in scalar_atoms:
            return True
        param = param_of_atom.get(key)
        return param is not None and not (array_like - {param})
    global_names = {}

    def name_of_global(name):
        if name not in global_names:
            obj = fn_globals.get(name, getattr(builtins, name, None))
            global_names[name] = (injector.name_for(obj, name)
                                  if obj is not None and not _is_builtin_name(name, obj)
                                  else name)
        return global_names[name]

    def copy(node):
        """Copy ``node``, substituting parameters, locals and globals as we go."""
        if isinstance(node, list):
            return [copy(n) for n in node]
        if isinstance(node, gast.Name):
            if node.id in subst and isinstance(node.ctx, gast.Load):
                return deepcopy(subst[node.id])
            if node.id in renames:
                return gast.Name(id=renames[node.id], ctx=node.ctx, annotation=None,
                                 type_comment=None)
            if isinstance(node.ctx, gast.Load) and node.id not in locals_:
                return gast.Name(id=name_of_global(node.id), ctx=node.ctx, annotation=None,
                                 type_comment=None)
            return gast.Name(id=node.id, ctx=node.ctx, annotation=None, type_comment=None)
        if not isinstance(node, gast.AST):
            return node
        new = node.__class__(**{f: copy(getattr(node, f, None)) for f in node._fields})
        if (isinstance(new, gast.Call) and isinstance(new.func, gast.Name)
                and new.func.id == unbroadcast_name and len(new.args) == 2
                and needless_unbroadcast(new.args[1])):
            return new.args[0]
        return new

    prelude = [copy(stmt) for stmt in kept]
    return prelude, {param: copy(expr) for param, expr in chosen.items()}


def _atom_key(node):
    if isinstance(node, gast.Name):
        return ("name", node.id)
    if isinstance(node, gast.Constant):
        return ("const", type(node.value).__name__, repr(node.value))
    return ("other", id(node))


def _same_atom(a, b):
    if isinstance(a, gast.Name) and isinstance(b, gast.Name):
        return a.id == b.id
    if isinstance(a, gast.Constant) and isinstance(b, gast.Constant):
        return a.value == b.value and type(a.value) is type(b.value)
    return False


def _is_builtin_name(name, obj):
    return getattr(builtins, name, None) is obj
