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
    // The key names the whole session: its newest access token may expire after this one.
    let keep_until = caller
        .expires_at
        .max(ctx.clock.now() + ctx.policy.access_token_ttl);
    ctx.denylist.revoke(&caller.token_id, keep_until).await?;
    if let Some(session) = caller.session_id {
        ctx.identity
            .end_sessions(caller.user.id, Some(&[session]), None, ctx.clock.now())
            .await?;
    }
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
