"""``python -m srcgrad`` is the ``srcgrad`` command."""

from .cli import main

raise SystemExit(main())
