"""Names under which generated code refers to objects (NumPy, rules' helpers, ...).

Generated functions run with the user's function's globals, so a name the user
already uses for the same object (``np`` for numpy) is reused as is. Any other
object is *injected*: bound to a fresh, collision-free name that the compiled
function sees as a closure variable.
"""

from __future__ import annotations


class Injector:
    def __init__(self, namer, fn, local_names):
        self.namer = namer
        self.fn = fn
        self.local_names = set(local_names)
        self.injected = {}      # name -> object
        self._by_id = {}

    def name_for(self, obj, preferred):
        key = id(obj)
        if key in self._by_id:
            return self._by_id[key]
        if preferred not in self.local_names and self._visible(preferred) is obj:
            self._by_id[key] = preferred
            return preferred
        if preferred in self.injected and self.injected[preferred] is obj:
            return preferred
        if preferred in self.namer.taken:
            name = self.namer.fresh(preferred)
        else:
            self.namer.reserve(preferred)
            name = preferred
        self.injected[name] = obj
        self._by_id[key] = name
        return name

    def name_of(self, obj):
        """The name handed out for ``obj``, or None."""
        return self._by_id.get(id(obj))

    def names(self):
        """Every name this injector has handed out."""
        return set(self.injected) | set(self._by_id.values())

    def _visible(self, name):
        fn = self.fn
        code = fn.__code__
        if name in code.co_freevars and fn.__closure__:
            try:
                return fn.__closure__[code.co_freevars.index(name)].cell_contents
            except ValueError:
                return None
        return fn.__globals__.get(name)
