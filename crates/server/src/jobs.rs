//! This node's background job workers: the handler they run jobs with, starting
//! `jobs.workers` loops, and stopping them with the server (or, for `tandem worker`, on
//! SIGINT/SIGTERM).

use crate::settings::{JobSettings, Settings};
use crate::startup::build_context;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use tandem_app::jobs::{JobHandler, JobOutcome, run_worker};
use tandem_app::notifications::NotificationJobs;
use tandem_app::ports::Job;
use tandem_app::{AppContext, FilesContext, JobPolicy, JobsContext, NotificationsContext};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// The worker tunables the settings give.
pub fn policy(jobs: &JobSettings) -> JobPolicy {
    JobPolicy {
        workers: jobs.workers,
        poll_interval: Duration::from_millis(jobs.poll_interval_ms),
        lease: Duration::from_secs(jobs.lease_secs),
        max_attempts: jobs.max_attempts,
        ..JobPolicy::default()
    }
}

/// What every job is run with: each kind goes to its area's handler.
pub fn handler(ctx: &AppContext) -> Arc<dyn JobHandler> {
    Arc::new(Areas {
        files: tandem_app::files::FileJobs::new(ctx.files.clone()),
        notifications: NotificationJobs::new(ctx.notifications.clone()),
        integrations: ctx.integrations.clone(),
    })
}

/// Hands each job to the area it belongs to.
struct Areas {
    files: tandem_app::files::FileJobs,
    notifications: NotificationJobs,
    integrations: Arc<tandem_app::IntegrationsContext>,
}

#[async_trait]
impl JobHandler for Areas {
    async fn run(&self, job: &Job) -> JobOutcome {
        if let Job::DeliverWebhook { delivery_id } = job {
            let id = tandem_domain::DeliveryId::new(*delivery_id);
            return tandem_app::integrations::deliver(&self.integrations, id).await;
        }
        if NotificationJobs::handles(job) {
            self.notifications.run(job).await
        } else {
            self.files.run(job).await
        }
    }
}

/// A stand-in until the file jobs' handler exists: every job is given up (kept as dead, with
/// the reason, for operators), so nothing is silently dropped.
#[derive(Debug, Clone, Copy)]
pub struct NoJobHandlerYet;

/// What [`NoJobHandlerYet`] records on every job.
pub const NO_HANDLER_YET: &str = "no handler for this job yet";

#[async_trait]
impl JobHandler for NoJobHandlerYet {
    async fn run(&self, _job: &Job) -> JobOutcome {
        JobOutcome::GiveUp(NO_HANDLER_YET.to_owned())
    }
}

/// The job workers of this node, not started yet.
pub struct JobWorkers {
    ctx: Arc<JobsContext>,
    /// Sweeps the uploads never shared.
    files: Arc<FilesContext>,
    /// Sweeps for emails that came due, and old read notifications.
    notifications: Arc<NotificationsContext>,
    handler: Arc<dyn JobHandler>,
    /// How long stopping waits for the jobs in hand before abandoning them to their lease.
    grace: Duration,
}

impl JobWorkers {
    pub fn new(ctx: &AppContext, grace: Duration) -> Self {
        Self {
            ctx: ctx.jobs.clone(),
            files: ctx.files.clone(),
            notifications: ctx.notifications.clone(),
            handler: handler(ctx),
            grace,
        }
    }

    /// Starts `jobs.workers` loops on the current runtime, named
    /// `<pid>-<random>-<n>` so that leases say which process of which node holds them.
    pub fn start(self) -> RunningJobWorkers {
        let stop = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let node = format!("{}-{:06x}", std::process::id(), rand::random::<u32>() >> 8);
        for n in 1..=self.ctx.policy.workers {
            let shutdown = stop.clone().cancelled_owned();
            let worker = run_worker(
                Arc::clone(&self.ctx),
                Arc::clone(&self.handler),
                format!("{node}-{n}"),
                shutdown,
            );
            tasks.spawn(worker);
        }
        if self.ctx.policy.workers > 0 {
            let shutdown = stop.clone().cancelled_owned();
            tasks.spawn(sweep_unshared_uploads(Arc::clone(&self.files), shutdown));
            let shutdown = stop.clone().cancelled_owned();
            tasks.spawn(sweep_notifications(
                Arc::clone(&self.notifications),
                shutdown,
            ));
        }
        RunningJobWorkers {
            stop,
            tasks,
            grace: self.grace,
        }
    }
}

/// Removes uploads never shared in a message, every `files.orphan_sweep_secs`, on the nodes
/// that run workers (several at once is fine: removing twice is not an error).
async fn sweep_unshared_uploads(
    ctx: Arc<FilesContext>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let mut tick = tokio::time::interval(ctx.policy.sweep_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = tick.tick() => match tandem_app::files::sweep_unattached(&ctx).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "removed uploads never shared"),
                Err(error) => tracing::warn!(%error, "sweeping unshared uploads failed"),
            },
        }
    }
}

/// Queues the emails that came due, every `notifications.email_sweep_interval_ms`, and removes
/// old read notifications once an hour, on the nodes that run workers (several at once is
/// fine: each person's notifications are taken by one node).
async fn sweep_notifications(
    ctx: Arc<NotificationsContext>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let mut tick = tokio::time::interval(ctx.policy.sweep_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut prune = tokio::time::interval(Duration::from_secs(3600));
    prune.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = tick.tick() => match tandem_app::notifications::sweep_emails(&ctx).await {
                Ok(0) => {}
                Ok(queued) => tracing::info!(queued, "queued notification emails"),
                Err(error) => tracing::warn!(%error, "sweeping for notification emails failed"),
            },
            _ = prune.tick() => match tandem_app::notifications::prune(&ctx).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "removed old read notifications"),
                Err(error) => tracing::warn!(%error, "removing old read notifications failed"),
            },
        }
    }
}

/// Started workers; [`RunningJobWorkers::stop`] ends them.
pub struct RunningJobWorkers {
    stop: CancellationToken,
    tasks: JoinSet<()>,
    grace: Duration,
}

impl RunningJobWorkers {
    /// Asks every loop to stop after the jobs in hand and waits up to the grace period;
    /// loops still busy then are aborted (their jobs run again when their leases end).
    pub async fn stop(mut self) {
        self.stop.cancel();
        let all_stopped = async {
            while let Some(joined) = self.tasks.join_next().await {
                if let Err(error) = joined {
                    tracing::error!(%error, "a job worker failed");
                }
            }
        };
        if tokio::time::timeout(self.grace, all_stopped).await.is_err() {
            tracing::warn!(
                grace_secs = self.grace.as_secs(),
                "job workers still busy at shutdown; their jobs run again after their leases"
            );
            self.tasks.shutdown().await;
        }
    }
}

/// `tandem worker`: the job workers alone, without HTTP, until SIGINT or SIGTERM.
///
/// # Errors
/// When `jobs.workers` is 0, or the context cannot be built (see [`build_context`]).
pub async fn run_worker_node(settings: &Settings) -> anyhow::Result<()> {
    if settings.jobs.workers == 0 {
        anyhow::bail!("jobs.workers is 0: a worker node needs at least one (TANDEM_JOBS__WORKERS)");
    }
    let ctx = build_context(settings).await?.ctx;
    let grace = Duration::from_secs(settings.http.shutdown_timeout_secs);
    let workers = JobWorkers::new(&ctx, grace).start();
    tracing::info!(workers = settings.jobs.workers, "tandem is running jobs");
    stop_signal().await?;
    tracing::info!("stopping the job workers");
    workers.stop().await;
    Ok(())
}

/// SIGINT or SIGTERM, as the HTTP server stops on.
pub(crate) async fn stop_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted,
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
