"""(placeholder: being written)"""
from flask import Blueprint

bp = Blueprint("insurances", __name__, url_prefix="/settings")


@bp.get("/insurances/")
def index():
    return "Insurances (being written)"
