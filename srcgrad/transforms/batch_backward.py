"""A backward function run on a whole stack of cotangents at once.

``jacobian`` and ``hessian`` need one pullback per output element. Rather
than calling the backward function of a split unit n times, this transform
rewrites it (once, on demand) into a function whose cotangent argument
carries a leading batch axis: every value that depends on the cotangent
gets that axis too, and each operation on such a value is rewritten so it
acts on every row at once (the ``vmap`` of the function):

* elementwise arithmetic and ufuncs: the batched operand gets size-1 axes
  after the batch axis where NumPy would have prepended them;
* reductions and ``np.expand_dims``: axis numbers move up by one;
* ``a @ b`` with a batched vector, ``.T``, ``np.outer``: the matrix forms that
  keep the batch axis first;
* indexing a batched value: ``g[:, index]``; scattering into a cotangent:
  ``batched_add_at``.

It needs the shapes of the argument-shape-specialized code (see
``SpecializeShapes``). Anything else -- a call it has no batched form for, a
branch on a cotangent, a shape it does not know -- raises
:class:`Unbatchable`, and the caller falls back to one pullback per row.

Before (backward function of ``f(x) = np.sum(np.sin(x) * x, axis=1)``, x (2, 3))::

    def f_bwd(tape, dt2):
        t1, x = tape
        # return np.sum(np.sin(x) * x, axis=1)
        dt3 = np.expand_dims(dt2, 1)
        dx = dt3 * t1
        dx = dx + dt3 * x * np.cos(x)
        return dx

After (``dt2`` is now a stack of cotangents, one per row)::

    def f_bwd_batched(tape, dt2):
        batch = len(dt2)
        t1, x = tape
        # return np.sum(np.sin(x) * x, axis=1)
        dt3 = np.expand_dims(dt2, 2)
        dx = dt3 * t1
        dx = dx + dt3 * x * np.cos(x)
        return dx
"""

from __future__ import annotations

import copy

import gast
import numpy as np

from ..adjoints.linalg import reshape_to
from ..analyses import shapes as S
from ..astutil import attr, call, const, deepcopy, load
from ..runtime import array_add_at, array_add_at_inplace, seq_add_at, unbroadcast
from .specialize_shapes import _basic_index, _indexed_shape

_ELEMENTWISE = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.FloorDiv, gast.Mod)
_REDUCTION_METHODS = {"sum", "mean", "max", "min", "prod"}


def _is_zero(node):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float) \
        and node.value == 0


class Unbatchable(Exception):
    """The backward function has an operation without a batched form here."""


def ndim(shape):
    if isinstance(shape, tuple):
        return len(shape)
    if shape in (S.FLOAT, S.INT, S.BOTTOM):
        return 0
    raise Unbatchable(f"unknown shape {shape!r}")


class BatchBackward:
    """Rewrite one backward function; ``walker`` is a shape walker (rewrite=False use only)."""

    def __init__(self, walker, numpy_name, batch_name, add_at_name, as_batched_name):
        self.shapes = walker
        self.np = numpy_name
        self.batch = batch_name
        self.add_at = add_at_name
        self.as_batched = as_batched_name
        self.batched = set()

    # statements ---------------------------------------------------------

    def function(self, fn, env, cotangent):
        fn = deepcopy(fn)
        self.batched = {cotangent}
        size = gast.Assign(targets=[gast.Name(id=self.batch, ctx=gast.Store(), annotation=None,
                                              type_comment=None)],
                           value=call(load("len"), [load(cotangent)]), type_comment=None)
        fn.body = [size] + self.block(fn.body, env)
        return fn

    def block(self, stmts, env):
        out = []
        for stmt in stmts:
            out.extend(self.statement(stmt, env))
        return out

    def statement(self, stmt, env):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            name = stmt.targets[0].id
            if name in self.batched and _is_zero(stmt.value):
                # a cotangent reset to zero keeps the batch axis (later code indexes it)
                shape = env.get(name)
                shape = () if shape in (S.FLOAT, S.INT) else shape
                if not isinstance(shape, tuple):
                    raise Unbatchable("a zero of unknown shape")
                self.shapes.statement(stmt, env, rewrite=False)
                zeros = call(attr(self.np, "zeros"), [gast.BinOp(
                    left=gast.Tuple(elts=[load(self.batch)], ctx=gast.Load()), op=gast.Add(),
                    right=const(shape))])
                return [gast.Assign(targets=stmt.targets, value=zeros, type_comment=None)]
            node, batched = self.expr(stmt.value, env)
            self.shapes.statement(stmt, env, rewrite=False)  # shapes from the original
            if batched:
                self.batched.add(name)
            else:
                self.batched.discard(name)
            return [gast.Assign(targets=stmt.targets, value=node, type_comment=None)]
        if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Tuple)
                and isinstance(stmt.value, gast.Tuple)
                and len(stmt.targets[0].elts) == len(stmt.value.elts)
                and all(isinstance(e, gast.Name) for e in stmt.targets[0].elts)):
            # ga, gb = x, y: side by side
            parts = [self.expr(v, env) for v in stmt.value.elts]
            self.shapes.statement(stmt, env, rewrite=False)
            for e, (_, batched) in zip(stmt.targets[0].elts, parts):
                (self.batched.add if batched else self.batched.discard)(e.id)
            return [gast.Assign(targets=stmt.targets, value=gast.Tuple(
                elts=[node for node, _ in parts], ctx=gast.Load()), type_comment=None)]
        if isinstance(stmt, gast.Assign):  # the tape unpacking: primal values only
            if self._reads_batched(stmt.value):
                raise Unbatchable("unpacks a cotangent")
            self.shapes.statement(stmt, env, rewrite=False)
            for sub in gast.walk(stmt.targets[0]):
                if isinstance(sub, gast.Name):
                    self.batched.discard(sub.id)
            return [stmt]
        if isinstance(stmt, gast.If):
            if self._reads_batched(stmt.test):
                raise Unbatchable("branches on a cotangent")
            env_body, env_else = dict(env), dict(env)
            before = set(self.batched)
            body = self.block(stmt.body, env_body)
            after_body, self.batched = self.batched, set(before)
            orelse = self.block(stmt.orelse, env_else)
            after_else = self.batched
            # a name batched on one path only gets the batch axis on the other one too
            body += self._batch_names(after_else - after_body, env_body)
            orelse += self._batch_names(after_body - after_else, env_else)
            self.batched = after_body | after_else
            for name in set(env_body) | set(env_else):
                env[name] = S.join(env_body.get(name, S.BOTTOM), env_else.get(name, S.BOTTOM))
            return [gast.If(test=stmt.test, body=body or [gast.Pass()], orelse=orelse)]
        if isinstance(stmt, (gast.For, gast.While)):
            return self.loop(stmt, env)
        if isinstance(stmt, gast.Return):
            return [gast.Return(value=self.returned(stmt.value, env))]
        if isinstance(stmt, gast.Expr):
            if self._reads_batched(stmt.value):
                raise Unbatchable("a statement of its own reads a cotangent")
            return [stmt]
        if isinstance(stmt, gast.Pass):
            return [stmt]
        raise Unbatchable(type(stmt).__name__)

    def loop(self, loop, env):
        header = loop.iter if isinstance(loop, gast.For) else loop.test
        if self._reads_batched(header):
            raise Unbatchable("a loop header reads a cotangent")
        entry = self.shapes.loop_entry(loop, env)
        at_entry = set(self.batched)
        for _ in range(4):  # which names hold cotangents at the top of an iteration
            before = set(self.batched)
            inner = dict(entry)
            self.shapes._loop_header(loop, inner)
            self.block(loop.body, inner)
            self.batched |= before
            if self.batched == before:
                break
        inner = dict(entry)
        self.shapes._loop_header(loop, inner)
        body = self.block(loop.body, inner)
        self.batched |= before
        # values that enter the loop without the batch axis but leave an iteration with it
        prologue = self._batch_names(self.batched - at_entry, env, shapes=entry)
        env.update(entry)
        new = copy.copy(loop)
        new.body = body or [gast.Pass()]
        return prologue + [new]

    def _batch_names(self, names, env, shapes=None):
        """``name = as_batched(name, batch, shape)`` for each name that has a value here
        (``shapes``: where to look the shapes up, if not in ``env``)."""
        out = []
        for n in sorted(names):
            if n not in env:
                continue
            shape = (shapes or env).get(n)
            shape = () if shape in (S.FLOAT, S.INT) else shape
            if not isinstance(shape, tuple):
                raise Unbatchable(f"{n} has no batch axis on one path, and no known shape")
            out.append(gast.Assign(
                targets=[gast.Name(id=n, ctx=gast.Store(), annotation=None, type_comment=None)],
                value=call(load(self.as_batched), [load(n), load(self.batch), const(shape)]),
                type_comment=None))
        return out

    def returned(self, value, env):
        parts = value.elts if isinstance(value, gast.Tuple) else [value]
        out = []
        for part in parts:
            node, batched = self.expr(part, env)
            if not batched:  # the same for every row (a zero, say)
                node = call(attr(self.np, "broadcast_to"), [
                    call(attr(self.np, "asarray"), [node]),
                    gast.BinOp(left=gast.Tuple(elts=[load(self.batch)], ctx=gast.Load()),
                               op=gast.Add(),
                               right=call(attr(self.np, "shape"), [node]))])
            out.append(node)
        return gast.Tuple(elts=out, ctx=gast.Load()) if isinstance(value, gast.Tuple) else out[0]

    # expressions --------------------------------------------------------

    def shape(self, node, env):
        """The shape of the value ``node`` computes, without the batch axis."""
        return self.shapes.expr(deepcopy(node), env)[2]

    def _reads_batched(self, node):
        return any(isinstance(n, gast.Name) and n.id in self.batched for n in gast.walk(node))

    def expr(self, node, env):
        """(rewritten node, whether it carries the batch axis)."""
        if not self._reads_batched(node):
            return node, False
        if isinstance(node, gast.Name):
            return node, True
        if isinstance(node, gast.BinOp):
            return self._binop(node, env), True
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            operand, _ = self.expr(node.operand, env)
            return gast.UnaryOp(op=node.op, operand=operand), True
        if isinstance(node, gast.Attribute) and node.attr == "T":
            return self._transposed(node.value, env), True
        if isinstance(node, gast.Subscript):
            return self._subscript(node, env), True
        if isinstance(node, gast.Call):
            return self._call(node, env), True
        raise Unbatchable(f"no batched form of {type(node).__name__}")

    def _transposed(self, operand, env):
        """``operand.T`` with the batch axis kept first."""
        value, _ = self.expr(operand, env)
        n = ndim(self.shape(operand, env))
        if n <= 1:
            return value
        if n == 2:
            return call(attr(self.np, "swapaxes"), [value, const(-1), const(-2)])
        return call(attr(self.np, "transpose"), [value, const((0,) + tuple(range(n, 0, -1)))])

    def _aligned(self, node, batched, shape, result_shape):
        """A batched operand with size-1 axes where NumPy would prepend them."""
        missing = ndim(result_shape) - ndim(shape)
        if not batched or missing <= 0:
            return node
        axes = tuple(range(1, 1 + missing))
        return call(attr(self.np, "expand_dims"), [node, const(axes if len(axes) > 1 else 1)])

    def _binop(self, node, env):
        left, lb = self.expr(node.left, env)
        right, rb = self.expr(node.right, env)
        ls, rs = self.shape(node.left, env), self.shape(node.right, env)
        if isinstance(node.op, gast.MatMult):
            if lb and rb:
                raise Unbatchable("a product of two cotangents")
            return self._matmul(left, lb, ls, right, rb, rs)
        if not isinstance(node.op, _ELEMENTWISE):
            raise Unbatchable(type(node.op).__name__)
        result = self.shape(node, env)
        if result is None:
            raise Unbatchable(f"unknown shape of {gast.dump(node)[:300]}")
        left = self._aligned(left, lb, ls, result)
        right = self._aligned(right, rb, rs, result)
        return gast.BinOp(left=left, op=node.op, right=right)

    def _matmul(self, left, lb, ls, right, rb, rs):
        nl, nr = ndim(ls), ndim(rs)
        if lb:  # rows of a times b: a stack of vectors is a matrix, of matrices a 3-D stack
            return gast.BinOp(left=left, op=gast.MatMult(), right=right)
        # a times each row of b
        if nr >= 2:
            return gast.BinOp(left=left, op=gast.MatMult(), right=right)
        if nl == 2:  # a @ v for each row v: (V @ a.T)
            return gast.BinOp(left=right, op=gast.MatMult(), right=attr(left, "T"))
        if nl == 1:
            return gast.BinOp(left=right, op=gast.MatMult(), right=left)
        raise Unbatchable("matmul shapes")

    def _subscript(self, node, env):
        if self._reads_batched(node.slice):
            raise Unbatchable("an index computed from a cotangent")
        value, _ = self.expr(node.value, env)
        index = self._index_value(node.slice)
        if index is None:
            raise Unbatchable("an index of unknown form")
        parts = list(node.slice.elts) if isinstance(node.slice, gast.Tuple) else [node.slice]
        whole = gast.Slice(lower=None, upper=None, step=None)
        return gast.Subscript(value=value, slice=gast.Tuple(elts=[whole] + parts,
                                                            ctx=gast.Load()), ctx=gast.Load())

    def _index_value(self, index):
        """The index if it is known not to be a tuple held in a name, else None."""
        if isinstance(index, (gast.Tuple, gast.Slice, gast.Constant)):
            return index
        literal = self.shapes._literal_or_none(index)
        if literal is not None:
            return None if type(literal) is tuple else index
        return None

    def _call(self, node, env):
        callee = self.shapes.resolve(node.func)
        if callee is None and isinstance(node.func, gast.Attribute):
            return self._method(node, env)
        if any(self._reads_batched(kw.value) for kw in node.keywords
               if kw.arg not in ("axis", "keepdims")):
            raise Unbatchable("a cotangent passed by keyword")
        if isinstance(callee, np.ufunc) and callee.signature is None and not node.keywords:
            result = self.shape(node, env)
            args = []
            for a in node.args:
                new, batched = self.expr(a, env)
                args.append(self._aligned(new, batched, self.shape(a, env), result))
            return gast.Call(func=node.func, args=args, keywords=[])
        name = getattr(callee, "__name__", None)
        if callee is getattr(np, name or "", None):
            if name in _REDUCTION_METHODS and len(node.args) == 1:
                value, _ = self.expr(node.args[0], env)
                return self._reduction(node.func, [value], node.keywords, node.args[0], env)
            if name == "expand_dims" and len(node.args) == 2:
                value, _ = self.expr(node.args[0], env)
                axes = self._shifted(node.args[1], ndim(self.shape(node, env)))
                return call(node.func, [value, axes])
            if name == "broadcast_to" and len(node.args) == 2:
                value, _ = self.expr(node.args[0], env)
                target = self.shapes._literal_or_none(node.args[1])
                if type(target) is not tuple:
                    raise Unbatchable("broadcast to an unknown shape")
                value = self._aligned(value, True, self.shape(node.args[0], env), target)
                full = gast.BinOp(left=gast.Tuple(elts=[load(self.batch)], ctx=gast.Load()),
                                  op=gast.Add(), right=const(target))
                return call(node.func, [value, full])
            if name == "transpose" and len(node.args) == 1 and not node.keywords:
                return self._transposed(node.args[0], env)
            if name == "dot" and len(node.args) == 2 and not node.keywords:
                (a, ab), (b, bb) = (self.expr(x, env) for x in node.args)
                sa, sb = (self.shape(x, env) for x in node.args)
                if ndim(sa) <= 2 and ndim(sb) <= 2 and ndim(sa) >= 1 and ndim(sb) >= 1:
                    if ab and bb:
                        raise Unbatchable("a product of two cotangents")
                    return self._matmul(a, ab, sa, b, bb, sb)
            if name == "outer" and len(node.args) == 2:
                (a, ab), (b, bb) = (self.expr(x, env) for x in node.args)
                a = call(attr(self.np, "ravel"), [a]) if not ab else a
                left = call(attr(self.np, "expand_dims"), [a, const(-1)])
                right = call(attr(self.np, "expand_dims"), [b, const(-2)]) if bb else b
                return gast.BinOp(left=left, op=gast.Mult(), right=right)
        if callee in (array_add_at, array_add_at_inplace, seq_add_at) and len(node.args) == 4 \
                and not node.keywords:
            return self._add_at(node, env)
        if callee is unbroadcast and len(node.args) == 2 and not node.keywords \
                and not self._reads_batched(node.args[1]):
            value, _ = self.expr(node.args[0], env)
            return call(load(self.unbroadcast), [value, node.args[1], load(self.batch)])
        if callee is reshape_to and len(node.args) == 2 and not self._reads_batched(node.args[1]):
            value, _ = self.expr(node.args[0], env)
            shape = gast.BinOp(left=gast.Tuple(elts=[load(self.batch)], ctx=gast.Load()),
                               op=gast.Add(), right=call(load("tuple"), [node.args[1]]))
            return call(attr(self.np, "reshape"), [value, shape])
        raise Unbatchable(f"no batched form of a call of {getattr(callee, '__name__', callee)}")

    def _method(self, node, env):
        method = node.func.attr
        value, batched = self.expr(node.func.value, env)
        if not batched or any(self._reads_batched(a) for a in node.args):
            raise Unbatchable(f"method {method}")
        if method in _REDUCTION_METHODS and not node.args:
            func = gast.Attribute(value=value, attr=method, ctx=gast.Load())
            return self._reduction(func, [], node.keywords, node.func.value, env)
        raise Unbatchable(f"method {method}")

    def _reduction(self, func, args, keywords, operand, env):
        n = ndim(self.shape(operand, env))
        new_keywords, has_axis = [], False
        for kw in keywords:
            if kw.arg == "axis":
                has_axis = True
                new_keywords.append(gast.keyword(arg="axis", value=self._shifted(kw.value, n)))
            elif kw.arg == "keepdims":
                new_keywords.append(kw)
            else:
                raise Unbatchable(f"reduction keyword {kw.arg}")
        if not has_axis:  # every axis but the batch axis
            new_keywords.append(gast.keyword(arg="axis", value=const(tuple(range(1, n + 1)))))
        return gast.Call(func=func, args=args, keywords=new_keywords)

    def _shifted(self, axis_node, ndim_):
        try:
            axis = S.constant(axis_node)
        except (ValueError, TypeError):
            axis = self.shapes._literal_or_none(axis_node)
        if axis is None:
            return const(tuple(range(1, ndim_ + 1)))
        axes = (axis,) if type(axis) is int else axis
        if type(axes) is not tuple or not all(type(a) is int for a in axes):
            raise Unbatchable("axis")
        moved = tuple(a + 1 if a >= 0 else a for a in axes)
        return const(moved if type(axis) is tuple else moved[0])

    def _add_at(self, node, env):
        acc, seq, index, g = node.args
        if self._reads_batched(seq) or self._reads_batched(index):
            raise Unbatchable("scatter into a cotangent-dependent place")
        seq_shape = self.shape(seq, env)
        if not S.is_array(seq_shape):
            raise Unbatchable("scatter into a non-array")
        literal = self.shapes._literal_or_none(index)
        region = _indexed_shape(seq_shape, literal) if literal is not None and \
            _basic_index(literal) else None
        new_g, gb = self.expr(g, env)
        if gb:
            if region is None:
                # an integer-array index: g must already have the region's dimensions
                region = self.shape(g, env)
            new_g = self._aligned(new_g, True, self.shape(g, env), region)
        new_acc, _ = self.expr(acc, env)
        return call(load(self.add_at), [new_acc, seq, index, new_g, load(self.batch)])


def as_batched(value, batch, shape):
    """``value`` (the same for every row; a zero number stands for zeros of ``shape``)
    with the batch axis."""
    return np.broadcast_to(value, (batch,) + shape)


def batched_unbroadcast(g, like, batch):
    """Each row of ``g`` fitted to ``like``'s shape, as ``unbroadcast`` does to one row."""
    lshape = np.shape(like)
    g = np.asarray(g)
    if g.ndim == 0:
        return np.broadcast_to(g, (batch,) + lshape)
    extra = g.ndim - 1 - len(lshape)
    if extra > 0:
        g = g.sum(axis=tuple(range(1, 1 + extra)))
    axes = tuple(i + 1 for i, n in enumerate(lshape) if n == 1 and g.shape[i + 1] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return np.broadcast_to(g, (batch,) + lshape)


def batched_add_at(acc, array, index, g, batch):
    """Row ``r`` of the result is ``acc[r]`` plus ``g[r]`` at ``index`` of ``array``."""
    dtype = array.dtype if np.issubdtype(array.dtype, np.floating) else np.float64
    out = np.zeros((batch,) + array.shape, dtype=dtype)
    if not (isinstance(acc, (int, float)) and acc == 0):
        out += acc
    full = (slice(None),) + (index if type(index) is tuple else (index,))
    if _basic_index(index):
        out[full] += g
    else:
        np.add.at(out, full, g)
    return out


def compile_batched_backward(unit, target):
    """The batched backward function of a split ``unit`` (bound like its ``bwd``), or None.

    Built once per unit; None when the unit is not shape-specialized or some
    operation has no batched form (the caller then loops over rows).
    """
    if unit.batched_backward is not None:
        return unit.batched_backward or None
    unit.batched_backward = False
    if not unit.param_shapes or len(unit.functions or ()) != 2:
        return None
    from .. import codegen
    from ..analyses import kinds as K
    from ..compile import CompiledUnit
    from .specialize_shapes import _literals, _Walker

    fwd, bwd = unit.functions
    injected = dict(unit.compiled.injected)
    resolve = S.Resolver(unit.fn, injected)
    used = {n.id for f in (fwd, bwd) for n in gast.walk(f) if isinstance(n, gast.Name)}
    numpy_name = "np" if resolve(load("np")) is np and "np" not in used - {"np"} else "_np"
    if numpy_name == "_np":
        injected["_np"] = np
    add_at_name, as_batched_name, batch_name = "batched_add_at", "as_batched", "batch"
    while used & {batch_name, add_at_name, as_batched_name}:
        batch_name, add_at_name, as_batched_name = ("_" + batch_name, "_" + add_at_name,
                                                    "_" + as_batched_name)
    injected[add_at_name] = batched_add_at
    injected[as_batched_name] = as_batched
    unbroadcast_name = "batched_unbroadcast"
    while unbroadcast_name in used:
        unbroadcast_name = "_" + unbroadcast_name
    injected[unbroadcast_name] = batched_unbroadcast

    kinds = unit.param_kinds or {}
    env = {}
    for arg in fwd.args.args + fwd.args.kwonlyargs:
        shape = unit.param_shapes.get(arg.id)
        if isinstance(shape, tuple) and shape[:1] != ("items",):
            env[arg.id] = shape
        elif kinds.get(arg.id) == K.SCALAR:
            env[arg.id] = S.FLOAT
    forward = deepcopy(fwd)
    walker = _Walker(resolve, numpy_name, _literals(forward))
    walker.containers = {n: dict(s[1:]) for n, s in unit.param_shapes.items()
                         if isinstance(s, tuple) and s[:1] == ("items",)}
    walker.block(forward.body, env, rewrite=False)
    value_shape, tape_shapes, tape_literals = walker.value_and_tape(forward, env)
    tape_param, cotangent = (a.id for a in bwd.args.args)
    shapes = _Walker(resolve, numpy_name, _literals(bwd),
                     tape=(tape_param, tape_shapes, tape_literals))
    shapes.zero_is_bottom = True  # dW = 0.0 before a loop that adds cotangents to it
    try:
        batcher = BatchBackward(shapes, numpy_name, batch_name, add_at_name, as_batched_name)
        batcher.unbroadcast = unbroadcast_name
        batched = batcher.function(
            bwd, {cotangent: value_shape}, cotangent)
    except Unbatchable:
        return None
    name = f"{bwd.name}_batched"
    batched.name = name
    text = codegen.to_source([batched])
    compiled = CompiledUnit(text, {"bwd": name}, injected, unit.fn,
                            f"{unit.fn.__module__}.{unit.fn.__qualname__} batched pullback")
    unit.batched_backward = compiled.bind(target, name, with_defaults=False)
    return unit.batched_backward
