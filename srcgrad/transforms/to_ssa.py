"""After ToSSA, outside loops every name is assigned at most once per run.

A reassigned variable gets a new version (``x``, ``x_1``, ...); after an
``if``, a variable assigned in a branch has one name in both branches (the
branches' last versions are renamed to it, or a copy is added). Inside a loop,
each variable assigned in the loop keeps one name for the whole loop, since
every iteration overwrites it anyway; the reverse sweep restores those from a
stack. So the reverse sweep of straight-line code needs no stack at all.
"""

from __future__ import annotations

import gast

from ..astutil import assign, load, names_stored, rename


class ToSSA:
    """Rename reassignments outside loops.

    Before::

        def f(x):
            y = x * x
            y = y * x
            if y > 1.0:
                y = y + 1.0
            return y

    After::

        def f(x):
            y = x * x
            y_1 = y * x
            t = y_1 > 1.0
            if t:
                y_2 = y_1 + 1.0
            else:
                y_2 = y_1
            return y_2

    (``t`` comes from ToANF.)
    """

    name = "to_ssa"

    def __call__(self, ctx):
        self.namer = ctx.namer
        self.defined = set()
        self.partial = set()  # versions bound on some paths only (Python would raise there)
        self.unbound_sources = set()  # partial versions a merge copies from
        env = {}
        for arg in ctx.node.args.args + ctx.node.args.posonlyargs + ctx.node.args.kwonlyargs:
            env[arg.id] = arg.id
            self.defined.add(arg.id)
        body, _ = self._block(ctx.node.body, env)
        # A merge copies a version that some paths never bind (they returned early,
        # say); those paths never read it, so give it a placeholder value up front.
        first = body[0] if body else ctx.node
        prologue = [assign(name, gast.Constant(value=None, kind=None), like=first)
                    for name in sorted(self.unbound_sources)]
        ctx.node.body = prologue + body
        return ctx

    def _new_version(self, name):
        if name not in self.defined:
            self.defined.add(name)
            return name
        return self.namer.fresh(name)

    def _block(self, stmts, env):
        """Rename ``stmts``; returns (new statements, versions created here)."""
        out, created = [], set()
        for stmt in stmts:
            if isinstance(stmt, gast.Assign):
                self._loads(stmt.value, env)
                name = stmt.targets[0].id
                version = self._new_version(name)
                env[name] = version
                created.add(version)
                stmt.targets[0].id = version
                out.append(stmt)
            elif isinstance(stmt, gast.If):
                self._loads(stmt.test, env)
                env_body, env_else = dict(env), dict(env)
                stmt.body, made_body = self._block(stmt.body, env_body)
                stmt.orelse, made_else = self._block(stmt.orelse, env_else)
                self._merge(stmt, env, env_body, env_else, made_body, made_else, created)
                # versions made anywhere inside count as made here: an enclosing merge
                # renames them in place rather than copying from a maybe-unbound name
                created |= made_body | made_else
                out.append(stmt)
            elif isinstance(stmt, (gast.For, gast.While)):
                self._loop(stmt, env, created)
                out.append(stmt)
            else:
                self._loads(stmt, env)
                out.append(stmt)
        return out, created

    def _merge(self, stmt, env, env_body, env_else, made_body, made_else, created):
        changed = sorted({v for v in set(env_body) | set(env_else)
                          if env_body.get(v) != env.get(v) or env_else.get(v) != env.get(v)})
        for var in changed:
            in_body, in_else = env_body.get(var), env_else.get(var)
            if in_body is None or in_else is None:
                env[var] = in_body or in_else  # defined on one path only
                self.partial.add(env[var])
                continue
            if in_body == in_else:
                env[var] = in_body
                continue
            # Pick the merged name: a version made in one branch if possible.
            if in_body in made_body:
                merged = in_body
            elif in_else in made_else:
                merged = in_else
            else:
                merged = self.namer.fresh(var)
            for branch, version, made in (("body", in_body, made_body),
                                          ("orelse", in_else, made_else)):
                stmts = getattr(stmt, branch)
                if version == merged:
                    continue
                if version in made:
                    for sub in stmts:
                        rename(sub, {version: merged})
                    if version in self.partial:
                        self.partial.add(merged)
                else:
                    if version in self.partial:
                        self.unbound_sources.add(version)
                    stmts = [s for s in stmts if not isinstance(s, gast.Pass)]
                    stmts.append(assign(merged, load(version), like=stmt))
                    setattr(stmt, branch, stmts)
                    if version in self.partial:
                        self.partial.add(merged)
            env[var] = merged
            created.add(merged)
        stmt.body = stmt.body or [gast.Pass()]

    def _loop(self, loop, env, created):
        assigned = set(names_stored(loop))
        if isinstance(loop, gast.For):
            self._loads(loop.iter, env)
        else:
            self._loads(loop.test, env)
        loop_env = dict(env)
        for var in assigned:
            if var not in env:
                loop_env[var] = self._new_version(var)
        mapping = {var: loop_env[var] for var in assigned}
        for sub in gast.walk(loop):
            if isinstance(sub, gast.Name):
                if isinstance(sub.ctx, gast.Store) and sub.id in mapping:
                    sub.id = mapping[sub.id]
        # loads: names not assigned in the loop follow env; loop names follow mapping
        body_targets = loop.body
        for sub in body_targets:
            self._loads(sub, loop_env)
        if isinstance(loop, gast.While):
            self._loads(loop.test, loop_env)
        for var in assigned:
            if var not in env:  # new here; a version from before the loop was not made here
                created.add(loop_env[var])
                self.partial.add(loop_env[var])  # a loop may run zero times
            env[var] = loop_env[var]

    def _loads(self, node, env):
        for sub in gast.walk(node):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and sub.id in env:
                sub.id = env[sub.id]
