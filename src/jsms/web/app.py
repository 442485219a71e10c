"""The FastAPI application: every domain's router, problem+json errors, OpenAPI at /api/v1/openapi.json."""

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

import jsms
from jsms.core import api as core_api
from jsms.core.http import install_problem_handlers
from jsms.geo import api as geo_api
from jsms.registry import api as registry_api

ROUTERS = (core_api.router, registry_api.router, geo_api.router)


def create_app() -> FastAPI:
    app = FastAPI(
        title="JSMS — Joint Security Management System",
        version=jsms.__version__,
        description="Protective security coordination between the host and partner parties.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    install_problem_handlers(app)
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/api/v1/docs")

    return app
