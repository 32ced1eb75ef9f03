"""The dbt project's vars (dbt_project.yml), read once: the one place each default is written.

The Python code that runs outside dbt (the generator, the segmentation's pure functions, the
tests) takes its defaults from here, so a default changed in dbt_project.yml changes for every
caller.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

PROJECT_FILE = Path(__file__).resolve().parents[1] / "dbt_project.yml"


@cache
def project_vars() -> dict:
    return yaml.safe_load(PROJECT_FILE.read_text())["vars"]
