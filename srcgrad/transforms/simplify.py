"""After Simplify, generated code has no arithmetic on known constants.

Folds constant sub-expressions and the identities ``e ** 1``, ``e * 1``,
``1 * e``, ``-(-e)`` and ``e - (-c)`` that inlining rules leaves behind, and
drops ``pass`` from non-empty blocks.
"""

from __future__ import annotations

import operator

import gast

from ..analyses.primitives import BINOPS

_FOLDABLE = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)


def _num(node):
    return (isinstance(node, gast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool))


class _Fold(gast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right = node.left, node.right
        if _num(left) and _num(right) and isinstance(node.op, _FOLDABLE):
            if isinstance(node.op, gast.Pow) and abs(right.value) > 8:
                return node
            try:
                value = BINOPS[type(node.op)](left.value, right.value)
            except (ArithmeticError, ValueError):
                return node
            return gast.Constant(value=value, kind=None)
        if isinstance(node.op, gast.Pow) and _num(right) and right.value == 1:
            return left
        if isinstance(node.op, gast.Mult):
            if _num(right) and right.value == 1 and type(right.value) is int:
                return left
            if _num(left) and left.value == 1 and type(left.value) is int:
                return right
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.USub):
            if _num(node.operand):
                return gast.Constant(value=operator.neg(node.operand.value), kind=None)
            if isinstance(node.operand, gast.UnaryOp) and isinstance(node.operand.op, gast.USub):
                return node.operand.operand
        return node


def _drop_pass(stmts):
    out = [s for s in stmts if not isinstance(s, gast.Pass)]
    for stmt in out:
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if isinstance(block, list):
                setattr(stmt, field, _drop_pass(block) or
                        ([gast.Pass()] if field == "body" else []))
    return out or stmts[:1]


class Simplify:
    """Fold constants in generated code.

    Before::

        dx = dt * 2 * x ** (2 - 1)

    After::

        dx = dt * 2 * x
    """

    name = "simplify"

    def __call__(self, ctx):
        for fn in ctx.facts["generated"]:
            _Fold().visit(fn)
            fn.body = _drop_pass(fn.body)
        return ctx
