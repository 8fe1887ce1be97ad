"""The clinic home page a user lands on after sign-in."""
from flask import Blueprint
from flask_login import login_required

from .htmx import render
from .tenancy import current_clinic

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    return render("home.html", clinic=current_clinic())
