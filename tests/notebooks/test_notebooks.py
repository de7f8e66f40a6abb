"""Every notebook in notebooks/ runs from top to bottom in a fresh kernel, its exercise checks included.

The notebooks are stored as jupytext "percent" .py files (the source of truth, diffable, no outputs);
each is converted in memory and executed with nbclient, with the repository on the kernel's path, so
the notebooks are checked against this checkout's tinygrad_lite.
"""

from __future__ import annotations

import os
import pathlib

import pytest

jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def test_there_is_a_notebook_per_lecture_part_plus_the_engine_and_lenet():
    assert len(NOTEBOOKS) == 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, monkeypatch):
    notebook = jupytext.read(path)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert any("assert" in source for source in code[-2:]), "a notebook ends with exercises checked by assert"
    assert sum("plt.show()" in source for source in code) >= 1, "a notebook draws"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # the notebooks run beside other tests on few cores
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws inline, into the notebook
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    images = sum("image/png" in output.get("data", {}) for cell in notebook.cells if cell.cell_type == "code"
                 for output in cell.outputs)
    assert images >= 1, "the plots reach the notebook"
    last = [output.get("text", "") for output in notebook.cells[-1].outputs]
    assert "all three correct" in "".join(last)
