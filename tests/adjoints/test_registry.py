"""Every registered rule is exercised by a rule test.

Each family's test module lists the primal functions it checks in a
module-level set ``COVERED``; together they must cover the registry.
"""

import importlib
import pkgutil

import tests.adjoints as package
from srcgrad.adjoints import registry


def _covered():
    covered = set()
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("test_"):
            module = importlib.import_module(f"tests.adjoints.{info.name}")
            covered |= {registry._key(t) for t in getattr(module, "COVERED", ())}
    return covered


def test_every_registered_rule_has_a_test():
    covered = _covered()
    ours = [r for r in registry.all_rules() if r.fn.__module__.startswith("srcgrad.adjoints")]
    missing = sorted({getattr(r.target, "__qualname__", None) or repr(r.target)
                      for r in ours if registry._key(r.target) not in covered})
    assert not missing, f"rules without a test (add them to a COVERED set): {missing}"
