"""Run parameters: read from YAML (safe loader) and -p key=value, checked before anything runs.

Each notebook declares its own parameters (typed, with defaults and help) in its `parameters`
cell; papermill's `inspect_notebook` reads them. A parameter no notebook declares is an error
that lists the real ones. Nothing from a parameter is ever evaluated as code.
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from dezhou_analysis.assess.settings import AssessmentSettings
from dezhou_analysis.core.errors import ParameterError

#: parameters of the runner itself (not passed to notebooks)
RUNNER_PARAMETERS = {
    "cell_timeout": ("int", 600, "seconds one notebook cell may run before it is stopped"),
}
#: set by the runner for every notebook; a user value would be overwritten, so it is refused
RUNNER_SET = {"project_dir", "output_dir", "interactive"}
RANGES = {
    "as_of": (0, 2100), "evaluation_as_of": (0, 2100), "n_paths": (100, 200_000),
    "tolerance": (0.0, 0.5), "seed": (0, 2**32 - 1), "cell_timeout": (10, 24 * 3600),
}
CHOICES = {"language": ("zh", "en", "zh+en")}
#: what the official report is made with, for every notebook parameter that is not an assessment
#: setting (those have their one home in AssessmentSettings); a notebook's parameter cell that
#: says otherwise has been edited, and the runner names it
OFFICIAL_DEFAULTS = {
    "project_dir": "..", "language": "zh+en", "output_dir": "", "evaluation_as_of": 2019,
    "interactive": True,
}
_TYPES = {"int": int, "float": float, "str": str, "bool": bool}


@dataclass(frozen=True)
class Declared:
    name: str
    type: str
    default: object
    help: str


def declared_parameters(notebook: str | Path) -> dict[str, Declared]:
    import papermill as pm
    declared = {}
    for name, info in pm.inspect_notebook(str(notebook)).items():
        try:
            default = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            default = info["default"]
        declared[name] = Declared(name, info["inferred_type_name"], default, info["help"])
    return declared


def read_params_file(path: str | Path | None) -> dict:
    if not path:
        return {}
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"{path}: no such parameters file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML ({exc})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: expected a mapping of parameter names to values")
    return data


def parse_overrides(items: list[str]) -> dict:
    """`-p as_of=2019 -p target_reachability.n_paths=2000` → nested dict (values typed by YAML)."""
    out: dict = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(f"-p {item!r}: expected KEY=VALUE")
        key, raw = item.split("=", 1)
        key = key.strip()
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        if "." in key:
            notebook, name = key.split(".", 1)
            out.setdefault(notebook, {})[name] = value
        else:
            out[key] = value
    return out


def _check_value(name: str, value: object, expected: str, where: str, problems: list[str]) -> object:
    kind = _TYPES.get(expected)
    if kind is None:
        return value
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        problems.append(f"{where}{name}={value!r}: expected {expected}")
        return value
    if name in RANGES:
        low, high = RANGES[name]
        if not (low <= value <= high):
            problems.append(f"{where}{name}={value!r}: expected {low}–{high}")
    if name in ("as_of", "evaluation_as_of") and value and not 1990 <= value <= dt.date.today().year:
        problems.append(f"{where}{name}={value!r}: expected 0 (all data) or a year 1990–{dt.date.today().year}")
    if name in CHOICES and value not in CHOICES[name]:
        problems.append(f"{where}{name}={value!r}: expected one of {CHOICES[name]}")
    return value


def resolve(raw: dict, declared: dict[str, dict[str, Declared]]) -> tuple[dict[str, dict], dict]:
    """Per-notebook parameters and runner parameters, or one ParameterError listing every problem."""
    problems: list[str] = []
    runner = {name: default for name, (_, default, _) in RUNNER_PARAMETERS.items()}
    per_notebook: dict[str, dict] = {name: {} for name in declared}
    everyone = sorted({p for params in declared.values() for p in params} - RUNNER_SET)
    for key, value in raw.items():
        if key in declared and isinstance(value, dict):
            for name, inner in value.items():
                real = declared[key]
                if name in RUNNER_SET:
                    problems.append(f"{key}.{name}: set by the runner (use --out for the output folder)")
                elif name not in real:
                    problems.append(f"{key}.{name}: unknown parameter of {key}; it declares "
                                    f"{', '.join(sorted(set(real) - RUNNER_SET))}")
                else:
                    per_notebook[key][name] = _check_value(name, inner, real[name].type, f"{key}.", problems)
            continue
        if key in RUNNER_PARAMETERS:
            runner[key] = _check_value(key, value, RUNNER_PARAMETERS[key][0], "", problems)
            continue
        if key in RUNNER_SET:
            problems.append(f"{key}: set by the runner (use --out for the output folder)")
            continue
        takers = [nb for nb, params in declared.items() if key in params]
        if not takers:
            problems.append(f"{key}: no notebook declares this parameter; declared parameters are "
                            f"{', '.join(everyone + sorted(RUNNER_PARAMETERS))}")
            continue
        for nb in takers:
            per_notebook[nb][key] = _check_value(key, value, declared[nb][key].type, "", problems)
    if problems:
        raise ParameterError("parameters rejected before anything ran:\n" +
                             "\n".join(f"  - {p}" for p in dict.fromkeys(problems)))
    return per_notebook, runner


def edited_defaults(declared: dict[str, dict[str, Declared]]) -> dict[str, dict[str, dict]]:
    """Parameter cells whose defaults differ from the official ones (AssessmentSettings for the
    assessment settings, OFFICIAL_DEFAULTS for the rest): {notebook: {name: {"cell": value,
    "official": value}}}. A parameter edited in JupyterLab and saved must not silently change the
    official report: the runner names these notebooks and runs them with the official values."""
    official = {**OFFICIAL_DEFAULTS, **AssessmentSettings().as_params()}
    edited: dict[str, dict[str, dict]] = {}
    for notebook, params in declared.items():
        for name, param in params.items():
            if name in official and param.default != official[name]:
                edited.setdefault(notebook, {})[name] = {"cell": param.default,
                                                         "official": official[name]}
    return edited
