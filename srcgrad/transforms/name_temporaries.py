"""After NameTemporaries, the temporaries that survive are named t1, t2, ... in order.

ToANF's temporaries are numbered as they were made (``t``, ``t_1``, ...);
most are fused away by Simplify, and the survivors get consecutive names in
reading order, with their adjoints following (``dt1``). Names the function
already uses are skipped. This is the last pass, so no name changes after
it.

"""

from __future__ import annotations

import gast


class NameTemporaries:
    """Give the surviving temporaries their final names.

    Before (the user's function; Simplify leaves ``t_2 = x * y + 1.0``)::

        def f(x, y):
            return math.sin(x * y + 1.0) * (x - y)

    After::

        def grad_f(x, y):
            t1 = x * y + 1.0
            # reverse sweep
            # return math.sin(x * y + 1.0) * (x - y)
            dx = 1.0 * math.sin(t1)
            dx = dx + 1.0 * (x - y) * math.cos(t1) * y
            return dx
    """

    name = "name_temporaries"

    def __call__(self, ctx):
        renumber_temporaries(ctx)
        return ctx


def renumber_temporaries(ctx):
    """Name the surviving ANF temporaries t1, t2, ... in order of appearance.

    Their adjoints follow (``dt1``); names the function already uses are skipped.
    """
    temps = ctx.facts.get("temps", set())
    adjoints = ctx.namer._adjoints
    family = {t: t for t in temps}
    family.update({adjoints[t]: t for t in temps if t in adjoints})
    order = []
    for fn in ctx.facts["generated"]:
        for node in gast.walk(fn):
            if isinstance(node, gast.Name) and node.id in family:
                temp = family[node.id]
                if temp not in order:
                    order.append(temp)
    if not order:
        return
    old_adjoints = {adjoints[t] for t in order if t in adjoints}
    avoid = set(ctx.namer.taken) - set(order) - old_adjoints
    mapping, k = {}, 0
    for temp in order:
        while True:
            k += 1
            new, dnew = f"t{k}", f"dt{k}"
            if new not in avoid and dnew not in avoid:
                break
        mapping[temp] = new
        if temp in adjoints:
            mapping[adjoints[temp]] = dnew
    for fn in ctx.facts["generated"]:
        for node in gast.walk(fn):
            if isinstance(node, gast.Name) and node.id in mapping:
                node.id = mapping[node.id]
