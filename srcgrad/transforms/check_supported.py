"""After CheckSupported, the function uses only constructs srcgrad differentiates.

Anything else raises :class:`~srcgrad.errors.UnsupportedSyntaxError` located at
the offending node, with a suggestion.
"""

from __future__ import annotations

import gast

from ..errors import UnsupportedSyntaxError

_REJECTED = {
    gast.Try: ("a 'try' statement",
               "move the try/except out of the differentiated function, or wrap the "
               "risky call in a helper and register a rule for it with @srcgrad.adjoint"),
    gast.With: ("a 'with' statement",
                "move the 'with' block out of the differentiated function"),
    gast.AsyncWith: ("an 'async with' statement", "differentiate a plain synchronous function"),
    gast.AsyncFor: ("an 'async for' loop", "differentiate a plain synchronous function"),
    gast.Await: ("'await'", "differentiate a plain synchronous function"),
    gast.Yield: ("'yield' (a generator)", "return a value instead of yielding values"),
    gast.YieldFrom: ("'yield from' (a generator)", "return a value instead of yielding values"),
    gast.Global: ("a 'global' declaration",
                  "return the value instead of writing a global variable"),
    gast.Nonlocal: ("a 'nonlocal' declaration",
                    "return the value instead of writing an enclosing function's variable"),
    gast.ClassDef: ("a class definition inside the function",
                    "define the class at module level"),
    gast.FunctionDef: ("a function definition inside the function",
                       "define the helper at module level (srcgrad differentiates calls to it)"),
    gast.AsyncFunctionDef: ("an async function definition", "define helpers at module level"),
    gast.Lambda: ("a lambda inside the function",
                  "define the lambda as a module-level function and call it"),
    gast.ListComp: ("a list comprehension",
                    "write it as a for loop that appends to a list, or use NumPy operations"),
    gast.SetComp: ("a set comprehension", "write it as a for loop"),
    gast.DictComp: ("a dict comprehension", "write it as a for loop"),
    gast.GeneratorExp: ("a generator expression",
                        "write it as a for loop, or use a list and sum()"),
    gast.NamedExpr: ("an assignment expression (':=')", "assign in a separate statement"),
    gast.Delete: ("a 'del' statement", "assign a new value instead of deleting the name"),
    gast.Import: ("an import inside the function", "import at module level"),
    gast.ImportFrom: ("an import inside the function", "import at module level"),
    gast.Starred: ("starred arguments or targets ('*x')",
                   "pass and unpack arguments explicitly"),
}
_MATCH = getattr(gast, "Match", None)


class CheckSupported:
    """Reject what srcgrad cannot differentiate, with a located explanation.

    Before::

        def f(x):
            try:
                return 1 / x
            except ZeroDivisionError:
                return 0.0

    After: ``UnsupportedSyntaxError`` at the ``try`` line. A supported function
    passes through unchanged.
    """

    name = "check_supported"

    def __call__(self, ctx):
        fn_node = ctx.node
        args = fn_node.args
        if args.vararg is not None or args.kwarg is not None:
            bad = args.vararg or args.kwarg
            raise ctx.error(UnsupportedSyntaxError,
                            "srcgrad cannot differentiate a function with *args or **kwargs",
                            bad, hint="name every parameter explicitly")
        for stmt in fn_node.body:
            for node in gast.walk(stmt):
                self._check(ctx, node)
        return ctx

    def _check(self, ctx, node):
        for cls, (what, hint) in _REJECTED.items():
            if isinstance(node, cls):
                raise ctx.error(UnsupportedSyntaxError,
                                f"srcgrad cannot differentiate {what}", node, hint=hint)
        if _MATCH is not None and isinstance(node, _MATCH):
            raise ctx.error(UnsupportedSyntaxError,
                            "srcgrad cannot differentiate a 'match' statement", node,
                            hint="write it as if/elif/else")
        if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            for target in targets:
                for sub in gast.walk(target):
                    if isinstance(sub, gast.Attribute) and isinstance(sub.ctx, gast.Store):
                        raise ctx.error(
                            UnsupportedSyntaxError,
                            "srcgrad cannot differentiate an assignment to an attribute "
                            "('obj.a = ...')", node,
                            hint="build the new value in a local variable instead, or return it")
                    if isinstance(sub, gast.Subscript) and isinstance(sub.ctx, gast.Store) \
                            and not isinstance(sub.value, gast.Name):
                        raise ctx.error(
                            UnsupportedSyntaxError,
                            "srcgrad can only assign into elements of a local variable "
                            "('x[i] = v')", node,
                            hint="give the container a name first: y = ...; y[i] = v")
        if isinstance(node, (gast.For, gast.While)) and node.orelse:
            pass  # loop 'else' clauses are lowered by LowerLoops
