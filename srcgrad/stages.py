"""Run the pipeline on a function up to a named stage (``srcgrad show --stage``).

The stages are ``pipeline.STAGES``: ``"parsed"`` (the function as read from
its source), one per pass (normalization, then differentiation) and
``"final"`` (the generated source, exactly as ``srcgrad.source`` shows it).
Stopping early shows what each pass did; stopping at ``"to_ssa"`` gives the
one-primitive-per-assignment form the dataflow graph is drawn from.
"""

from __future__ import annotations

import inspect
import sys

from . import codegen, pipeline
from .analyses import kinds as K
from .api import grad, source, specialized_target
from .errors import SrcgradError

NORMALIZE_STAGES = ["parsed"] + [p.name for p in pipeline.NORMALIZE]
DIFFERENTIATE_STAGES = [p.name for p in pipeline.DIFFERENTIATE]


class StageError(SrcgradError):
    """An unknown stage name."""


def check_stage(stage):
    """Raise :class:`StageError` (listing the valid names) unless ``stage`` is one."""
    if stage not in pipeline.STAGES:
        raise StageError(f"unknown stage '{stage}'; the stages are: "
                         + ", ".join(pipeline.STAGES))


def describe(stage):
    """One line saying what holds after ``stage``.

    >>> describe("to_anf")
    'After ToANF, every statement computes at most one primitive on atoms.'
    """
    check_stage(stage)
    if stage == "parsed":
        return "The function as parsed from its source."
    if stage == "final":
        return "The generated source, as srcgrad.source shows it (helpers included)."
    cls = next(p for p in pipeline.NORMALIZE + pipeline.DIFFERENTIATE if p.name == stage)
    doc = sys.modules[cls.__module__].__doc__ or cls.__name__
    return " ".join(doc.strip().split("\n\n")[0].split()).replace("``", "`")


def example_arguments(derivative):
    """Arguments like ``srcgrad.source`` uses for a never-called derivative: floats.

    Parameters with defaults keep them (unless differentiated).
    """
    params = derivative.signature.parameters.values()
    args = tuple(1.0 if p.default is p.empty or p.name in derivative.wrt_names else p.default
                 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    kwargs = {p.name: 1.0 if p.default is p.empty else p.default
              for p in params if p.kind is p.KEYWORD_ONLY}
    return args, kwargs


def context_at(f, stage, wrt=0, order=1):
    """The :class:`~srcgrad.context.FunctionContext` of ``f``'s order-``order``
    derivative transform, stopped after ``stage`` (not ``"final"``).

    Orders above 1 differentiate the generated code of the order below, so the
    stages shown are those of that last transform.
    """
    check_stage(stage)
    if stage == "final":
        raise ValueError("context_at: 'final' has no context; use stage_source")
    g = f
    for _ in range(order - 1):
        g = grad(g, wrt=wrt)
    derivative = grad(g, wrt=wrt).__srcgrad_derivative__
    args, kwargs = example_arguments(derivative)
    bound = derivative.signature.bind(*args, **kwargs)
    bound.apply_defaults()
    kinds = {name: K.kind_of_value(value) for name, value in bound.arguments.items()}
    target = specialized_target(derivative.fn, args, kwargs)
    if stage in NORMALIZE_STAGES:
        return pipeline.normalize(target, stop_after=stage)
    return pipeline.get_unit(target, "grad", derivative.wrt_names, kinds,
                             derivative.wrt_tuple, stop_after=stage)


def stage_source(f, stage, wrt=0, order=1):
    """The Python text of ``f``'s derivative transform after ``stage``.

    The text opens with comments naming the stage, the function being
    transformed and what holds after the stage.
    """
    check_stage(stage)
    number = pipeline.STAGES.index(stage) + 1
    if stage == "final":
        g = f
        for _ in range(order):
            g = grad(g, wrt=wrt)
        text, transformed = source(g), g.__srcgrad_derivative__.fn
    else:
        ctx = context_at(f, stage, wrt, order)
        nodes = ctx.facts["generated"] if stage in DIFFERENTIATE_STAGES else [ctx.node]
        text, transformed = codegen.to_source(nodes), ctx.fn
    of = f", for the order-{order} derivative" if order > 1 else ""
    return (f"# stage {number}/{len(pipeline.STAGES)}: {stage} "
            f"(transforming {transformed.__name__}{of})\n"
            f"# {describe(stage)}\n" + text)


def signature_text(fn):
    """``name(a, b=1.0)``, for titles."""
    try:
        return f"{fn.__name__}{inspect.signature(fn)}"
    except (TypeError, ValueError):
        return fn.__name__
