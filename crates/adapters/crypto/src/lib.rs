//! Security adapters: bcrypt password hashing, HS256 JWT access tokens, TOTP codes, and
//! sealing the secrets the database keeps.

mod jwt;
mod password;
mod seal;
mod totp;

pub use jwt::{JwtConfigError, JwtTokenService};
pub use password::{BcryptConfigError, BcryptPasswordHasher};
pub use seal::{KeyError, Sealer};
pub use totp::TotpCodes;
