"""Prometheus metrics: requests by route and status, the mail queue, the audit chain's lag.

/metrics is not part of the public service: it answers only a scraper that sends
`Authorization: Bearer <ONEPLAN_METRICS_TOKEN>`; without that token, or while none is set, it is the
same 404 as any unknown address. Route labels are templates (`/api/v1/plans/{plan_id}`), never
paths with ids, so no plan or person can be told from the metrics.

Request counters and histograms live in each process. With several workers (`ONEPLAN_WORKERS`),
set PROMETHEUS_MULTIPROC_DIR to an empty folder that only this service writes (emptied before each
start) and every worker's counts are added up at each scrape. The mail and audit figures are read
from the database at each scrape, so any worker gives the same answer.
"""

import hmac
import logging
import os
from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, func, select

from app.db import reading_session
from app.models import DeliveryState, OutboxMessage
from app.services.audit.sequencer import chain_lag_seconds

logger = logging.getLogger("oneplan.metrics")

METRICS_PATH = "/metrics"
CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED_ROUTE = "<unmatched>"
"""The route label of a request that matched no route (its path may hold anything a visitor typed)."""

REQUESTS = Counter(
    "oneplan_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "oneplan_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    labels = {"method": method, "route": route, "status": str(status)}
    REQUESTS.labels(**labels).inc()
    LATENCY.labels(**labels).observe(seconds)


def authorised(token: str, authorization: str | None) -> bool:
    """The scraper's header names the configured token (compared in constant time); no token, no metrics."""
    if not token or authorization is None:
        return False
    return hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode())


class StateCollector(Collector):
    """Figures read from the database at each scrape: the same whichever worker answers."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        try:
            with reading_session(self.engine) as db:  # a scrape takes no lock
                unsent = db.exec(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(col(OutboxMessage.state).in_([DeliveryState.QUEUED, DeliveryState.SENDING]))
                ).one()
                failed = db.exec(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(col(OutboxMessage.state) == DeliveryState.FAILED)
                ).one()
                lag = chain_lag_seconds(db)
        except SQLAlchemyError:
            logger.exception("Metrics could not read the database")
            yield GaugeMetricFamily("oneplan_database_up", "Whether the database answered this scrape.", 0)
            return
        yield GaugeMetricFamily("oneplan_database_up", "Whether the database answered this scrape.", 1)
        yield GaugeMetricFamily(
            "oneplan_mail_unsent_messages",
            "Messages in the outbox waiting for the worker to hand them over (queued or being sent).",
            unsent,
        )
        yield GaugeMetricFamily(
            "oneplan_mail_failed_messages",
            "Messages whose last hand-over to the mail server failed and that are still unsent.",
            failed,
        )
        yield GaugeMetricFamily(
            "oneplan_audit_chain_lag_seconds",
            "Seconds the oldest audit event not yet joined to the chain has waited (0: none waiting).",
            lag,
        )


def exposition(engine: Engine) -> bytes:
    """The text a Prometheus server scrapes (this blocks on the database: call it off the event loop)."""
    if os.environ.get(MULTIPROCESS_VARIABLE):
        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)  # type: ignore[no-untyped-call]
        own = generate_latest(requests)
    else:
        own = generate_latest(REGISTRY)
    state = CollectorRegistry()
    state.register(StateCollector(engine))
    return own + generate_latest(state)
