"""Provider signatures (placeholder: being written)."""
from flask import Blueprint

bp = Blueprint("signatures", __name__)
