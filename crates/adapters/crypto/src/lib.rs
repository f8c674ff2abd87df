//! Security adapters: bcrypt password hashing, HS256 JWT access tokens and TOTP codes.

mod jwt;
mod password;
mod totp;

pub use jwt::{JwtConfigError, JwtTokenService};
pub use password::{BcryptConfigError, BcryptPasswordHasher};
pub use totp::TotpCodes;
