"""After Simplify, generated code has no avoidable temporaries or constant arithmetic.

* constant sub-expressions and the identities ``e ** 1``, ``e * 1``, ``1 * e``,
  ``-(-e)`` that inlined rules leave behind are folded;
* a value computed again at the top level (``x[:-1]`` in the forward and in
  the reverse sweep) is read from where it was first computed;
* a copy ``a = b`` at the top level, when ``a`` is assigned nowhere else and
  ``b`` is not reassigned later, is removed and ``a`` read as ``b``;
* a temporary assigned once and read once, later in the same block, with
  nothing it reads reassigned in between (and no call in between if it
  calls anything), is substituted into its use, so the forward sweep reads
  like the original expression;
* assignments nothing reads are dropped when they cannot raise (NumPy calls
  and array arithmetic) or are plain arithmetic (whose failures the
  derivative's arithmetic repeats); calls such as ``math.log`` stay, so
  errors of the user's own code still surface;
* a value saved on the stack for the reverse sweep is not saved when the
  reverse sweep never reads it back, nor put on a split unit's tape when the
  backward function never reads it;
* scatter-adds into an accumulator nothing else reads happen in place;
* ``pass`` is dropped from non-empty blocks.

With ``SRCGRAD_OPTIMIZE=0`` (see :mod:`..options`) only the last is done.
"""

from __future__ import annotations

import operator
from collections import Counter

import gast

from .. import options, runtime
from ..analyses.primitives import BINOPS
from ..astutil import anno_get, walk

_FOLDABLE = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)


def _num(node):
    return (isinstance(node, gast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool))


def _negated(node):
    """``e`` for ``-e``, ``(-e) * f`` / ``(-e) / f`` (as ``e * f``) or ``e * -3`` (as
    ``e * 3``); else None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return node.operand
    if (isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div))
            and isinstance(node.left, gast.UnaryOp) and isinstance(node.left.op, gast.USub)):
        return gast.BinOp(left=node.left.operand, op=node.op, right=node.right)
    if (isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div))
            and _num(node.right) and node.right.value < 0):  # e * -3 -> e * 3
        return gast.BinOp(left=node.left, op=node.op,
                          right=gast.Constant(value=-node.right.value, kind=None))
    return None


class _Fold(gast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right = node.left, node.right
        if _num(left) and _num(right) and isinstance(node.op, _FOLDABLE):
            if isinstance(node.op, gast.Pow) and abs(right.value) > 8:
                return node
            try:
                value = BINOPS[type(node.op)](left.value, right.value)
            except (ArithmeticError, ValueError):
                return node
            return gast.Constant(value=value, kind=None)
        if isinstance(node.op, gast.Pow) and _num(right) and right.value == 1:
            return left
        if isinstance(node.op, (gast.Add, gast.Sub)) and _num(right) and right.value < 0:
            op = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()  # a + -4.0
            return gast.BinOp(left=left, op=op, right=gast.Constant(value=-right.value,
                                                                     kind=None))
        if isinstance(node.op, (gast.Add, gast.Sub)):
            negated = _negated(right)
            if negated is not None:  # a + -b -> a - b ; a - -b -> a + b
                op = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()
                return gast.BinOp(left=left, op=op, right=negated)
        if isinstance(node.op, (gast.Mult, gast.Div)) and _num(right) \
                and isinstance(left, gast.UnaryOp) and isinstance(left.op, gast.USub):
            # (-a) * 2 -> a * -2: one operation fewer on arrays
            return gast.BinOp(left=left.operand, op=node.op,
                              right=gast.Constant(value=-right.value, kind=None))
        if isinstance(node.op, gast.Mult):
            if _num(right) and right.value == 1 and type(right.value) is int:
                return left
            if _num(left) and left.value == 1 and type(left.value) is int:
                return right
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.USub):
            if _num(node.operand):
                return gast.Constant(value=operator.neg(node.operand.value), kind=None)
            if isinstance(node.operand, gast.UnaryOp) and isinstance(node.operand.op, gast.USub):
                return node.operand.operand
            if isinstance(node.operand, gast.BinOp) and _negated(node.operand) is not None:
                return _negated(node.operand)  # -((-a) * b) -> a * b
        return node


def _drop_pass(stmts):
    out = [s for s in stmts if not isinstance(s, gast.Pass)]
    for stmt in out:
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if isinstance(block, list):
                setattr(stmt, field, _drop_pass(block) or
                        ([gast.Pass()] if field == "body" else []))
    return out or stmts[:1]


def _counts(fn):
    loads, stores = Counter(), Counter()
    for node in walk(fn):
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Load):
                loads[node.id] += 1
            else:
                stores[node.id] += 1
    return loads, stores


def _stored_in(stmts):
    names = set()
    for stmt in stmts:
        for node in walk(stmt):
            if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
                names.add(node.id)
    return names


class _ReplaceLoads(gast.NodeTransformer):
    def __init__(self, old, new_node):
        self.old, self.new_node = old, new_node

    def visit_Name(self, name):
        if name.id == self.old and isinstance(name.ctx, gast.Load):
            return self.new_node
        return name


def _replace_loads(node, old, new_node):
    return _ReplaceLoads(old, new_node).visit(node)


def _statement_facts(stmt):
    """(names read, names stored, calls anything, simple statement) in one walk."""
    reads, stored, has_call = set(), set(), False
    for node in walk(stmt):
        kind = type(node)
        if kind is gast.Name:
            (reads if type(node.ctx) is gast.Load else stored).add(node.id)
        elif kind is gast.Call:
            has_call = True
    return reads, stored, has_call and not _is_comment(stmt), isinstance(stmt, _SIMPLE)


def propagate_copies(fn):
    """Remove top-level copies ``a = b`` where ``a`` is assigned only there and
    ``b`` is not reassigned later; later statements read ``b`` instead. A name
    assigned only once, to a number, is replaced by the number. True if
    anything changed."""
    _, stores = _counts(fn)
    body = fn.body
    last_store = {}
    for index, stmt in enumerate(body):
        for name in _stored_in([stmt]):
            last_store[name] = index
    renames, constants = {}, {}
    new_body = []
    for index, stmt in enumerate(body):
        if renames:
            _rename_loads(stmt, renames)
        if constants:
            _substitute_constants(stmt, constants)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            a = stmt.targets[0].id
            if isinstance(stmt.value, gast.Name):
                b = stmt.value.id
                if stores[a] == 1 and a != b and last_store.get(b, -1) <= index:
                    renames[a] = b
                    continue
            if _num(stmt.value) and stores[a] == 1:  # a seed such as dt = 1.0
                constants[a] = stmt.value.value
                continue
        new_body.append(stmt)
    fn.body = new_body
    return bool(renames or constants)


_REUSABLE = (gast.BinOp, gast.UnaryOp, gast.Subscript, gast.Attribute, gast.Compare)


def _pure_expression(node):
    """Arithmetic, indexing and attributes of names and constants: no calls, no effects."""
    return isinstance(node, _REUSABLE) and all(
        not isinstance(n, (gast.Call, gast.Lambda, gast.Yield, gast.NamedExpr))
        for n in walk(node))


def _structure(node):
    """A hashable picture of an expression (equal for equal expressions)."""
    if isinstance(node, gast.Name):
        return node.id
    if isinstance(node, gast.Constant):
        return (type(node.value), node.value)
    parts = [type(node)]
    for field in node._fields:
        if field == "ctx":
            continue
        value = getattr(node, field, None)
        if isinstance(value, gast.AST):
            parts.append(_structure(value))
        elif isinstance(value, list):
            parts.append(tuple(_structure(v) if isinstance(v, gast.AST) else v for v in value))
        else:
            parts.append(value)
    return tuple(parts)


def reuse_common_subexpressions(fn):
    """``b = x[:-1]`` after ``a = x[:-1]`` (top level, nothing in between changing ``x``
    or ``a``) becomes ``b = a``, which copy propagation then removes: the reverse sweep
    reuses what the forward sweep computed. True if anything changed."""
    seen = {}  # dump of a value -> (name holding it, names it reads)
    changed = False
    for stmt in fn.body:
        candidate = None
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
                and _pure_expression(stmt.value):
            key = _structure(stmt.value)
            if key in seen:
                stmt.value = gast.Name(id=seen[key][0], ctx=gast.Load(), annotation=None,
                                       type_comment=None)
                changed = True
            else:
                candidate = (key, stmt.targets[0].id, _reads(stmt.value))
        stored = _stored_in([stmt])
        if stored:  # values computed from (or held in) what this statement changes
            seen = {k: (n, r) for k, (n, r) in seen.items()
                    if n not in stored and not (r & stored)}
        if candidate is not None and candidate[1] not in candidate[2]:
            seen[candidate[0]] = candidate[1:]
    return changed


class _SubstituteConstants(gast.NodeTransformer):
    def __init__(self, constants):
        self.constants = constants

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load) and node.id in self.constants:
            return gast.Constant(value=self.constants[node.id], kind=None)
        return node


def _substitute_constants(stmt, constants):
    _SubstituteConstants(constants).visit(stmt)


def _rename_loads(node, renames):
    for sub in walk(node):
        if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and sub.id in renames:
            sub.id = renames[sub.id]


def _has_call(node):
    return any(isinstance(n, gast.Call) for n in walk(node))


_SIMPLE = (gast.Assign, gast.Return, gast.Expr)


def _reads(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name)
            and isinstance(n.ctx, gast.Load)}


def fuse_single_use(fn):
    loads, stores = _counts(fn)
    for block in list(_blocks(fn)):
        _fuse_block(block, loads, stores)


_COMPOUND = (gast.If, gast.For, gast.While, gast.FunctionDef)


def _blocks(node):
    """Every statement list under ``node`` (bodies and else-branches); only statements
    are visited, not expressions."""
    stack = [node]
    while stack:
        sub = stack.pop()
        for field in ("body", "orelse"):
            block = getattr(sub, field, None)
            if isinstance(block, list) and block and isinstance(block[0], gast.stmt):
                yield block
                stack.extend(stmt for stmt in block if isinstance(stmt, _COMPOUND))


def _fuse_block(block, loads, stores):
    """Substitute single-use temporaries of ``block`` into their (later) use."""
    info = [None] * len(block)

    def facts(j):
        if info[j] is None:
            info[j] = _statement_facts(block[j])
        return info[j]

    i = len(block) - 1
    while i >= 0:  # from the end, so chains collapse in one sweep
        stmt = block[i]
        if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and loads[stmt.targets[0].id] == 1 and stores[stmt.targets[0].id] == 1):
            name = stmt.targets[0].id
            value_reads = _reads(stmt.value)
            calls = _has_call(stmt.value)
            for j in range(i + 1, len(block)):
                reads, stored, has_call, simple = facts(j)
                if not simple:
                    break
                if name in reads:
                    if not (isinstance(block[j], gast.Expr) and _is_comment(block[j])):
                        _replace_loads(block[j], name, stmt.value)
                        info[j] = None
                        del block[i]
                        del info[i]
                    break
                if stored & (value_reads | {name}) or (calls and has_call):
                    break
        i -= 1


def _is_comment(stmt):
    value = getattr(stmt, "value", None)
    return (isinstance(value, gast.Call) and isinstance(value.func, gast.Name)
            and value.func.id == "__srcgrad_comment__")


_NUMPY_ROOTS = {"np", "numpy"}


def _numpy_call(node, pure=frozenset()):
    """A call of NumPy (``np.*``) or of one of srcgrad's pure runtime helpers."""
    func = node.func
    if isinstance(func, gast.Name) and func.id in pure:
        return True
    while isinstance(func, gast.Attribute):
        func = func.value
    return (isinstance(node.func, gast.Attribute) and isinstance(func, gast.Name)
            and func.id in _NUMPY_ROOTS)


_ARITHMETIC = (gast.BinOp, gast.UnaryOp, gast.Name, gast.Constant, gast.operator,
               gast.unaryop, gast.expr_context)


def _silent(value, kind, pure=frozenset()):
    """Can dropping ``value`` change behaviour? Not if it cannot raise: NumPy calls and
    array arithmetic warn instead of raising (float arithmetic and math.* may raise)."""
    calls = [n for n in walk(value) if isinstance(n, gast.Call)]
    if not all(_numpy_call(c, pure) for c in calls):
        return False
    if all(isinstance(n, _ARITHMETIC) for n in walk(value)):
        # Python arithmetic on values the derivative does not need: where it would
        # raise (1 / 0), the derivative's own arithmetic raises as well
        return True
    return kind == "array" or (isinstance(value, gast.Call) and _numpy_call(value, pure))


def drop_dead_assignments(fn, kinds, pure=frozenset()):
    """Remove assignments nothing reads whose values cannot raise."""
    changed = True
    while changed:
        changed = False
        loads, _ = _counts(fn)
        for block in list(_blocks(fn)):
            for index in range(len(block) - 1, -1, -1):
                stmt = block[index]
                if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                        and loads[stmt.targets[0].id] == 0 and len(block) > 1
                        and _silent(stmt.value, kinds.get(stmt.targets[0].id), pure)):
                    del block[index]
                    changed = True


def _is_marker(stmt, text):
    value = getattr(stmt, "value", None)
    return (isinstance(stmt, gast.Expr) and isinstance(value, gast.Call)
            and isinstance(value.func, gast.Name) and value.func.id == "__srcgrad_comment__"
            and value.args and getattr(value.args[0], "value", None) == text)


def _stack_op(stmt, method):
    """(stack, variable) of ``stack.append(v)`` / ``v = stack.pop()``, else None."""
    if method == "append" and isinstance(stmt, gast.Expr):
        value = stmt.value
        if (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and value.func.attr == "append" and isinstance(value.func.value, gast.Name)
                and len(value.args) == 1 and isinstance(value.args[0], gast.Name)):
            return value.func.value.id, value.args[0].id
    if method == "pop" and isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
        value = stmt.value
        if (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and value.func.attr == "pop" and not value.args
                and isinstance(value.func.value, gast.Name)):
            return value.func.value.id, stmt.targets[0].id
    return None


def drop_unread_saves(fn):
    """Save a value for the reverse sweep only if the reverse sweep reads it (True if any
    save was dropped).

    ReverseMode pushes a variable before a loop overwrites it and pops it back
    in the reverse sweep; once the rules' reads of it are simplified away
    (``unbroadcast(g, t)`` needs ``t`` only for its shape), nothing reads the
    restored value, and both the push and the pop go. Pushes and pops of one
    variable pair up in stack order, so the other variables' pairs stay
    aligned.
    """
    marker = next((i for i, stmt in enumerate(fn.body) if _is_marker(stmt, "reverse sweep")),
                  None)
    if marker is None:
        return
    reverse = fn.body[marker + 1:]
    read_in_reverse = {node.id for stmt in reverse for node in walk(stmt)
                       if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load)}
    popped = {op for block in _blocks(fn) for stmt in block
              for op in [_stack_op(stmt, "pop")] if op is not None}
    dead = {pair for pair in popped if pair[1] not in read_in_reverse}
    if not dead:
        return False
    dead_names = {name for _, name in dead}
    for block in list(_blocks(fn)):
        block[:] = [stmt for stmt in block
                    if _stack_op(stmt, "append") not in dead and _stack_op(stmt, "pop") not in dead
                    and anno_get(stmt, "save_placeholder") not in dead_names]
    for stack in {stack for stack, _ in dead}:  # a stack nobody uses any more
        if not any(isinstance(node, gast.Name) and node.id == stack
                   and isinstance(node.ctx, gast.Load) for node in walk(fn)):
            fn.body = [stmt for stmt in fn.body
                       if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0],
                                                                          gast.Name)
                               and stmt.targets[0].id == stack)]
    for block in _blocks(fn):  # a loop body left empty
        if not block:
            block.append(gast.Pass())
    return True


def _pure_helper_names(ctx):
    """Names the generated code calls srcgrad's pure runtime helpers by: injected ones,
    and (differentiating generated code again) those its own closure provides."""
    from ..analyses.shapes import Resolver

    called, local = set(), set()
    for fn in ctx.facts["generated"]:
        for n in walk(fn):
            if isinstance(n, gast.Call) and isinstance(n.func, gast.Name):
                called.add(n.func.id)
            elif isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
                local.add(n.id)
    called -= local
    if not called:
        return frozenset()
    injector = ctx.facts.get("injector")
    resolve = Resolver(ctx.fn, injector.injected if injector else {})
    resolve.locals = local
    return frozenset(name for name in called
                     if any(resolve(gast.Name(id=name, ctx=gast.Load(), annotation=None,
                                              type_comment=None)) is helper
                            for helper in runtime.PURE_HELPERS))


def _calls(fn, name):
    return any(isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and n.func.id == name
               for n in walk(fn))


def accumulate_in_place(fn, add_at, in_place):
    """Scatter-add into an accumulator this function owns without copying it again.

    ``v = add_at(a, x, i, g)`` returns a new array; when every later
    ``v = add_at(v, x, j, h)`` in the same (top-level) block is the only
    reader of ``v`` (besides ``return``), the array is not shared, and those
    later calls may add into it in place (``in_place`` names the helper).
    """
    if not add_at or not in_place:
        return False
    loads, stores = _counts(fn)

    def scatter(stmt):
        if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and isinstance(stmt.value, gast.Call) and isinstance(stmt.value.func, gast.Name)
                and stmt.value.func.id == add_at and len(stmt.value.args) == 4):
            return stmt.targets[0].id
        return None

    top = {scatter(s) for s in fn.body} - {None}
    changed = False
    for name in top:
        chained = [s for s in fn.body if scatter(s) == name]
        as_acc = [s for s in chained[1:] if isinstance(s.value.args[0], gast.Name)
                  and s.value.args[0].id == name]
        returned = sum(1 for s in fn.body if isinstance(s, gast.Return)
                       for n in walk(s) if isinstance(n, gast.Name) and n.id == name)
        if (stores[name] != len(chained) or len(as_acc) != len(chained) - 1
                or loads[name] != len(as_acc) + returned or not as_acc
                or any(isinstance(n, gast.Name) and n.id == name
                       for s in chained for n in walk(s.value.args[3]))):
            continue
        for s in as_acc:
            s.value.func = gast.Name(id=in_place, ctx=gast.Load(), annotation=None,
                                     type_comment=None)
        changed = True
    return changed


def prune_tape(fwd, bwd):
    """Save on the tape only what the backward function reads.

    The forward function returns ``(value, (a, b, ...))`` and the backward one
    starts with ``a, b, ... = tape``; an entry the backward code never reads
    (its reads were simplified away) is dropped from both, and its
    computation in the forward function becomes dead code.
    """
    ret = fwd.body[-1] if fwd.body else None
    first = bwd.body[0] if bwd.body else None
    if not (isinstance(ret, gast.Return) and isinstance(ret.value, gast.Tuple)
            and len(ret.value.elts) == 2 and isinstance(ret.value.elts[1], gast.Tuple)
            and isinstance(first, gast.Assign) and isinstance(first.targets[0], gast.Tuple)
            and len(first.targets[0].elts) == len(ret.value.elts[1].elts)):
        return False
    loads, _ = _counts(gast.Module(body=bwd.body[1:], type_ignores=[]))
    names = first.targets[0].elts
    keep = [i for i, e in enumerate(names) if not isinstance(e, gast.Name) or loads[e.id]]
    if len(keep) == len(names) or len(keep) < 2:
        return False  # a tape of one entry is unpacked differently; leave it
    first.targets[0].elts = [names[i] for i in keep]
    ret.value.elts[1].elts = [ret.value.elts[1].elts[i] for i in keep]
    return True


class Simplify:
    """Tidy the generated code.

    For this function ReverseMode emits ``t = x ** 2``, ``y = t + 3.0``,
    ``z = y * x``, the seed ``dz = 1.0`` and ``dx = dx + dt * 2 * x ** (2 - 1)``;
    the value ``z`` is not needed by ``grad``. Simplify leaves:

    Before (the user's function)::

        def f(x):
            y = x ** 2 + 3.0
            z = y * x
            return z

    After::

        def grad_f(x):
            # reverse sweep
            # z = y * x
            dx = 1.0 * (x ** 2 + 3.0)
            # y = x ** 2 + 3.0
            dx = dx + 1.0 * x * 2 * x
            return dx
    """

    name = "simplify"

    def __call__(self, ctx):
        injector = ctx.facts.get("injector")
        pure = _pure_helper_names(ctx)
        for fn in ctx.facts["generated"]:
            fn.body = _drop_pass(fn.body)
            if not options.optimize:
                continue
            _Fold().visit(fn)
            for _ in range(4):  # folding makes constants that propagate and fold further
                if not propagate_copies(fn):
                    break
                _Fold().visit(fn)
            if reuse_common_subexpressions(fn):
                propagate_copies(fn)
            drop_dead_assignments(fn, ctx.facts.get("kinds", {}), pure)
            fuse_single_use(fn)
            _Fold().visit(fn)  # substitution exposes more (a + -b)
            if drop_unread_saves(fn):  # values no longer saved can fuse into their uses
                drop_dead_assignments(fn, ctx.facts.get("kinds", {}), pure)
                fuse_single_use(fn)
        generated = ctx.facts["generated"]
        if options.optimize and injector is not None:
            add_at = injector.name_of(runtime.array_add_at)
            if add_at:
                for fn in generated:
                    if _calls(fn, add_at):
                        accumulate_in_place(fn, add_at, injector.name_for(
                            runtime.array_add_at_inplace, "array_add_at_inplace"))
        if options.optimize and len(generated) == 2 and prune_tape(*generated):
            drop_dead_assignments(generated[0], ctx.facts.get("kinds", {}), pure)
            fuse_single_use(generated[0])
        return ctx
