//! The worker's rules over the in-memory queue: outcomes, backoff, dead jobs, panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use async_trait::async_trait;
use chrono::TimeDelta;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;
use tandem_app::JobsContext;
use tandem_app::jobs::*;
use tandem_app::ports::{Job, JobId};
use tandem_testkit::fakes::{JobState, TestContext};

/// Plays back one scripted reaction per run (`Done` once the script is used up) and
/// remembers what it was given.
#[derive(Default)]
struct Scripted {
    script: Mutex<VecDeque<Option<JobOutcome>>>,
    runs: Mutex<Vec<Job>>,
}

impl Scripted {
    /// `None` in the script panics.
    fn new(script: impl IntoIterator<Item = Option<JobOutcome>>) -> Self {
        Self {
            script: Mutex::new(script.into_iter().collect()),
            runs: Mutex::default(),
        }
    }

    fn runs(&self) -> Vec<Job> {
        self.runs.lock().unwrap().clone()
    }
}

#[async_trait]
impl JobHandler for Scripted {
    async fn run(&self, job: &Job) -> JobOutcome {
        self.runs.lock().unwrap().push(job.clone());
        let next = self.script.lock().unwrap().pop_front();
        match next {
            None => JobOutcome::Done,
            Some(Some(outcome)) => outcome,
            Some(None) => panic!("the handler broke"),
        }
    }
}

fn image(file_id: i64) -> Job {
    Job::ProcessImage { file_id }
}

fn retry(why: &str) -> Option<JobOutcome> {
    Some(JobOutcome::Retry(why.to_owned()))
}

#[test]
fn backoff_doubles_from_the_base_per_attempt_and_stops_at_an_hour() {
    let base = Duration::from_secs(5);
    let cases = [
        (1, 0.0, 2_500),
        (1, 1.0, 5_000),
        (2, 1.0, 10_000),
        (3, 0.5, 15_000),
        (4, 1.0, 40_000),
        (10, 1.0, 2_560_000),
        (11, 1.0, 3_600_000),
        (11, 0.0, 1_800_000),
        (u32::MAX, 1.0, 3_600_000),
        (0, 1.0, 5_000),
    ];
    for (attempt, jitter, millis) in cases {
        assert_eq!(
            backoff(base, attempt, jitter),
            Duration::from_millis(millis),
            "attempt {attempt}, jitter {jitter}"
        );
    }
}

#[test]
fn backoff_jitter_stays_within_half_and_all_of_the_nominal_delay() {
    let base = Duration::from_secs(5);
    for jitter in [-1.0, 0.0, 0.3, 0.999, 2.0, f64::NAN] {
        let delay = backoff(base, 2, jitter);
        assert!(
            (Duration::from_secs(5)..=Duration::from_secs(10)).contains(&delay),
            "{jitter}: {delay:?}"
        );
    }
}

#[tokio::test]
async fn enqueue_makes_a_job_due_now_and_a_done_job_is_removed() {
    let t = TestContext::new();
    let handler = Scripted::default();
    let id = enqueue(&t.ctx.jobs, image(7)).await.unwrap();

    assert_eq!(run_due(&t.ctx.jobs, &handler, "w1").await.unwrap(), 1);
    assert_eq!(handler.runs(), vec![image(7)]);
    assert!(t.jobs.row(id).is_none(), "completed jobs are removed");
    assert_eq!(run_due(&t.ctx.jobs, &handler, "w1").await.unwrap(), 0);
}

#[tokio::test]
async fn jobs_not_due_yet_are_left_alone() {
    let t = TestContext::new();
    let handler = Scripted::default();
    let later = t.ctx.jobs.clock.now() + TimeDelta::minutes(5);
    t.ctx.jobs.jobs.enqueue(image(1), later).await.unwrap();

    assert_eq!(run_due(&t.ctx.jobs, &handler, "w1").await.unwrap(), 0);
    t.clock.advance(Duration::from_secs(300));
    assert_eq!(run_due(&t.ctx.jobs, &handler, "w1").await.unwrap(), 1);
}

#[tokio::test]
async fn one_pass_runs_at_most_one_batch_in_due_order() {
    let t = TestContext::new();
    let handler = Scripted::default();
    let now = t.ctx.jobs.clock.now();
    for file_id in (1..=6).rev() {
        let run_at = now - TimeDelta::seconds(file_id);
        t.ctx
            .jobs
            .jobs
            .enqueue(image(file_id), run_at)
            .await
            .unwrap();
    }

    assert_eq!(run_due(&t.ctx.jobs, &handler, "w1").await.unwrap(), 4);
    assert_eq!(handler.runs(), [6, 5, 4, 3].map(image));
    assert_eq!(run_due(&t.ctx.jobs, &handler, "w1").await.unwrap(), 2);
}

#[tokio::test]
async fn a_retried_job_waits_its_backoff_and_keeps_the_error() {
    let t = TestContext::new();
    let handler = Scripted::new([retry("blob store timed out")]);
    let id = enqueue(&t.ctx.jobs, image(1)).await.unwrap();
    let failed_at = t.ctx.jobs.clock.now();

    assert_eq!(run_due(&t.ctx.jobs, &handler, "w1").await.unwrap(), 1);
    let row = t.jobs.row(id).unwrap();
    assert_eq!(row.state, JobState::Queued);
    assert_eq!(row.last_error.as_deref(), Some("blob store timed out"));
    let base = t.ctx.jobs.policy.backoff_base;
    let wait = (row.run_at - failed_at).to_std().unwrap();
    assert!(wait >= base / 2 && wait <= base, "{wait:?}");

    t.clock.advance(wait - Duration::from_millis(1));
    assert_eq!(
        run_due(&t.ctx.jobs, &handler, "w1").await.unwrap(),
        0,
        "too soon"
    );
    t.clock.advance(Duration::from_millis(1));
    assert_eq!(run_due(&t.ctx.jobs, &handler, "w1").await.unwrap(), 1);
    assert!(t.jobs.row(id).is_none(), "the second attempt succeeded");
}

#[tokio::test]
async fn a_job_that_keeps_failing_is_dead_after_its_last_attempt() {
    let t = TestContext::new();
    let max = t.ctx.jobs.policy.max_attempts;
    let handler = Scripted::new((1..=max).map(|n| retry(&format!("failure {n}"))));
    let id = enqueue(&t.ctx.jobs, image(1)).await.unwrap();

    for attempt in 1..=max {
        assert_eq!(run_due(&t.ctx.jobs, &handler, "w1").await.unwrap(), 1);
        assert_eq!(t.jobs.row(id).unwrap().attempts, attempt);
        t.clock.advance(MAX_BACKOFF);
    }
    let row = t.jobs.row(id).unwrap();
    assert_eq!(row.state, JobState::Dead);
    assert_eq!(row.last_error, Some(format!("failure {max}")));
    assert_eq!(handler.runs().len(), max as usize);
    assert_eq!(run_due(&t.ctx.jobs, &handler, "w1").await.unwrap(), 0);
}

#[tokio::test]
async fn giving_up_makes_a_job_dead_at_once() {
    let t = TestContext::new();
    let handler = Scripted::new([Some(JobOutcome::GiveUp("not an image".to_owned()))]);
    let id = enqueue(&t.ctx.jobs, image(1)).await.unwrap();

    run_due(&t.ctx.jobs, &handler, "w1").await.unwrap();
    let row = t.jobs.row(id).unwrap();
    assert_eq!((row.state, row.attempts), (JobState::Dead, 1));
    assert_eq!(row.last_error.as_deref(), Some("not an image"));
    let counts = t.ctx.jobs.jobs.counts().await.unwrap();
    assert_eq!((counts.queued, counts.running, counts.dead), (0, 0, 1));
}

#[tokio::test]
async fn a_panicking_handler_counts_as_a_retry_and_the_next_job_still_runs() {
    let t = TestContext::new();
    let handler = Scripted::new([None]);
    let broken = enqueue(&t.ctx.jobs, image(1)).await.unwrap();
    let fine = enqueue(&t.ctx.jobs, image(2)).await.unwrap();

    assert_eq!(run_due(&t.ctx.jobs, &handler, "w1").await.unwrap(), 2);
    let row = t.jobs.row(broken).unwrap();
    assert_eq!(row.state, JobState::Queued);
    let error = row.last_error.unwrap();
    assert!(error.contains("panicked: the handler broke"), "{error}");
    assert!(t.jobs.row(fine).is_none());
}

#[tokio::test]
async fn a_job_whose_last_run_never_reported_back_is_dead_without_running_again() {
    let t = TestContext::new();
    let handler = Scripted::default();
    let id = enqueue(&t.ctx.jobs, image(1)).await.unwrap();
    let lease = t.ctx.jobs.policy.lease;
    // Workers that die mid-job: each claim counts, nobody reports.
    for _ in 0..t.ctx.jobs.policy.max_attempts {
        let now = t.ctx.jobs.clock.now();
        let until = now + TimeDelta::from_std(lease).unwrap();
        assert_eq!(
            t.ctx
                .jobs
                .jobs
                .claim("doomed", 1, now, until)
                .await
                .unwrap()
                .len(),
            1
        );
        t.clock.advance(lease);
    }

    assert_eq!(run_due(&t.ctx.jobs, &handler, "w1").await.unwrap(), 1);
    assert!(handler.runs().is_empty());
    let row = t.jobs.row(id).unwrap();
    assert_eq!(row.state, JobState::Dead);
    assert!(row.last_error.unwrap().contains("never reported back"));
}

#[tokio::test]
async fn an_outcome_for_a_job_someone_else_finished_is_logged_not_fatal() {
    /// Completes the job behind the worker's back, as a worker that took over an expired
    /// lease would.
    struct Racer(std::sync::Arc<dyn tandem_app::ports::JobQueue>);

    #[async_trait]
    impl JobHandler for Racer {
        async fn run(&self, _job: &Job) -> JobOutcome {
            self.0.complete(JobId(1)).await.unwrap();
            JobOutcome::Retry("late".to_owned())
        }
    }

    let t = TestContext::new();
    let racer = Racer(t.ctx.jobs.jobs.clone());
    assert_eq!(enqueue(&t.ctx.jobs, image(1)).await.unwrap(), JobId(1));
    assert_eq!(run_due(&t.ctx.jobs, &racer, "w1").await.unwrap(), 1);
    assert_eq!(t.ctx.jobs.jobs.counts().await.unwrap(), Default::default());
}

mod worker {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn the_worker_runs_jobs_as_they_come_until_shut_down() {
        let t = TestContext::new();
        let mut jobs = JobsContext::clone(&t.ctx.jobs);
        jobs.policy.poll_interval = Duration::from_millis(10);
        let ctx = Arc::new(jobs);
        let handler = Arc::new(Scripted::default());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let worker = tokio::spawn(run_worker(
            Arc::clone(&ctx),
            handler.clone(),
            "w1".to_owned(),
            shutdown,
        ));

        for file_id in 1..=6 {
            enqueue(&ctx, image(file_id)).await.unwrap();
        }
        let all_ran = async {
            while handler.runs().len() < 6 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), all_ran)
            .await
            .expect("the worker ran every job");
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), worker)
            .await
            .expect("the worker stopped")
            .unwrap();
        assert_eq!(ctx.jobs.counts().await.unwrap(), Default::default());
    }

    #[tokio::test]
    async fn a_worker_told_to_stop_before_it_starts_runs_nothing() {
        let t = TestContext::new();
        enqueue(&t.ctx.jobs, image(1)).await.unwrap();
        let handler = Arc::new(Scripted::default());
        let ctx = t.ctx.jobs.clone();
        run_worker(ctx, handler.clone(), "w1".to_owned(), async {}).await;
        assert!(handler.runs().is_empty());
    }
}
