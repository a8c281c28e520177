"""The ``srcgrad`` command line.

    srcgrad show path/to/file.py:func [--wrt N|NAME ...] [--order K]

Errors print one line (or a located block) to stderr and exit non-zero; never a
Python traceback.
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


def cmd_show(args):
    from .api import grad, source
    if args.order < 1:
        raise TargetError(f"--order must be 1 or more, not {args.order}")
    fn = load_target(args.target)
    g = fn
    for _ in range(args.order):
        g = grad(g, wrt=_wrt(args.wrt))
    sys.stdout.write(source(g))
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="srcgrad", description="Source-to-source automatic differentiation for Python.")
    parser.add_argument("--version", action="version", version=f"srcgrad {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    show = sub.add_parser(
        "show", help="print the generated derivative source of a function",
        description="Print the generated derivative source of a function.",
        epilog="example: srcgrad show examples/goldstein.py:goldstein --wrt 0 1")
    show.add_argument("target", help="path/to/file.py:function or package.module:function")
    show.add_argument("--wrt", nargs="+", metavar="N|NAME",
                      help="argument positions or names to differentiate (default: 0)")
    show.add_argument("--order", type=int, default=1, help="derivative order (default: 1)")
    show.set_defaults(run=cmd_show)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
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
    except Exception as exc:  # never a traceback on the command line
        if os.environ.get("SRCGRAD_DEBUG"):
            raise
        print(f"srcgrad: error: {_origin(exc)}{type(exc).__name__}: {exc} "
              "(set SRCGRAD_DEBUG=1 to see the traceback)", file=sys.stderr)
        return 1
