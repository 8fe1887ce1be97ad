"""(placeholder: being written)"""
from flask import Blueprint

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.get("/company")
def company():
    return "Company Settings (being written)"
