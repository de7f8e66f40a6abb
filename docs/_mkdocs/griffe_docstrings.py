"""Turn tinygrad_lite's docstrings into Markdown for the API reference.

The docstrings are written to read well in a terminal (``help(tl.grad)``) and to run as doctests, in the
plain style of NumPy's and PyTorch's sources: ``>>>`` examples, ``::`` before an indented formula,
``:func:`name``` roles and the odd ``====`` table. Markdown would read ``>>>`` as nested quotes and
``::`` literally, so before mkdocstrings renders a docstring this extension rewrites, line by line:

- a run of ``>>>`` / ``...`` lines and their output into a ``pycon`` code block;
- a paragraph ending in ``::`` plus the indented block after it into a ``text`` code block;
- a reST simple table (rows framed by ``====`` lines) into a ``text`` code block;
- ``:func:`x```, ``:class:`x```, ``:mod:`x```, ``:meth:`x``` and ``:attr:`x``` into the code span ``x``.

Only the rendered reference changes; the docstrings in the source stay as they are.
"""

from __future__ import annotations

import re

import griffe

_ROLE = re.compile(r":(?:func|class|mod|meth|attr|data|obj):`~?([^`]+)`")
_TABLE_RULE = re.compile(r"^\s*=+(\s+=+)+\s*$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _fence(lines: list[str], language: str, indent: int) -> list[str]:
    pad = " " * indent
    body = [line[indent:] if line.strip() else "" for line in lines]
    while body and not body[-1]:
        body.pop()
    return ["", f"{pad}```{language}", *[pad + line if line else "" for line in body], f"{pad}```", ""]


def to_markdown(text: str) -> str:
    """The docstring ``text`` with its doctest blocks, literal blocks, tables and roles made Markdown."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip(" ")
        if stripped.startswith(">>>"):
            # a doctest block: prompts, continuation lines and output, up to the first blank line
            indent, start = _indent(line), i
            while i < len(lines) and lines[i].strip():
                i += 1
            out += _fence(lines[start:i], "pycon", indent)
            continue
        if _TABLE_RULE.match(line):
            # a reST simple table: three rule lines (top, under the header, bottom)
            indent, start, rules = _indent(line), i, 0
            while i < len(lines) and rules < 3:
                rules += bool(_TABLE_RULE.match(lines[i]))
                i += 1
            out += _fence(lines[start:i], "text", indent)
            continue
        if line.rstrip().endswith("::") and not stripped.startswith(("#", "-", "*")) or stripped == "::":
            # a literal block: the paragraph ends in "::", the indented lines after it are verbatim
            base = _indent(line)
            text_before = line.rstrip()[:-2].rstrip()
            if text_before.strip():
                out.append(text_before + ":")
            i += 1
            start = i
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
                i += 1
            block = lines[start:i]
            if any(b.strip() for b in block):
                # the fence sits at the paragraph's indentation; the block keeps its relative indentation
                inner = min(_indent(b) for b in block if b.strip())
                out += _fence([" " * base + b[inner:] if b.strip() else "" for b in block], "text", base)
            continue
        out.append(_ROLE.sub(r"`\1`", line))
        i += 1
    return "\n".join(out)


class DocstringsToMarkdown(griffe.Extension):
    """Rewrite every docstring once, when griffe loads the object it belongs to."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
