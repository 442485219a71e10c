"""The FastAPI application: every domain's router, problem+json errors, OpenAPI at /api/v1/openapi.json."""

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import jsms
import jsms.handlers  # registers every domain's event handlers
from jsms.alerts import api as alerts_api
from jsms.alerts import pages as alert_pages
from jsms.coordination import api as coordination_api
from jsms.coordination import pages as coordination_pages
from jsms.core import api as core_api
from jsms.core.config import get_settings
from jsms.core.events import Dispatcher
from jsms.core.heap import settle_after_startup
from jsms.core.http import install_problem_handlers
from jsms.core.live import broker, relay_via_redis
from jsms.core.pages import add_template_package
from jsms.core.schedule import Repeating
from jsms.geo import api as geo_api
from jsms.incidents import api as incidents_api
from jsms.incidents import pages as incident_pages
from jsms.movements import api as movements_api
from jsms.movements import pages as movement_pages
from jsms.osint import api as osint_api
from jsms.osint import pages as osint_pages
from jsms.osint.feeds import FeedPoller
from jsms.registry import api as registry_api
from jsms.registry import pages as registry_pages
from jsms.reports import api as reports_api
from jsms.reports import pages as report_pages
from jsms.reports.delivery import ReportSender
from jsms.retention import RetentionPurger
from jsms.risk import api as risk_api
from jsms.risk import pages as risk_pages
from jsms.sharing import api as sharing_api
from jsms.sharing import pages as sharing_pages
from jsms.sharing import taxii
from jsms.tracking import api as tracking_api
from jsms.tracking import pages as tracking_pages
from jsms.tracking import tasks as tracking
from jsms.tracking.server import osmand_app
from jsms.web import live
from jsms.web import pages as shell_pages
from jsms.web.hardening import SecurityHeaders, mask_secrets_in_logs
from jsms.welfare import api as welfare_api
from jsms.welfare import pages as welfare_pages

ROUTERS = (
    core_api.router,
    registry_api.router,
    incidents_api.router,
    risk_api.router,
    movements_api.router,
    tracking_api.router,
    tracking_api.intake_router,
    alerts_api.router,
    coordination_api.router,
    coordination_api.calendar_router,
    welfare_api.router,
    reports_api.router,
    osint_api.router,
    osint_api.reader_router,
    taxii.router,
    sharing_api.router,
    live.router,
    geo_api.router,
    shell_pages.router,
    registry_pages.router,
    incident_pages.router,
    risk_pages.router,
    movement_pages.router,
    tracking_pages.router,
    alert_pages.router,
    osint_pages.router,
    coordination_pages.router,
    welfare_pages.router,
    report_pages.router,
    sharing_pages.router,
)
TEMPLATE_PACKAGES = (
    "jsms.web",
    "jsms.registry",
    "jsms.incidents",
    "jsms.risk",
    "jsms.movements",
    "jsms.tracking",
    "jsms.alerts",
    "jsms.sharing",
    "jsms.osint",
    "jsms.coordination",
    "jsms.welfare",
    "jsms.reports",
)
STATIC_DIR = Path(__file__).resolve().parent / "static"


def node_jobs() -> list[Repeating]:
    """Work done once per node, where events go out: news feeds read, reports sent, old positions
    and personal data purged."""
    return [FeedPoller(), ReportSender(), RetentionPurger()]


def create_app(dispatch_events: bool | None = None, track: bool = True, settle_heap: bool = False) -> FastAPI:
    """The application; `dispatch_events` runs the outbox dispatcher in this process (not in tests
    that hold their own transaction, and not where separate `jsms worker` processes deliver);
    `track` runs the ping intake (and, without Redis, the live engine) in this process;
    `settle_heap` (a serving process, not tests) exempts what start-up loaded from full collections."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        dispatching = get_settings().dispatch_in_server if dispatch_events is None else dispatch_events
        dispatcher = Dispatcher() if dispatching else None
        jobs = node_jobs() if dispatching else []
        if dispatcher is not None:
            dispatcher.start()
        for job in jobs:
            job.start()
        relay_via_redis(get_settings().redis_url, listen=True)
        if track:
            tracking.start()
        if settle_heap:
            settle_after_startup()
        mask_secrets_in_logs()  # uvicorn has set up its handlers by now
        try:
            yield
        finally:
            if track:
                tracking.stop()
            broker.stop_relay()
            if dispatcher is not None:
                dispatcher.stop()
            for job in jobs:
                job.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="JSMS — Joint Security Management System",
        version=jsms.__version__,
        description="Protective security coordination between the host and partner parties.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    install_problem_handlers(app)
    app.add_middleware(SecurityHeaders)
    for package in TEMPLATE_PACKAGES:
        add_template_package(package)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/osmand", osmand_app, name="osmand")
    return app
