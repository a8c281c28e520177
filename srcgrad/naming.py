"""Fresh, collision-free, deterministic names for generated code.

A :class:`Namer` is seeded with every name a function already uses; each
request returns the preferred name if it is still free, else the preferred
name with the smallest free numeric suffix. Adjoints are named ``d`` + the
primal's name (``dx`` for ``x``), so generated code reads like maths.

>>> n = Namer({'x', 'dx'})
>>> n.fresh('t'), n.fresh('t'), n.adjoint('x'), n.adjoint('y')
('t', 't_1', 'dx_1', 'dy')
"""

from __future__ import annotations

import re

_SUFFIX = re.compile(r"^(.*?)(?:_(\d+))?$")


class Namer:
    def __init__(self, taken=()):
        self.taken = set(taken)
        self._next = {}
        self._adjoints = {}

    def reserve(self, name):
        self.taken.add(name)

    def fresh(self, base):
        base = base.strip("_") and base or "t"
        if base not in self.taken:
            self.taken.add(base)
            return base
        stem = _SUFFIX.match(base).group(1) or base
        k = self._next.get(stem, 1)
        while f"{stem}_{k}" in self.taken:
            k += 1
        self._next[stem] = k + 1
        name = f"{stem}_{k}"
        self.taken.add(name)
        return name

    def adjoint(self, primal):
        """The adjoint variable of ``primal`` (the same name every time)."""
        if primal not in self._adjoints:
            base = "d" + primal.lstrip("_") if not primal.startswith("_") else "d" + primal
            self._adjoints[primal] = self.fresh(base)
        return self._adjoints[primal]
