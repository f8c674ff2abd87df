//! The server's keys: the JWT signing key and the key that seals two-factor secrets. Each is
//! configured, or (embedded mode only) generated once and kept in the data directory so tokens
//! and secrets survive restarts.

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use secrecy::ExposeSecret;
use std::path::Path;

use crate::settings::Settings;

const KEY_FILE: &str = "jwt-secret";
const ENCRYPTION_KEY_FILE: &str = "encryption-key";
pub const MIN_SECRET_BYTES: usize = 32;

/// # Errors
/// In cluster mode without a configured key; when the key is too short; when the key file
/// cannot be read or written.
pub fn signing_key(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &settings.auth.jwt_secret {
        return configured(secret, "auth.jwt_secret");
    }
    if settings.is_cluster() {
        bail!(
            "auth.jwt_secret is required in cluster mode (DATABASE_URL=postgres://… or REDIS_URL set), so every node \
             signs and checks tokens with the same key: set TANDEM_AUTH__JWT_SECRET to at least {MIN_SECRET_BYTES} random bytes"
        );
    }
    load_or_create(&settings.data_dir.join(KEY_FILE), "token signing key")
}

/// The key that seals two-factor secrets.
///
/// # Errors
/// When the configured key is too short, or the key file cannot be read or written.
pub fn encryption_key(settings: &Settings, signing_key: &[u8]) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &settings.auth.encryption_key {
        return configured(secret, "auth.encryption_key");
    }
    if settings.is_cluster() {
        // Sealing derives its own key from this one (HKDF, its own label): tokens and secrets
        // never share key material.
        tracing::warn!(
            "auth.encryption_key is not set: two-factor secrets are sealed with a key derived from auth.jwt_secret, \
             so changing auth.jwt_secret would turn everyone's codes off; set TANDEM_AUTH__ENCRYPTION_KEY"
        );
        return Ok(signing_key.to_vec());
    }
    load_or_create(
        &settings.data_dir.join(ENCRYPTION_KEY_FILE),
        "encryption key",
    )
}

/// A key from the settings, long enough.
fn configured(secret: &secrecy::SecretString, setting: &str) -> anyhow::Result<Vec<u8>> {
    let bytes = secret.expose_secret().as_bytes().to_vec();
    if bytes.len() < MIN_SECRET_BYTES {
        bail!(
            "{setting} must be at least {MIN_SECRET_BYTES} bytes long (generate one with `openssl rand -base64 48`)"
        );
    }
    Ok(bytes)
}

fn load_or_create(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    if path.exists() {
        let encoded = std::fs::read_to_string(path)
            .with_context(|| format!("reading the {what} {}", path.display()))?;
        let key = STANDARD
            .decode(encoded.trim())
            .with_context(|| format!("the {what} {} is not base64", path.display()))?;
        if key.len() < MIN_SECRET_BYTES {
            bail!(
                "the {what} {} is shorter than {MIN_SECRET_BYTES} bytes",
                path.display()
            );
        }
        return Ok(key);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the data directory {}", dir.display()))?;
    }
    let mut key = vec![0u8; 64];
    rand::rng().fill_bytes(&mut key);
    write_private(path, &STANDARD.encode(&key))
        .with_context(|| format!("writing the {what} {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a new {what}");
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_kept_and_reused() {
        let dir = std::env::temp_dir().join(format!("tandem-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(KEY_FILE);
        let _ = std::fs::remove_file(&path);
        let first = load_or_create(&path, "test key").unwrap();
        let second = load_or_create(&path, "test key").unwrap();
        assert_eq!(first, second);
        assert!(first.len() >= MIN_SECRET_BYTES);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
