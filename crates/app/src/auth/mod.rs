//! Accounts: sign-up, login, token refresh, logout, passwords (changing, resetting), proving
//! email addresses, invitations, the sessions people see and end, personal access tokens, and
//! authenticating a request.

mod access_tokens;
mod authenticate;
pub(crate) mod bots;
pub(crate) mod change_password;
mod devices;
mod invitations;
mod links;
pub(crate) mod login;
mod logout;
mod refresh;
mod register;
mod reset;
mod revocations;
pub(crate) mod session;
mod sso;
mod two_factor;
mod unlock;
mod verification;

pub(crate) use access_tokens::disconnect_people_tokens;
pub use access_tokens::{
    AccessTokenError, CreateAccessToken, IssuedToken, create_access_token, my_access_tokens,
    organization_access_tokens, revoke_access_token, token_holder,
};
pub use authenticate::{AuthError, Authenticated, authenticate, authenticate_account};
pub use bots::{
    BOT_SCOPES, BotError, CreateBot, IssuedBot, create_bot, deactivate_bot, list_bots,
    replace_bot_token,
};
pub use change_password::{ChangePassword, ChangePasswordError, change_password};
pub use devices::{
    SessionsError, end_other_sessions, end_session, end_user_sessions, list_sessions,
    list_user_sessions,
};
pub use invitations::{
    AcceptInvitation, InvitationError, InvitationPreview, Invite, MAX_INVITATION_CHANNELS,
    accept_invitation, invite, list_invitations, preview_invitation, revoke_invitation,
};
pub(crate) use links::may_claim;
pub use login::{Login, LoginError, LoginOutcome, login};
pub use logout::{Logout, logout};
pub use refresh::{RefreshError, refresh};
pub use register::{Register, RegisterError, Registered, register};
pub use reset::{ResetError, force_password_reset, request_password_reset, reset_password};
pub use revocations::{DurableDenylist, SYNC_EVERY};
pub use session::{AuthSession, ClientInfo, hash_refresh_token};
pub use sso::{
    ATTEMPT_TTL as SSO_ATTEMPT_TTL, AddProvider, SsoError, add_provider, finish as finish_sso,
    list_providers as list_sso_providers, providers_for as sso_providers_for, redeem_ticket,
    redirect_uri as sso_redirect_uri, remove_provider as remove_sso_provider, start as start_sso,
};
pub use two_factor::{
    CHALLENGE_TTL, Challenge, Enrolment, RECOVERY_CODES, SecondFactor, TwoFactorError,
    TwoFactorStatus, begin as begin_two_factor, complete_login, confirm as confirm_two_factor,
    disable as disable_two_factor, renew_recovery_codes, reset_for as reset_two_factor,
    status as two_factor_status,
};
pub use unlock::{UnlockError, unlock};
pub use verification::{
    VerificationError, request_email_change, resend_verification, verify_email,
};
