//! Contract suite for [`JobQueue`]: what every job queue adapter must do.
//!
//! The queue under test must stamp [`MAX_ATTEMPTS`] on the jobs it stores. Cases claim
//! whatever is due, so each one leaves nothing queued or running behind (dead jobs stay, and
//! counts are compared before and after): the suite can run again over one store, but not
//! concurrently with another user of it.

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use std::collections::HashSet;
use std::sync::Arc;
use tandem_app::ports::{ClaimedJob, Job, JobCounts, JobId, JobQueue, PortError};

/// The `max_attempts` the queue under test gives new jobs.
pub const MAX_ATTEMPTS: u32 = 3;

/// Runs every case in this suite against `queue`.
pub async fn run_all(queue: &Arc<dyn JobQueue>) {
    an_enqueued_job_is_claimed_once_and_gone_when_completed(queue).await;
    a_job_is_not_claimed_before_its_run_at(queue).await;
    claims_take_the_earliest_due_jobs_up_to_the_limit(queue).await;
    an_expired_lease_makes_a_job_claimable_again_as_attempt_two(queue).await;
    a_job_failed_with_a_retry_time_is_queued_again_until_then(queue).await;
    a_job_failed_without_a_retry_time_is_dead_and_never_claimed_again(queue).await;
    completing_or_failing_an_unknown_job_is_not_found(queue).await;
    payloads_of_every_kind_round_trip(queue).await;
    concurrent_claimers_never_get_the_same_job(queue).await;
}

pub async fn an_enqueued_job_is_claimed_once_and_gone_when_completed(queue: &Arc<dyn JobQueue>) {
    let (now, before) = (start(), queue.counts().await.unwrap());
    let job = Job::ProcessImage { file_id: 42 };
    let id = queue.enqueue(job.clone(), now).await.unwrap();
    assert_eq!(counts_since(queue, before).await, (1, 0, 0), "queued");

    let claimed = queue.claim("w1", 10, now, now + lease()).await.unwrap();
    assert_eq!(
        claimed,
        vec![ClaimedJob {
            id,
            job,
            attempt: 1,
            max_attempts: MAX_ATTEMPTS
        }]
    );
    assert_eq!(counts_since(queue, before).await, (0, 1, 0), "running");
    let again = queue.claim("w2", 10, now, now + lease()).await.unwrap();
    assert!(again.is_empty(), "a held job is nobody else's: {again:?}");

    queue.complete(id).await.unwrap();
    assert_eq!(counts_since(queue, before).await, (0, 0, 0), "removed");
    let after = queue
        .claim("w2", 10, far_future(), far_future())
        .await
        .unwrap();
    assert!(after.is_empty(), "{after:?}");
}

pub async fn a_job_is_not_claimed_before_its_run_at(queue: &Arc<dyn JobQueue>) {
    let now = start();
    let run_at = now + TimeDelta::minutes(10);
    let id = queue.enqueue(image(1), run_at).await.unwrap();

    let early = now + TimeDelta::minutes(10) - TimeDelta::milliseconds(1);
    let claimed = queue.claim("w1", 10, early, early + lease()).await.unwrap();
    assert!(claimed.is_empty(), "not due yet: {claimed:?}");
    let claimed = queue
        .claim("w1", 10, run_at, run_at + lease())
        .await
        .unwrap();
    assert_eq!(ids(&claimed), vec![id], "due at its run_at");
    queue.complete(id).await.unwrap();
}

pub async fn claims_take_the_earliest_due_jobs_up_to_the_limit(queue: &Arc<dyn JobQueue>) {
    let now = start();
    let latest = queue.enqueue(image(1), now).await.unwrap();
    let earliest = queue
        .enqueue(image(2), now - TimeDelta::minutes(2))
        .await
        .unwrap();
    let middle = queue
        .enqueue(image(3), now - TimeDelta::minutes(1))
        .await
        .unwrap();

    let first = queue.claim("w1", 2, now, now + lease()).await.unwrap();
    assert_eq!(ids(&first), vec![earliest, middle]);
    let rest = queue.claim("w1", 2, now, now + lease()).await.unwrap();
    assert_eq!(ids(&rest), vec![latest]);
    for id in [earliest, middle, latest] {
        queue.complete(id).await.unwrap();
    }
}

pub async fn an_expired_lease_makes_a_job_claimable_again_as_attempt_two(
    queue: &Arc<dyn JobQueue>,
) {
    let (now, before) = (start(), queue.counts().await.unwrap());
    let id = queue.enqueue(image(1), now).await.unwrap();
    let until = now + TimeDelta::minutes(5);
    assert_eq!(
        ids(&queue.claim("dies", 10, now, until).await.unwrap()),
        vec![id]
    );

    let within = until - TimeDelta::milliseconds(1);
    let claimed = queue
        .claim("w2", 10, within, within + lease())
        .await
        .unwrap();
    assert!(claimed.is_empty(), "the lease still holds: {claimed:?}");
    let claimed = queue.claim("w2", 10, until, until + lease()).await.unwrap();
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!((claimed[0].id, claimed[0].attempt), (id, 2));
    assert_eq!(counts_since(queue, before).await, (0, 1, 0));
    queue.complete(id).await.unwrap();
}

pub async fn a_job_failed_with_a_retry_time_is_queued_again_until_then(queue: &Arc<dyn JobQueue>) {
    let (now, before) = (start(), queue.counts().await.unwrap());
    let id = queue.enqueue(image(1), now).await.unwrap();
    queue.claim("w1", 10, now, now + lease()).await.unwrap();
    let retry_at = now + TimeDelta::minutes(3);
    queue.fail(id, "timed out", Some(retry_at)).await.unwrap();
    assert_eq!(counts_since(queue, before).await, (1, 0, 0));

    let early = retry_at - TimeDelta::milliseconds(1);
    let claimed = queue.claim("w1", 10, early, early + lease()).await.unwrap();
    assert!(claimed.is_empty(), "not before retry_at: {claimed:?}");
    let claimed = queue
        .claim("w2", 10, retry_at, retry_at + lease())
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!((claimed[0].id, claimed[0].attempt), (id, 2));
    queue.complete(id).await.unwrap();
}

pub async fn a_job_failed_without_a_retry_time_is_dead_and_never_claimed_again(
    queue: &Arc<dyn JobQueue>,
) {
    let (now, before) = (start(), queue.counts().await.unwrap());
    let id = queue.enqueue(image(1), now).await.unwrap();
    queue.claim("w1", 10, now, now + lease()).await.unwrap();
    queue.fail(id, "not an image", None).await.unwrap();
    assert_eq!(counts_since(queue, before).await, (0, 0, 1));

    let claimed = queue
        .claim("w1", 10, far_future(), far_future())
        .await
        .unwrap();
    assert!(claimed.is_empty(), "{claimed:?}");
    assert!(
        matches!(
            queue.fail(id, "again", None).await,
            Err(PortError::NotFound)
        ),
        "a dead job is not running"
    );
    assert_eq!(counts_since(queue, before).await, (0, 0, 1));
}

pub async fn completing_or_failing_an_unknown_job_is_not_found(queue: &Arc<dyn JobQueue>) {
    let unknown = JobId(i64::MAX - i64::from(rand::random::<u16>()));
    assert!(matches!(
        queue.complete(unknown).await,
        Err(PortError::NotFound)
    ));
    let retry = Some(start());
    assert!(matches!(
        queue.fail(unknown, "gone", retry).await,
        Err(PortError::NotFound)
    ));

    let now = start();
    let id = queue.enqueue(image(1), now).await.unwrap();
    assert!(
        matches!(
            queue.fail(id, "not held", retry).await,
            Err(PortError::NotFound)
        ),
        "only a running job can fail"
    );
    queue.claim("w1", 10, now, now + lease()).await.unwrap();
    queue.complete(id).await.unwrap();
    assert!(matches!(queue.complete(id).await, Err(PortError::NotFound)));
}

pub async fn payloads_of_every_kind_round_trip(queue: &Arc<dyn JobQueue>) {
    let now = start();
    let jobs = [
        Job::ProcessImage { file_id: i64::MAX },
        Job::DeleteBlobs {
            keys: vec![
                "files/2026/03/0123456789abcdef".to_owned(),
                "files/2026/03/0123456789abcdef.thumb".to_owned(),
                "quotes \" and \\ and ünïcödé".to_owned(),
            ],
        },
        Job::DeleteBlobs { keys: Vec::new() },
    ];
    for (offset, job) in (0..).zip(&jobs) {
        let run_at = now + TimeDelta::milliseconds(offset);
        queue.enqueue(job.clone(), run_at).await.unwrap();
    }
    let later = now + TimeDelta::seconds(1);
    let claimed = queue.claim("w1", 10, later, later + lease()).await.unwrap();
    let back: Vec<Job> = claimed.iter().map(|c| c.job.clone()).collect();
    assert_eq!(back, jobs);
    for job in claimed {
        queue.complete(job.id).await.unwrap();
    }
}

/// Many workers claim at once; every job goes to exactly one of them.
pub async fn concurrent_claimers_never_get_the_same_job(queue: &Arc<dyn JobQueue>) {
    const JOBS: i64 = 60;
    const WORKERS: usize = 8;
    let now = start();
    let mut enqueued = HashSet::new();
    for file_id in 0..JOBS {
        enqueued.insert(queue.enqueue(image(file_id), now).await.unwrap());
    }

    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..WORKERS {
        let queue = Arc::clone(queue);
        tasks.spawn(async move {
            let name = format!("w{worker}");
            let mut mine = Vec::new();
            loop {
                let batch = queue.claim(&name, 3, now, now + lease()).await.unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(ids(&batch));
            }
        });
    }
    let mut claimed = Vec::new();
    for mine in tasks.join_all().await {
        claimed.extend(mine);
    }

    let distinct: HashSet<JobId> = claimed.iter().copied().collect();
    assert_eq!(distinct.len(), claimed.len(), "a job was claimed twice");
    assert_eq!(distinct, enqueued, "every job was claimed");
    for id in claimed {
        queue.complete(id).await.unwrap();
    }
}

fn image(file_id: i64) -> Job {
    Job::ProcessImage { file_id }
}

fn ids(claimed: &[ClaimedJob]) -> Vec<JobId> {
    claimed.iter().map(|c| c.id).collect()
}

/// Now, to the millisecond, which every backend stores exactly.
fn start() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

fn lease() -> TimeDelta {
    TimeDelta::minutes(5)
}

fn far_future() -> DateTime<Utc> {
    start() + TimeDelta::days(3650)
}

/// `(queued, running, dead)` now minus `before`.
async fn counts_since(queue: &Arc<dyn JobQueue>, before: JobCounts) -> (i64, i64, i64) {
    let now = queue.counts().await.unwrap();
    let delta = |a: u64, b: u64| i64::try_from(a).unwrap() - i64::try_from(b).unwrap();
    (
        delta(now.queued, before.queued),
        delta(now.running, before.running),
        delta(now.dead, before.dead),
    )
}
