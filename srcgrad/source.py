"""Read a function's source and parse it into a gast ``FunctionDef``.

Every node of the returned tree carries absolute file positions (line numbers
of the file, columns of the file), so errors and generated comments point at
the user's real code. Works for module functions, closures, methods, lambdas,
functions defined in notebook cells (IPython keeps cell source in linecache)
and functions srcgrad itself generated (registered in linecache).
"""

from __future__ import annotations

import inspect
import linecache
import textwrap
from dataclasses import dataclass, field

import gast

from .astutil import anno_set
from .errors import SourceUnavailableError, UnsupportedSyntaxError


@dataclass
class ParsedFunction:
    fn: object
    node: gast.FunctionDef
    filename: str
    lines: list = field(repr=False)  # the file's lines, for messages

    def statement_text(self, lineno, end_lineno=None):
        """The statement starting at ``lineno`` as one line (continuations joined)."""
        end = end_lineno or lineno
        parts = []
        for n in range(lineno, end + 1):
            text = self.line(n)
            if text is None:
                break
            parts.append(text.strip().rstrip("\\").strip())
        joined = " ".join(p for p in parts if p)
        return joined if len(joined) <= 110 else joined[:107] + "..."

    def line(self, lineno):
        if lineno and 0 < lineno <= len(self.lines):
            return self.lines[lineno - 1].rstrip("\n")
        return None

    def error(self, cls, message, node=None, hint=None):
        """Build an error of class ``cls`` located at ``node``."""
        lineno = getattr(node, "lineno", None) if node is not None else self.node.lineno
        col = getattr(node, "col_offset", None) if node is not None else self.node.col_offset
        return cls(message, filename=self.filename, lineno=lineno, col=col,
                   line=self.line(lineno), hint=hint)


_cache: dict = {}


def unwrap(fn):
    """The plain Python function behind ``fn`` (bound methods, functools.wraps).

    Stops at functions srcgrad made: their ``__wrapped__`` names the function
    they differentiate, not their own code.
    """
    fn = inspect.unwrap(fn, stop=lambda f: hasattr(f, "__srcgrad_derivative__"))
    return getattr(fn, "__func__", fn)


def parse_function(fn) -> ParsedFunction:
    """Parse ``fn``'s source; raise :class:`SourceUnavailableError` if there is none."""
    fn = unwrap(fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        raise SourceUnavailableError(
            f"srcgrad cannot read the source of {fn!r}: it is not a Python function",
            hint="pass a function written in Python, or register a rule for it "
                 "with @srcgrad.adjoint")
    key = (code, code.co_filename, _lines_signature(code.co_filename))
    cached = _cache.get(key)
    if cached is not None:
        return ParsedFunction(fn, _copy_tree(cached.node), cached.filename, cached.lines)
    try:
        src_lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError) as exc:
        raise SourceUnavailableError(
            f"srcgrad cannot read the source of {fn.__qualname__}: {exc}",
            filename=code.co_filename, lineno=code.co_firstlineno,
            hint="define the function in a .py file or a notebook cell (not in an "
                 "interactive prompt or through exec), or register a rule for it "
                 "with @srcgrad.adjoint") from None
    text = "".join(src_lines)
    dedented = textwrap.dedent(text)
    indent = _indent_of(src_lines[0]) if src_lines else 0
    try:
        module = gast.parse(dedented)
    except SyntaxError:
        module = None
    node = _find_function(module, fn) if module is not None else None
    if node is None:
        node = _lambda_from_line(fn, dedented)
    if node is None:
        raise SourceUnavailableError(
            f"srcgrad could not find the definition of {fn.__qualname__} in its source",
            filename=code.co_filename, lineno=first,
            hint="write the function with 'def' on its own lines")
    _shift(node, first - 1, indent)
    node.decorator_list = []
    body = node.body
    if len(body) > 1 and isinstance(body[0], gast.Expr) and \
            isinstance(body[0].value, gast.Constant) and isinstance(body[0].value.value, str):
        node.body = body[1:]  # the docstring describes f, not its derivative
    lines = linecache.getlines(code.co_filename) or src_lines
    parsed = ParsedFunction(fn, node, code.co_filename, list(lines))
    _cache[key] = ParsedFunction(fn, _copy_tree(node), parsed.filename, parsed.lines)
    return parsed


def _lines_signature(filename):
    lines = linecache.getlines(filename)
    return (len(lines), hash(tuple(lines[:3])) if lines else 0)


def _copy_tree(node):
    from .astutil import deepcopy
    return deepcopy(node)


def _indent_of(line):
    return len(line) - len(line.lstrip())


def _find_function(module, fn):
    name = fn.__name__
    for node in gast.walk(module):
        if isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef)) and node.name == name:
            if isinstance(node, gast.AsyncFunctionDef):
                lineno = fn.__code__.co_firstlineno
                while "async" not in (linecache.getline(fn.__code__.co_filename, lineno)
                                      or "async"):
                    lineno += 1  # skip decorators
                line = linecache.getline(fn.__code__.co_filename, lineno).rstrip("\n")
                raise UnsupportedSyntaxError(
                    "srcgrad cannot differentiate an async function",
                    filename=fn.__code__.co_filename, lineno=lineno,
                    col=line.find("async") if "async" in line else None, line=line or None,
                    hint="differentiate a plain 'def' function")
            return node
    return None


def _lambda_from_line(fn, text):
    """Turn the one lambda on ``fn``'s source line into an equivalent def."""
    if fn.__name__ != "<lambda>":
        return None
    wanted = list(fn.__code__.co_varnames[: fn.__code__.co_argcount])
    found = []
    for candidate in (text, text.strip().rstrip(",)")):
        for trim in range(0, 40):
            try:
                module = gast.parse(candidate[: len(candidate) - trim] if trim else candidate)
            except SyntaxError:
                continue
            for node in gast.walk(module):
                if isinstance(node, gast.Lambda) and [a.id for a in node.args.args] == wanted:
                    found.append(node)
            break
        if found:
            break
    if len(found) != 1:
        return None
    lam = found[0]
    ret = gast.Return(value=lam.body)
    gast.copy_location(ret, lam)
    func = gast.FunctionDef(name="lambda_", args=lam.args, body=[ret], decorator_list=[],
                            returns=None, type_comment=None, type_params=[])
    return gast.copy_location(func, lam)


def _shift(tree, line_offset, col_offset):
    for node in gast.walk(tree):
        if hasattr(node, "lineno") and node.lineno is not None:
            node.lineno += line_offset
            if getattr(node, "end_lineno", None) is not None:
                node.end_lineno += line_offset
            if getattr(node, "col_offset", None) is not None:
                node.col_offset += col_offset
            if isinstance(node, gast.stmt):
                end = node.end_lineno if not isinstance(
                    node, (gast.If, gast.For, gast.While)) else node.lineno
                anno_set(node, "origin", (node.lineno, end))
