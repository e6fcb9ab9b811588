from flask import Blueprint

bp = Blueprint("clerk", __name__)
