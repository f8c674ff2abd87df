//! Reading one user.

use super::{UserError, load_visible};
use crate::PeopleContext;
use tandem_domain::{Actor, User, UserId};

/// # Errors
/// `NotFound` for unknown users and users of other organizations.
pub async fn get_user(ctx: &PeopleContext, actor: &Actor, id: UserId) -> Result<User, UserError> {
    load_visible(ctx, actor, id).await
}
