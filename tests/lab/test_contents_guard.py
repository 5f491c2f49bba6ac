"""The contents manager of `zdlib lab`: notebooks/ can be read, never changed (no server, no browser)."""

from __future__ import annotations

import asyncio

import nbformat
import pytest
from tornado.web import HTTPError

from zdlib.runner.lab_contents import TemplateGuard


@pytest.fixture
def guard(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "records" / "interactive").mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(nb, tmp_path / "notebooks" / "t.ipynb")
    return TemplateGuard(root_dir=str(tmp_path))


def run(coroutine):
    return asyncio.run(coroutine)


GUARDED = ["notebooks/t.ipynb", "/notebooks/t.ipynb", "./notebooks//t.ipynb", "notebooks"]


@pytest.mark.parametrize("path", GUARDED)
def test_paths_under_notebooks_are_guarded(guard, path):
    assert guard.guarded(path)


@pytest.mark.parametrize("path", ["records/interactive/t.ipynb", "notebooks2/t.ipynb", "README.md", ""])
def test_other_paths_are_not(guard, path):
    assert not guard.guarded(path)


def test_a_template_reads_as_read_only_and_every_change_is_refused(guard, tmp_path):
    before = (tmp_path / "notebooks" / "t.ipynb").read_bytes()
    model = run(guard.get("notebooks/t.ipynb"))
    assert model["writable"] is False and model["content"]["cells"][0]["source"] == "x = 1"
    model["content"]["cells"][0]["source"] = "x = 2"
    changes = [
        guard.save({"type": "notebook", "format": "json", "content": model["content"]}, "notebooks/t.ipynb"),
        guard.save({"type": "file", "format": "text", "content": "x"}, "notebooks/new.py"),
        guard.rename_file("notebooks/t.ipynb", "records/t.ipynb"),
        guard.rename_file("records/interactive", "notebooks/moved"),
        guard.delete_file("notebooks/t.ipynb"),
        guard.create_checkpoint("notebooks/t.ipynb"),
    ]
    for change in changes:
        with pytest.raises(HTTPError) as refused:
            run(change)
        assert refused.value.status_code == 403 and "read-only" in refused.value.log_message
    assert (tmp_path / "notebooks" / "t.ipynb").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "notebooks").iterdir()) == ["t.ipynb"]


def test_working_copies_save_as_usual(guard, tmp_path):
    model = run(guard.get("notebooks/t.ipynb"))
    body = {"type": "notebook", "format": "json", "content": model["content"]}
    saved = run(guard.save(body, "records/interactive/t.ipynb"))
    assert saved["writable"] is True and (tmp_path / "records" / "interactive" / "t.ipynb").exists()
