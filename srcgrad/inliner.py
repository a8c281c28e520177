"""Inline an adjoint rule's body at a call site, under fresh names.

``inline(rule, ...)`` substitutes the rule's parameters with the call's atoms
(``g`` with the output's cotangent, ``out`` with the output), renames the
rule's locals, gives the rule module's globals names in the generated code,
keeps only the cotangents of active arguments (dropping statements nothing
then needs) and, between scalars, drops ``unbroadcast``.
"""

from __future__ import annotations

import builtins

import gast

from .astutil import deepcopy, names_loaded, names_stored
from .runtime import unbroadcast


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
    tree = deepcopy(rule.tree)
    arg_nodes = tree.args.args
    g_name, out_name = arg_nodes[0].id, arg_nodes[1].id
    subst = {g_name: g, out_name: out}
    for node, param in zip(arg_nodes[2:], rule.params):
        if param in bound:
            subst[node.id] = bound[param]
        else:
            subst[node.id] = gast.Constant(value=rule.defaults.get(param), kind=None)
    body = tree.body
    ret = body[-1].value
    prelude = body[:-1]
    if len(rule.params) == 1:
        exprs = [ret]
    elif isinstance(ret, gast.Tuple):
        exprs = list(ret.elts)
    else:  # the rule returns a call that yields the tuple of cotangents
        pair = "cotangents"
        prelude = prelude + [gast.Assign(targets=[gast.Name(id=pair, ctx=gast.Store(),
                                                            annotation=None, type_comment=None)],
                                         value=ret, type_comment=None)]
        exprs = [gast.Subscript(value=gast.Name(id=pair, ctx=gast.Load(), annotation=None,
                                                type_comment=None),
                                slice=gast.Constant(value=i, kind=None), ctx=gast.Load())
                 for i in range(len(rule.params))]
    wanted_exprs = {}
    for param, expr in zip(rule.params, exprs):
        if param in wanted and not (isinstance(expr, gast.Constant) and expr.value is None):
            wanted_exprs[param] = expr
    # Drop prelude statements no wanted cotangent needs.
    needed = set()
    for expr in wanted_exprs.values():
        needed |= set(names_loaded(expr))
    kept = []
    for stmt in reversed(prelude):
        targets = set(names_stored(stmt))
        if targets & needed:
            kept.append(stmt)
            needed |= set(names_loaded(stmt))
    prelude = kept[::-1]
    locals_ = set()
    for stmt in prelude:
        locals_ |= set(names_stored(stmt))
    renames = {name: namer.fresh(name) for name in sorted(locals_)}
    param_names = {n.id for n in arg_nodes}
    fn_globals = rule.fn.__globals__
    scalar_nodes = {subst[n.id] for n in arg_nodes[2:]
                    if rule.params[arg_nodes[2:].index(n)] in scalar_params}
    out_scalar = "out" in scalar_params

    class Subst(gast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            func = node.func
            if (isinstance(func, gast.Name) and func.id == injected_unbroadcast[0]
                    and len(node.args) == 2 and out_scalar
                    and any(node.args[1] is s or _same_atom(node.args[1], s)
                            for s in scalar_nodes)):
                return node.args[0]
            return node

        def visit_Name(self, node):
            if node.id in param_names and isinstance(node.ctx, gast.Load):
                return deepcopy(subst[node.id])
            if node.id in renames:
                node.id = renames[node.id]
                return node
            if isinstance(node.ctx, gast.Load) and node.id not in param_names:
                obj = fn_globals.get(node.id, getattr(builtins, node.id, None))
                if obj is not None and not _is_builtin_name(node.id, obj):
                    node.id = injector.name_for(obj, node.id)
            return node

    injected_unbroadcast = [injector.name_for(unbroadcast, "unbroadcast")]
    subst_visitor = Subst()
    prelude = [subst_visitor.visit(stmt) for stmt in prelude]
    result = {param: subst_visitor.visit(expr) for param, expr in wanted_exprs.items()}
    return prelude, result


def _same_atom(a, b):
    if isinstance(a, gast.Name) and isinstance(b, gast.Name):
        return a.id == b.id
    if isinstance(a, gast.Constant) and isinstance(b, gast.Constant):
        return a.value == b.value and type(a.value) is type(b.value)
    return False


def _is_builtin_name(name, obj):
    return getattr(builtins, name, None) is obj
