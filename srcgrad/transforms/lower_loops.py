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
        ctx.node.body = self._stmts(ctx.node.body)
        return ctx

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
            if isinstance(it, (gast.Name, gast.Attribute, gast.Subscript, gast.List, gast.Tuple)):
                seq = it
            else:
                seq_name = namer.fresh("items")
                pre.append(assign(seq_name, call("list", [it]), like=loop))
                seq = load(seq_name)
            if not isinstance(seq, gast.Name):
                seq_name = namer.fresh("items")
                pre.append(assign(seq_name, seq, like=loop))
                seq = load(seq_name)
            index = namer.fresh("i")
            head = [assign(loop.target, gast.Subscript(value=load(seq.id), slice=load(index),
                                                       ctx=gast.Load()), like=loop)]
            loop.target = store(index)
            loop.iter = call("range", [call("len", [load(seq.id)])])
        pre_loop, body, post = self._jumps(loop)
        loop.body = head + body
        return pre + pre_loop + [loop] + post

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
