"""After ToANF, every statement computes at most one primitive on atoms.

An *atom* is a name or a constant. Assignments read ``name = prim`` where
``prim`` is an atom, ``a OP b``, ``OP a``, a comparison, a call with atom
arguments (the callee stays a dotted name such as ``np.sin``), ``a.attr``,
``a[index]`` (index parts are atoms), or a tuple/list/dict of atoms. ``if`` and
``while`` test names; ``return`` returns a name. Conditional expressions and
``and``/``or`` become ``if`` statements, so their lazy evaluation is kept.
Every new statement keeps the source line it came from.
"""

from __future__ import annotations

import gast

from ..astutil import assign, load, located, names_stored

_ATOMS = (gast.Name, gast.Constant)


def is_atom(node):
    return isinstance(node, _ATOMS)


class ToANF:
    """Flatten expressions into three-address statements.

    Before::

        def f(x, y):
            z = (x + y) * x if x > 0 else -y
            return z * 2.0

    After::

        def f(x, y):
            t = x > 0
            if t:
                t_1 = x + y
                z = t_1 * x
            else:
                z = -y
            t_2 = z * 2.0
            return t_2
    """

    name = "to_anf"

    def __call__(self, ctx):
        self.ctx = ctx
        self.locals = set(names_stored(ctx.node))
        ctx.node.body = self._stmts(ctx.node.body)
        return ctx

    def _global_chain(self, node):
        """``np.linalg.norm``-like: attributes on a name that is not a local variable."""
        while isinstance(node, gast.Attribute):
            node = node.value
        return isinstance(node, gast.Name) and node.id not in self.locals

    # statements ---------------------------------------------------------

    def _stmts(self, stmts):
        out = []
        for stmt in stmts:
            self.like = stmt
            out.extend(self._stmt(stmt))
        return out

    def _stmt(self, stmt):
        pre = []
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0].id
            self._assign_to(target, stmt.value, pre)
            return pre
        if isinstance(stmt, gast.If):
            test = self._atom(stmt.test, pre, name_only=True)
            body = self._stmts(stmt.body) or [gast.Pass()]
            orelse = self._stmts(stmt.orelse)
            return pre + self._if(test, body, orelse, stmt)
        if isinstance(stmt, gast.While):
            stmt.body = self._stmts(stmt.body) or [gast.Pass()]
            return [stmt]
        if isinstance(stmt, gast.For):
            call = stmt.iter
            call.args = [self._atom(a, pre) for a in call.args]
            stmt.body = self._stmts(stmt.body) or [gast.Pass()]
            return pre + [stmt]
        if isinstance(stmt, gast.Return):
            value = self._atom(stmt.value, pre, name_only=True)
            return pre + [located(gast.Return(value=value), stmt)]
        if isinstance(stmt, gast.Expr):
            if isinstance(stmt.value, gast.Call):
                stmt.value = self._prim(stmt.value, pre)
            return pre + [stmt]
        return [stmt]

    def _assign_to(self, target, value, pre):
        """Emit statements computing ``value`` into ``target``."""
        if isinstance(value, gast.IfExp):
            test = self._atom(value.test, pre, name_only=True)
            body, orelse = [], []
            self._assign_to(target, value.body, body)
            self._assign_to(target, value.orelse, orelse)
            pre.extend(self._if(test, body, orelse, self.like))
            return True
        if isinstance(value, gast.BoolOp):
            # a and b -> t = a; if t: t = b   /   a or b -> t = a; if not t: t = b
            self._assign_to(target, value.values[0], pre)
            rest = value.values[1:]
            for operand in rest:
                branch = []
                self._assign_to(target, operand, branch)
                test = load(target)
                if isinstance(value.op, gast.Or):
                    neg = self._fresh()
                    pre.append(assign(neg, gast.UnaryOp(op=gast.Not(), operand=load(target)),
                                      like=self.like))
                    test = load(neg)
                # each further operand runs only if the previous ones did not decide
                pre.extend(self._if(test, branch, [], self.like))
            return True
        prim = self._prim(value, pre)
        pre.append(assign(target, prim, like=self.like))
        return True

    def _if(self, test, body, orelse, like):
        """``if test: body else: orelse``, with a test no branch assigns.

        The reverse sweep replays the branch by reading the test again after
        undoing the branch, so a branch must not overwrite its own test
        (``t = a; if t: t = b`` lowers ``a and b``; in a loop ``t`` is not
        renamed by SSA). Such a test is read through a fresh copy.
        """
        stored = set(names_stored(gast.Module(body=body + orelse, type_ignores=[])))
        pre = []
        if test.id in stored:
            fresh = self._fresh()
            pre.append(assign(fresh, load(test.id), like=like))
            test = load(fresh)
        return pre + [located(gast.If(test=test, body=body, orelse=orelse), like)]

    # expressions --------------------------------------------------------

    def _fresh(self):
        name = self.ctx.namer.fresh("t")
        self.ctx.facts.setdefault("temps", set()).add(name)
        return name

    def _atom(self, node, pre, name_only=False):
        if isinstance(node, gast.Name) or (isinstance(node, gast.Constant) and not name_only):
            return node
        name = self._fresh()
        self._assign_to(name, node, pre)
        return load(name)

    def _prim(self, node, pre):
        """Rewrite ``node`` so its operands are atoms; returns the primitive."""
        if is_atom(node):
            return node
        if isinstance(node, gast.BinOp):
            node.left = self._atom(node.left, pre)
            node.right = self._atom(node.right, pre)
            return node
        if isinstance(node, gast.UnaryOp):
            if isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
                    and isinstance(node.operand.value, (int, float)):
                return gast.Constant(value=-node.operand.value, kind=None)
            node.operand = self._atom(node.operand, pre)
            return node
        if isinstance(node, gast.Compare):
            node.left = self._atom(node.left, pre)
            node.comparators = [self._atom(c, pre) for c in node.comparators]
            return node
        if isinstance(node, gast.Call):
            if (isinstance(node.func, gast.Name) and node.func.id in ("min", "max")
                    and len(node.args) > 2 and not node.keywords):
                # min(a, b, c) -> min(min(a, b), c): the two-argument rule applies
                inner = gast.Call(func=gast.Name(id=node.func.id, ctx=gast.Load(),
                                                 annotation=None, type_comment=None),
                                  args=node.args[:-1], keywords=[])
                node.args = [inner, node.args[-1]]
            node.func = self._callee(node.func, pre)
            node.args = [self._atom(a, pre) for a in node.args]
            for kw in node.keywords:
                kw.value = self._atom(kw.value, pre)
            return node
        if isinstance(node, gast.Attribute):
            if self._global_chain(node):
                return node
            node.value = self._atom(node.value, pre)
            return node
        if isinstance(node, gast.Subscript):
            node.value = self._atom(node.value, pre)
            node.slice = self._index(node.slice, pre)
            return node
        if isinstance(node, (gast.Tuple, gast.List)):
            node.elts = [self._atom(e, pre) for e in node.elts]
            return node
        if isinstance(node, gast.Dict):
            node.keys = [self._atom(k, pre) if k is not None else None for k in node.keys]
            node.values = [self._atom(v, pre) for v in node.values]
            return node
        if isinstance(node, (gast.IfExp, gast.BoolOp)):
            return load(self._atom(node, pre).id)
        return node  # f-strings and other inactive leaves stay as they are

    def _callee(self, func, pre):
        if isinstance(func, gast.Name) or self._global_chain(func):
            return func
        if isinstance(func, gast.Attribute):  # method of a computed value
            func.value = self._atom(func.value, pre)
            return func
        return self._atom(func, pre)

    def _index(self, index, pre):
        if isinstance(index, gast.Slice):
            for field in ("lower", "upper", "step"):
                part = getattr(index, field)
                if part is not None:
                    setattr(index, field, self._atom(part, pre))
            return index
        if isinstance(index, gast.Tuple):
            index.elts = [self._index(e, pre) for e in index.elts]
            return index
        if isinstance(index, gast.Constant) and index.value is Ellipsis:
            return index
        return self._atom(index, pre)


def _dotted_root(node):
    """True for ``a.b.c`` chains of attributes on a plain name."""
    while isinstance(node, gast.Attribute):
        node = node.value
    return isinstance(node, gast.Name)
