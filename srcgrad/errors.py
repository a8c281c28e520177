"""Errors srcgrad raises about the user's code.

Every error carries the place it is about (file, line, column, the source
line) and a hint saying what to do instead, and renders as::

    path/to/file.py:12: srcgrad cannot differentiate a 'try' statement
        try:
        ^
    what to do: move the try/except out of the differentiated function ...
"""

from __future__ import annotations


class SrcgradError(Exception):
    """Base of every error srcgrad raises about the user's code.

    Attributes:
        message: what is wrong, one sentence.
        filename, lineno, col: where (``lineno`` is 1-based, ``col`` 0-based).
        line: the offending source line, without its newline.
        hint: what to do instead.
    """

    def __init__(self, message, *, filename=None, lineno=None, col=None,
                 line=None, hint=None):
        self.message = message
        self.filename = filename
        self.lineno = lineno
        self.col = col
        self.line = line
        self.hint = hint
        super().__init__(self._render())

    def _render(self):
        parts = []
        where = ""
        if self.filename:
            where = f"{self.filename}:{self.lineno}: " if self.lineno else f"{self.filename}: "
        parts.append(f"{where}{self.message}")
        if self.line is not None:
            stripped = self.line.rstrip()
            parts.append(f"    {stripped}")
            if self.col is not None:
                parts.append("    " + " " * self.col + "^")
        if self.hint:
            parts.append(f"what to do: {self.hint}")
        return "\n".join(parts)


class UnsupportedSyntaxError(SrcgradError):
    """The function uses a construct srcgrad does not differentiate."""


class NoRuleError(SrcgradError):
    """An active call of a function with neither readable source nor a rule."""


class NonScalarOutputError(SrcgradError):
    """``grad`` of a function whose output is not a scalar."""


class NonDifferentiableArgumentError(SrcgradError):
    """``wrt`` names an argument of a type that carries no derivative."""


class WrtError(SrcgradError):
    """``wrt`` names a parameter that does not exist."""


class SourceUnavailableError(SrcgradError):
    """The function's source cannot be read."""
