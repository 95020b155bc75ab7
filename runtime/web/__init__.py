"""The generated web app: ``create_app(config)`` turns published app definitions into pages.

Blueprints render server-side with Jinja2, enhanced with htmx/Alpine; every read and write
goes through the record service with the signed-in user's ``Actor``, so the UI can never
show or change more than the service allows.
"""

from runtime.web.app import create_app

__all__ = ["create_app"]
