"""License views (placeholder)."""
from flask import Blueprint

bp = Blueprint("licenses", __name__, url_prefix="/licenses")
