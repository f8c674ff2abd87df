//! Operational endpoints: liveness, readiness and metrics. Not under `/api/v1`, not authenticated.

use crate::telemetry::HttpMetrics;
use actix_web::{HttpResponse, get, web};
use futures_util::future::join_all;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;
use tandem_app::AppContext;
use tandem_app::ports::{JobCounts, ReadinessProbe};
use tandem_app::resilience::{Circuit, CircuitReport};
use utoipa::ToSchema;

/// What `/readyz` checks (the database; Redis in cluster mode), and the circuits of those
/// dependencies, which `/metrics` reports.
#[derive(Clone, Default)]
pub struct Probes {
    pub checks: Vec<Arc<dyn ReadinessProbe>>,
    pub circuits: Vec<Arc<Circuit>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessResponse {
    /// `ready` when every dependency answered; `degraded` (still 200) when one the node can
    /// serve without did not (Redis: messages are still stored and delivered on this node, and
    /// reach other nodes once it is back); `unavailable` (503) when the database did not.
    #[schema(example = "ready")]
    pub status: &'static str,
    /// Each dependency (`database`, `redis`) and whether it answered: `ok` or `unavailable`.
    pub checks: BTreeMap<&'static str, &'static str>,
}

/// Liveness: the process is up and serving.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Up", body = HealthResponse)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<HealthResponse> {
    web::Json(HealthResponse { status: "ok" })
}

/// Readiness: whether this node should get traffic.
///
/// A node without its database is taken out of rotation (503); a node without Redis is `degraded` but still serves (200), because every
/// node would lose Redis together and taking them all out would turn a blip into an outage.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = ReadinessResponse),
        (status = 503, description = "A dependency is unreachable", body = ReadinessResponse),
    )
)]
#[get("/readyz")]
pub async fn readyz(probes: web::Data<Probes>) -> HttpResponse {
    let checks = join_all(probes.checks.iter().map(|probe| async move {
        let answered = within_deadline(probe.check()).await;
        if let Some(Err(error)) = &answered {
            tracing::warn!(dependency = probe.name(), %error, "readiness check failed");
        }
        let ok = matches!(answered, Some(Ok(())));
        (probe.name(), ok, probe.essential())
    }))
    .await;
    let status = if checks.iter().any(|&(_, ok, essential)| essential && !ok) {
        "unavailable"
    } else if checks.iter().any(|&(_, ok, _)| !ok) {
        "degraded"
    } else {
        "ready"
    };
    let checks: BTreeMap<_, _> = checks
        .into_iter()
        .map(|(name, ok, _)| (name, if ok { "ok" } else { "unavailable" }))
        .collect();
    let body = ReadinessResponse { status, checks };
    if status == "unavailable" {
        HttpResponse::ServiceUnavailable().json(body)
    } else {
        HttpResponse::Ok().json(body)
    }
}

/// A dependency that hangs counts as down after two seconds.
async fn within_deadline<F: std::future::Future>(future: F) -> Option<F::Output> {
    actix_web::rt::time::timeout(Duration::from_secs(2), future)
        .await
        .ok()
}

/// Prometheus metrics in the text exposition format.
///
/// Not public: with `http.metrics_token` set, send it as `Authorization: Bearer`; without
/// one, only requests from this machine or a private network that did not come through a
/// proxy are answered. Anyone else gets `404`, as if there were nothing here.
#[utoipa::path(tag = "operations", responses(
    (status = 200, description = "Metrics", content_type = "text/plain"),
    (status = 404, description = "Not for this caller", body = crate::error::ErrorBody),
))]
#[get("/metrics")]
pub async fn metrics(
    req: actix_web::HttpRequest,
    settings: web::Data<crate::HttpSettings>,
    metrics: web::Data<HttpMetrics>,
    probes: web::Data<Probes>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, crate::ApiError> {
    let token = settings.security.metrics_token.as_deref();
    if !crate::security::may_read_metrics(&req, token) {
        return Err(crate::ApiError::not_found());
    }
    // This node's requests and circuits, then the job queue's counts (shared by every node),
    // left out when the queue does not answer in time. (The doc comment is the OpenAPI
    // description.)
    let mut body = metrics.render();
    body.push_str(&circuit_metrics(&probes.circuits));
    match within_deadline(tandem_app::jobs::counts(&ctx.jobs)).await {
        Some(Ok(counts)) => body.push_str(&job_metrics(counts)),
        Some(Err(error)) => tracing::warn!(%error, "job counts unavailable for /metrics"),
        None => tracing::warn!("job counts timed out for /metrics"),
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body))
}

fn circuit_metrics(circuits: &[Arc<Circuit>]) -> String {
    let reports: Vec<_> = circuits.iter().map(|c| c.report()).collect();
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, help: &str, value: &dyn Fn(&CircuitReport) -> u64| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for report in &reports {
            let _ = writeln!(
                out,
                "{name}{{dependency=\"{}\"}} {}",
                report.name,
                value(report)
            );
        }
    };
    family(
        "dependency_unreachable",
        "gauge",
        "1 while this node cannot reach the dependency (calls fail at once or fall back).",
        &|r| u64::from(r.open),
    );
    family(
        "dependency_outages_total",
        "counter",
        "Times this node lost the dependency.",
        &|r| r.opened_total,
    );
    family(
        "dependency_calls_refused_total",
        "counter",
        "Calls answered at once with service_unavailable while the dependency was unreachable.",
        &|r| r.refused_total,
    );
    family(
        "dependency_fallbacks_total",
        "counter",
        "Calls served by this node's own fallback (its rate limiter) instead of the dependency.",
        &|r| r.fallbacks_total,
    );
    out
}

fn job_metrics(counts: JobCounts) -> String {
    let JobCounts {
        queued,
        running,
        dead,
    } = counts;
    format!(
        "# HELP background_jobs Background jobs in the queue, by state.\n\
         # TYPE background_jobs gauge\n\
         background_jobs{{state=\"queued\"}} {queued}\n\
         background_jobs{{state=\"running\"}} {running}\n\
         background_jobs{{state=\"dead\"}} {dead}\n"
    )
}
