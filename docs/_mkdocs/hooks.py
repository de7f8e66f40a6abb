"""MkDocs hooks: the source files the guide links to, and the figure gallery.

1. The guide links into the repository (``../../tinygrad_lite/autograd.py``), so the same Markdown works
   when read on a code host or in a checkout. MkDocs only publishes what is under ``docs/``, so this hook
   copies the package, the demos and the benchmarks into the site under ``source/`` and rewrites every
   link that leaves ``docs/`` to point at that copy. A link to a file or folder that does not exist is
   an error, so the strict build fails on it.
2. The notebooks (``notebooks/NN_*.py``, jupytext percent files) are added to the site as pages under
   ``notebooks/``, before mkdocs-jupyter looks at the files (hence this event's priority), so that
   plugin executes and renders them, figures included.
3. The gallery in ``figures.md`` is generated from ``docs/figures/fNN_<slug>.json`` where the page has the
   marker line: every figure produced so far, with its title, the lecture's claim, whether it holds and
   the measured summary.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

log = logging.getLogger("mkdocs.hooks.tinygrad_lite")

SOURCE_DIRS = ("tinygrad_lite", "demos", "benchmarks", "tests")
SOURCE_FILES = ("pyproject.toml", "mkdocs.yml")
SOURCE_PREFIX = "source"
_LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s]+)(\))")
_FENCE = re.compile(r"^(```|~~~)")
GALLERY_MARKER = "<!-- gallery: generated from figures/fNN_<slug>.json when the site is built -->"


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def _source_paths(root: Path) -> list[Path]:
    paths = [root / name for name in SOURCE_FILES if (root / name).is_file()]
    for name in SOURCE_DIRS:
        paths += sorted(p for p in (root / name).rglob("*")
                        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".md", ".txt"))
    return paths


def _folder_page(root: Path, folder: Path) -> str:
    rel = folder.relative_to(root).as_posix()
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith((".", "__pycache__")))
    lines = [f"# {rel}/", "", "The files of this folder, as they are in the repository:", ""]
    for p in entries:
        if p.is_dir():
            lines.append(f"- [{p.name}/]({p.name}/index.md)")
        elif p.suffix in (".py", ".md", ".txt"):
            lines.append(f"- [{p.name}]({p.name})")
    return "\n".join(lines) + "\n"


@event_priority(50)  # before mkdocs-jupyter (priority 0) turns the notebooks into pages
def on_files(files: Files, config) -> Files:
    root = _root(config)
    for path in sorted((root / "notebooks").glob("[0-9][0-9]_*.py")):
        # a File rooted at the repository (not a generated one): mkdocs-jupyter's wrapper finds its source
        # through src_dir, which a generated File does not have
        files.append(File(f"notebooks/{path.name}", src_dir=str(root), dest_dir=config.site_dir,
                          use_directory_urls=config.use_directory_urls))
    for path in _source_paths(root):
        rel = path.relative_to(root).as_posix()
        if path.suffix == ".md":  # a Markdown file under tests/ or demos/ is shown as text, not rendered
            files.append(File.generated(config, f"{SOURCE_PREFIX}/{rel}.txt", abs_src_path=str(path)))
        else:
            files.append(File.generated(config, f"{SOURCE_PREFIX}/{rel}", abs_src_path=str(path)))
    for name in SOURCE_DIRS:
        for folder in [root / name, *sorted(p for p in (root / name).rglob("*") if p.is_dir())]:
            if "__pycache__" in folder.parts:
                continue
            rel = folder.relative_to(root).as_posix()
            files.append(File.generated(config, f"{SOURCE_PREFIX}/{rel}/index.md", content=_folder_page(root, folder),
                                        inclusion=InclusionLevel.NOT_IN_NAV))
    return files


def _rewrite(target: str, page_uri: str, root: Path, docs_dir: Path) -> str:
    if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "/")):
        return target
    path, _, anchor = target.partition("#")
    here = posixpath.dirname(page_uri)
    resolved = posixpath.normpath(posixpath.join(here, path))
    if not resolved.startswith("../"):
        return target  # inside docs/: MkDocs checks it
    rel = resolved[3:]
    on_disk = (docs_dir.parent / rel).resolve()
    if on_disk.is_dir():
        published = f"{SOURCE_PREFIX}/{rel.rstrip('/')}/index.md"
    elif on_disk.is_file() and rel.split("/")[0] in SOURCE_DIRS + SOURCE_FILES:
        published = f"{SOURCE_PREFIX}/{rel}" + (".txt" if rel.endswith(".md") else "")
    else:
        log.warning(f"Doc file '{page_uri}' links to '{target}', which is not a file or folder of the "
                    "repository that the site publishes")
        return target
    new = posixpath.relpath(published, here or ".")
    return new + (f"#{anchor}" if anchor and published.endswith(".md") else "")


def on_page_markdown(markdown: str, page, config, files) -> str:
    root, docs_dir = _root(config), Path(config.docs_dir).resolve()
    if GALLERY_MARKER in markdown:
        markdown = markdown.replace(GALLERY_MARKER, _gallery(docs_dir))
    out, in_fence = [], False
    for line in markdown.splitlines(keepends=True):
        if _FENCE.match(line.lstrip()):
            in_fence = not in_fence
        if not in_fence:
            line = _LINK.sub(lambda m: m.group(1) + _rewrite(m.group(2), page.file.src_uri, root, docs_dir)
                             + m.group(3), line)
        out.append(line)
    return "".join(out)


def _gallery(docs_dir: Path) -> str:
    figures = sorted((docs_dir / "figures").glob("f[0-9][0-9]_*.json"))
    lines: list[str] = []
    for path in figures:
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            log.warning(f"figure gallery: cannot read {path.name}: {error}")
            continue
        png = path.with_suffix(".png")
        if not png.is_file():
            continue
        holds = "holds" if info.get("holds") else "**does not hold**"
        lines += [
            f"## {info.get('id', path.stem[:3].upper())}: {info.get('title', path.stem)}",
            "",
            f"![{info.get('title', path.stem)}](figures/{png.name})",
            "",
            f"**Claim** ({holds}): {info.get('claim', '')}",
            "",
            f"**Measured**: {info.get('summary', '')}",
            "",
            f"Files: `{png.name}`, `{path.name}`.",
            "",
        ]
    if not figures:
        lines.append("No figure has been produced yet: run `python -m demos`.")
    return "\n".join(lines) + "\n"
