"""After NormalizeAssignments, every assignment is ``name = expression``.

Augmented, annotated, chained and tuple assignments are rewritten; unpacking
a literal tuple evaluates the whole right side first (so swaps stay swaps),
and unpacking any other value indexes it. ``xs.append(v)`` on a local list
becomes ``xs = xs + [v]``.
"""

from __future__ import annotations

import gast

from ..astutil import assign, deepcopy, load, located


class NormalizeAssignments:
    """One name on the left of every assignment.

    Before::

        def f(x, y):
            x, y = y, x
            a = b = x * y
            a += 1.0
            return a + b

    After::

        def f(x, y):
            t = y
            t_1 = x
            x = t
            y = t_1
            a = x * y
            b = a
            a = a + 1.0
            return a + b
    """

    name = "normalize_assignments"

    def __call__(self, ctx):
        self.ctx = ctx
        self.locals = set()
        for sub in gast.walk(ctx.node):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, (gast.Store, gast.Param)):
                self.locals.add(sub.id)
        ctx.node.body = self._stmts(ctx.node.body)
        return ctx

    def _stmts(self, stmts):
        out = []
        for stmt in stmts:
            out.extend(self._stmt(stmt))
        return out

    def _stmt(self, stmt):
        if isinstance(stmt, gast.AugAssign):
            target = stmt.target
            value = gast.BinOp(left=load(target.id), op=stmt.op, right=stmt.value)
            return [assign(target.id, value, like=stmt)]
        if isinstance(stmt, gast.AnnAssign):
            if stmt.value is None:
                return []
            return [assign(stmt.target.id, stmt.value, like=stmt)]
        if isinstance(stmt, gast.Assign):
            if len(stmt.targets) == 1:
                return self._unpack(stmt.targets[0], stmt.value, stmt)
            # a = b = value: evaluate once, then copy left to right.
            first = stmt.targets[0]
            if isinstance(first, gast.Name):
                out = [assign(first.id, stmt.value, like=stmt)]
                source = first.id
            else:
                source = self.ctx.namer.fresh("t")
                out = [assign(source, stmt.value, like=stmt)]
                out += self._unpack(first, load(source), stmt)
            for target in stmt.targets[1:]:
                out += self._unpack(target, load(source), stmt)
            return out
        if isinstance(stmt, gast.Expr) and self._is_append(stmt.value):
            lst = stmt.value.func.value.id
            item = stmt.value.args[0]
            value = gast.BinOp(left=load(lst), op=gast.Add(),
                               right=gast.List(elts=[item], ctx=gast.Load()))
            return [assign(lst, value, like=stmt)]
        for field in ("body", "orelse"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, self._stmts(getattr(stmt, field))
                        or ([gast.Pass()] if field == "body" else []))
        return [stmt]

    def _is_append(self, value):
        return (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and value.func.attr == "append" and isinstance(value.func.value, gast.Name)
                and value.func.value.id in self.locals and len(value.args) == 1
                and not value.keywords)

    def _unpack(self, target, value, like):
        if isinstance(target, gast.Name):
            return [assign(target.id, value, like=like)]
        elts = target.elts
        if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(elts):
            temps, out = [], []
            for elt_value in value.elts:
                if isinstance(elt_value, gast.Constant):
                    temps.append(elt_value)
                    continue
                name = self.ctx.namer.fresh("t")
                out.append(assign(name, elt_value, like=like))
                temps.append(load(name))
            for elt_target, temp in zip(elts, temps):
                out += self._unpack(elt_target, deepcopy(temp), like)
            return out
        if isinstance(value, gast.Name):
            source, out = value.id, []
        else:
            source = self.ctx.namer.fresh("t")
            out = [assign(source, value, like=like)]
        for index, elt_target in enumerate(elts):
            item = gast.Subscript(value=load(source), slice=gast.Constant(value=index, kind=None),
                                  ctx=gast.Load())
            out += self._unpack(elt_target, located(item, like), like)
        return out
