"""What every pass of one function's transform shares."""

from __future__ import annotations

from dataclasses import dataclass, field

from .astutil import all_names
from .naming import Namer


@dataclass
class FunctionContext:
    """One function on its way through the pipeline.

    Attributes:
        parsed: the :class:`~srcgrad.source.ParsedFunction` (fn, file, lines).
        node: the current ``FunctionDef`` tree; passes replace or edit it.
        namer: fresh names, seeded with every name the function uses.
        facts: results of analyses and decisions of passes, by name.
    """

    parsed: object
    node: object
    namer: Namer = None
    facts: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.namer is None:
            taken = all_names(self.node) | set(self.fn.__code__.co_names)
            taken |= set(self.fn.__code__.co_freevars) | set(self.fn.__globals__)
            self.namer = Namer(taken)

    @property
    def fn(self):
        return self.parsed.fn

    def error(self, cls, message, node=None, hint=None):
        return self.parsed.error(cls, message, node, hint)
