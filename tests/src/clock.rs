//! The test server's clock: the wall clock plus an offset a test moves forward, so delays,
//! digests and retries come due at once instead of after minutes of sleeping.

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Mutex;
use std::time::Duration;
use tandem_app::ports::Clock;

#[derive(Debug, Default)]
pub struct ShiftedClock {
    offset: Mutex<TimeDelta>,
}

impl ShiftedClock {
    /// Moves the server's time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = TimeDelta::from_std(by).expect("a reasonable duration");
        *self.offset.lock().expect("clock lock") += by;
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().expect("clock lock")
    }
}
