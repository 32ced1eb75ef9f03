"""The raw layouts, as dbt_project.yml defines them (vars: raw_layouts).

That var is the one definition of each layout: its columns in order, their types and the header
spellings each is known by. The dbt models read it through macros/raw_sales/raw_layouts.sql; the
generator and the tests read it here, so a header renamed there is renamed everywhere.
"""

from __future__ import annotations

from retail_segmentation.project import project_vars


def raw_layouts() -> dict:
    return project_vars()["raw_layouts"]


def layout_header(layout: str) -> list[str]:
    """The header a file of `layout` has as its exporting tool writes it: each column's first spelling."""
    return [column["headers"][0] for column in raw_layouts()[layout]["columns"]]
