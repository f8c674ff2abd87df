//! [`BcryptPasswordHasher`]: bcrypt on tokio's blocking pool.

use async_trait::async_trait;
use std::sync::Arc;
use tandem_app::ports::{PasswordHasher, PortError};
use tandem_domain::Password;

/// bcrypt at a fixed cost. Every hash and verify runs on the blocking pool: at cost 12 one
/// takes about a quarter of a second, which would stall an async worker and every request
/// queued on it.
#[derive(Debug, Clone)]
pub struct BcryptPasswordHasher {
    cost: u32,
    /// A hash of a random string at the same cost, for [`PasswordHasher::waste_time`]: verifying
    /// against it costs exactly what a real failed verify costs.
    decoy_hash: Arc<str>,
}

#[derive(Debug, thiserror::Error)]
#[error("bcrypt cost {cost} is not usable: {source}")]
pub struct BcryptConfigError {
    cost: u32,
    #[source]
    source: bcrypt::BcryptError,
}

impl BcryptPasswordHasher {
    /// Computes the decoy hash, so this takes as long as one hash at `cost` (call it once, at
    /// startup).
    ///
    /// # Errors
    /// When bcrypt refuses the cost (it accepts 4 to 31).
    pub fn new(cost: u32) -> Result<Self, BcryptConfigError> {
        let decoy = uuid::Uuid::new_v4().to_string();
        let decoy_hash =
            bcrypt::hash(decoy, cost).map_err(|source| BcryptConfigError { cost, source })?;
        Ok(Self {
            cost,
            decoy_hash: decoy_hash.into(),
        })
    }
}

#[async_trait]
impl PasswordHasher for BcryptPasswordHasher {
    async fn hash(&self, password: &Password) -> Result<String, PortError> {
        let (password, cost) = (password.expose().to_owned(), self.cost);
        tokio::task::spawn_blocking(move || bcrypt::hash(password, cost))
            .await
            .map_err(PortError::unexpected)?
            .map_err(PortError::unexpected)
    }

    async fn verify(&self, password: &Password, hash: &str) -> Result<bool, PortError> {
        let (password, hash) = (password.expose().to_owned(), hash.to_owned());
        let verified = tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash))
            .await
            .map_err(PortError::unexpected)?;
        // A hash bcrypt cannot read matches nothing; the caller treats it as a wrong password.
        Ok(verified.unwrap_or(false))
    }

    async fn waste_time(&self, password: &Password) {
        let (password, hash) = (password.expose().to_owned(), Arc::clone(&self.decoy_hash));
        // Nothing to report: the point is only the time spent.
        let _ = tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_COST: u32 = 4;

    fn password(raw: &str) -> Password {
        Password::presented(raw)
    }

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_and_no_other() {
        let hasher = BcryptPasswordHasher::new(TEST_COST).unwrap();
        let hash = hasher
            .hash(&password("violet harbor kettle"))
            .await
            .unwrap();

        assert!(hash.starts_with("$2b$04$"), "{hash}");
        assert!(!hash.contains("correct horse"));
        assert!(
            hasher
                .verify(&password("violet harbor kettle"), &hash)
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify(&password("violet harbor kettle!"), &hash)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn the_same_password_hashes_differently_each_time() {
        let hasher = BcryptPasswordHasher::new(TEST_COST).unwrap();
        let first = hasher
            .hash(&password("violet harbor kettle"))
            .await
            .unwrap();
        let second = hasher
            .hash(&password("violet harbor kettle"))
            .await
            .unwrap();
        assert_ne!(first, second, "each hash has its own salt");
    }

    #[tokio::test]
    async fn a_malformed_hash_matches_nothing_rather_than_failing() {
        let hasher = BcryptPasswordHasher::new(TEST_COST).unwrap();
        for malformed in [
            "",
            "not a hash",
            "$2b$04$short",
            "$9z$04$abcdefghijklmnopqrstuv0123456789012345678901234567890",
        ] {
            assert!(
                !hasher
                    .verify(&password("whatever1"), malformed)
                    .await
                    .unwrap(),
                "{malformed:?}"
            );
        }
    }

    #[tokio::test]
    async fn wasting_time_verifies_against_a_decoy_at_the_same_cost() {
        let hasher = BcryptPasswordHasher::new(TEST_COST).unwrap();
        assert!(hasher.decoy_hash.starts_with("$2b$04$"));
        hasher.waste_time(&password("whatever1")).await;
    }

    #[test]
    fn an_unusable_cost_is_refused_at_construction() {
        assert!(BcryptPasswordHasher::new(3).is_err());
        assert!(BcryptPasswordHasher::new(32).is_err());
    }
}
