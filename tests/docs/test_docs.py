"""The documentation: every relative link and image resolves, and the MkDocs site builds with --strict."""

import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_mkdocs" not in p.parts) + [ROOT / "README.md"]

_INLINE = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")  # [text](target) and ![alt](target)
_HTML = re.compile(r"<(?:img|a)\s[^>]*(?:src|href)=\"([^\"]+)\"")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _targets(page: pathlib.Path):
    """(line number, target) of every link and image outside code blocks and inline code."""
    in_fence = False
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        line = re.sub(r"`[^`]*`", "", line)
        for pattern in (_INLINE, _HTML):
            for match in pattern.finditer(line):
                yield number, match.group(1)


def _is_external(target: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", target)) or target.startswith("#")


def _anchors(page: pathlib.Path) -> set[str]:
    """The heading anchors MkDocs' toc extension makes: lower case, punctuation dropped, spaces -> '-'."""
    anchors = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*$", line)
        if match:
            slug = re.sub(r"[^\w\s-]", "", match.group(1).lower()).strip()
            anchors.add(re.sub(r"[\s]+", "-", slug))
    return anchors


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_and_images_resolve(page):
    broken = []
    for number, target in _targets(page):
        if _is_external(target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve()
        if not resolved.exists():
            broken.append(f"line {number}: {target} (no such file)")
        elif not resolved.is_relative_to(ROOT):
            broken.append(f"line {number}: {target} (outside the repository)")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(f"line {number}: {target} (no heading #{anchor})")
    assert not broken, f"{page.relative_to(ROOT)}: broken links:\n  " + "\n  ".join(broken)


def test_docs_reference_figures_by_their_registered_file_names():
    """A figure mentioned as fNN_<slug>.png in the docs is one the demos registry writes."""
    registered = set()
    for module in (ROOT / "demos").glob("*.py"):
        for figure_id, slug in re.findall(r'@figure\(\s*"(F\d\d)",\s*"([a-z0-9_]+)"', module.read_text("utf-8")):
            registered.add(f"{figure_id.lower()}_{slug}.png")
    wrong = []
    for page in PAGES:
        for name in set(re.findall(r"\bf\d\d_[a-z0-9_]+\.png", page.read_text(encoding="utf-8"))):
            if name not in registered and not (DOCS / "figures" / name).exists():
                wrong.append(f"{page.relative_to(ROOT)}: {name}")
    assert not wrong, "figure file names that no demo writes:\n  " + "\n  ".join(sorted(wrong))


def test_docs_name_no_absolute_paths():
    offenders = [f"{page.relative_to(ROOT)}: {m}" for page in PAGES
                 for m in re.findall(r"(?:/home/|/work/|/tmp/|/root/|[A-Z]:\\\\)\S*", page.read_text("utf-8"))]
    assert not offenders, "absolute paths in the docs:\n  " + "\n  ".join(offenders)


def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings_handlers.python")
    pytest.importorskip("material")
    # the notebooks run in kernels of their own while the site builds: give them this checkout's package
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
         "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    site = tmp_path / "site"
    assert (site / "index.html").is_file()
    assert (site / "api" / "optim" / "index.html").is_file()
    # the guide's links into the repository are published with the site
    assert (site / "source" / "tinygrad_lite" / "autograd.py").is_file()
    # the notebooks are rendered, executed, with their figures inlined
    notebook_pages = sorted((site / "notebooks").glob("*/index.html"))
    assert len(notebook_pages) == len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.py")))
    assert all("data:image/png;base64" in page.read_text(encoding="utf-8") for page in notebook_pages)
    shutil.rmtree(site, ignore_errors=True)
