"""Static files with long cache lifetimes: URLs carry a content fingerprint."""

from __future__ import annotations

from starlette.staticfiles import StaticFiles

ONE_YEAR = 365 * 24 * 3600


class CachedStaticFiles(StaticFiles):
    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
