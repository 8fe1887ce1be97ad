"""(placeholder: being written)"""
from flask import Blueprint

bp = Blueprint("insurances", __name__, url_prefix="/settings")
