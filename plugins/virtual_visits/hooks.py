"""Virtual Visits' hook implementations (imported into :mod:`plugins.virtual_visits`, which is what
gets registered). It declares no clinic settings."""
from __future__ import annotations

from core.plugin_api import Column, hookimpl
from core.web import Permission

from .models import enabled_by_user
from .views import NOT_A_PROVIDER, make_blueprint, sees_patients, status_cell


@hookimpl
def caseload_user_manager_columns(clinic, viewer, users):
    """The Virtual Visits column: Enabled or Disabled for every user on the page (loaded in one
    query), with a Manage button for viewers who may edit users."""
    enabled = enabled_by_user(clinic.id, [u.id for u in users])
    can_edit = viewer.can(Permission.EDIT_USERS)
    cells = {u.id: status_cell(enabled.get(u.id, False), can_edit) if sees_patients(u) else NOT_A_PROVIDER for u in users}
    return Column(key="virtual_visits", header="Virtual Visits", cells=cells, order=40)


@hookimpl
def caseload_blueprints():
    """Virtual Visits' routes under ``/virtual-visits`` (core answers 404 there in clinics where the
    plugin is off)."""
    return [make_blueprint()]
