"""Inside a pooled kernel: what a fresh kernel looks like, taken once after the imports, and
put back before every notebook, so a notebook sees the same state whichever notebooks the
kernel ran before it.

Put back: the user namespace, `In`/`Out` and the execution counter (`shell.reset`), open
figures and every matplotlib rc setting (the house style and seaborn's theme live there),
pandas options, warning filters and the once-per-place warning registries, the working folder,
`sys.path`, and modules of the user's own code (a helper module beside the notebooks is read
afresh). Libraries stay imported: that is what the pool is for. This module imports nothing
heavy; the runner never imports it, the kernel does.
"""

from __future__ import annotations

import copy
import os
import sys
import warnings

_saved: dict = {}


def snapshot(project_dir: str) -> None:
    """Remember the state after the imports (called once per kernel, before any notebook)."""
    import matplotlib
    _saved.update(
        rc=copy.deepcopy(dict(matplotlib.rcParams)),
        warning_filters=list(warnings.filters),
        path=list(sys.path),
        modules=set(sys.modules),
        project=os.path.realpath(project_dir),
        package=os.path.realpath(os.path.dirname(os.path.dirname(__file__))),
    )


def restore(cwd: str) -> None:
    """Bring the kernel back to the snapshot; cwd: the folder the next notebook runs in."""
    if not _saved:
        raise RuntimeError("kernel_state.restore before snapshot")
    import matplotlib
    import matplotlib.pyplot as plt
    import pandas as pd
    from IPython import get_ipython
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)  # namespace, In/Out, execution count back to 1
    plt.close("all")
    dict.update(matplotlib.rcParams, copy.deepcopy(_saved["rc"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.reset_option("all")
    warnings.resetwarnings()  # also invalidates every module's __warningregistry__
    warnings.filters[:] = _saved["warning_filters"]
    sys.path[:] = _saved["path"]
    for name in _user_modules():
        del sys.modules[name]
    os.chdir(cwd)


def _user_modules() -> list[str]:
    """Modules imported since the snapshot from the project folder (not the package itself)."""
    project, package = _saved["project"], _saved["package"]
    found = []
    for name, module in list(sys.modules.items()):
        if name in _saved["modules"]:
            continue
        path = getattr(module, "__file__", None)
        if not path:
            continue
        path = os.path.realpath(path)
        if path.startswith(project + os.sep) and not path.startswith(package + os.sep) \
                and f"{os.sep}site-packages{os.sep}" not in path:
            found.append(name)
    return found
