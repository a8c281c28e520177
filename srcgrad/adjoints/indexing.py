"""Rules for writing into elements (``x[i] = v`` is lowered to ``setitem``)."""

from ..runtime import setitem, take, unbroadcast, without
from .registry import adjoint


@adjoint(setitem)
def setitem_(g, out, container, index, value):
    return without(g, index), None, unbroadcast(take(g, index), value)
