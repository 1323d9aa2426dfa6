"""JupyterLab as `make lab` starts it (JUPYTER_CONFIG_PATH points here).

Notebooks under notebooks/ are tracked in git as thin, output-free files; executed copies live
only under outputs/. Lab autosaves a notebook about two minutes after it runs, so without this
hook every Run All would write hundreds of kilobytes of outputs into the tracked file. The hook
strips outputs, execution counts and widget state before any save of a notebook in that folder;
the notebook open in the browser keeps its outputs. (`make setup` also installs nbstripout as a
git filter, for notebooks saved by any other tool.)
"""

from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CELL_METADATA_DROPPED = ("execution", "collapsed", "scrolled", "ExecuteTime")


def _in_notebooks_folder(path: str, contents_manager) -> bool:
    root = Path(getattr(contents_manager, "root_dir", ".")).resolve()
    target = (root / path.lstrip("/")).resolve()
    return target.is_relative_to(NOTEBOOKS)


def strip_outputs_before_save(model, path, contents_manager, **kwargs):
    """Save notebooks under notebooks/ without outputs, execution counts or widget state."""
    if model.get("type") != "notebook" or not _in_notebooks_folder(path, contents_manager):
        return
    notebook = model["content"]
    notebook.get("metadata", {}).pop("widgets", None)
    for cell in notebook.get("cells", []):
        for key in CELL_METADATA_DROPPED:
            cell.get("metadata", {}).pop(key, None)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None


c.ContentsManager.pre_save_hook = strip_outputs_before_save  # noqa: F821 (traitlets' config object)
