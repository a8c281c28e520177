"""After LowerLoops, loops have one shape the reverse sweep can replay.

* ``for`` loops run over ``range(...)``; any other iterable is indexed:
  ``for x in xs`` becomes ``for i in range(len(xs)): x = xs[i]``.
* ``while test`` becomes ``c = test; while c: ...; c = test``.
* ``break`` and ``continue`` become flags: the statements after them run under
  ``if not flag:``, and the only ``break`` left is ``if flag: break`` as the
  last statement of the body. A loop's ``else`` runs under ``if not flag:``.
"""

from __future__ import annotations

import gast

from ..astutil import assign, call, const, deepcopy, if_, load, located, not_, store

ALWAYS, MAYBE, NEVER = "always", "maybe", "never"


class LowerLoops:
    """Normalize loops and their jumps.

    Before::

        def f(x, xs):
            for v in xs:
                if v > 2.0:
                    break
                x = x * v
            return x

    After::

        def f(x, xs):
            stop = False
            for i in range(len(xs)):
                v = xs[i]
                if v > 2.0:
                    stop = True
                else:
                    x = x * v
                if stop:
                    break
            return x
    """

    name = "lower_loops"

    def __call__(self, ctx):
        self.ctx = ctx
        ctx.node.body = self._hoist_else(ctx.node.body)
        ctx.node.body = self._stmts(ctx.node.body)
        return ctx

    # loop 'else' clauses ------------------------------------------------

    def _hoist_else(self, stmts):
        """Move each loop's ``else`` after the loop, under ``if not stop:``.

        Done first, so a ``continue``/``break`` in an inner loop's ``else``
        is seen as the outer loop's jump it is.
        """
        out = []
        for stmt in stmts:
            for field in ("body", "orelse"):
                block = getattr(stmt, field, None)
                if isinstance(block, list) and block:
                    setattr(stmt, field, self._hoist_else(block))
            out.append(stmt)
            if isinstance(stmt, (gast.For, gast.While)) and stmt.orelse:
                orelse, stmt.orelse = stmt.orelse, []
                breaks = _own_breaks(stmt.body)
                if not breaks:
                    out.extend(orelse)
                    continue
                flag = self.ctx.namer.fresh("broke")
                for block, index in breaks:
                    brk = block[index]
                    block[index:index + 1] = [assign(flag, const(True), like=brk), brk]
                out.insert(len(out) - 1, assign(flag, const(False), like=stmt))
                out.append(if_(not_(load(flag)), orelse, like=orelse[0]))
        return out

    def _stmts(self, stmts):
        out = []
        for stmt in stmts:
            if isinstance(stmt, gast.For):
                out.extend(self._for(stmt))
            elif isinstance(stmt, gast.While):
                out.extend(self._while(stmt))
            elif isinstance(stmt, gast.If):
                stmt.body = self._stmts(stmt.body) or [gast.Pass()]
                stmt.orelse = self._stmts(stmt.orelse)
                out.append(stmt)
            else:
                out.append(stmt)
        return out

    def _for(self, loop):
        namer = self.ctx.namer
        pre = []
        it = loop.iter
        is_range = (isinstance(it, gast.Call) and isinstance(it.func, gast.Name)
                    and it.func.id == "range" and not it.keywords
                    and isinstance(loop.target, gast.Name))
        head = []
        if not is_range:
            index = namer.fresh("i")
            length, element = self._element_plan(it, pre, loop)
            head = [assign(loop.target, element(load(index)), like=loop)]
            loop.target = store(index)
            loop.iter = call("range", [length])
        pre_loop, body, post = self._jumps(loop)
        loop.body = head + body
        return pre + pre_loop + [loop] + post

    def _element_plan(self, it, pre, loop):
        """How to iterate ``it`` by index: (length expression, index -> element).

        ``zip`` and ``enumerate`` are taken apart (their parts indexed in
        step), so each element read is a plain, differentiable subscript.
        """
        namer = self.ctx.namer
        is_call = isinstance(it, gast.Call) and isinstance(it.func, gast.Name) \
            and not it.keywords
        if is_call and it.func.id == "enumerate" and len(it.args) in (1, 2):
            length, inner = self._element_plan(it.args[0], pre, loop)
            start = it.args[1] if len(it.args) == 2 else None

            def element(k):
                counter = deepcopy(k) if start is None else gast.BinOp(
                    left=deepcopy(k), op=gast.Add(), right=deepcopy(start))
                return gast.Tuple(elts=[counter, inner(k)], ctx=gast.Load())
            return length, element
        if is_call and it.func.id == "zip" and it.args:
            plans = [self._element_plan(arg, pre, loop) for arg in it.args]
            length = plans[0][0] if len(plans) == 1 else call("min", [p[0] for p in plans])
            return length, lambda k: gast.Tuple(elts=[p[1](k) for p in plans], ctx=gast.Load())
        if isinstance(it, gast.Name):
            seq = it.id
        else:
            seq = namer.fresh("items")
            value = it if isinstance(it, (gast.Attribute, gast.Subscript, gast.List, gast.Tuple,
                                          gast.Call)) and not (
                isinstance(it, gast.Call) and not _is_range_call(it)) else call("list", [it])
            pre.append(assign(seq, value, like=loop))
        return (call("len", [load(seq)]),
                lambda k: gast.Subscript(value=load(seq), slice=deepcopy(k), ctx=gast.Load()))

    def _while(self, loop):
        cond = self.ctx.namer.fresh("cond")
        test = loop.test
        pre_loop, body, post = self._jumps(loop)
        loop.test = load(cond)
        recompute = assign(cond, deepcopy(test), like=loop)
        # The test is recomputed before the trailing 'if stop: break', so the
        # body's last statement stays the loop's only break.
        if body and _is_trailing_break(body[-1]):
            loop.body = body[:-1] + [recompute, body[-1]]
        else:
            loop.body = body + [recompute]
        return [assign(cond, test, like=loop)] + pre_loop + [loop] + post

    def _jumps(self, loop):
        """Lower this loop's break/continue; returns (before, body, after)."""
        saved = (getattr(self, "stop", None), getattr(self, "skip", None))
        self.stop, self.skip = None, None
        body, _ = self._block(loop.body)
        stop, skip = self.stop, self.skip
        body = _resolve_continue(body, skip)
        self.stop, self.skip = saved
        body = self._stmts(body)  # nested loops, each with its own flags
        pre, post = [], []
        if skip is not None:
            body = [assign(skip, const(False), like=loop)] + body
        if stop is not None:
            pre.append(assign(stop, const(False), like=loop))
            body = body + [if_(load(stop), [located(gast.Break(), loop)], like=loop)]
            if loop.orelse:
                post.append(if_(not_(load(stop)), self._stmts(loop.orelse), like=loop.orelse[0]))
        elif loop.orelse:
            post.extend(self._stmts(loop.orelse))
        loop.orelse = []
        return pre, body or [gast.Pass()], post

    def _block(self, stmts):
        """Rewrite jumps in ``stmts`` (not inside nested loops).

        ``continue`` stays as a placeholder until the whole body is done: it
        becomes ``skip = True`` only if some guard tests ``skip``.
        """
        out = []
        for idx, stmt in enumerate(stmts):
            rest = stmts[idx + 1:]
            if isinstance(stmt, gast.Break):
                if self.stop is None:
                    self.stop = self.ctx.namer.fresh("stop")
                out.append(assign(self.stop, const(True), like=stmt))
                return out, {"break"}
            if isinstance(stmt, gast.Continue):
                out.append(stmt)
                return out, {"continue"}
            if isinstance(stmt, gast.If):
                always_body = _always(stmt.body)
                always_else = _always(stmt.orelse)
                body, j_body = self._block(stmt.body)
                orelse, j_else = self._block(stmt.orelse)
                if not j_body and not j_else:
                    out.append(stmt)
                    continue
                lowered_rest, j_rest = self._block(rest)
                if always_body and not j_else:
                    stmt.body, stmt.orelse = body, orelse + lowered_rest
                    out.append(_fix_if(stmt))
                    return out, j_body | j_rest
                if always_else and not j_body:
                    stmt.body, stmt.orelse = body + lowered_rest, orelse
                    out.append(_fix_if(stmt))
                    return out, j_else | j_rest
                jumps = j_body | j_else
                stmt.body, stmt.orelse = body, orelse
                out.append(_fix_if(stmt))
                if lowered_rest:
                    out.append(if_(self._guard_test(jumps), lowered_rest, like=stmt))
                return out, jumps | j_rest
            out.append(stmt)
        return out, set()

    def _guard_test(self, jumps):
        flags = []
        if "break" in jumps:
            flags.append(load(self.stop))
        if "continue" in jumps:
            if self.skip is None:
                self.skip = self.ctx.namer.fresh("skip")
            flags.append(load(self.skip))
        test = flags[0] if len(flags) == 1 else gast.BoolOp(op=gast.Or(), values=flags)
        return not_(test)


def _is_range_call(node):
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
            and node.func.id == "range")


def _own_breaks(stmts):
    """(block, index) of the ``break`` statements of this loop (not nested loops')."""
    found = []
    for index, stmt in enumerate(stmts):
        if isinstance(stmt, gast.Break):
            found.append((stmts, index))
        elif isinstance(stmt, gast.If):
            found += _own_breaks(stmt.body) + _own_breaks(stmt.orelse)
    # indices shift as flags are inserted: patch from the last to the first
    return found[::-1]


def _always(stmts):
    """True if ``stmts`` always ends in a break or continue at this level."""
    for stmt in stmts:
        if isinstance(stmt, (gast.Break, gast.Continue)):
            return True
        if isinstance(stmt, gast.If) and _always(stmt.body) and _always(stmt.orelse):
            return True
    return False


def _resolve_continue(stmts, skip):
    """Turn ``continue`` placeholders into ``skip = True`` (or drop them)."""
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.Continue):
            if skip is not None:
                out.append(assign(skip, const(True), like=stmt))
            continue
        if isinstance(stmt, gast.If):
            stmt.body = _resolve_continue(stmt.body, skip) or [gast.Pass()]
            stmt.orelse = _resolve_continue(stmt.orelse, skip)
        out.append(stmt)
    return out


def _fix_if(stmt):
    stmt.body = stmt.body or [gast.Pass()]
    return stmt


def _is_trailing_break(stmt):
    return (isinstance(stmt, gast.If) and len(stmt.body) == 1
            and isinstance(stmt.body[0], gast.Break))
