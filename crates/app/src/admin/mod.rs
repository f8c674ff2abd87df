//! Administration of an organization: what only its admins may see.

mod dashboard;

pub use dashboard::{ACTIVITY_WINDOW, DashboardMetrics, dashboard_metrics};

use crate::ports::PortError;

/// What can go wrong in the admin use cases.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The caller is not an admin of their organization.
    #[error("only an organization admin can {0}")]
    Forbidden(&'static str),
    #[error(transparent)]
    Port(#[from] PortError),
}
