//! Two-factor sign-in with an authenticator app (TOTP, RFC 6238).
//!
//! Enrolling: [`begin`] (with the password) gives a new secret, as text and as the
//! `otpauth://` URI an app scans from a QR code; [`confirm`] turns it on with a first code and
//! returns ten recovery codes, shown this once (only digests are kept). From then on the
//! password alone opens no session: [`login`](super::login) answers with a challenge, and
//! [`complete_login`] exchanges the challenge and a code (or an unused recovery code) for the
//! session. [`disable`] takes the password and a code.
//!
//! A code is accepted once: the time step it belongs to is recorded atomically, so a code seen
//! over someone's shoulder, or replayed to another node, is refused. Wrong codes count against
//! the challenge (after five it is void: back to the password) and against the account across
//! challenges, so guessing one of a million codes gets nowhere.
//!
//! The challenge is `<user id>.<256 random bits>`; only a digest of the random part is kept,
//! as a short-lived key of the rate limiter's store (every node sees it; it expires by itself).

use super::change_password::{ChangePasswordError, check_current_password};
use super::login::wait_needed;
use super::session::{self, AuthSession, ClientInfo, hash_refresh_token, random_secret};
use crate::AuthContext;
use crate::auth::Authenticated;
use crate::ports::PortError;
use rand::RngCore;
use std::time::Duration;
use tandem_domain::UserId;

/// How long a challenge waits for its code.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(5 * 60);
/// Wrong codes one challenge takes before it is void.
const CODES_PER_CHALLENGE: u64 = 5;
/// Wrong codes one account takes over all challenges, per sign-in window, before everyone
/// waits.
const CODES_PER_ACCOUNT: u64 = 20;
/// Recovery codes made at once.
pub const RECOVERY_CODES: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum TwoFactorError {
    #[error("two-factor sign-in is already on; turn it off first to enrol another device")]
    AlreadyEnabled,
    #[error("no enrolment is waiting for a code; start one first")]
    NotEnrolling,
    #[error("two-factor sign-in is not on for this account")]
    NotEnabled,
    #[error("this code is not valid (it may be mistyped, expired, or already used)")]
    InvalidCode,
    #[error("the current password is incorrect")]
    WrongPassword,
    #[error(
        "this sign-in has expired or had too many wrong codes; sign in with your password again"
    )]
    InvalidChallenge,
    #[error("too many wrong codes; try again in {} seconds", retry_after.as_secs().max(1))]
    TooManyAttempts { retry_after: Duration },
    #[error("only an organization admin can turn off someone else's two-factor sign-in")]
    Forbidden,
    #[error("no such user in your organization")]
    UnknownUser,
    #[error(transparent)]
    Port(#[from] PortError),
}

impl From<ChangePasswordError> for TwoFactorError {
    fn from(error: ChangePasswordError) -> Self {
        match error {
            ChangePasswordError::TooManyAttempts { retry_after } => {
                Self::TooManyAttempts { retry_after }
            }
            ChangePasswordError::Port(port) => Self::Port(port),
            _ => Self::WrongPassword,
        }
    }
}

/// A new secret waiting for its first code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// Base32, for typing into an app.
    pub secret: String,
    /// `otpauth://totp/…`, for a QR code.
    pub uri: String,
}

/// Where someone's two-factor sign-in stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    /// An enrolment waits for its first code.
    pub pending: bool,
    pub recovery_codes_left: u32,
}

/// What the password step answers when a code is also needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub token: String,
    pub expires_in: Duration,
}

/// The second step of signing in.
#[derive(Debug, Clone)]
pub struct SecondFactor {
    pub challenge: String,
    /// Six digits from the app, or a recovery code.
    pub code: String,
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
}

/// # Errors
/// `Port`.
pub async fn status(
    ctx: &AuthContext,
    caller: &Authenticated,
) -> Result<TwoFactorStatus, PortError> {
    let state = ctx.identity.two_factor(caller.user.id).await?;
    Ok(state.map_or(
        TwoFactorStatus {
            enabled: false,
            pending: false,
            recovery_codes_left: 0,
        },
        |state| TwoFactorStatus {
            enabled: state.enabled_at.is_some(),
            pending: state.enabled_at.is_none(),
            recovery_codes_left: state.recovery_codes_left,
        },
    ))
}

/// Starts enrolling (again): a new secret, which works once [`confirm`]ed.
///
/// # Errors
/// `WrongPassword`, `TooManyAttempts`, `AlreadyEnabled`, `Port`.
pub async fn begin(
    ctx: &AuthContext,
    caller: &Authenticated,
    password: &str,
) -> Result<Enrolment, TwoFactorError> {
    check_current_password(ctx, &caller.user, password).await?;
    let secret = ctx.codes.new_secret();
    if !ctx
        .identity
        .begin_two_factor(caller.user.id, &secret.stored, ctx.clock.now())
        .await?
    {
        return Err(TwoFactorError::AlreadyEnabled);
    }
    let uri = otpauth_uri(&secret.shown, caller.user.email.as_str());
    Ok(Enrolment {
        secret: secret.shown,
        uri,
    })
}

/// Turns two-factor sign-in on with a first code from the app; returns the recovery codes.
///
/// # Errors
/// `NotEnrolling`, `InvalidCode`, `TooManyAttempts`, `Port`.
pub async fn confirm(
    ctx: &AuthContext,
    caller: &Authenticated,
    code: &str,
) -> Result<Vec<String>, TwoFactorError> {
    let user = caller.user.id;
    let state = ctx
        .identity
        .two_factor(user)
        .await?
        .filter(|state| state.enabled_at.is_none())
        .ok_or(TwoFactorError::NotEnrolling)?;
    not_throttled(ctx, user).await?;
    let now = ctx.clock.now();
    let Some(step) = ctx.codes.matching_step(&state.secret, code, now) else {
        return Err(wrong_code(ctx, user).await);
    };
    let codes = recovery_codes();
    let digests: Vec<_> = codes.iter().map(|code| digest(code)).collect();
    if !ctx
        .identity
        .enable_two_factor(user, step, &digests, now)
        .await?
    {
        return Err(TwoFactorError::NotEnrolling);
    }
    tracing::info!(user_id = %user, "two-factor sign-in turned on");
    Ok(codes)
}

/// Turns two-factor sign-in off: the password and a code (or a recovery code).
///
/// # Errors
/// `WrongPassword`, `NotEnabled`, `InvalidCode`, `TooManyAttempts`, `Port`.
pub async fn disable(
    ctx: &AuthContext,
    caller: &Authenticated,
    password: &str,
    code: &str,
) -> Result<(), TwoFactorError> {
    check_current_password(ctx, &caller.user, password).await?;
    check_code(ctx, caller.user.id, code).await?;
    ctx.identity.disable_two_factor(caller.user.id).await?;
    tracing::info!(user_id = %caller.user.id, "two-factor sign-in turned off");
    Ok(())
}

/// An admin turns off someone's two-factor sign-in (a lost phone and no recovery codes left):
/// their sessions end too (the phone may be in someone else's hands), they sign in with the
/// password alone, and may enrol again. Where the organization requires a second factor, they
/// must.
///
/// # Errors
/// `Forbidden` for non-admins, `UnknownUser` outside the organization, `NotEnabled`, `Port`.
pub async fn reset_for(
    ctx: &AuthContext,
    actor: &tandem_domain::Actor,
    user_id: UserId,
) -> Result<(), TwoFactorError> {
    if !actor.is_admin() {
        return Err(TwoFactorError::Forbidden);
    }
    ctx.users
        .find_by_id(user_id)
        .await?
        .filter(|user| user.organization_id == actor.organization_id)
        .ok_or(TwoFactorError::UnknownUser)?;
    if ctx.identity.two_factor(user_id).await?.is_none() {
        return Err(TwoFactorError::NotEnabled);
    }
    ctx.identity.disable_two_factor(user_id).await?;
    super::change_password::end_all_sessions(ctx, user_id).await?;
    tracing::info!(user_id = %user_id, by = %actor.id, "an admin turned off two-factor sign-in");
    Ok(())
}

/// New recovery codes, replacing the old ones (a code from the app proves it is the owner).
///
/// # Errors
/// `NotEnabled`, `InvalidCode`, `TooManyAttempts`, `Port`.
pub async fn renew_recovery_codes(
    ctx: &AuthContext,
    caller: &Authenticated,
    code: &str,
) -> Result<Vec<String>, TwoFactorError> {
    check_code(ctx, caller.user.id, code).await?;
    let codes = recovery_codes();
    let digests: Vec<_> = codes.iter().map(|code| digest(code)).collect();
    ctx.identity
        .replace_recovery_codes(caller.user.id, &digests, ctx.clock.now())
        .await?;
    Ok(codes)
}

/// Whether `user_id` signs in with a second factor; if so, the challenge to answer.
pub(crate) async fn challenge_if_enabled(
    ctx: &AuthContext,
    user_id: UserId,
) -> Result<Option<Challenge>, PortError> {
    let enabled = ctx
        .identity
        .two_factor(user_id)
        .await?
        .is_some_and(|state| state.enabled_at.is_some());
    if !enabled {
        return Ok(None);
    }
    let secret = random_secret();
    ctx.rate_limiter
        .increment(&challenge_key(user_id, &secret), CHALLENGE_TTL)
        .await?;
    Ok(Some(Challenge {
        token: format!("{user_id}.{secret}"),
        expires_in: CHALLENGE_TTL,
    }))
}

/// The second step of signing in: the challenge and a code open the session.
///
/// # Errors
/// `InvalidChallenge`, `InvalidCode`, `TooManyAttempts`, `Port`.
pub async fn complete_login(
    ctx: &AuthContext,
    step: SecondFactor,
) -> Result<AuthSession, TwoFactorError> {
    let (user_id, secret) =
        session::split_user_token(&step.challenge).ok_or(TwoFactorError::InvalidChallenge)?;
    let key = challenge_key(user_id, secret);
    if ctx.rate_limiter.current(&key).await?.count == 0 {
        return Err(TwoFactorError::InvalidChallenge);
    }
    let failures_key = format!(
        "two-factor-challenge-failures:{}",
        hash_refresh_token(secret)
    );
    match check_code(ctx, user_id, &step.code).await {
        Ok(()) => {}
        Err(TwoFactorError::InvalidCode) => {
            let failures = ctx
                .rate_limiter
                .increment(&failures_key, CHALLENGE_TTL)
                .await?;
            if failures.count >= CODES_PER_CHALLENGE {
                ctx.rate_limiter.clear(&key).await?;
            }
            return Err(TwoFactorError::InvalidCode);
        }
        Err(other) => return Err(other),
    }
    ctx.rate_limiter.clear(&key).await?;
    let user = ctx
        .users
        .find_by_id(user_id)
        .await?
        .ok_or(TwoFactorError::InvalidChallenge)?;
    if !user.is_active {
        return Err(TwoFactorError::InvalidChallenge);
    }
    let client = ClientInfo::new(step.client_address, step.user_agent.as_deref());
    Ok(session::sign_in(ctx, user, client).await?)
}

/// Accepts a code from the app (once per time step) or an unused recovery code.
async fn check_code(ctx: &AuthContext, user: UserId, code: &str) -> Result<(), TwoFactorError> {
    let state = ctx
        .identity
        .two_factor(user)
        .await?
        .filter(|state| state.enabled_at.is_some())
        .ok_or(TwoFactorError::NotEnabled)?;
    not_throttled(ctx, user).await?;
    let now = ctx.clock.now();
    let accepted = match ctx.codes.matching_step(&state.secret, code, now) {
        Some(step) => ctx.identity.use_two_factor_step(user, step).await?,
        None => match normalized_recovery_code(code) {
            Some(recovery) => {
                ctx.identity
                    .use_recovery_code(user, &digest(&recovery), now)
                    .await?
            }
            None => false,
        },
    };
    if accepted {
        ctx.rate_limiter.clear(&account_failures_key(user)).await?;
        Ok(())
    } else {
        Err(wrong_code(ctx, user).await)
    }
}

async fn not_throttled(ctx: &AuthContext, user: UserId) -> Result<(), TwoFactorError> {
    match wait_needed(ctx, &account_failures_key(user), CODES_PER_ACCOUNT).await? {
        Some(retry_after) => Err(TwoFactorError::TooManyAttempts { retry_after }),
        None => Ok(()),
    }
}

async fn wrong_code(ctx: &AuthContext, user: UserId) -> TwoFactorError {
    match ctx
        .rate_limiter
        .increment(&account_failures_key(user), ctx.policy.login_window)
        .await
    {
        Ok(_) => TwoFactorError::InvalidCode,
        Err(error) => TwoFactorError::Port(error),
    }
}

fn account_failures_key(user: UserId) -> String {
    format!("two-factor-failures:user:{user}")
}

fn challenge_key(user: UserId, secret: &str) -> String {
    format!("two-factor-challenge:{user}:{}", hash_refresh_token(secret))
}

/// `otpauth://totp/Tandem:ana%40acme.io?secret=…&issuer=Tandem&algorithm=SHA1&digits=6&period=30`
fn otpauth_uri(secret: &str, account: &str) -> String {
    let account: String = account
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    format!(
        "otpauth://totp/Tandem:{account}?secret={secret}&issuer=Tandem&algorithm=SHA1&digits=6&period=30"
    )
}

/// The alphabet of recovery codes: no 0/O, 1/I/L, so they read back without doubt.
const RECOVERY_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Ten codes of 16 characters (about 79 bits each), shown as `XXXX-XXXX-XXXX-XXXX`.
fn recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> = (0..16)
                .map(|_| {
                    let index =
                        usize::try_from(rng.next_u32()).unwrap_or(0) % RECOVERY_ALPHABET.len();
                    char::from(RECOVERY_ALPHABET[index])
                })
                .collect();
            chars
                .chunks(4)
                .map(|group| group.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// A recovery code as typed (any case, with or without dashes and spaces), in its stored form.
fn normalized_recovery_code(typed: &str) -> Option<String> {
    let plain: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = plain.len() == 16 && plain.bytes().all(|b| RECOVERY_ALPHABET.contains(&b));
    valid.then(|| {
        plain
            .as_bytes()
            .chunks(4)
            .map(|group| String::from_utf8_lossy(group).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    })
}

/// Recovery codes carry ~79 random bits: a fast digest is enough (nobody can try them all).
fn digest(code: &str) -> String {
    hash_refresh_token(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_ten_distinct_and_read_back_however_typed() {
        let codes = recovery_codes();
        assert_eq!(codes.len(), 10);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 19, "{code}");
            assert_eq!(
                normalized_recovery_code(code).as_deref(),
                Some(code.as_str())
            );
            let sloppy = code.replace('-', " ").to_lowercase();
            assert_eq!(
                normalized_recovery_code(&sloppy).as_deref(),
                Some(code.as_str())
            );
        }
        assert_eq!(normalized_recovery_code("123456"), None);
        assert_eq!(normalized_recovery_code("0OIL-0OIL-0OIL-0OIL"), None);
    }

    #[test]
    fn the_uri_names_the_account_escaped_and_the_parameters_apps_expect() {
        let uri = otpauth_uri("JBSWY3DPEHPK3PXP", "ana+chat@acme.io");
        assert_eq!(
            uri,
            "otpauth://totp/Tandem:ana%2Bchat%40acme.io?secret=JBSWY3DPEHPK3PXP&issuer=Tandem&algorithm=SHA1&digits=6&period=30"
        );
    }
}
