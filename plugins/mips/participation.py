"""MIPS rules shared by the hooks and the views: the reporting mode and the User Manager cells."""
from __future__ import annotations

from core.plugin_api import Cell
from core.plugin_host import plugin_settings

NAME = "mips"
INDIVIDUAL = "individual"
GROUP = "group"
REPORTING_CHOICES = ((INDIVIDUAL, "Individual"), (GROUP, "Group"))
CELL_TEMPLATE = "mips/_cell.html"


def reporting_mode(clinic) -> str:
    """``"individual"`` or ``"group"``: how ``clinic`` reports MIPS (a setting on the Features page)."""
    return plugin_settings(clinic, NAME)["reporting"]


def participation_cell(participating: bool, can_edit: bool, message: str = "") -> Cell:
    """Individual reporting: a checkbox (read-only for viewers who may not edit users)."""
    return Cell(
        template=CELL_TEMPLATE,
        context={"mode": INDIVIDUAL, "participating": participating, "can_edit": can_edit, "message": message},
    )


def group_cell(message: str = "") -> Cell:
    """Group reporting: the plain word "Group" (with a message when a change was refused)."""
    if not message:
        return Cell(text="Group")
    return Cell(template=CELL_TEMPLATE, context={"mode": GROUP, "message": message})
