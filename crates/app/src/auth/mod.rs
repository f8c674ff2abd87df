//! Sign-up, login, token refresh, logout, password change, and authenticating a request.

mod authenticate;
pub(crate) mod change_password;
pub(crate) mod login;
mod logout;
mod refresh;
mod register;
mod revocations;
mod session;
mod unlock;

pub use authenticate::{AuthError, Authenticated, authenticate};
pub use change_password::{ChangePassword, ChangePasswordError, change_password};
pub use login::{Login, LoginError, login};
pub use logout::{Logout, logout};
pub use refresh::{RefreshError, refresh};
pub use register::{Register, RegisterError, register};
pub use revocations::{DurableDenylist, SYNC_EVERY};
pub use session::{AuthSession, hash_refresh_token};
pub use unlock::{UnlockError, unlock};
