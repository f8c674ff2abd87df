//! [`Sealer`]: secrets kept in the database sealed with AES-256-GCM under a key derived
//! (HKDF-SHA256) from the server's encryption key, one key per purpose, each value with its own
//! random nonce, stored as `v1:<base64url(nonce ‖ ciphertext ‖ tag)>`. A value sealed for one
//! purpose does not open for another, and none opens under another server's key.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hkdf::{HKDF_SHA256, Salt};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use tandem_app::ports::SecretBox;

const SEALED_PREFIX: &str = "v1:";

pub struct Sealer {
    key: LessSafeKey,
    purpose: &'static str,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealer {{ purpose: {:?}, key: <hidden> }}", self.purpose)
    }
}

/// The key could not be derived (HKDF takes any input: it never happens).
#[derive(Debug, thiserror::Error)]
#[error("could not derive the sealing key for {0}")]
pub struct KeyError(&'static str);

impl Sealer {
    /// Seals for `purpose` (`"two-factor secrets v1"`) under a key derived from `server_key`
    /// (any length; at least 32 random bytes in practice).
    ///
    /// # Errors
    /// [`KeyError`] if the key derivation fails.
    pub fn new(server_key: &[u8], purpose: &'static str) -> Result<Self, KeyError> {
        let prk = Salt::new(HKDF_SHA256, b"tandem").extract(server_key);
        let info = [purpose.as_bytes()];
        let okm = prk
            .expand(&info, &AES_256_GCM)
            .map_err(|_| KeyError(purpose))?;
        Ok(Self {
            key: LessSafeKey::new(UnboundKey::from(okm)),
            purpose,
        })
    }
}

impl SecretBox for Sealer {
    fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let mut sealed = plain.as_bytes().to_vec();
        // Sealing with a valid key and a fresh nonce cannot fail.
        if self
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(self.purpose.as_bytes()),
                &mut sealed,
            )
            .is_err()
        {
            tracing::error!(purpose = self.purpose, "sealing a secret failed");
        }
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(out))
    }

    fn open(&self, stored: &str) -> Option<String> {
        let Some(encoded) = stored.strip_prefix(SEALED_PREFIX) else {
            // Stored before sealing existed.
            return Some(stored.to_owned());
        };
        let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut sealed = sealed.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(self.purpose.as_bytes()), &mut sealed)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a server key of at least 32 bytes";

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_purpose() {
        let sealer = Sealer::new(KEY, "test secrets v1").unwrap();
        let sealed = sealer.seal("hunter2-hunter2");
        assert!(
            sealed.starts_with("v1:") && !sealed.contains("hunter2"),
            "{sealed}"
        );
        assert_ne!(
            sealed,
            sealer.seal("hunter2-hunter2"),
            "a fresh nonce each time"
        );
        assert_eq!(sealer.open(&sealed).as_deref(), Some("hunter2-hunter2"));
        let other_purpose = Sealer::new(KEY, "other secrets v1").unwrap();
        assert_eq!(other_purpose.open(&sealed), None);
        let other_server =
            Sealer::new(b"another server's key, 32 bytes..", "test secrets v1").unwrap();
        assert_eq!(other_server.open(&sealed), None);
        let mut tampered = sealed.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(sealer.open(&tampered), None);
        assert_eq!(sealer.open("v1:"), None);
        assert_eq!(sealer.open("v1:%%%"), None);
        assert_eq!(
            sealer.open("stored before sealing").as_deref(),
            Some("stored before sealing")
        );
    }
}
