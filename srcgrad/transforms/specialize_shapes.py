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

from ..adjoints.reductions import _extremum_weights, reduction_count
from ..analyses import kinds as K
from ..analyses import shapes as S
from ..analyses.primitives import local_names
from ..analyses.shapes import constant
from ..astutil import attr, call, const
from ..runtime import matmul_grad_left, matmul_grad_right, scalar_seed, unbroadcast, unreduce
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
        if not shapes:
            return ctx
        kinds = ctx.facts.get("kinds", {})
        injector = ctx.facts["injector"]
        for fn in ctx.facts["generated"]:
            resolve = S.Resolver(ctx.fn, injector.injected)
            resolve.locals = set(local_names(fn))
            numpy_name = injector.name_for(np, "np")
            env = {}
            for arg in fn.args.args + fn.args.kwonlyargs:
                name = arg.id
                if name in shapes:
                    env[name] = shapes[name]
                elif kinds.get(name) == K.SCALAR:
                    env[name] = S.FLOAT
            _Walker(resolve, numpy_name, _literals(fn)).block(fn.body, env, rewrite=True)
        # the decisions leave copies (``dt = g``) and constant arithmetic behind
        return Simplify()(ctx)


class _Walker:
    """Abstract interpretation of a function body over shapes, rewriting on the final walk."""

    def __init__(self, resolve, numpy_name, literals):
        self.resolve = resolve
        self.np = numpy_name
        self.literals = literals  # name -> the constant it always holds
        self.ever = {}  # name -> join of every shape it was assigned

    def literal(self, node):
        """The constant value of ``node`` (a literal, or a name always holding one)."""
        if isinstance(node, gast.Name) and node.id in self.literals:
            return self.literals[node.id]
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
                node = self.materialize(node, shape, lazy)
                if rewrite:
                    stmt.value = node
                self.bind(target.id, shape, env)
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
            node, shape, lazy = self.expr(stmt.value, env)
            if rewrite:
                stmt.value = self.materialize(node, shape, lazy)
        else:
            self._rewrite_inside(stmt, env, rewrite)

    def _rewrite_inside(self, stmt, env, rewrite):
        """Statements the walker does not model: names they bind become unknown."""
        for sub in gast.walk(stmt):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Store):
                self.bind(sub.id, None, env)

    def loop(self, loop, env, rewrite):
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
        if rewrite:
            inner = dict(entry)
            self._loop_header(loop, inner)
            self.block(loop.body, inner, rewrite=True)
        env.update(entry)

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
            if value is None:
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
            return node, shape, shape
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
        if not S.is_array(shape):
            return new, None, None
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
        return tuple(out) if out else None

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
        if callee is scalar_seed and full and full[0] == S.FLOAT:
            return const(1.0), S.FLOAT, S.FLOAT
        if callee is reduction_count and len(full) == 2 and S.is_array(full[0]):
            count = self._count(full[0], node.args[1])
            if count is not None:
                return const(count), S.INT, S.INT
            return new, S.INT, S.INT
        if callee is _extremum_weights and full and S.is_array(full[0]):
            return new, full[0], full[0]
        shape = self._library_shape(callee, node, full)
        return new, shape, shape

    def _matmul_cotangent(self, left, args, shapes):
        """``g @ b.T``-like text for the cotangent of ``a`` (left) or ``b`` of ``a @ b``."""
        g, a, b = args
        _, sa, sb = shapes
        if not (S.is_array(sa) and S.is_array(sb)) or S.matmul(sa, sb) is None:
            return None
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
        if getattr(np, name or "", None) is not callee:
            return None
        if name in S._REDUCTIONS and shapes:
            return S.reduction_shape(shapes[0], node, 1, self.literal)
        if name in S._LIKE and len(shapes) >= 1 and not node.keywords:
            return shapes[0] if isinstance(shapes[0], tuple) else None
        if name in ("matmul", "dot") and len(shapes) == 2 and not node.keywords:
            return S.matmul(*shapes)
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
            return call(attr(self.materialize(g, gs, gl), "sum")), S.FLOAT, S.FLOAT
        if S.is_array(ls):
            # the lazy form first: a broadcast left to NumPy need not be summed away
            for source, shape in ((g, gl), (self.materialize(g, gs, gl), gs)):
                plan = _sum_plan(shape, ls)
                if plan is not None:
                    return self._summed(source, plan, ls), ls, ls
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
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name) \
                and S.is_constant(node.value):
            values[node.targets[0].id] = constant(node.value)
    return {name: value for name, value in values.items() if stores.get(name) == 1}


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

