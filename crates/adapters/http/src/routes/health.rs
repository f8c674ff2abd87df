//! Operational endpoints: liveness, readiness and metrics. Not under `/api/v1`, not authenticated.

use crate::telemetry::HttpMetrics;
use actix_web::{HttpResponse, get, web};
use futures_util::future::join_all;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tandem_app::AppContext;
use tandem_app::ports::{JobCounts, ReadinessProbe};
use utoipa::ToSchema;

/// Everything `/readyz` must find reachable (the database; Redis in cluster mode).
#[derive(Clone, Default)]
pub struct Probes(pub Vec<Arc<dyn ReadinessProbe>>);

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessResponse {
    /// `ready` when every dependency answered, `unavailable` otherwise.
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

/// Readiness: the database (and Redis, in cluster mode) answer.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = ReadinessResponse),
        (status = 503, description = "A dependency is unreachable", body = ReadinessResponse),
    )
)]
#[get("/readyz")]
pub async fn readyz(probes: web::Data<Probes>) -> HttpResponse {
    let checks = join_all(probes.0.iter().map(|probe| async move {
        let answered = within_deadline(probe.check()).await;
        if let Some(Err(error)) = &answered {
            tracing::warn!(dependency = probe.name(), %error, "readiness check failed");
        }
        (
            probe.name(),
            if matches!(answered, Some(Ok(()))) {
                "ok"
            } else {
                "unavailable"
            },
        )
    }))
    .await;
    let checks: BTreeMap<_, _> = checks.into_iter().collect();
    let ready = checks.values().all(|v| *v == "ok");
    let body = ReadinessResponse {
        status: if ready { "ready" } else { "unavailable" },
        checks,
    };
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// A dependency that hangs counts as down after two seconds.
async fn within_deadline<F: std::future::Future>(future: F) -> Option<F::Output> {
    actix_web::rt::time::timeout(Duration::from_secs(2), future)
        .await
        .ok()
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Metrics", content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(metrics: web::Data<HttpMetrics>, ctx: web::Data<AppContext>) -> HttpResponse {
    // This node's requests, then the job queue's counts (shared by every node), left out
    // when the queue does not answer in time. (The doc comment is the OpenAPI description.)
    let mut body = metrics.render();
    match within_deadline(tandem_app::jobs::counts(&ctx.jobs)).await {
        Some(Ok(counts)) => body.push_str(&job_metrics(counts)),
        Some(Err(error)) => tracing::warn!(%error, "job counts unavailable for /metrics"),
        None => tracing::warn!("job counts timed out for /metrics"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
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
