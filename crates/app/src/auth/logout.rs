//! Logging out: the access token in hand and (when given) the refresh token's session end now.

use super::session::hash_refresh_token;
use crate::AuthContext;
use crate::auth::Authenticated;
use crate::ports::PortError;

#[derive(Debug, Clone)]
pub struct Logout {
    pub refresh_token: Option<String>,
}

/// # Errors
/// `PortError` when the denylist or the session store cannot be reached.
pub async fn logout(
    ctx: &AuthContext,
    caller: &Authenticated,
    cmd: Logout,
) -> Result<(), PortError> {
    ctx.denylist
        .revoke(&caller.token_id, caller.expires_at)
        .await?;
    if let Some(token) = cmd.refresh_token {
        // A token of someone else's session is ignored rather than reported: logout succeeds.
        ctx.sessions
            .revoke_family_of(&hash_refresh_token(&token), caller.user.id, ctx.clock.now())
            .await?;
    }
    ctx.announcer
        .sessions_ended(caller.user.id, Some(&caller.token_id))
        .await;
    Ok(())
}
