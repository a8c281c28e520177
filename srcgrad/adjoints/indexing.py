"""Indexing rules. Element reads are handled by the transform itself (their
cotangents are scattered in place with ``add_at``); element writes
(``x[i] = v``, lowered to ``setitem``) have their rule in runtime_rules.py.
"""
