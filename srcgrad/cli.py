"""The ``srcgrad`` command line (also ``python -m srcgrad``).

    srcgrad show  TARGET [--wrt N|NAME ...] [--order K] [--stage NAME] [--color WHEN]
    srcgrad graph TARGET [-o out.svg|out.png|out.dot] [--adjoint] [--wrt N|NAME ...]
    srcgrad check TARGET --at "1.0, [2.0, 3.0]" [--order K] [--wrt N|NAME ...]

TARGET is ``path/to/file.py:function`` or ``package.module:function``.
``show`` prints the generated derivative source (after any pipeline stage
with ``--stage``; highlighted on a terminal), ``graph`` draws the function's
dataflow with Graphviz (``srcgrad.graph``), ``check`` compares derivatives
at a point with central differences (``srcgrad.numcheck``; exit status 1 on
a mismatch). Errors print one line (or a located block) to stderr and exit
non-zero; never a Python traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.machinery
import importlib.util
import os
import sys

from . import __version__
from .errors import SrcgradError


class TargetError(Exception):
    """A bad TARGET on the command line."""


def _origin(exc):
    """``file:line: `` of the innermost frame of ``exc``'s traceback."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return ""
    return f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}: "


def load_target(target):
    """``path/to/file.py:func`` or ``package.module:func`` -> the function."""
    if ":" not in target:
        raise TargetError(f"target '{target}' must look like path/to/file.py:function "
                          "or package.module:function")
    where, _, name = target.rpartition(":")
    if where.endswith(".py") or os.sep in where or "/" in where:
        if not os.path.exists(where):
            raise TargetError(f"{where}: no such file")
        module_name = "_srcgrad_target_" + os.path.splitext(os.path.basename(where))[0]
        loader = importlib.machinery.SourceFileLoader(module_name, where)  # any extension
        spec = importlib.util.spec_from_file_location(module_name, where, loader=loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        directory = os.path.dirname(os.path.abspath(where))
        sys.path.insert(0, directory)
        try:
            spec.loader.exec_module(module)
        except SyntaxError as exc:
            raise TargetError(f"{exc.filename}:{exc.lineno}: syntax error: {exc.msg}") from None
        except Exception as exc:  # the user's module failed at import
            raise TargetError(f"{_origin(exc)}importing {where} raised "
                              f"{type(exc).__name__}: {exc}") from None
        finally:
            sys.path.remove(directory)
    else:
        if os.getcwd() not in sys.path and "" not in sys.path:
            sys.path.insert(0, os.getcwd())  # as 'python -m' would
        try:
            module = importlib.import_module(where)
        except ModuleNotFoundError as exc:
            raise TargetError(f"no module named '{exc.name}'") from None
        except SyntaxError as exc:
            raise TargetError(f"{exc.filename}:{exc.lineno}: syntax error: {exc.msg}") from None
        except Exception as exc:  # the user's module failed at import
            raise TargetError(f"{_origin(exc)}importing {where} raised "
                              f"{type(exc).__name__}: {exc}") from None
    obj = module
    for part in name.split("."):
        if not hasattr(obj, part):
            raise TargetError(f"{where} has no function '{name}'")
        obj = getattr(obj, part)
    if not callable(obj):
        raise TargetError(f"{where}:{name} is not a function")
    return obj


def _wrt(values):
    if not values:
        return 0
    parsed = [int(v) if v.lstrip("-").isdigit() else v for v in values]
    return parsed[0] if len(parsed) == 1 else tuple(parsed)


def _check_order(order):
    if order < 1:
        raise TargetError(f"--order must be 1 or more, not {order}")


def cmd_show(args):
    from . import stages
    from .api import grad, source
    from .highlight import highlight, use_color

    _check_order(args.order)
    if args.stage is not None:
        stages.check_stage(args.stage)
    fn = load_target(args.target)
    if args.stage is not None:
        text = stages.stage_source(fn, args.stage, wrt=_wrt(args.wrt), order=args.order)
    else:
        g = fn
        for _ in range(args.order):
            g = grad(g, wrt=_wrt(args.wrt))
        text = source(g)
    sys.stdout.write(highlight(text) if use_color(args.color, sys.stdout) else text)
    return 0


def cmd_graph(args):
    from . import graph

    if args.output is not None:
        try:
            graph.output_format(args.output)
        except ValueError as exc:
            raise TargetError(str(exc)) from None
    fn = load_target(args.target)
    text = graph.to_dot(fn, wrt=_wrt(args.wrt), adjoint=args.adjoint)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        graph.write(text, args.output)
    except graph.RenderError as exc:
        raise TargetError(str(exc)) from None
    except OSError as exc:
        raise TargetError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"wrote {args.output}")
    return 0


def _describe_point(args, kwargs, names):
    import numpy as np

    def show(value):
        if isinstance(value, np.ndarray):
            return np.array2string(value, separator=", ", threshold=8)
        return repr(value)

    parts = [show(v) for v in args] + [f"{k}={show(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)


def cmd_check(args):
    from . import numcheck
    from .source import unwrap
    from .stages import signature_text

    _check_order(args.order)
    try:
        values = numcheck.parse_point(args.at)
        fn = load_target(args.target)
        point_args, kwargs, names = numcheck.prepare(
            fn, values, _wrt(args.wrt) if args.wrt else None)
        sections = numcheck.compare(fn, point_args, kwargs, names, order=args.order,
                                    eps=args.eps, rtol=args.rtol, atol=args.atol)
    except numcheck.PointError as exc:
        raise TargetError(str(exc)) from None
    heading = (f"check {signature_text(unwrap(fn))} at "
               f"({_describe_point(point_args, kwargs, names)}), step {args.eps:g}")
    text, agree = numcheck.report(sections, heading, args.rtol, args.atol)
    sys.stdout.write(text)
    return 0 if agree else 1


def _add_target_and_wrt(parser):
    parser.add_argument("target", help="path/to/file.py:function or package.module:function")
    parser.add_argument("--wrt", nargs="+", metavar="N|NAME",
                        help="argument positions or names to differentiate")


def build_parser():
    from .pipeline import STAGES

    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="srcgrad", formatter_class=formatter,
        description="Source-to-source automatic differentiation for Python.",
        epilog="examples:\n"
               "  srcgrad show examples/goldstein.py:goldstein --wrt 0 1\n"
               "  srcgrad graph examples/goldstein.py:goldstein -o goldstein.svg\n"
               "  srcgrad check examples/goldstein.py:goldstein --at \"1.0, 1.0\"")
    parser.add_argument("--version", action="version", version=f"srcgrad {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    show = sub.add_parser(
        "show", help="print the generated derivative source of a function",
        formatter_class=formatter,
        description="Print the generated derivative source of a function, or the function "
                    "after one stage of srcgrad's pipeline.",
        epilog="examples:\n"
               "  srcgrad show examples/goldstein.py:goldstein --wrt 0 1\n"
               "  srcgrad show examples/goldstein.py:goldstein --stage to_anf\n\n"
               "stages, in order: " + ", ".join(STAGES))
    _add_target_and_wrt(show)
    show.add_argument("--order", type=int, default=1, help="derivative order (default: 1)")
    show.add_argument("--stage", metavar="NAME",
                      help="stop after this stage of the pipeline and print the code there")
    show.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                      help="highlight the source: auto (default: on a terminal, unless "
                           "NO_COLOR is set), always or never")
    show.add_argument("--no-color", dest="color", action="store_const", const="never",
                      help="same as --color never")
    show.set_defaults(run=cmd_show)

    graph = sub.add_parser(
        "graph", help="draw a function's dataflow graph (Graphviz)",
        formatter_class=formatter,
        description="Draw the computation of a function as a dataflow graph: variables "
                    "(ellipses) and operations (boxes) of its normalized form, with clusters "
                    "for if/for/while. Without -o, print the Graphviz DOT text.",
        epilog="examples:\n"
               "  srcgrad graph examples/goldstein.py:goldstein -o goldstein.svg\n"
               "  srcgrad graph examples/goldstein.py:goldstein --adjoint -o both.png\n"
               "  srcgrad graph examples/goldstein.py:goldstein | dot -Tpdf > g.pdf\n\n"
               ".svg and .png are rendered by Graphviz's 'dot' program; .dot needs nothing.")
    _add_target_and_wrt(graph)
    graph.add_argument("-o", "--output", metavar="FILE",
                       help="write FILE: .svg, .png or .dot (default: DOT text to stdout)")
    graph.add_argument("--adjoint", action="store_true",
                       help="draw the reverse sweep of the gradient beside the function")
    graph.set_defaults(run=cmd_graph)

    check = sub.add_parser(
        "check", help="compare derivatives at a point with central differences",
        formatter_class=formatter,
        description="Evaluate srcgrad's derivatives of a function at a point and compare "
                    "them with central differences; print a table and exit with status 1 "
                    "when any disagree.",
        epilog="examples:\n"
               "  srcgrad check examples/goldstein.py:goldstein --at \"1.0, 1.0\"\n"
               "  srcgrad check model.py:loss --at \"[1.0, 2.0], 3.0\" --order 2\n\n"
               "--at takes Python literals separated by commas; lists become float arrays. "
               "Without --wrt,\nevery argument given as a float or a list is checked.")
    _add_target_and_wrt(check)
    check.add_argument("--at", required=True, metavar="VALUES",
                       help="the point: comma-separated Python literals, e.g. \"[1.0, 2.0], "
                            "3.0\"")
    check.add_argument("--order", type=int, default=1,
                       help="check derivatives up to this order (default: 1)")
    check.add_argument("--rtol", type=float, default=1e-4,
                       help="relative tolerance (default: 1e-4)")
    check.add_argument("--atol", type=float, default=1e-6,
                       help="absolute tolerance (default: 1e-6)")
    check.add_argument("--eps", type=float, default=1e-6,
                       help="finite-difference step, relative to max(1, |x|) (default: 1e-6)")
    check.set_defaults(run=cmd_check)
    return parser


def _join_at(argv):
    """``--at -1.0,2`` -> ``--at=-1.0,2``: argparse would take ``-1.0,2`` for an option."""
    out, i = [], 0
    while i < len(argv):
        if argv[i] == "--at" and i + 1 < len(argv):
            out.append("--at=" + argv[i + 1])
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(_join_at(list(sys.argv[1:] if argv is None else argv)))
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except TargetError as exc:
        print(f"srcgrad: error: {exc}", file=sys.stderr)
        return 1
    except SrcgradError as exc:
        print(f"srcgrad: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:   # srcgrad show ... | head: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # never a traceback on the command line
        if os.environ.get("SRCGRAD_DEBUG"):
            raise
        print(f"srcgrad: error: {_origin(exc)}{type(exc).__name__}: {exc} "
              "(set SRCGRAD_DEBUG=1 to see the traceback)", file=sys.stderr)
        return 1
