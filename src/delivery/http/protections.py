"""What every answer of the app gets: body limits, strict JSON, security headers, CORS, the
debug setting. Installed by the app's factory with one call, before any route is registered.
"""

from dataclasses import dataclass

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from configs.api import ApiSettings
from configs.core import DjangoSettings
from delivery.http.body_limit import BodyLimitMiddleware
from delivery.http.security_headers import SecurityHeadersMiddleware, hsts_value
from delivery.http.strict_json import StrictJSONRoute

_CORS_METHODS = ["GET", "POST", "PATCH", "DELETE"]
_CORS_HEADERS = ["Authorization", "Content-Type"]


@dataclass(kw_only=True)
class HttpProtections:
    _api_settings: ApiSettings
    _django_settings: DjangoSettings

    def install(self, app: FastAPI) -> None:
        api, django = self._api_settings, self._django_settings
        # Tracebacks in answers only in debug, like Django's own error pages.
        app.debug = django.debug
        app.router.route_class = StrictJSONRoute
        # The first added runs innermost: a 413 still gets CORS and security headers.
        app.add_middleware(BodyLimitMiddleware, max_body_bytes=api.max_body_bytes)
        if api.cors_allowed_origins:  # closed unless origins are listed
            app.add_middleware(
                CORSMiddleware,
                allow_origins=api.cors_allowed_origins,
                allow_methods=_CORS_METHODS,
                allow_headers=_CORS_HEADERS,
                max_age=600,
            )
        hsts = hsts_value(
            django.secure_hsts_seconds,
            include_subdomains=django.secure_hsts_include_subdomains,
            preload=django.secure_hsts_preload,
        )
        app.add_middleware(SecurityHeadersMiddleware, hsts=hsts)
