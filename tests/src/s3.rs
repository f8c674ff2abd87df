//! A real S3-compatible server for tests: `s3s-fs`, which checks SigV4 signatures and keeps
//! each bucket as a directory. [`S3Server::start`] runs one on a free port over a fresh
//! temporary directory with one empty bucket; dropping it stops the server and removes the
//! directory.
//!
//! There is no silent skip: without the binary the test fails and says how to install it.

use serde_json::{Value, json};
use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to get the server; `.ci/run` and `make test` do it when it is missing.
pub const INSTALL: &str = "cargo install s3s-fs@0.14.1 --features binary --locked";

pub struct S3Server {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
    dir: PathBuf,
    child: Child,
}

impl S3Server {
    /// Starts a server with an empty bucket and waits until it accepts connections.
    ///
    /// # Panics
    /// When `s3s-fs` is not installed (naming the install command) or does not start.
    pub async fn start() -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join(format!("tandem-s3-{id}"));
        let bucket = "tandem-test".to_owned();
        std::fs::create_dir_all(dir.join("data").join(&bucket)).unwrap();
        let (access_key, secret_key) = (format!("AK{}", &id[..14]), format!("SK{id}"));
        // Another process may take the free port between our probe and the server's bind:
        // try a few ports before giving up.
        for _ in 0..3 {
            let port = free_port();
            let log = File::create(dir.join("s3s-fs.log")).unwrap();
            let child = Command::new("s3s-fs")
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--access-key", &access_key, "--secret-key", &secret_key])
                .arg(dir.join("data"))
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn();
            let mut child = match child {
                Ok(child) => child,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    panic!(
                        "s3s-fs is not installed (needed by the S3 storage tests): run `{INSTALL}`"
                    )
                }
                Err(error) => panic!("starting s3s-fs failed: {error}"),
            };
            if wait_until_listening(&mut child, port).await {
                return Self {
                    endpoint: format!("http://127.0.0.1:{port}"),
                    bucket,
                    access_key,
                    secret_key,
                    dir,
                    child,
                };
            }
        }
        let log = std::fs::read_to_string(dir.join("s3s-fs.log")).unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        panic!("s3s-fs did not start; its log:\n{log}");
    }

    /// The storage settings of a server using this bucket (`[storage]` in `tandem.toml`,
    /// `"storage"` in `spawn_app_with` overrides).
    pub fn settings(&self) -> Value {
        json!({
            "backend": "s3",
            "bucket": self.bucket,
            "endpoint": self.endpoint,
            "access_key_id": self.access_key,
            "secret_access_key": self.secret_key,
            "allow_http": true,
        })
    }

    /// Where the server keeps everything: a directory per bucket, a file per object, and
    /// whatever it keeps of unfinished multipart uploads.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `true` once the port accepts; `false` (the server stopped) when it exited first (the port
/// was taken) or never answered within ten seconds.
async fn wait_until_listening(child: &mut Child, port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
