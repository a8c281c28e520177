"""After ReverseMode, ``ctx.facts["generated"]`` holds the derivative function(s).

The input is the ANF/SSA function with its analyses (activity, kinds). The
output is a forward sweep (the original statements, plus pushes of values a
loop overwrites and the reverse sweep needs) followed by the reverse sweep
(each active statement's adjoint rule, inlined, in reverse order, under a
comment quoting its source line). Invariant kept by the reverse sweep: when it
reaches the reverse of a statement, every primal variable holds the value it
had right after that statement ran forward; loops restore what they overwrote
by popping it from a stack, so ``if`` tests and loop trip counts replay as
they ran.

Modes: ``grad`` / ``value_and_grad`` emit one fused function; ``split`` emits a
forward function returning ``(value, tape)`` and a backward function
``(tape, cotangent) -> cotangents`` (helpers called from differentiated code,
and ``vjp``).
"""

from __future__ import annotations

import copy

import gast
import numpy as np

from .. import runtime
from ..adjoints import registry
from ..analyses import kinds as K
from ..astutil import (
    anno_get,
    anno_set,
    assign,
    attr,
    binop,
    call,
    comment,
    const,
    deepcopy,
    if_,
    load,
    located,
    names_loaded,
    names_stored,
    statements,
    store,
)
from ..errors import NoRuleError, SrcgradError
from ..injector import Injector
from ..inliner import inline, reads_out


class AdjointState:
    """Which adjoint variables hold a value on the current path of the reverse sweep.

    A *live* adjoint has received a contribution since its variable was last
    (re)assigned; any other adjoint is zero: its next contribution is emitted
    as an assignment, and where paths merge with a live one it is set to
    ``0.0`` explicitly.
    """

    def __init__(self, live=()):
        self.live = set(live)

    def copy(self):
        return AdjointState(self.live)


class ReverseMode:
    """Emit forward and reverse sweeps.

    Before (the user's function, wrt ``x``; this pass sees it after ToSSA)::

        def f(x, y):
            t = x * y
            z = np.sin(t)
            return z

    After (mode ``grad``)::

        def grad_f(x, y):
            t = x * y
            z = np.sin(t)
            # reverse sweep
            dz = 1.0
            # z = np.sin(t)
            dt = dz * np.cos(t)
            # t = x * y
            dx = dt * y
            return dx
    """

    name = "reverse_mode"

    def __call__(self, ctx):
        facts = ctx.facts
        self.ctx = ctx
        self.fn_node = ctx.node
        self.number_zeros = set()  # array adjoints some path leaves at the number 0.0
        self.wrt = facts["wrt_names"]
        self.mode = facts["mode"]
        self.active = facts["active"]
        self.kinds = facts["kinds"]
        self.output = facts["output"]
        self.helpers = facts["helpers"]          # callback for user functions
        self.injector = Injector(ctx.namer, ctx.fn, facts["locals"])
        facts["injector"] = self.injector
        self._plan_loops()
        base_namer = copy.deepcopy(ctx.namer)
        pushed = set()
        for _ in range(10):
            ctx.namer = copy.deepcopy(base_namer)
            ctx.namer.taken |= self.injector.names()
            self.injector.namer = ctx.namer
            self._stack_name = None
            self.pushed = pushed
            reverse = self._reverse_sweep()
            reads = self._primal_reads(reverse)
            new = {v for v in reads if v in self.loop_assigned and v not in self.loop_targets}
            if new <= pushed:
                break
            pushed = pushed | new
        self.stack_used = bool(self.pushed)
        forward = self._forward_sweep()
        facts["generated"] = self._assemble(forward, reverse)
        return ctx

    # -- planning ---------------------------------------------------------

    def _plan_loops(self):
        """Counters for loops whose trip count the reverse sweep cannot recompute."""
        self.loop_assigned = set()
        self.loop_targets = set()
        self.counters = {}
        for loop in statements(self.fn_node):
            if isinstance(loop, (gast.For, gast.While)):
                if isinstance(loop, gast.While) or _has_break(loop):
                    self.counters[id(loop)] = self.ctx.namer.fresh("n_iter")
        tapes = {id(s): anno_get(s, "tape") for s in statements(self.fn_node)
                 if isinstance(s, gast.Assign) and anno_get(s, "tape")}
        for loop in statements(self.fn_node):
            if isinstance(loop, (gast.For, gast.While)):
                for stmt in loop.body:
                    self.loop_assigned |= set(names_stored(stmt))
                    self.loop_assigned |= {tapes[id(s)] for s in gast.walk(stmt) if id(s) in tapes}
                    for sub in gast.walk(stmt):
                        if isinstance(sub, (gast.For, gast.While)) and id(sub) in self.counters:
                            self.loop_assigned.add(self.counters[id(sub)])
                if isinstance(loop, gast.For):
                    self.loop_targets.add(loop.target.id)
        # A range loop's target is restored by the reversed header; a name that some
        # statement in a loop also assigns must be pushed like any other.
        assigned_by_statements = set()
        for loop in statements(self.fn_node):
            if isinstance(loop, (gast.For, gast.While)):
                for stmt in loop.body:
                    for sub in gast.walk(stmt):
                        if isinstance(sub, gast.Assign):
                            assigned_by_statements |= set(names_stored(sub))
        self.loop_targets -= assigned_by_statements
        self.primal_names = (set(names_stored(self.fn_node)) | set(self.counters.values())
                             | set(tapes.values()))

    def _primal_reads(self, stmts):
        reads = set()
        for stmt in stmts:
            reads |= set(names_loaded(stmt))
        return reads & self.primal_names

    # -- reverse sweep ----------------------------------------------------

    def _reverse_sweep(self):
        self.adj = {}
        state = AdjointState()
        body = self.fn_node.body
        ret = body[-1]
        if not isinstance(ret, gast.Return) or not isinstance(ret.value, gast.Name):
            raise SrcgradError("internal: function was not normalized to a single return")
        out = ret.value.id
        self.seed_name = self.adjoint(out)
        state.live.add(out)
        self.seed_live = out in self.active or out in self.wrt
        if not self.seed_live:
            state.live.discard(out)
        stmts = self._rev_block(body[:-1], state, depth=0)
        self.final_state = state
        return stmts

    def adjoint(self, name):
        return self.ctx.namer.adjoint(name)

    def _rev_block(self, stmts, state, depth):
        out = []
        last_line = None
        for stmt in reversed(stmts):
            block = self._rev_stmt(stmt, state, depth)
            if not block:
                continue
            origin = anno_get(stmt, "origin")
            if origin is not None and origin != last_line:
                text = self.ctx.parsed.statement_text(*origin)
                if text:
                    out.append(comment(text, like=stmt))
                last_line = origin
            out.extend(block)
        return out

    def _rev_stmt(self, stmt, state, depth):
        if isinstance(stmt, gast.Assign):
            return self._rev_assign(stmt, state, depth)
        if isinstance(stmt, gast.If):
            return self._rev_if(stmt, state, depth)
        if isinstance(stmt, gast.For):
            return self._rev_for(stmt, state, depth)
        if isinstance(stmt, gast.While):
            return self._rev_while(stmt, state, depth)
        return []

    def _live(self, name, state):
        return name in state.live

    def _contribute(self, name, expr, state, like):
        """Add ``expr`` to the adjoint of ``name``."""
        dname = self.adjoint(name)
        if self._live(name, state):
            kind = self.kinds.get(name)
            if kind in (K.SCALAR, K.ARRAY):
                value = binop(load(dname), gast.Add(), expr)
            else:
                value = call(self._inject(runtime.add_any, "add_any"), [load(dname), expr])
            stmt = assign(dname, value, like=like)
        else:
            stmt = assign(dname, expr, like=like)
            state.live.add(name)
        return [stmt]

    def _inject(self, obj, name):
        return load(self.injector.name_for(obj, name))

    def _pop(self, name, like):
        return assign(name, call(attr(load(self.stack_name), "pop")), like=like)

    @property
    def stack_name(self):
        """The stack's name, chosen on first use in each emission attempt."""
        if self._stack_name is None:
            self._stack_name = self.ctx.namer.fresh("stack")
        return self._stack_name

    def _rev_assign(self, stmt, state, depth):
        prim = anno_get(stmt, "prim")
        target = prim.target
        restore = depth > 0 and target in self.pushed and not anno_get(stmt, "counter")
        code = []
        if target not in self.active:
            return [self._pop(target, stmt)] if restore else []
        arg_names = {a.id for a in prim.args if isinstance(a, gast.Name)}
        arg_names |= {a.id for a in prim.keywords.values() if isinstance(a, gast.Name)}
        live = self._live(target, state)
        g = load(self.adjoint(target)) if live else None
        if live and target in arg_names:
            gname = self.ctx.namer.fresh("g")
            code.append(assign(gname, load(self.adjoint(target)), like=stmt))
            g = load(gname)
        state.live.discard(target)  # the adjoint of the overwritten value starts at zero
        if prim.kind == "call" and self._is_user_function(prim):
            code += self._rev_helper_call(stmt, prim, g, state)
            tape = anno_get(stmt, "tape")
            if depth > 0 and tape in self.pushed:
                code.append(self._pop(tape, stmt))
            if restore:
                code.append(self._pop(target, stmt))
            return code
        out_node = load(target)
        if restore:
            if g is not None and self._rule_reads_out(prim, stmt):
                keep = self.ctx.namer.fresh("out")
                code.append(assign(keep, load(target), like=stmt))
                out_node = load(keep)
            code.append(self._pop(target, stmt))
        if g is not None:
            code += self._rev_prim(stmt, prim, g, out_node, state)
        return code

    def _rule_reads_out(self, prim, stmt):
        if prim.kind not in ("op", "call", "method", "attribute") or prim.callee is None:
            return False
        rule = self._rule_for(prim)
        if rule is None:
            return True
        bound = dict(zip(rule.params, prim.args))
        bound.update(prim.keywords)
        wanted = {p for p, a in bound.items() if isinstance(a, gast.Name) and a.id in self.active}
        return reads_out(rule, wanted)

    def _rule_for(self, prim):
        atoms = list(prim.args) + list(prim.keywords.values())
        arg_kinds = [self._arg_kind(a) for a in atoms]
        scalar = all(k == K.SCALAR for k in arg_kinds if k is not None)
        seq_any = any(K.is_seq(k) for k in arg_kinds if k is not None)
        unknown = any(k == K.UNKNOWN for k in arg_kinds)
        return registry.lookup(prim.callee, len(prim.args), scalar, seq_any, unknown)

    def _rev_prim(self, stmt, prim, g, out_node, state):
        kind = prim.kind
        active_args = [a for a in prim.args if isinstance(a, gast.Name) and a.id in self.active]
        if kind == "copy":
            return self._contribute(prim.args[0].id, g, state, stmt) if active_args else []
        if kind == "literal":
            code = []
            target_kind = self.kinds.get(prim.target)
            for index, atom in enumerate(prim.args):
                if isinstance(atom, gast.Name) and atom.id in self.active:
                    item = call(self._inject(runtime.seq_item, "seq_item"), [g, const(index)])
                    if target_kind is None:
                        item = gast.Subscript(value=g, slice=const(index), ctx=gast.Load())
                    code += self._contribute(atom.id, item, state, stmt)
            return code
        if kind == "dict":
            code = []
            for key, atom in zip(prim.keys, prim.args):
                if isinstance(atom, gast.Name) and atom.id in self.active:
                    item = call(self._inject(runtime.take, "take"), [g, deepcopy(key)])
                    code += self._contribute(atom.id, item, state, stmt)
            return code
        if kind == "subscript":
            container = prim.args[0]
            if not active_args:
                return []
            index = _index_value(stmt.value.slice)
            acc = load(self.adjoint(container.id)) if self._live(container.id, state) \
                else const(0.0)
            helper = self._inject(runtime.seq_add_at, "add_at")
            value = call(helper, [acc, load(container.id), index, g])
            dname = self.adjoint(container.id)
            state.live.add(container.id)
            return [assign(dname, value, like=stmt)]
        if kind in ("op", "call", "method", "attribute"):
            if not active_args and not any(isinstance(v, gast.Name) and v.id in self.active
                                           for v in prim.keywords.values()):
                return []
            if kind in ("method", "attribute") and prim.callee is None:
                what = "method" if kind == "method" else "attribute"
                raise self.ctx.error(
                    NoRuleError,
                    f"srcgrad has no adjoint rule for the {what} '.{prim.callee_name}' of a "
                    "value that carries a derivative", prim.node,
                    hint="use the NumPy function instead (e.g. np.sum(x) for x.sum()), or "
                         "wrap it in a helper registered with @srcgrad.adjoint")
            if prim.callee is not None and registry.is_nondifferentiable(prim.callee):
                return []
            return self._rev_rule(stmt, prim, g, out_node, state)
        return []

    def _arg_kind(self, atom):
        if isinstance(atom, gast.Constant):
            return K.kind_of_value(atom.value)
        return self.kinds.get(atom.id, K.UNKNOWN)

    def _rev_rule(self, stmt, prim, g, out_node, state):
        callee = prim.callee
        if callee is None:
            raise self.ctx.error(
                NoRuleError,
                f"srcgrad cannot tell which function '{prim.callee_name}' is", prim.node,
                hint="call a module-level function, a NumPy/math function, or a method "
                     "srcgrad supports")
        rule = self._rule_for(prim)
        if rule is None:
            name = prim.callee_name if prim.kind not in ("method", "attribute") else \
                f"ndarray.{prim.callee_name}"
            raise self.ctx.error(
                NoRuleError,
                f"srcgrad cannot differentiate the call to '{name}': it has no readable "
                f"Python source and no adjoint rule", prim.node,
                hint=f"register a rule: @srcgrad.adjoint({name}) on a function "
                     f"(g, out, *args) returning the cotangents of the arguments, or "
                     f"@srcgrad.nondifferentiable if it carries no gradient")
        bound = {}
        params = rule.params
        for param, atom in zip(params, prim.args):
            bound[param] = atom
        for key, atom in prim.keywords.items():
            if key not in params:
                raise self.ctx.error(
                    NoRuleError,
                    f"the adjoint rule of '{prim.callee_name}' does not know the keyword "
                    f"argument '{key}'", stmt,
                    hint="pass the argument by position, or extend the rule")
            bound[key] = atom
        wanted = {p for p, a in bound.items() if isinstance(a, gast.Name) and a.id in self.active}
        scalar_params = {p for p, a in bound.items() if self._arg_kind(a) == K.SCALAR}
        if self.kinds.get(prim.target) == K.SCALAR:
            scalar_params.add("out")
        prelude, cotangents = inline(rule, g, out_node, bound, wanted, scalar_params,
                                     self.ctx.namer, self.injector)
        code = [located(s, stmt) for s in prelude]
        for param in params:
            if param in cotangents:
                code += self._contribute(bound[param].id, cotangents[param], state, stmt)
        return code

    def _is_user_function(self, prim):
        return prim.kind == "call" and anno_get(prim, "helper") is not None

    def _rev_helper_call(self, stmt, prim, g, state):
        helper = anno_get(prim, "helper")
        if g is None:
            return []
        tape = anno_get(stmt, "tape")
        bwd = load(self.injector.name_for(helper.bwd_ref, helper.bwd_name))
        results = [self.ctx.namer.fresh("d_" + p) for p in helper.active_params]
        targets = [store(n) for n in results]
        lhs = targets[0] if len(targets) == 1 else gast.Tuple(elts=targets, ctx=gast.Store())
        code = [located(gast.Assign(targets=[lhs], value=call(bwd, [load(tape), g]),
                                    type_comment=None), stmt)]
        for param, result in zip(helper.active_params, results):
            atom = helper.bound[param]
            code += self._contribute(atom.id, load(result), state, stmt)
        return code

    # control flow

    def _zeros(self, names, like, shaped=False):
        """``dn = 0.0`` for each name; ``np.zeros_like(n)`` for arrays when ``shaped``
        (the primal is then known to be bound: it was read on the other path)."""
        out = []
        for n in sorted(names):
            if not shaped and self.kinds.get(n) == K.ARRAY:
                self.number_zeros.add(n)  # may still be the number 0.0 at the end
            out.append(assign(self.adjoint(n), self._zero_of(n) if shaped else const(0.0),
                              like=like))
        return out

    def _zero_of(self, name):
        if self.kinds.get(name) == K.ARRAY:
            return call(self._inject(np.zeros_like, "zeros_like"), [load(name)])
        return const(0.0)

    def _rev_if(self, stmt, state, depth):
        s_body, s_else = state.copy(), state.copy()
        body = self._rev_block(stmt.body, s_body, depth)
        orelse = self._rev_block(stmt.orelse, s_else, depth)
        # where the branches meet, an adjoint live on one path must be 0.0 on the other
        body += self._zeros(s_else.live - s_body.live, stmt, shaped=True)
        orelse += self._zeros(s_body.live - s_else.live, stmt, shaped=True)
        state.live = s_body.live | s_else.live
        if not body and not orelse:
            return []
        if not body:
            return [if_(gast.UnaryOp(op=gast.Not(), operand=load(stmt.test.id)), orelse,
                        like=stmt)]
        return [if_(load(stmt.test.id), body, orelse, like=stmt)]

    def _loop_body_rev(self, loop, state, depth):
        """Reverse of one iteration, plus the zeros its adjoints need before the loop.

        The state must be the same at the start of every reverse iteration: an
        adjoint that an iteration leaves live must be live (``0.0``) before the
        first one, and one live at the start must be live again at the end.
        """
        carried = set()
        namer = self.ctx.namer
        while True:
            snapshot = (set(namer.taken), dict(namer._next), dict(namer._adjoints))
            entry = state.copy()
            pre = self._zeros(carried - entry.live, loop)
            entry.live |= carried
            inner = entry.copy()
            body = self._rev_block(loop.body, inner, depth + 1)
            extra = inner.live - entry.live
            if not extra:
                break
            carried |= extra
            namer.taken, namer._next, namer._adjoints = snapshot
            namer.taken |= self.injector.names()
        body += self._zeros(entry.live - inner.live, loop)
        state.live = entry.live
        return pre, body

    def _rev_for(self, loop, state, depth):
        pre, body = self._loop_body_rev(loop, state, depth)
        counter = self.counters.get(id(loop))
        restore_counter = counter is not None and depth > 0 and counter in self.pushed
        if not body and not restore_counter:
            return []
        rng = deepcopy(loop.iter)
        if counter is not None:
            rng = gast.Subscript(value=rng, slice=gast.Slice(lower=None, upper=load(counter),
                                                              step=None), ctx=gast.Load())
        header = call("reversed", [rng])
        code = pre
        if body:
            code.append(located(gast.For(target=store(loop.target.id), iter=header, body=body,
                                         orelse=[], type_comment=None), loop))
        if restore_counter:
            code.append(self._pop(counter, loop))
        return code

    def _rev_while(self, loop, state, depth):
        pre, body = self._loop_body_rev(loop, state, depth)
        counter = self.counters[id(loop)]
        restore_counter = depth > 0 and counter in self.pushed
        if not body and not restore_counter:
            return []
        code = pre
        if body:
            code.append(located(gast.For(target=store(self.ctx.namer.fresh("_")),
                                         iter=call("range", [load(counter)]), body=body,
                                         orelse=[], type_comment=None), loop))
        if restore_counter:
            code.append(self._pop(counter, loop))
        return code

    # -- forward sweep ----------------------------------------------------

    def _forward_sweep(self):
        params = {a.id for a in self.fn_node.args.args + self.fn_node.args.posonlyargs
                  + self.fn_node.args.kwonlyargs}
        self.fwd_assigned = set(params)
        return self._fwd_block(self.fn_node.body[:-1], depth=0, assigned=self.fwd_assigned)

    def _push(self, name, like):
        return located(gast.Expr(value=call(attr(load(self.stack_name), "append"),
                                            [load(name)])), like)

    def _fwd_block(self, stmts, depth, assigned):
        out = []
        for stmt in stmts:
            if isinstance(stmt, gast.Assign):
                prim = anno_get(stmt, "prim")
                target = prim.target
                if depth > 0 and target in self.pushed:
                    out.append(self._push(target, stmt))
                tape = anno_get(stmt, "tape")
                if depth > 0 and tape in self.pushed and target in self.active:
                    out.append(self._push(tape, stmt))
                out.append(self._fwd_assign(stmt, prim))
                assigned.add(target)
            elif isinstance(stmt, gast.If):
                a_body, a_else = set(assigned), set(assigned)
                body = self._fwd_block(stmt.body, depth, a_body)
                orelse = self._fwd_block(stmt.orelse, depth, a_else)
                assigned |= a_body & a_else
                out.append(if_(stmt.test, body, orelse, like=stmt))
            elif isinstance(stmt, (gast.For, gast.While)):
                out.extend(self._fwd_loop(stmt, depth, assigned))
            else:
                out.append(stmt)
        return out

    def _fwd_assign(self, stmt, prim):
        if prim.kind == "call" and prim.callee in _SPECIAL_OBJECTS:
            stmt = deepcopy(stmt)
            stmt.value.func = load(self.injector.name_for(prim.callee, prim.callee.__name__))
            return stmt
        if self._is_user_function(prim) and prim.target in self.active:
            helper = anno_get(prim, "helper")
            tape = anno_get(stmt, "tape")
            fwd = load(self.injector.name_for(helper.fwd_ref, helper.fwd_name))
            value = stmt.value
            new_call = gast.Call(func=fwd, args=value.args, keywords=value.keywords)
            lhs = gast.Tuple(elts=[store(prim.target), store(tape)], ctx=gast.Store())
            return located(gast.Assign(targets=[lhs], value=new_call, type_comment=None), stmt)
        return stmt

    def _fwd_loop(self, loop, depth, assigned):
        pre = []
        loop_vars = set(names_stored(loop)) - ({loop.target.id} if isinstance(loop, gast.For)
                                                else set())
        for sub in gast.walk(loop):
            if sub is not loop and isinstance(sub, (gast.For, gast.While)) \
                    and id(sub) in self.counters:
                loop_vars.add(self.counters[id(sub)])
        for sub in gast.walk(loop):
            if isinstance(sub, gast.Assign) and self._is_user_function(anno_get(sub, "prim")):
                loop_vars.add(anno_get(sub, "tape"))
        for name in sorted(loop_vars & self.pushed - assigned):
            # a value to push on the first iteration; Simplify drops it with the pushes
            pre.append(anno_set(assign(name, const(None), like=loop), "save_placeholder", name))
            assigned.add(name)
        counter = self.counters.get(id(loop))
        body_assigned = set(assigned)
        body = self._fwd_block(loop.body, depth + 1, body_assigned)
        if counter is not None:
            if depth > 0 and counter in self.pushed:
                pre.append(self._push(counter, loop))
            pre.append(assign(counter, const(0), like=loop))
            bump = assign(counter, binop(load(counter), gast.Add(), const(1)), like=loop)
            body = [bump] + body
            assigned.add(counter)
        if isinstance(loop, gast.For):
            new = gast.For(target=loop.target, iter=loop.iter, body=body, orelse=[],
                           type_comment=None)
        else:
            new = gast.While(test=loop.test, body=body, orelse=[])
        return pre + [located(new, loop)]

    # -- assembly ---------------------------------------------------------

    def _final_cotangent(self, name):
        if name in self.final_state.live:
            if name in self.number_zeros:
                # an accumulator started as 0.0 (a loop that may not run): give it the
                # argument's shape (nothing to do once the shapes are known)
                return call(self._inject(runtime.unbroadcast, "unbroadcast"),
                            [load(self.adjoint(name)), load(name)])
            return load(self.adjoint(name))
        return self._zero_of(name)

    def _seed(self, out):
        dname = self.seed_name
        if self.kinds.get(out) == K.SCALAR:
            return assign(dname, const(1.0))
        where = self.ctx.facts["where"]
        seed = call(self._inject(runtime.scalar_seed, "scalar_seed"),
                    [load(out), self._inject(where, "where")])
        return assign(dname, seed)

    def _assemble(self, forward, reverse):
        node = self.fn_node
        out = node.body[-1].value.id
        grads = [self._final_cotangent(name) for name in self.wrt]
        grad_value = grads[0] if len(grads) == 1 and not self.ctx.facts["wrt_tuple"] \
            else gast.Tuple(elts=grads, ctx=gast.Load())
        prologue = []
        if self.stack_used:
            prologue.append(assign(self.stack_name, gast.List(elts=[], ctx=gast.Load())))
        names = self.ctx.facts["names"]
        if self.mode in ("grad", "value_and_grad"):
            body = prologue + forward
            body.append(comment("reverse sweep"))
            if self.seed_live:
                body.append(self._seed(out))
            body += reverse
            value = grad_value if self.mode == "grad" else gast.Tuple(
                elts=[load(out), grad_value], ctx=gast.Load())
            body.append(gast.Return(value=value))
            fn = _function(names["main"], node.args, body)
            return [fn]
        # split: forward returns (value, tape); backward consumes them
        cot = [self._final_cotangent(name) for name in self.wrt]
        reads = self._primal_reads(reverse + [gast.Expr(value=c) for c in cot])
        tape_names = sorted(reads | ({self.stack_name} if self.stack_used else set()))
        tape = gast.Tuple(elts=[load(n) for n in tape_names], ctx=gast.Load())
        # names assigned on some paths only still need a value in the tape
        prologue += [assign(n, const(None)) for n in tape_names
                     if n not in self.fwd_assigned and n != self.stack_name]
        fwd_body = prologue + forward + [gast.Return(value=gast.Tuple(
            elts=[load(out), tape], ctx=gast.Load()))]
        fwd = _function(names["fwd"], node.args, fwd_body)
        tape_param = self.ctx.namer.fresh("tape")
        bwd_body = []
        if tape_names:
            bwd_body.append(gast.Assign(
                targets=[gast.Tuple(elts=[store(n) for n in tape_names], ctx=gast.Store())
                         if len(tape_names) != 1 else store(tape_names[0])],
                value=load(tape_param) if len(tape_names) != 1 else gast.Subscript(
                    value=load(tape_param), slice=const(0), ctx=gast.Load()),
                type_comment=None))
        bwd_body += reverse
        bwd_body.append(gast.Return(value=gast.Tuple(elts=cot, ctx=gast.Load())
                                    if self.ctx.facts["wrt_tuple"] or len(cot) != 1
                                    else cot[0]))
        bwd_args = gast.arguments(args=[store(tape_param), store(self.seed_name)],
                                  posonlyargs=[], vararg=None, kwonlyargs=[],
                                  kw_defaults=[], kwarg=None, defaults=[])
        for a in bwd_args.args:
            a.ctx = gast.Param()
        bwd = _function(names["bwd"], bwd_args, bwd_body)
        return [fwd, bwd]


_SPECIAL_OBJECTS = {runtime.setitem}


def _function(name, args, body):
    return gast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None,
                            type_comment=None, type_params=[])


def _has_break(loop):
    for stmt in loop.body:
        for sub in gast.walk(stmt):
            if isinstance(sub, gast.Break):
                return True
    return False


def _index_value(index):
    """The runtime value of a subscript's index expression (slices as ``slice(...)``)."""
    if isinstance(index, gast.Slice):
        parts = [deepcopy(p) if p is not None else const(None)
                 for p in (index.lower, index.upper, index.step)]
        return call("slice", parts)
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[_index_value(e) for e in index.elts], ctx=gast.Load())
    return deepcopy(index)
