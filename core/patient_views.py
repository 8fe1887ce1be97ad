"""(placeholder: being written)"""
from flask import Blueprint

bp = Blueprint("patients", __name__, url_prefix="/patients")


@bp.get("/")
def index():
    return "Patient Manager (being written)"
