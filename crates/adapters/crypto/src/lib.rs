//! Security adapters: bcrypt password hashing and HS256 JWT access tokens.

mod jwt;
mod password;

pub use jwt::{JwtConfigError, JwtTokenService};
pub use password::{BcryptConfigError, BcryptPasswordHasher};
