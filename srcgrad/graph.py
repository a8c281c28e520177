"""Dataflow graphs of a function as Graphviz DOT text, and rendering them (``srcgrad graph``).

The graph is drawn from the function after ToSSA, where every assignment
computes one primitive: each variable version is an orange ellipse labelled
with its name, each operation a light-blue box labelled with the operation
(``*``, ``np.exp``, ``.sum()``, ``[i]``), and edges carry values. Constants
and module-level names are plain text. Control flow becomes clusters labelled
with the normalized header and the source line it came from: an ``if`` holds
a ``then`` and an ``else`` cluster, and a variable either branch assigns
meets again in a dashed merge node after it; a loop holds, for each variable
its body reassigns, a dashed loop-carried node that the value before the loop
and the value at the end of each iteration (a grey back edge) flow into.
The returned variable has a double border.

With ``adjoint=True`` the reverse sweep of the generated gradient is drawn
beside it, in a second cluster built the same way from the generated code
(the primal values it reads appear there as dashed ellipses).

``to_dot`` makes the text; ``write`` saves it as ``.dot``, or renders ``.svg``
or ``.png`` by running Graphviz's ``dot`` program.
"""

from __future__ import annotations

import ast
import shutil
import subprocess

import gast

from .analyses import primitives
from .astutil import anno_get, dotted, names_loaded, names_stored

FORMATS = ("dot", "svg", "png")

VARIABLE = 'shape=ellipse, style=filled, fillcolor="#ffb347", color="#cc7a00"'
PRIMAL_VALUE = 'shape=ellipse, style="filled,dashed", fillcolor="#ffe4c4", color="#cc7a00"'
MERGE = 'shape=ellipse, style="filled,dashed", fillcolor="#ffd59e", color="#cc7a00"'
OPERATION = 'shape=box, style=filled, fillcolor="#add8e6", color="#4f81bd"'
USER_CALL = 'shape=box, style="filled,bold", fillcolor="#add8e6", color="#1f4e79", peripheries=2'
BRANCH = 'shape=diamond, style=filled, fillcolor="#e6e6fa", color="#6a5acd"'
CONSTANT = 'shape=plaintext, fontcolor="#555555"'

_BINOPS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.FloorDiv: "//",
           gast.Mod: "%", gast.Pow: "**", gast.MatMult: "@", gast.BitAnd: "&", gast.BitOr: "|",
           gast.BitXor: "^", gast.LShift: "<<", gast.RShift: ">>"}
_UNARYOPS = {gast.USub: "neg", gast.UAdd: "pos", gast.Not: "not", gast.Invert: "~"}
_COMPARE = {gast.Eq: "==", gast.NotEq: "!=", gast.Lt: "<", gast.LtE: "<=", gast.Gt: ">",
            gast.GtE: ">=", gast.Is: "is", gast.IsNot: "is not", gast.In: "in",
            gast.NotIn: "not in"}
# methods that change their receiver: the receiver gets a new version
MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse",
            "update", "setdefault", "add", "discard", "fill", "resize", "popitem"}


class RenderError(Exception):
    """A graph could not be rendered or written."""


class GraphvizMissingError(RenderError):
    """Graphviz's ``dot`` program is needed and not installed."""


def text_of(node, limit=48):
    """Python text of a gast expression, shortened to ``limit`` characters."""
    try:
        text = ast.unparse(gast.gast_to_ast(node))
    except Exception:  # a node gast cannot convert back: still draw something
        text = type(node).__name__
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def quote(text):
    r"""A DOT double-quoted string.

    >>> print(quote('say "hi"\\n'))
    "say \"hi\"\\n"
    """
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class _Cluster:
    def __init__(self, name, label, style):
        self.name, self.label, self.style = name, label, style
        self.items = []   # node ids and child clusters, in order

    def render(self, nodes, indent):
        pad = "  " * indent
        out = [f"{pad}subgraph {self.name} {{",
               f"{pad}  label={quote(self.label)}; {self.style};"]
        out += _render_items(self.items, nodes, indent + 1)
        out.append(f"{pad}}}")
        return out


def _render_items(items, nodes, indent):
    out = []
    for item in items:
        if isinstance(item, _Cluster):
            out += item.render(nodes, indent)
        else:
            attrs = nodes[item]
            out.append(f"{'  ' * indent}{item} [label={quote(attrs['label'])}, "
                       f"{attrs['style']}{attrs.get('extra', '')}];")
    return out


class Builder:
    """Draws statements into nodes, edges and clusters; one per graph part.

    Args:
        prefix: prefix of node ids (keeps two parts of one picture apart).
        locals_: the names that are variables (parameters and assigned names);
            other names read are module-level values, drawn as plain text.
        primal: names that hold primal values computed elsewhere (for the
            adjoint sweep); read before assigned, they are dashed ellipses.
        prims: ``id(call node) -> Prim`` for calls classified by the analyses.
        line_of: ``lineno -> source line`` to label clusters with the original code.
    """

    def __init__(self, prefix, locals_, primal=(), prims=None, line_of=None):
        self.prefix = prefix
        self.locals = set(locals_)
        self.primal = set(primal)
        self.prims = prims or {}
        self.line_of = line_of
        self.nodes = {}
        self.edges = []
        self.root = _Cluster(None, "", "")
        self.stack = [self.root]
        self.version = {}
        self.shared = {}   # one node per module-level name / primal value
        self.clusters = 0
        self.outputs = []

    # -- nodes and edges -------------------------------------------------------------------

    def node(self, label, style):
        node_id = f"{self.prefix}{len(self.nodes)}"
        self.nodes[node_id] = {"label": label, "style": style}
        self.stack[-1].items.append(node_id)
        return node_id

    def edge(self, source, target, label=None, style=None):
        attrs = []
        if label:
            attrs.append(f"label={quote(label)}")
        if style:
            attrs.append(style)
        self.edges.append(f"{source} -> {target}" + (f" [{', '.join(attrs)}]" if attrs else ""))

    def op(self, label, inputs, style=OPERATION):
        node_id = self.node(label, style)
        for source, edge_label in inputs:
            self.edge(source, node_id, edge_label)
        return node_id

    def new_version(self, name, source, edge_label=None, edge_style=None, style=VARIABLE):
        node_id = self.node(name, style)
        if source is not None:
            self.edge(source, node_id, edge_label, edge_style)
        self.version[name] = node_id
        return node_id

    def read(self, name):
        if name in self.version:
            return self.version[name]
        key = ("name", name)
        if key not in self.shared:
            if name in self.primal:
                self.shared[key] = self._root_node(name, PRIMAL_VALUE)
            elif name in self.locals:   # read before any assignment drawn (maybe unbound)
                return self.new_version(name, None)
            else:
                self.shared[key] = self._root_node(name, CONSTANT)
        return self.shared[key]

    def _root_node(self, label, style):
        saved, self.stack = self.stack, self.stack[:1]
        try:
            return self.node(label, style)
        finally:
            self.stack = saved

    def cluster(self, label, style='style="rounded,dashed"; color="#888888"'):
        self.clusters += 1
        child = _Cluster(f"cluster_{self.prefix}{self.clusters}", label, style)
        self.stack[-1].items.append(child)
        return child

    # -- expressions -----------------------------------------------------------------------

    def expr(self, node):
        """The node id holding ``node``'s value (drawing the operations it needs)."""
        if isinstance(node, gast.Name):
            return self.read(node.id)
        if isinstance(node, gast.Constant):
            return self.node(text_of(node, 24), CONSTANT)
        if isinstance(node, gast.BinOp):
            return self.op(_BINOPS.get(type(node.op), type(node.op).__name__),
                           [(self.expr(node.left), None), (self.expr(node.right), None)])
        if isinstance(node, gast.UnaryOp):
            return self.op(_UNARYOPS.get(type(node.op), type(node.op).__name__),
                           [(self.expr(node.operand), None)])
        if isinstance(node, gast.BoolOp):
            label = "and" if isinstance(node.op, gast.And) else "or"
            return self.op(label, [(self.expr(v), None) for v in node.values])
        if isinstance(node, gast.Compare):
            label = " ".join(_COMPARE.get(type(o), "?") for o in node.ops)
            operands = [node.left] + list(node.comparators)
            return self.op(label, [(self.expr(v), None) for v in operands])
        if isinstance(node, gast.Call):
            return self.call(node)
        if isinstance(node, gast.Attribute):
            root = node
            while isinstance(root, gast.Attribute):
                root = root.value
            if isinstance(root, gast.Name) and root.id not in self.locals \
                    and root.id not in self.version:
                return self.node(text_of(node, 32), CONSTANT)   # np.pi, math.e
            return self.op(f".{node.attr}", [(self.expr(node.value), None)])
        if isinstance(node, gast.Subscript):
            inputs = [(self.expr(node.value), None)]
            inputs += [(self.read(n), "index") for n in names_loaded(node.slice)]
            return self.op(f"[{text_of(node.slice, 24)}]", inputs)
        if isinstance(node, (gast.Tuple, gast.List, gast.Set)):
            return self.op(type(node).__name__.lower(), [(self.expr(e), None) for e in node.elts])
        if isinstance(node, gast.Dict):
            return self.op("dict", [(self.expr(v), text_of(k, 16) if k is not None else "**")
                                    for k, v in zip(node.keys, node.values)])
        if isinstance(node, gast.IfExp):
            return self.op("if-else", [(self.expr(node.test), "test"),
                                       (self.expr(node.body), "then"),
                                       (self.expr(node.orelse), "else")])
        if isinstance(node, gast.Starred):
            return self.expr(node.value)
        # anything else: one box with the expression's text, fed by the names it reads
        return self.op(text_of(node, 32), [(self.read(n), None) for n in names_loaded(node)])

    def call(self, node):
        func = node.func
        inputs, receiver = [], None
        spelled = '.'.join(dotted(func) or []) or None
        if isinstance(func, gast.Attribute) and spelled is not None \
                and spelled.split(".")[0] in self.locals | self.primal | set(self.version):
            receiver = spelled.rsplit(".", 1)[0]
            label = f".{func.attr}()"
            inputs.append((self.expr(func.value), None))
        elif spelled == "__srcgrad_setitem__" and len(node.args) == 3:
            label = f"[{text_of(node.args[1], 24)}] ="   # x[i] = v, made by normalization
        elif spelled is not None:
            label = spelled
        else:
            label = "call"
            inputs.append((self.expr(func), "function"))
        inputs += [(self.expr(a), None) for a in node.args]
        inputs += [(self.expr(k.value), k.arg or "**") for k in node.keywords]
        prim = self.prims.get(id(node))
        style = OPERATION
        if prim is not None and prim.callee is not None:
            from .pipeline import _is_user_function
            if _is_user_function(prim.callee):
                style = USER_CALL
        op_id = self.op(label, inputs, style)
        if receiver is not None and "." not in receiver and func.attr in MUTATORS:
            self.new_version(receiver, op_id)   # xs.append(v): xs changes
        return op_id

    # -- statements ------------------------------------------------------------------------

    def statements(self, stmts):
        for stmt in stmts:
            self.statement(stmt)

    def statement(self, stmt):
        if isinstance(stmt, gast.Assign):
            value = self.expr(stmt.value)
            copy = isinstance(stmt.value, gast.Name)
            for target in stmt.targets:
                self.assign(target, value, "=" if copy else None, "style=dashed" if copy else None)
        elif isinstance(stmt, gast.AugAssign):
            current = self.expr(_as_load(stmt.target))
            result = self.op(_BINOPS.get(type(stmt.op), "?"),
                             [(current, None), (self.expr(stmt.value), None)])
            self.assign(stmt.target, result)
        elif isinstance(stmt, gast.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.expr(stmt.value))
        elif isinstance(stmt, gast.Expr):
            if not _is_comment(stmt):
                self.expr(stmt.value)
        elif isinstance(stmt, gast.Return):
            if stmt.value is not None:
                values = stmt.value.elts if isinstance(stmt.value, gast.Tuple) else [stmt.value]
                for value in values:
                    self.outputs.append(self.expr(value))
        elif isinstance(stmt, gast.If):
            self.if_(stmt)
        elif isinstance(stmt, (gast.For, gast.While)):
            self.loop(stmt)
        elif isinstance(stmt, (gast.Pass, gast.Break, gast.Continue)):
            pass
        else:   # a statement srcgrad rejects anyway: one box, so nothing is hidden
            inputs = [(self.read(n), None) for n in names_loaded(stmt)]
            box = self.op(text_of(stmt, 32), inputs)
            for name in names_stored(stmt):
                self.new_version(name, box)

    def assign(self, target, source, label=None, style=None):
        if isinstance(target, gast.Name):
            self.new_version(target.id, source, label, style)
        elif isinstance(target, (gast.Tuple, gast.List)):
            for i, element in enumerate(target.elts):
                self.assign(element, source, f"[{i}]")
        elif isinstance(target, gast.Subscript):
            base = _root_name(target)
            inputs = [(self.expr(target.value), None), (source, "value")]
            inputs += [(self.read(n), "index") for n in names_loaded(target.slice)]
            box = self.op(f"[{text_of(target.slice, 24)}] =", inputs)
            if base is not None:
                self.new_version(base, box)
        elif isinstance(target, gast.Attribute):
            base = _root_name(target)
            box = self.op(f".{target.attr} =", [(self.expr(target.value), None),
                                                (source, "value")])
            if base is not None:
                self.new_version(base, box)
        elif isinstance(target, gast.Starred):
            self.assign(target.value, source, label, style)

    def _header(self, stmt, text):
        line = self.line_of(stmt.lineno) if self.line_of and getattr(
            stmt, "lineno", None) else None
        line = " ".join(line.split()) if line else None
        if line and line.rstrip(":") != text:
            return f"{text}\n(source: {line if len(line) <= 60 else line[:57] + '...'})"
        return text

    def if_(self, stmt):
        test = self.expr(stmt.test)
        outer = self.cluster(self._header(stmt, f"if {text_of(stmt.test)}"))
        before = dict(self.version)
        self.stack.append(outer)
        diamond = self.op("if", [(test, None)], BRANCH)
        branches = []
        for field, name in (("body", "then"), ("orelse", "else")):
            block = getattr(stmt, field)
            self.version = dict(before)
            if block:
                branch = self.cluster(name, 'style="rounded,dotted"; color="#aaaaaa"')
                self.stack.append(branch)
                self.statements(block)
                self.stack.pop()
                first = _first_node(branch)
                if first is not None:
                    self.edge(diamond, first, "yes" if name == "then" else "no",
                              'style=dotted, color="#6a5acd"')
            branches.append(self.version)
        self.stack.pop()
        self.version = dict(before)
        for name in _changed(before, branches):
            sources = {b.get(name) for b in branches} - {None}
            if name not in before and (not stmt.orelse or len(sources) < len(branches)):
                # a temporary of one branch: no merge to draw
                self.version[name] = next(b[name] for b in branches if name in b)
                continue
            merged = self.node(name, MERGE)
            for source in sorted(sources):
                self.edge(source, merged, None, "style=dashed")
            self.version[name] = merged

    def loop(self, stmt):
        if isinstance(stmt, gast.For):
            header = f"for {text_of(stmt.target)} in {text_of(stmt.iter)}"
            iterable = self.expr(stmt.iter)
        else:
            header = f"while {text_of(stmt.test)}"
        box = self.cluster(self._header(stmt, header))
        self.stack.append(box)
        carried = {}
        for name in names_stored(gast.Module(body=list(stmt.body), type_ignores=[])):
            if name in self.version or name in self.primal:
                carried[name] = self.new_version(name, self.read(name), None,
                                                 "style=dashed", MERGE)
        if isinstance(stmt, gast.For):
            self.assign(stmt.target, self.op("next", [(iterable, None)]))
        else:
            self.op("while", [(self.expr(stmt.test), None)], BRANCH)
        self.statements(stmt.body)
        for name, node_id in carried.items():
            if self.version.get(name) != node_id:
                self.edge(self.version[name], node_id, None,
                          'style=dashed, color="#999999", constraint=false')
            self.version[name] = node_id
        if stmt.orelse:
            self.stack.append(self.cluster("else (no break)"))
            self.statements(stmt.orelse)
            self.stack.pop()
        self.stack.pop()

    def mark_outputs(self):
        for node_id in self.outputs:
            self.nodes[node_id]["extra"] = ", peripheries=2"

    def body_lines(self, cluster=None):
        """DOT lines of the nodes (inside ``cluster`` if given)."""
        self.mark_outputs()
        if cluster is None:
            return _render_items(self.root.items, self.nodes, 1)
        cluster.items = self.root.items
        return cluster.render(self.nodes, 1)


def _first_node(cluster):
    for item in cluster.items:
        found = _first_node(item) if isinstance(item, _Cluster) else item
        if found is not None:
            return found
    return None


def _changed(before, branches):
    names = []
    for branch in branches:
        for name, node_id in branch.items():
            if before.get(name) != node_id and name not in names:
                names.append(name)
    return names


def _is_comment(stmt):
    value = stmt.value
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Name) \
        and value.func.id == "__srcgrad_comment__"


def _root_name(node):
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None


def _as_load(target):
    """The same target, read (for ``x += v``)."""
    if isinstance(target, gast.Name):
        return gast.Name(id=target.id, ctx=gast.Load(), annotation=None, type_comment=None)
    return target


def _params(fn_node):
    args = fn_node.args
    params = list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)
    params += [a for a in (args.vararg, args.kwarg) if a is not None]
    return [p.id for p in params]


def primal_builder(ctx, prefix="p", wrt_names=()):
    """A :class:`Builder` holding the dataflow of ``ctx.node`` (the function after ToSSA)."""
    node = ctx.node
    stmts = primitives.classify(ctx)
    prims = {}
    for stmt in stmts:
        prim = anno_get(stmt, "prim")
        if prim is not None and isinstance(stmt.value, gast.Call):
            prims[id(stmt.value)] = prim
    params = _params(node)
    builder = Builder(prefix, set(params) | set(names_stored(node)), prims=prims,
                      line_of=ctx.parsed.line)
    for name in params:
        style = VARIABLE + (', penwidth=2' if name in wrt_names else "")
        builder.new_version(name, None, style=style)
    builder.statements(node.body)
    return builder


def adjoint_builder(fn_node, prefix="a"):
    """A :class:`Builder` holding the reverse sweep of a generated gradient function."""
    body = list(fn_node.body)
    start = next((i for i, s in enumerate(body) if isinstance(s, gast.Expr) and _is_comment(s)
                  and s.value.args[0].value == "reverse sweep"), 0)
    forward, reverse = body[:start], body[start + 1:]
    params = _params(fn_node)
    primal = set(params) | set(names_stored(gast.Module(body=forward, type_ignores=[])))
    assigned = set(names_stored(gast.Module(body=reverse, type_ignores=[])))
    builder = Builder(prefix, assigned, primal=primal)
    builder.statements(reverse)
    return builder


def to_dot(fn, wrt=0, adjoint=False):
    """Graphviz DOT text of ``fn``'s dataflow (and of its gradient's reverse sweep).

    Args:
        fn: a Python function srcgrad can normalize.
        wrt: the arguments to differentiate (drawn with a thick border; used
            for the adjoint sweep).
        adjoint: also draw the reverse sweep of ``srcgrad.grad(fn, wrt)``.

    Example::

        >>> def f(x, y):
        ...     return x * y + 1.0
        >>> text = to_dot(f)
        >>> text.splitlines()[0], '[label="*"' in text
        ('digraph srcgrad {', True)
    """
    from . import stages
    from .api import resolve_wrt
    from .source import unwrap

    wrt_names, _ = resolve_wrt(unwrap(fn), wrt)
    ctx = stages.context_at(fn, "to_ssa", wrt)
    title = stages.signature_text(unwrap(fn))
    primal = primal_builder(ctx, "p", wrt_names)
    lines = ["digraph srcgrad {",
             '  graph [fontname="Helvetica", fontsize=12, labelloc=t, '
             f'label={quote("dataflow of " + title)}, newrank=true];',
             '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=9, color="#555555"];']
    edges = list(primal.edges)
    if not adjoint:
        lines += primal.body_lines()
    else:
        generated = stages.context_at(fn, "simplify", wrt)
        names = generated.facts["names"]
        main = next(f for f in generated.facts["generated"] if f.name == names["main"])
        reverse = adjoint_builder(main, "a")
        style = 'style="rounded,filled"; fillcolor="#fafafa"; color="#444444"'
        lines += primal.body_lines(_Cluster("cluster_primal", f"{title}: forward", style))
        lines += reverse.body_lines(_Cluster(
            "cluster_adjoint", f"{main.name}: reverse sweep (adjoints)", style))
        edges += reverse.edges
    lines += [f"  {e};" for e in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def output_format(path):
    """``dot``, ``svg`` or ``png`` from ``path``'s extension; ValueError otherwise."""
    ext = path.rsplit(".", 1)[-1].lower() if "." in path.replace("\\", "/").split("/")[-1] \
        else ""
    if ext not in FORMATS:
        raise ValueError(f"cannot write '{path}': the output must end in "
                         + ", ".join("." + f for f in FORMATS))
    return ext


def write(dot_text, path):
    """Save ``dot_text`` to ``path``: as is for ``.dot``, rendered by Graphviz otherwise."""
    fmt = output_format(path)
    if fmt == "dot":
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(dot_text)
        return
    program = shutil.which("dot")
    if program is None:
        raise GraphvizMissingError(
            f"writing .{fmt} needs Graphviz's 'dot' program, which is not installed: install "
            "Graphviz (apt-get install graphviz, brew install graphviz, conda install graphviz) "
            "or write a .dot file")
    result = subprocess.run([program, f"-T{fmt}", "-o", path], input=dot_text.encode(),
                            capture_output=True, timeout=120)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise RenderError(f"Graphviz 'dot' failed to render {path}: "
                           + (message[0] if message else f"exit status {result.returncode}"))
