"""After LowerReturns, the function has exactly one ``return``, its last statement.

Early returns become assignments to one result variable. A guard clause
(``if c: return a`` followed by more code) moves the code that follows into the
``else`` branch; returns inside loops set a flag and break, and code after such
a loop runs under ``if not done:``.
"""

from __future__ import annotations

import gast

from ..astutil import assign, const, if_, load, located, not_

ALWAYS, MAYBE, NEVER = "always", "maybe", "never"


class LowerReturns:
    """Give the function a single exit.

    Before::

        def f(x):
            if x > 0:
                return x * x
            y = -x
            return y

    After::

        def f(x):
            if x > 0:
                result = x * x
            else:
                y = -x
                result = y
            return result
    """

    name = "lower_returns"

    def __call__(self, ctx):
        node = ctx.node
        returns = [n for n in gast.walk(node) if isinstance(n, gast.Return)]
        body = node.body
        if len(returns) == 1 and body and body[-1] is returns[0]:
            if returns[0].value is None:
                returns[0].value = const(None)
            return ctx
        self.result = ctx.namer.fresh("result")
        self.done = ctx.namer.fresh("done")
        self.flag_used = False
        new_body, status = self._block(body, in_loop=False)
        prologue = []
        if status != ALWAYS:
            prologue.append(assign(self.result, const(None), like=node.body[0]))
        if self.flag_used:
            prologue.append(assign(self.done, const(False), like=node.body[0]))
        else:
            new_body = _drop_flag(new_body, self.done)
        ret = gast.Return(value=load(self.result))
        located(ret, returns[-1] if returns else node.body[-1])
        node.body = prologue + new_body + [ret]
        return ctx

    def _block(self, stmts, in_loop):
        out = []
        maybe = False  # inside loops: some nested statement may return
        for idx, stmt in enumerate(stmts):
            rest = stmts[idx + 1:]
            if isinstance(stmt, gast.Return):
                value = stmt.value if stmt.value is not None else const(None)
                out.append(assign(self.result, value, like=stmt))
                out.append(assign(self.done, const(True), like=stmt))
                if in_loop:
                    out.append(located(gast.Break(), stmt))
                return out, ALWAYS
            if isinstance(stmt, gast.If):
                body, s_body = self._block(stmt.body, in_loop)
                orelse, s_else = self._block(stmt.orelse, in_loop)
                stmt.body, stmt.orelse = body or [gast.Pass()], orelse
                if in_loop:
                    maybe = maybe or s_body != NEVER or s_else != NEVER
                    out.append(stmt)
                    continue
                if s_body == NEVER and s_else == NEVER:
                    out.append(stmt)
                    continue
                if s_body == ALWAYS and s_else == ALWAYS:
                    out.append(stmt)
                    return out, ALWAYS
                if {s_body, s_else} == {ALWAYS, NEVER}:
                    lowered_rest, s_rest = self._block(rest, in_loop)
                    if s_body == NEVER:
                        stmt.body = _strip_pass(stmt.body) + lowered_rest or [gast.Pass()]
                    else:
                        stmt.orelse = stmt.orelse + lowered_rest
                    out.append(stmt)
                    return out, ALWAYS if s_rest == ALWAYS else MAYBE
                out.append(stmt)
                return out + self._guard(rest, stmt), MAYBE
            if isinstance(stmt, (gast.For, gast.While)):
                stmt.body, s_loop = self._block(stmt.body, in_loop=True)
                stmt.orelse, s_else = self._block(stmt.orelse, in_loop)
                if s_loop == NEVER and s_else == NEVER:
                    out.append(stmt)
                    continue
                out.append(stmt)
                if in_loop:
                    self.flag_used = True
                    maybe = True
                    out.append(if_(load(self.done), [located(gast.Break(), stmt)], like=stmt))
                    continue
                return out + self._guard(rest, stmt), MAYBE
            out.append(stmt)
        return out, MAYBE if maybe else NEVER

    def _guard(self, rest, like):
        lowered, _ = self._block(rest, in_loop=False)
        if not lowered:
            return []
        self.flag_used = True
        return [if_(not_(load(self.done)), lowered, like=lowered[0] if lowered else like)]


def _strip_pass(stmts):
    return [s for s in stmts if not isinstance(s, gast.Pass)]


def _drop_flag(stmts, flag):
    """Remove ``flag = True`` assignments nobody reads."""
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
                and stmt.targets[0].id == flag:
            continue
        for field in ("body", "orelse"):
            if hasattr(stmt, field):
                setattr(stmt, field, _drop_flag(getattr(stmt, field), flag)
                        or ([gast.Pass()] if field == "body" else []))
        out.append(stmt)
    return out
