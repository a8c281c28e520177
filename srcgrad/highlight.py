"""Syntax highlighting of Python source with ANSI colours, using only ``tokenize``.

``highlight(text)`` returns ``text`` with colour codes around comments,
keywords, strings, numbers and function names (defined or called); removing
the codes gives back ``text`` exactly. Text that does not tokenize is coloured
up to the point where tokenizing failed and left plain after it.
``use_color(mode, stream)`` decides whether to colour at all: ``"always"``,
``"never"``, or ``"auto"`` (a terminal, ``NO_COLOR`` unset, ``TERM`` not
``dumb``).
"""

from __future__ import annotations

import io
import keyword
import os
import re
import token
import tokenize

RESET = "\033[0m"
COLORS = {
    "comment": "\033[2;3m",     # dim italic
    "keyword": "\033[1;35m",    # bold magenta
    "string": "\033[32m",       # green
    "number": "\033[36m",       # cyan
    "function": "\033[1;34m",   # bold blue
}
_ANSI = re.compile(r"\033\[[0-9;]*m")
# Python 3.12+ splits f-strings into tokens; an f-string is coloured as one string
_FSTRING_START = getattr(token, "FSTRING_START", None)
_FSTRING_END = getattr(token, "FSTRING_END", None)


def strip(text):
    """``text`` without ANSI colour codes.

    >>> strip(highlight("x = 1  # one\\n")) == "x = 1  # one\\n"
    True
    """
    return _ANSI.sub("", text)


def use_color(mode="auto", stream=None, environ=None):
    """Whether to colour output written to ``stream`` (``mode``: auto, always, never)."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _classify(tok, previous, following):
    """The colour class of ``tok`` (or None), given the significant tokens around it."""
    if tok.type == token.COMMENT:
        return "comment"
    if tok.type == token.STRING:
        return "string"
    if tok.type == token.NUMBER:
        return "number"
    if tok.type == token.NAME:
        if keyword.iskeyword(tok.string):
            return "keyword"
        if previous is not None and previous.type == token.NAME and previous.string in (
                "def", "class"):
            return "function"
        if following is not None and following.type == token.OP and following.string == "(":
            return "function"
    return None


def _tokens(text):
    """The tokens of ``text``, as far as it tokenizes."""
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            out.append(tok)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return out


def _fstring_end(tokens, i):
    """The index of the FSTRING_END closing the FSTRING_START at ``i`` (or the last token)."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].type == _FSTRING_START:
            depth += 1
        elif tokens[j].type == _FSTRING_END:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def highlight(text):
    """``text`` (Python source) with ANSI colours.

    >>> highlight("def f(x):\\n    return 2\\n").count("\\033[")  # def, f, return, 2
    8
    """
    lines = io.StringIO(text).readlines()   # the lines tokenize sees (split at "\n" only)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position):
        row, col = position
        return starts[row - 1] + col if row - 1 < len(lines) else len(text)

    significant = [t for t in _tokens(text) if t.type not in (
        token.NL, token.NEWLINE, token.INDENT, token.DEDENT, token.ENDMARKER)]
    parts, done, i = [], 0, -1
    while i + 1 < len(significant):
        i += 1
        tok = significant[i]
        if _FSTRING_START is not None and tok.type == _FSTRING_START:
            i = _fstring_end(significant, i)
            kind, begin, end = "string", offset(tok.start), offset(significant[i].end)
        else:
            kind = _classify(tok, significant[i - 1] if i else None,
                             significant[i + 1] if i + 1 < len(significant) else None)
            if kind is None:
                continue
            begin, end = offset(tok.start), offset(tok.end)
        if begin < done:  # cannot happen for well-formed tokens; never garble the text
            continue
        parts.append(text[done:begin])
        # colour each line of a multi-line token separately, so a pager keeps it
        parts.append("\n".join(f"{COLORS[kind]}{piece}{RESET}" if piece else piece
                               for piece in text[begin:end].split("\n")))
        done = end
    parts.append(text[done:])
    return "".join(parts)
