//! Reading and changing user accounts, always within the caller's organization.

mod get;
mod list;
mod online;
mod set_status;
mod update;

pub use get::get_user;
pub use list::{ListUsers, UserPage, list_users};
pub use online::online_users;
pub use set_status::set_status;
pub use update::{deactivate_user, update_user};

use crate::ports::{PortError, UniqueField};
use tandem_domain::Denied;

/// What can go wrong in the user use cases.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// Unknown, or in another organization: the two are indistinguishable on purpose.
    #[error("no such user")]
    NotFound,
    #[error("{0}")]
    Forbidden(#[from] Denied),
    #[error("{0} is already taken")]
    Conflict(UniqueField),
    #[error("an organization needs at least one active admin: promote someone else first")]
    LastAdmin,
    /// One's own address changes only once the new one is proven.
    #[error("a new address must be confirmed first: POST /api/v1/users/me/email sends it a link")]
    EmailNeedsConfirmation,
    #[error(transparent)]
    Port(PortError),
}

impl From<PortError> for UserError {
    fn from(error: PortError) -> Self {
        match error {
            PortError::Conflict(field) => Self::Conflict(field),
            PortError::NotFound => Self::NotFound,
            other => Self::Port(other),
        }
    }
}

/// Loads a user the actor may see, or `NotFound`.
async fn load_visible(
    ctx: &crate::PeopleContext,
    actor: &tandem_domain::Actor,
    id: tandem_domain::UserId,
) -> Result<tandem_domain::User, UserError> {
    ctx.users
        .find_by_id(id)
        .await?
        .filter(|u| actor.sees(u))
        .ok_or(UserError::NotFound)
}
