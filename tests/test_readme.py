"""The README's code runs as printed and shows what it says (the lecture's saddle point)."""

import contextlib
import io
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run_and_show_the_saddle():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "the README has no Python example"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in blocks:
            exec(compile(block, str(README), "exec"), {})
    output = printed.getvalue()
    assert "[-2.  2.]" in output  # the Hessian's eigenvalues at the origin
    assert "[[ 0., -2.]," in output
