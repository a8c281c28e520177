"""gast trees -> Python text. The only module that imports astor.

Comment markers (``__srcgrad_comment__('...')`` statements made by
:func:`srcgrad.astutil.comment`) become ``# ...`` lines.
"""

from __future__ import annotations

import ast
import re

import astor
import gast

from .astutil import deepcopy, statements

_COMMENT = re.compile(r"^(\s*)__srcgrad_comment__\((\d+)\)\s*$")


def _is_comment(stmt):
    value = getattr(stmt, "value", None)
    return (isinstance(stmt, gast.Expr) and isinstance(value, gast.Call)
            and isinstance(value.func, gast.Name) and value.func.id == "__srcgrad_comment__")


def _fill_comment_only_blocks(tree):
    """A block holding only comments would be empty text: give it a ``pass``."""
    for node in [tree, *statements(tree)]:
        for field in ("body", "orelse"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and all(_is_comment(s) for s in block):
                block.append(gast.Pass())


def to_source(nodes):
    """Python source text for a list of gast statements (usually FunctionDefs)."""
    texts = []

    class Number(gast.NodeVisitor):
        def visit_Call(self, node):
            if isinstance(node.func, gast.Name) and node.func.id == "__srcgrad_comment__":
                texts.append(node.args[0].value)
                node.args = [gast.Constant(value=len(texts) - 1, kind=None)]
            self.generic_visit(node)

    nodes = [deepcopy(n) for n in nodes]
    for n in nodes:
        _fill_comment_only_blocks(n)
        Number().visit(n)
    module = gast.Module(body=list(nodes), type_ignores=[])
    tree = gast.gast_to_ast(module)
    ast.fix_missing_locations(tree)
    text = astor.to_source(tree, indent_with="    ")
    lines = []
    for line in text.splitlines():
        match = _COMMENT.match(line)
        if match:
            lines.append(f"{match.group(1)}# {texts[int(match.group(2))]}")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"
