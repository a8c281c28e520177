"""Process-wide switches, read once from the environment.

``SRCGRAD_OPTIMIZE=0`` turns off the optional rewrites of generated code
(Simplify's folding, copy propagation, fusion and dead-code removal, and
SpecializeShapes), leaving the plain output of ReverseMode. Results must not
change; the test suite runs both ways (``make test``).
"""

from __future__ import annotations

import os

optimize = os.environ.get("SRCGRAD_OPTIMIZE", "1") != "0"
