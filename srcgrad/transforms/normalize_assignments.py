"""After NormalizeAssignments, every assignment is ``name = expression``.

Augmented, annotated, chained and tuple assignments are rewritten; unpacking
a literal tuple evaluates the whole right side first (so swaps stay swaps),
and unpacking any other value indexes it. ``xs.append(v)`` on a local list
becomes ``xs = xs + [v]`` and ``v = xs.pop()`` becomes
``v = xs[-1]; xs = xs[:-1]`` (so srcgrad can differentiate the stack code it
generates). An element assignment ``x[i] = v`` becomes
``x = __srcgrad_setitem__(x, i, v)``, which returns a new container: arrays
the caller passed in are never written to.
"""

from __future__ import annotations

import gast

from ..astutil import assign, deepcopy, load, located


def _index_value(index):
    """The value of a subscript's index as an expression (``1:3`` -> ``slice(1, 3, None)``)."""
    if isinstance(index, gast.Slice):
        parts = [p if p is not None else gast.Constant(value=None, kind=None)
                 for p in (index.lower, index.upper, index.step)]
        return gast.Call(func=load("slice"), args=parts, keywords=[])
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[_index_value(e) for e in index.elts], ctx=gast.Load())
    return index


def _setitem(name, index, value):
    return gast.Call(func=load("__srcgrad_setitem__"), args=[load(name), index, value],
                     keywords=[])


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
            if isinstance(target, gast.Subscript):
                # x[i] += v  ->  index = (i,); x = setitem(x, index, x[index] + v)
                index = self.ctx.namer.fresh("index")
                out = [assign(index, _index_value(target.slice), like=stmt)]
                current = gast.Subscript(value=load(target.value.id), slice=load(index),
                                         ctx=gast.Load())
                value = gast.BinOp(left=current, op=stmt.op, right=stmt.value)
                return out + [assign(target.value.id, _setitem(target.value.id, load(index),
                                                               value), like=stmt)]
            value = gast.BinOp(left=load(target.id), op=stmt.op, right=stmt.value)
            return [assign(target.id, value, like=stmt)]
        if isinstance(stmt, gast.AnnAssign):
            if stmt.value is None:
                return []
            return [assign(stmt.target.id, stmt.value, like=stmt)]
        if isinstance(stmt, gast.Assign):
            if len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name) \
                    and self._is_pop(stmt.value):
                # x = xs.pop()  ->  x = xs[-1]; xs = xs[:-1]  (a stack, read functionally)
                lst = stmt.value.func.value.id
                last = gast.Subscript(value=load(lst), slice=gast.Constant(value=-1, kind=None),
                                      ctx=gast.Load())
                rest = gast.Subscript(value=load(lst), slice=gast.Slice(
                    lower=None, upper=gast.Constant(value=-1, kind=None), step=None),
                    ctx=gast.Load())
                return [assign(stmt.targets[0].id, last, like=stmt), assign(lst, rest, like=stmt)]
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

    def _is_pop(self, value):
        return (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and value.func.attr == "pop" and isinstance(value.func.value, gast.Name)
                and value.func.value.id in self.locals and not value.args
                and not value.keywords)

    def _is_append(self, value):
        return (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and value.func.attr == "append" and isinstance(value.func.value, gast.Name)
                and value.func.value.id in self.locals and len(value.args) == 1
                and not value.keywords)

    def _unpack(self, target, value, like):
        if isinstance(target, gast.Name):
            return [assign(target.id, value, like=like)]
        if isinstance(target, gast.Subscript):
            # x[i] = v  ->  x = setitem(x, (i,), v): a new array, the old one untouched
            name = target.value.id
            return [assign(name, _setitem(name, _index_value(target.slice), value), like=like)]
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
