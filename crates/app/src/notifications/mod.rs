//! Notifications: what each person is told about, stored in their notification centre, sent
//! live to their notifications socket, and emailed when it stays unread.
//!
//! The flow: a new message enqueues one `notify_message` job (never a row per member before
//! the sender's ack); the job decides the recipients ([`tandem_domain::notification::recipients`]),
//! stores their notifications in batches and publishes each live. A sweep on the nodes that
//! run job workers turns what is still unread after each person's delay (or digest period)
//! into an email in the outbox, sent by a `send_mail` job with retries.

mod centre;
mod deliver;
mod email;
mod jobs;
mod settings;
pub mod templates;

pub use centre::{MAX_IDS, MAX_PAGE, list, mark_read, unread};
pub use email::{prune, sweep_emails};
pub use jobs::NotificationJobs;
pub use settings::{
    ChannelPreferences, SettingsChanges, get_settings, set_channel_preferences, update_settings,
};

pub(crate) use centre::channel_read;
pub(crate) use deliver::needs_notifying;

use crate::ports::PortError;
use tandem_domain::InvalidInput;

/// What can go wrong in the notification use cases.
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    /// Unknown, in another organization, or not visible: indistinguishable on purpose.
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("{field}: {error}")]
    Invalid {
        field: &'static str,
        error: InvalidInput,
    },
    #[error(transparent)]
    Port(#[from] PortError),
}

impl NotificationError {
    pub(crate) fn invalid(field: &'static str, error: InvalidInput) -> Self {
        Self::Invalid { field, error }
    }
}
