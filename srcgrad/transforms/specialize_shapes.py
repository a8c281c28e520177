"""After SpecializeShapes, no runtime shape decision is left that the argument shapes settle.

Rules are written once for every shape, so the code they inline asks at run
time how to fit a cotangent to its primal (``unbroadcast``), how to spread
a reduction's cotangent back (``unreduce``), how to transpose a product
(``matmul_grad_left``/``_right``), how many elements a mean averaged
(``reduction_count``). When the derivative is specialized on its
arguments' shapes (the API does that for arrays), :mod:`..analyses.shapes`
knows the operands' shapes and this pass makes each decision once, in the
generated text:

* ``unbroadcast(g, like)`` becomes ``g`` when the shapes agree, or
  ``g.sum(axis=...)`` over exactly the broadcast axes;
* ``unreduce(g, like, axis, keepdims)`` becomes ``g`` itself (with the
  reduced axes put back by ``np.expand_dims``) and is left to NumPy's
  broadcasting wherever the elementwise arithmetic around it reaches the
  full shape anyway; only where a full-shape value is really needed is it
  materialized with ``np.broadcast_to``;
* ``matmul_grad_left(g, a, b)`` / ``_right`` of matrices become
  ``g @ b.T`` / ``a.T @ g``; ``reduction_count(a, axis)`` a number.

Every replacement has the value (and, at every statement, the shape) of
the call it replaces; calls whose operand shapes are not known stay as
they are. Without argument shapes the pass does nothing.

"""

from __future__ import annotations

import gast
import numpy as np

from .. import options
from ..adjoints.linalg import reshape_to
from ..adjoints.reductions import _extremum_weights, reduction_count
from ..analyses import kinds as K
from ..analyses import shapes as S
from ..analyses.primitives import local_names
from ..analyses.shapes import constant
from ..astutil import attr, call, const, deepcopy, load
from ..runtime import (
    add_cotangents,
    array_add_at,
    array_add_at_inplace,
    matmul_grad_left,
    matmul_grad_right,
    scalar_seed,
    seq_add_at,
    take,
    unbroadcast,
    unreduce,
)
from .simplify import Simplify

_ELEMENTWISE_BINOPS = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.FloorDiv,
                       gast.Mod)
_FIXPOINT_ROUNDS = 4


class SpecializeShapes:
    """Decide broadcasting, reductions and products from the argument shapes.

    Simplify leaves (for the shapes below)::

        t_1 = np.tanh(X @ W + b)
        dt_2 = unreduce(1.0, t_1, None, False) / reduction_count(t_1, None) * (
            1.0 - t_1 * t_1)
        return matmul_grad_right(unbroadcast(dt_2, t_3), X, W), unbroadcast(dt_2, b)

    Argument shapes: W=(3, 2), b=(2,), X=(4, 3)

    Before (the user's function)::

        def f(W, b, X):
            return np.mean(np.tanh(X @ W + b))

    After::

        def grad_f(W, b, X):
            t_1 = np.tanh(X @ W + b)
            # reverse sweep
            # return np.mean(np.tanh(X @ W + b))
            dt_2 = 0.125 * (1.0 - t_1 * t_1)
            return X.T @ dt_2, dt_2.sum(axis=0)
    """

    name = "specialize_shapes"

    def __call__(self, ctx):
        shapes = ctx.facts.get("param_shapes")
        if not shapes or not options.optimize:
            if not ctx.facts.get("value_needed", True):
                _drop_value(ctx.facts["generated"][0])
                return Simplify()(ctx)
            return ctx
        kinds = ctx.facts.get("kinds", {})
        injector = ctx.facts["injector"]
        returned = None  # (value shape, tape shapes) of a split unit's forward function
        for fn in ctx.facts["generated"]:
            resolve = S.Resolver(ctx.fn, injector.injected)
            resolve.locals = set(local_names(fn))
            numpy_name = injector.name_for(np, "np")
            env, tape, containers = {}, None, {}
            params = [arg.id for arg in fn.args.args + fn.args.kwonlyargs]
            if returned is not None and len(params) == 2:
                # the backward function of a split unit: (tape, cotangent); the API hands
                # it a cotangent of the value's shape
                env[params[1]] = returned[0]
                tape = (params[0], returned[1], returned[2])
            else:
                for name in params:
                    if name in shapes and shapes[name][:1] == ("items",):
                        containers[name] = dict(shapes[name][1:])  # a dict/list of arrays
                    elif name in shapes:
                        env[name] = shapes[name]
                    elif kinds.get(name) == K.SCALAR:
                        env[name] = S.FLOAT
            generated = ctx.facts["generated"]
            tape_lazy_ok = frozenset()
            if ctx.facts.get("mode") == "split" and fn is generated[0] and len(generated) == 2:
                tape_lazy_ok = _tape_positions_read_safely(generated[1])
            walker = _Walker(resolve, numpy_name, _literals(fn), tape,
                             injector.name_for(array_add_at, "array_add_at"),
                             lazy_ok=_lazy_candidates(fn), tape_lazy_ok=tape_lazy_ok)
            walker.unbroadcast_name = injector.name_for(unbroadcast, "unbroadcast")
            walker.containers = {n: c for n, c in containers.items()
                                 if _never_rebound(fn, n)}
            walker.block(fn.body, env, rewrite=True)
            if ctx.facts.get("mode") == "split" and returned is None:
                returned = walker.value_and_tape(fn, env)
                if not ctx.facts.get("value_needed", True):
                    _drop_value(fn)  # its shape is known now; the caller never reads it
        # the decisions leave copies (``dt = g``) and constant arithmetic behind
        return Simplify()(ctx)


class _Walker:
    """Abstract interpretation of a function body over shapes, rewriting on the final walk."""

    def __init__(self, resolve, numpy_name, literals, tape=None, array_add_at=None,
                 lazy_ok=frozenset(), tape_lazy_ok=frozenset()):
        self.resolve = resolve
        self.lazy_ok = lazy_ok  # names that may hold a value left to broadcasting
        self.tape_lazy_ok = tape_lazy_ok  # tape positions the backward function reads so
        self.lazy = {}  # name -> the shape of the (smaller) value it really holds
        self.containers = {}  # parameter -> {key: shape} of the arrays it holds
        self.zero_is_bottom = False  # a literal 0 is a zero cotangent of any shape
        self.unbroadcast_name = "unbroadcast"
        self.array_add_at = array_add_at  # the name generated code calls it by
        self.np = numpy_name
        self.literals = literals  # name -> the constant it always holds
        self.tape = tape  # (name, shapes of its entries) in a backward function
        self.ever = {}  # name -> join of every shape it was assigned

    def value_and_tape(self, fn, env):
        """Shapes of what a forward function returns: (value, [tape entries])."""
        ret = fn.body[-1] if fn.body else None
        if not self._is_value_and_tape(ret):
            return None, [], {}
        value = self.expr(ret.value.elts[0], env)[1]
        entries = ret.value.elts[1].elts
        literals = {}
        for i, e in enumerate(entries):
            try:
                literals[i] = self.literal(e)
            except (ValueError, TypeError):
                pass
        return value, [self.expr(e, env)[1:] for e in entries], literals

    @staticmethod
    def _is_value_and_tape(ret):
        return (isinstance(ret, gast.Return) and isinstance(ret.value, gast.Tuple)
                and len(ret.value.elts) == 2 and isinstance(ret.value.elts[1], gast.Tuple))

    def _literal_or_none(self, node):
        try:
            return self.literal(node)
        except (ValueError, TypeError):
            return None

    def literal(self, node):
        """The constant value of ``node`` (a literal, or a name always holding one)."""
        if isinstance(node, gast.Name) and node.id in self.literals:
            return self.literals[node.id]
        if isinstance(node, gast.Call) and self.resolve(node.func) is slice \
                and not node.keywords and 1 <= len(node.args) <= 3:
            return slice(*(self.literal(a) for a in node.args))
        return constant(node)

    # statements ---------------------------------------------------------

    def block(self, stmts, env, rewrite):
        for stmt in stmts:
            self.statement(stmt, env, rewrite)

    def bind(self, name, shape, env):
        env[name] = shape
        self.ever[name] = S.join(self.ever.get(name, S.BOTTOM), shape)

    def statement(self, stmt, env, rewrite):
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Name):
                if self._is_pop(stmt.value):
                    self.bind(target.id, self.ever.get(target.id), env)
                    return
                node, shape, lazy = self.expr(stmt.value, env)
                if target.id in self.lazy_ok and lazy != shape and S.is_array(shape):
                    self.lazy[target.id] = lazy  # every read of it can broadcast it
                else:
                    node = self.materialize(node, shape, lazy)
                if rewrite:
                    stmt.value = node
                self.bind(target.id, shape, env)
                return
            if (self.tape is not None and isinstance(target, gast.Tuple)
                    and isinstance(stmt.value, gast.Name) and stmt.value.id == self.tape[0]
                    and len(target.elts) == len(self.tape[1])
                    and all(isinstance(e, gast.Name) for e in target.elts)):
                for i, (e, (shape, lazy)) in enumerate(zip(target.elts, self.tape[1])):
                    self.bind(e.id, shape, env)
                    if lazy != shape:
                        self.lazy[e.id] = lazy
                    if i in self.tape[2]:  # a constant the forward saved (an index, say)
                        self.literals[e.id] = self.tape[2][i]
                return
            if (isinstance(target, gast.Tuple) and isinstance(stmt.value, gast.Tuple)
                    and len(target.elts) == len(stmt.value.elts)
                    and all(isinstance(e, gast.Name) for e in target.elts)):
                shapes = []  # a, b = x, y: every value is read before any is bound
                for i, value in enumerate(stmt.value.elts):
                    node, shape, lazy = self.expr(value, env)
                    if rewrite:
                        stmt.value.elts[i] = self.materialize(node, shape, lazy)
                    shapes.append(shape)
                for e, shape in zip(target.elts, shapes):
                    self.bind(e.id, shape, env)
                return
            split = self._add_cotangents(stmt, env) if isinstance(target, gast.Tuple) else None
            if split is not None:
                (ga, sa), (gb, sb) = split
                if rewrite:
                    stmt.value = gast.Tuple(elts=[ga, gb], ctx=gast.Load())
                self.bind(target.elts[0].id, sa, env)
                self.bind(target.elts[1].id, sb, env)
                return
            for sub in gast.walk(target):
                if isinstance(sub, gast.Name):
                    self.bind(sub.id, None, env)
            self._rewrite_inside(stmt, env, rewrite)
        elif isinstance(stmt, gast.If):
            self.expr(stmt.test, env)
            env_body, env_else = dict(env), dict(env)
            self.block(stmt.body, env_body, rewrite)
            self.block(stmt.orelse, env_else, rewrite)
            for name in set(env_body) | set(env_else):
                env[name] = S.join(env_body.get(name, S.BOTTOM), env_else.get(name, S.BOTTOM))
        elif isinstance(stmt, (gast.For, gast.While)):
            self.loop(stmt, env, rewrite)
        elif isinstance(stmt, (gast.Return, gast.Expr)) and stmt.value is not None:
            if isinstance(stmt, gast.Expr) and self._is_push(stmt.value):
                return
            if isinstance(stmt, gast.Return) and self._is_value_and_tape(stmt):
                value, entries = stmt.value.elts[0], stmt.value.elts[1].elts
                node, shape, lazy = self.expr(value, env)
                if rewrite:
                    stmt.value.elts[0] = self.materialize(node, shape, lazy)
                for i, entry in enumerate(entries):
                    node, shape, lazy = self.expr(entry, env)
                    if rewrite and i not in self.tape_lazy_ok:
                        entries[i] = self.materialize(node, shape, lazy)
                return
            node, shape, lazy = self.expr(stmt.value, env)
            if rewrite:
                stmt.value = self.materialize(node, shape, lazy)
        else:
            self._rewrite_inside(stmt, env, rewrite)

    def _add_cotangents(self, stmt, env):
        """``ga, gb = add_cotangents(g, a, b)`` of arrays and numbers: two unbroadcasts."""
        value, target = stmt.value, stmt.targets[0]
        if not (isinstance(value, gast.Call) and self.resolve(value.func) is add_cotangents
                and len(value.args) == 3 and not value.keywords and len(target.elts) == 2
                and all(isinstance(e, gast.Name) for e in target.elts)):
            return None
        g, a, b = value.args
        shapes = [self.expr(x, env)[1] for x in (a, b)]
        if not all(S.is_array(x) or x == S.FLOAT for x in shapes):
            return None
        func = load(self.unbroadcast_name)
        out = []
        for like in (a, b):
            g_node, g_shape, g_lazy = self.expr(deepcopy(g), env)  # g rewritten for each use
            like_node, like_shape, like_lazy = self.expr(like, env)
            node, shape, lazy = self._unbroadcast([g_node, like_node],
                                                  [(g_shape, g_lazy), (like_shape, like_lazy)],
                                                  func)
            out.append((self.materialize(node, shape, lazy), shape))
        return out

    def _rewrite_inside(self, stmt, env, rewrite):
        """Statements the walker does not model: names they bind become unknown."""
        for sub in gast.walk(stmt):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Store):
                self.bind(sub.id, None, env)

    def loop(self, loop, env, rewrite):
        entry = self.loop_entry(loop, env)
        if rewrite:
            inner = dict(entry)
            self._loop_header(loop, inner)
            self.block(loop.body, inner, rewrite=True)
        env.update(entry)

    def loop_entry(self, loop, env):
        """The shapes at the top of every iteration (a fixpoint; changing ones are None)."""
        assigned = {sub.id for sub in gast.walk(loop)
                    if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Store)}
        entry = dict(env)
        for _ in range(_FIXPOINT_ROUNDS):
            inner = dict(entry)
            self._loop_header(loop, inner)
            self.block(loop.body, inner, rewrite=False)
            widened = dict(entry)
            for name in assigned:
                widened[name] = S.join(entry.get(name, S.BOTTOM), inner.get(name, S.BOTTOM))
            if widened == entry:
                break
            entry = widened
        else:
            for name in assigned:
                entry[name] = None
        return entry

    def _loop_header(self, loop, env):
        if isinstance(loop, gast.For) and isinstance(loop.target, gast.Name):
            it = loop.iter
            if isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and \
                    it.func.id == "reversed" and it.args:
                it = it.args[0]
            ranged = (isinstance(it, gast.Call) and isinstance(it.func, gast.Name)
                      and it.func.id == "range" and self.resolve(it.func) is range)
            self.bind(loop.target.id, S.INT if ranged else None, env)
        elif isinstance(loop, gast.For):
            self._rewrite_inside(gast.Assign(targets=[loop.target], value=None), env, False)

    def _is_pop(self, node):
        return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
                and node.func.attr == "pop" and not node.args
                and isinstance(node.func.value, gast.Name))

    def _is_push(self, node):
        return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
                and node.func.attr == "append" and isinstance(node.func.value, gast.Name))

    # expressions --------------------------------------------------------
    #
    # expr(node) -> (new node, shape of node's value, shape of the new node's value).
    # The two shapes differ only where an unreduce was left to broadcasting; the
    # new node then broadcasts to the old shape.

    def expr(self, node, env):
        if isinstance(node, gast.Constant):
            value = node.value
            if value is None or (self.zero_is_bottom and type(value) in (int, float)
                                 and value == 0):
                return node, S.BOTTOM, S.BOTTOM
            if isinstance(value, bool):
                return node, None, None
            if isinstance(value, int):
                return node, S.INT, S.INT
            if isinstance(value, float):
                return node, S.FLOAT, S.FLOAT
            return node, None, None
        if isinstance(node, gast.Name):
            shape = env.get(node.id)
            return node, shape, self.lazy.get(node.id, shape)
        if isinstance(node, gast.BinOp):
            return self._binop(node, env)
        if isinstance(node, gast.UnaryOp):
            operand, shape, lazy = self.expr(node.operand, env)
            if isinstance(node.op, (gast.USub, gast.UAdd)):
                return gast.UnaryOp(op=node.op, operand=operand), shape, lazy
            return gast.UnaryOp(op=node.op, operand=self.materialize(operand, shape, lazy)), \
                None, None
        if isinstance(node, gast.Attribute):
            value, shape, lazy = self.expr(node.value, env)
            value = self.materialize(value, shape, lazy)
            new = gast.Attribute(value=value, attr=node.attr, ctx=node.ctx)
            if node.attr == "T" and isinstance(shape, tuple):
                return new, shape[::-1], shape[::-1]
            if node.attr == "T" and shape == S.FLOAT:
                return new, S.FLOAT, S.FLOAT
            return new, None, None
        if isinstance(node, gast.Subscript):
            return self._subscript(node, env)
        if isinstance(node, gast.Call):
            return self._call(node, env)
        if isinstance(node, gast.Compare) and len(node.comparators) == 1:
            left, ls, ll = self.expr(node.left, env)
            right, rs, rl = self.expr(node.comparators[0], env)
            new = gast.Compare(left=self.materialize(left, ls, ll), ops=node.ops,
                               comparators=[self.materialize(right, rs, rl)])
            shape = S.broadcast(ls, rs)
            shape = shape if isinstance(shape, tuple) and shape else None
            return new, shape, shape
        return self._opaque(node, env)

    def _opaque(self, node, env):
        """A node the table does not model: its parts are still specialized."""
        for field, value in gast.iter_fields(node):
            if isinstance(value, gast.expr):
                new, shape, lazy = self.expr(value, env)
                setattr(node, field, self.materialize(new, shape, lazy))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, gast.expr):
                        new, shape, lazy = self.expr(item, env)
                        value[i] = self.materialize(new, shape, lazy)
                    elif isinstance(item, gast.keyword):
                        new, shape, lazy = self.expr(item.value, env)
                        item.value = self.materialize(new, shape, lazy)
        return node, None, None

    def materialize(self, node, shape, lazy):
        """``node`` at its full shape again, if it was left to broadcasting."""
        if lazy == shape or not S.is_array(shape):
            return node
        if lazy in (S.FLOAT, S.INT):
            if isinstance(node, gast.Constant):
                return call(attr(self.np, "full"), [const(shape), node])
            # np.full has no derivative; a product has (at the next order g may be active)
            return gast.BinOp(left=node, op=gast.Mult(),
                              right=call(attr(self.np, "ones"), [const(shape)]))
        return call(attr(self.np, "broadcast_to"), [node, const(shape)])

    def _binop(self, node, env):
        left, ls, ll = self.expr(node.left, env)
        right, rs, rl = self.expr(node.right, env)
        if isinstance(node.op, gast.MatMult):
            left = self.materialize(left, ls, ll)
            right = self.materialize(right, rs, rl)
            shape = S.matmul(ls, rs)
            return gast.BinOp(left=left, op=node.op, right=right), shape, shape
        if not isinstance(node.op, _ELEMENTWISE_BINOPS):
            new = gast.BinOp(left=self.materialize(left, ls, ll), op=node.op,
                             right=self.materialize(right, rs, rl))
            return new, None, None
        shape, lazy = S.broadcast(ls, rs), S.broadcast(ll, rl)
        if shape is None or lazy is None:
            left, right = self.materialize(left, ls, ll), self.materialize(right, rs, rl)
            lazy = shape
        if shape == S.INT and isinstance(node.op, gast.Div):
            shape = lazy = S.FLOAT
        return gast.BinOp(left=left, op=node.op, right=right), shape, lazy

    def _subscript(self, node, env):
        value, shape, lazy = self.expr(node.value, env)
        value = self.materialize(value, shape, lazy)
        index, ishape, ilazy = self.expr(node.slice, env) if not isinstance(
            node.slice, (gast.Slice, gast.Tuple)) else (node.slice, None, None)
        new = gast.Subscript(value=value, slice=index, ctx=node.ctx)
        if isinstance(node.value, gast.Attribute) and node.value.attr == "shape":
            return new, S.INT, S.INT
        if isinstance(node.value, gast.Name) and node.value.id in self.containers:
            key = self._literal_or_none(node.slice)
            shape = self.containers[node.value.id].get(key) if type(key) in (str, int) \
                else None
            return new, shape, shape
        if not S.is_array(shape):
            return new, None, None
        literal = self._literal_or_none(node.slice) if isinstance(node.slice, gast.Name) \
            else None
        if literal is not None and _basic_index(literal):
            out = _indexed_shape(shape, literal)  # an index saved in a name (on the tape)
        else:
            out = self._indexed(shape, node.slice, ishape)
        return new, out, out

    def _indexed(self, shape, index, ishape):
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        if len(parts) > len(shape):
            return None
        out = []
        for dim, part in zip(shape, parts):
            if isinstance(part, gast.Slice):
                try:
                    bounds = [None if p is None else constant(p)
                              for p in (part.lower, part.upper, part.step)]
                except (ValueError, TypeError):
                    return None
                if not all(b is None or type(b) is int for b in bounds):
                    return None
                out.append(len(range(*slice(*bounds).indices(dim))))
            elif isinstance(part, gast.Constant) and type(part.value) is int:
                if not -dim <= part.value < dim:
                    return None
            elif isinstance(part, gast.Name) and ishape == S.INT and len(parts) == 1:
                pass
            else:
                return None
        out.extend(shape[len(parts):])
        return tuple(out) if out else S.FLOAT  # a single element

    # calls --------------------------------------------------------------

    def _args(self, node, env):
        """Specialized arguments of a call: (args, [(shape, lazy)], keywords)."""
        args, shapes = [], []
        for a in node.args:
            new, shape, lazy = self.expr(a, env)
            args.append(new)
            shapes.append((shape, lazy))
        keywords = []
        for kw in node.keywords:
            new, shape, lazy = self.expr(kw.value, env)
            keywords.append(gast.keyword(arg=kw.arg, value=self.materialize(new, shape, lazy)))
        return args, shapes, keywords

    def _call(self, node, env):
        callee = self.resolve(node.func)
        args, shapes, keywords = self._args(node, env)
        full = [s for s, _ in shapes]
        if callee is unreduce and len(args) == 4 and not keywords:
            return self._unreduce(args, shapes, node)
        if callee is unbroadcast and len(args) == 2 and not keywords:
            return self._unbroadcast(args, shapes, node.func)
        if callee in (seq_add_at, array_add_at, array_add_at_inplace) and len(args) == 4 \
                and not keywords \
                and S.is_array(full[1]):
            # scattering broadcasts g itself (its rule sums the cotangent back to g's shape)
            g = args[3]
            args = [self.materialize(a, s, lz) for a, (s, lz) in zip(args[:3], shapes[:3])]
            func = node.func if callee is not seq_add_at else load(self.array_add_at)
            return gast.Call(func=func, args=args + [g], keywords=[]), full[1], full[1]
        # everything below reads materialized arguments
        args = [self.materialize(a, s, lz) for a, (s, lz) in zip(args, shapes)]
        if isinstance(node.func, gast.Attribute) and callee is None:
            func, recv_shape, recv_lazy = self.expr(node.func.value, env)
            func = gast.Attribute(value=self.materialize(func, recv_shape, recv_lazy),
                                  attr=node.func.attr, ctx=gast.Load())
            new = gast.Call(func=func, args=args, keywords=keywords)
            return new, *self._method_shape(node, recv_shape)
        new = gast.Call(func=node.func, args=args, keywords=keywords)
        if callee in (matmul_grad_left, matmul_grad_right) and len(full) == 3:
            product = self._matmul_cotangent(callee is matmul_grad_left, args, full)
            if product is not None:
                shape = full[1] if callee is matmul_grad_left else full[2]
                return product, shape, shape
        if callee is take and len(args) == 2 and S.is_array(full[0]):
            index = self._literal_or_none(node.args[1])
            if index is not None and _basic_index(index):
                shape = _indexed_shape(full[0], index)
                if shape is not None:
                    return gast.Subscript(value=args[0], slice=args[1], ctx=gast.Load()), \
                        shape, shape
        if callee is scalar_seed and full and full[0] == S.FLOAT:
            return const(1.0), S.FLOAT, S.FLOAT
        if callee is reduction_count and len(full) == 2 and S.is_array(full[0]):
            count = self._count(full[0], node.args[1])
            if count is not None:
                return const(count), S.INT, S.INT
            return new, S.INT, S.INT
        if callee is _extremum_weights and full and S.is_array(full[0]):
            return new, full[0], full[0]
        if callee in (reshape_to, np.reshape) and len(node.args) == 2 \
                and isinstance(node.args[1], gast.Call) \
                and self.resolve(node.args[1].func) is np.shape and len(node.args[1].args) == 1:
            target = self.expr(node.args[1].args[0], env)[1]  # reshape_to(g, np.shape(x))
            if isinstance(target, tuple) and S.is_array(full[0]) and \
                    int(np.prod(target)) == int(np.prod(full[0])):
                return new, target if target else S.FLOAT, target if target else S.FLOAT
        shape = self._library_shape(callee, node, full)
        return new, shape, shape

    def _matmul_cotangent(self, left, args, shapes):
        """``g @ b.T``-like text for the cotangent of ``a`` (left) or ``b`` of ``a @ b``."""
        g, a, b = args
        sg, sa, sb = shapes
        if not (S.is_array(sa) and S.is_array(sb)) or S.matmul(sa, sb) is None \
                or sg != S.matmul(sa, sb):
            return None  # g must be known to be the product's cotangent (not a 0.0 stand-in)
        ndims = (len(sa), len(sb))

        def matmul_(x, y):
            return gast.BinOp(left=x, op=gast.MatMult(), right=y)

        def outer(x, y):
            return call(attr(self.np, "outer"), [x, y])

        if ndims == (2, 2):
            return matmul_(g, attr(b, "T")) if left else matmul_(attr(a, "T"), g)
        if ndims == (1, 1):  # g is the scalar cotangent of a dot product
            return gast.BinOp(left=g, op=gast.Mult(), right=b if left else a)
        if ndims == (1, 2):
            return matmul_(b, g) if left else outer(a, g)
        if ndims == (2, 1):
            return outer(g, b) if left else matmul_(attr(a, "T"), g)
        return None

    def _count(self, shape, axis_node):
        try:
            axis = self.literal(axis_node)
        except (ValueError, TypeError):
            return None
        if axis is None:
            return max(int(np.prod(shape)), 1)
        axes = (axis,) if isinstance(axis, int) else axis
        try:
            return max(int(np.prod([shape[a] for a in axes])), 1)
        except (IndexError, TypeError):
            return None

    def _method_shape(self, node, recv):
        method = node.func.attr
        if not S.is_array(recv):
            return None, None
        if method in S._REDUCTIONS:
            shape = S.reduction_shape(recv, node, 0, self.literal)
            return shape, shape
        if method in S._SAME_SHAPE_METHODS:
            return recv, recv
        return None, None

    def _library_shape(self, callee, node, shapes):
        if callee is None:
            return None
        if isinstance(callee, np.ufunc) and callee.signature is None and not node.keywords \
                and len(shapes) == callee.nin:  # a gufunc (np.matmul) has core dimensions
            return S.broadcast(*shapes)
        name = getattr(callee, "__name__", None)
        if callee is reshape_to:
            name = "reshape_to"
        elif getattr(np, name or "", None) is not callee:
            return None
        if name in S._REDUCTIONS and shapes:
            return S.reduction_shape(shapes[0], node, 1, self.literal)
        if name in ("full", "zeros", "ones", "empty") and node.args:
            try:
                shape = self.literal(node.args[0])
            except (ValueError, TypeError):
                return None
            shape = (shape,) if type(shape) is int else shape
            if type(shape) is tuple and all(type(n) is int for n in shape) and shape:
                return shape
            return None
        if name in S._LIKE and len(shapes) >= 1 and not node.keywords:
            return shapes[0] if isinstance(shapes[0], tuple) else None
        if name in ("matmul", "dot") and len(shapes) == 2 and not node.keywords:
            return S.matmul(*shapes)
        if name == "expand_dims" and len(shapes) == 2 and isinstance(shapes[0], tuple):
            try:
                return np.expand_dims(np.broadcast_to(np.empty(()), shapes[0]),
                                      self.literal(node.args[1])).shape
            except (ValueError, TypeError, IndexError):  # AxisError is both
                return None
        if name in ("reshape", "reshape_to") and len(shapes) == 2 and S.is_array(shapes[0]):
            return _reshaped(shapes[0], self._literal_or_none(node.args[1]))
        if name == "broadcast_to" and len(shapes) == 2:
            target = self._literal_or_none(node.args[1])
            return target if type(target) is tuple else None
        if name == "outer" and len(shapes) == 2 and all(isinstance(x, tuple) for x in shapes):
            return (int(np.prod(shapes[0])), int(np.prod(shapes[1])))
        if name == "transpose" and len(shapes) == 1 and isinstance(shapes[0], tuple):
            return shapes[0][::-1]
        if name == "where" and len(shapes) == 3:
            return S.broadcast(*shapes)
        return None

    # the decisions ------------------------------------------------------

    def _unreduce(self, args, shapes, node):
        (g, like, axis_node, keep_node) = args
        (gs, gl), (ls, _), _, _ = shapes
        call_node = gast.Call(func=node.func, args=[self.materialize(g, gs, gl)] + args[1:],
                              keywords=[])
        if not S.is_array(ls) or gs is None:
            return call_node, ls if S.is_array(ls) else None, ls if S.is_array(ls) else None
        try:
            axis, keepdims = self.literal(axis_node), bool(self.literal(keep_node))
        except (ValueError, TypeError):
            return call_node, ls, ls
        if S.reduced(ls, axis, keepdims) != gs and not (gs in (S.FLOAT, S.INT) and axis is None):
            return call_node, ls, ls  # not the shape a reduction of like gives: keep it general
        g = self.materialize(g, gs, gl)
        if axis is None or keepdims:
            return g, ls, gs
        ndim = len(ls)
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        axes = tuple(sorted(a % ndim for a in axes))
        expanded = S.reduced(ls, axis, True)
        return call(attr(self.np, "expand_dims"), [g, const(axes if len(axes) > 1 else axes[0])]), \
            ls, expanded

    def _unbroadcast(self, args, shapes, func):
        (g, like) = args
        (gs, gl), (ls, _) = shapes
        if ls == S.FLOAT and gs == S.FLOAT:
            return g, S.FLOAT, S.FLOAT
        if ls == S.FLOAT and S.is_array(gs):
            if gl in (S.FLOAT, S.INT):  # the sum of a number broadcast n times
                return gast.BinOp(left=g, op=gast.Mult(),
                                  right=const(float(np.prod(gs)))), S.FLOAT, S.FLOAT
            return call(attr(self.materialize(g, gs, gl), "sum")), S.FLOAT, S.FLOAT
        if S.is_array(ls) and gs == ls:
            return g, ls, gl  # nothing to fit; a broadcast left to NumPy stays one
        if S.is_array(ls):
            # planned on g's full shape: summing a broadcast value over its copies
            # is not the same as leaving the copies out
            plan = _sum_plan(gs, ls)
            if plan is not None:
                return self._summed(self.materialize(g, gs, gl), plan, ls), ls, ls
        general = gast.Call(func=func, args=[self.materialize(g, gs, gl), like], keywords=[])
        return general, (ls if S.is_array(ls) else None), (ls if S.is_array(ls) else None)

    def _summed(self, g, plan, like_shape):
        axes, keepdims, reshape = plan
        if not axes:
            return g
        axis = const(axes[0] if len(axes) == 1 else tuple(axes))
        keywords = [gast.keyword(arg="axis", value=axis)]
        if keepdims:
            keywords.append(gast.keyword(arg="keepdims", value=const(True)))
        out = gast.Call(func=attr(g, "sum"), args=[], keywords=keywords)  # g is an ndarray
        if reshape:
            out = call(attr(out, "reshape"), [const(like_shape)])
        return out


def _literals(fn):
    """Names assigned exactly once, to a constant (ToANF names ``axis=(0, 2)`` that way)."""
    stores, values = {}, {}
    for node in gast.walk(fn):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
            stores[node.id] = stores.get(node.id, 0) + 1
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
            if S.is_constant(node.value):
                values[node.targets[0].id] = constant(node.value)
            elif _is_slice_literal(node.value):
                values[node.targets[0].id] = slice(*(constant(a) for a in node.value.args))
    return {name: value for name, value in values.items() if stores.get(name) == 1}


def _never_rebound(fn, name):
    """``name`` (a parameter) is never assigned in ``fn``."""
    return not any(isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Store)
                   for n in gast.walk(fn))


def _unsafe_reads(fn):
    """Names read where the walker cannot broadcast a value back to its full shape."""
    unsafe = set()

    def reads(node):
        unsafe.update(n.id for n in gast.walk(node)
                      if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load))

    for node in gast.walk(fn):
        if isinstance(node, (gast.If, gast.While)):
            reads(node.test)
        elif isinstance(node, gast.For):
            reads(node.iter)
        elif isinstance(node, gast.Assign) and not isinstance(node.targets[0], gast.Name):
            reads(node.value)
        elif isinstance(node, gast.Expr) and isinstance(node.value, gast.Call) \
                and isinstance(node.value.func, gast.Attribute) \
                and node.value.func.attr == "append":
            reads(node.value)
        elif isinstance(node, gast.stmt) and not isinstance(
                node, (gast.Assign, gast.Return, gast.Expr, gast.If, gast.For, gast.While,
                       gast.Pass, gast.FunctionDef)):
            reads(node)
    return unsafe


def _lazy_candidates(fn):
    """Names that may hold a value smaller than their shape, broadcast where read.

    Assigned once, at the top level (so every read comes after), and never read
    where the walker does not rewrite (tests, loop headers, pushes, unpacking).
    """
    stores = {}
    for node in gast.walk(fn):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
            stores[node.id] = stores.get(node.id, 0) + 1
    top = {stmt.targets[0].id for stmt in fn.body
           if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)}
    return frozenset(n for n in top if stores[n] == 1) - _unsafe_reads(fn)


def _tape_positions_read_safely(bwd):
    """Positions of the tape entries a backward function reads only where it can broadcast."""
    first = bwd.body[0] if bwd.body else None
    if not (isinstance(first, gast.Assign) and isinstance(first.targets[0], gast.Tuple)):
        return frozenset()
    unsafe = _unsafe_reads(bwd) - {first.value.id if isinstance(first.value, gast.Name)
                                   else None}
    stores = {}
    for node in gast.walk(bwd):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            stores[node.id] = stores.get(node.id, 0) + 1
    return frozenset(i for i, e in enumerate(first.targets[0].elts)
                     if isinstance(e, gast.Name) and e.id not in unsafe
                     and stores.get(e.id) == 1)


def _drop_value(fwd):
    """``return value, tape`` -> ``return None, tape``: Simplify then drops what only the
    value needed."""
    ret = fwd.body[-1]
    if isinstance(ret, gast.Return) and isinstance(ret.value, gast.Tuple) \
            and len(ret.value.elts) == 2:
        ret.value.elts[0] = const(None)


def _reshaped(shape, target):
    """Shape of ``np.reshape`` of a ``shape`` array to ``target`` (one -1 allowed)."""
    target = (target,) if type(target) is int else target
    if type(target) is not tuple or not all(type(n) is int for n in target):
        return None
    size = int(np.prod(shape))
    known = int(np.prod([n for n in target if n != -1]))
    if list(target).count(-1) == 1 and known and size % known == 0:
        target = tuple(size // known if n == -1 else n for n in target)
    if -1 in target or int(np.prod(target)) != size:
        return None
    return target if target else S.FLOAT


def _is_slice_literal(node):
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
            and node.func.id == "slice" and not node.keywords and 1 <= len(node.args) <= 3
            and all(S.is_constant(a) for a in node.args))


def _basic_index(value):
    """Ints, slices and None only: indexing by it gives a view of known shape."""
    parts = value if type(value) is tuple else (value,)
    return all(type(p) in (int, slice, type(None)) for p in parts)


def _indexed_shape(shape, index):
    """Shape of ``array[index]`` for a basic ``index`` (FLOAT for a single element)."""
    try:
        out = np.broadcast_to(np.empty(()), shape)[index].shape  # a view: nothing allocated
    except (IndexError, TypeError, ValueError):
        return None
    return out if out else S.FLOAT


def _sum_plan(g_shape, like_shape):
    """How to sum a ``g_shape`` cotangent down to ``like_shape``: (axes, keepdims, reshape).

    None when that takes more than sums (``g`` must be broadcast up) or a shape
    is unknown.
    """
    if not (isinstance(g_shape, tuple) and isinstance(like_shape, tuple)):
        return None
    lead = len(g_shape) - len(like_shape)
    if lead < 0:
        return None
    kept = []
    for i, n in enumerate(like_shape):
        m = g_shape[lead + i]
        if m == n:
            continue
        if n != 1:
            return None
        kept.append(lead + i)
    axes = list(range(lead)) + kept
    if not kept:
        return axes, False, False
    if lead == 0:
        return axes, True, False
    return axes, False, True

