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


class VerifierFiles(StaticFiles):
    """The report verifier (/static/verify/): its page links verify.js by a
    plain name, so that a family can save the page and use it offline; so its
    files are checked again on every visit rather than cached for a year."""

    def __init__(self, directory):
        super().__init__(directory=directory, html=True)

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
