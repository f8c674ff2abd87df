//! A real OpenID Connect provider for tests: `oidc-provider` (OpenID Certified) run by Node from
//! `web/e2e/oidc-provider.mjs` (its package comes with the web app's `npm ci`). A person signs
//! in there by the authorization request's `login_hint`; everything else is the protocol. The
//! provider stops when this is dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};

/// A client registered at the provider.
#[derive(Debug, Clone)]
pub struct RegisteredClient {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
}

pub struct OidcProvider {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub issuer: String,
    /// Kept open: the provider may write more, and a closed pipe would stop it.
    _stdout: BufReader<ChildStdout>,
}

impl OidcProvider {
    /// Starts a provider that knows `clients`.
    ///
    /// # Panics
    /// When the web app's packages are missing or Node cannot start it.
    pub fn start(clients: &[RegisteredClient]) -> Self {
        let web = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web");
        assert!(
            std::path::Path::new(&format!("{web}/node_modules/oidc-provider")).exists(),
            "the test identity provider needs the web app's packages: run `make web` (npm ci in web/)"
        );
        let clients: Vec<String> = clients
            .iter()
            .map(|c| {
                format!(
                    r#"{{"client_id":{:?},"client_secret":{:?},"redirect_uris":[{:?}]}}"#,
                    c.client_id, c.client_secret, c.redirect_uri
                )
            })
            .collect();
        let mut child = Command::new("node")
            .arg(format!("{web}/e2e/oidc-provider.mjs"))
            .env("OIDC_CLIENTS", format!("[{}]", clients.join(",")))
            .stdout(Stdio::piped())
            // Its warnings (development keys, in-memory storage) show with a failing test.
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs the test identity provider");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("the provider starts");
        let issuer = line
            .split('"')
            .nth(3)
            .filter(|_| line.starts_with(r#"{"issuer":""#))
            .unwrap_or_else(|| panic!("the provider said {line:?}"))
            .to_owned();
        Self {
            child,
            issuer,
            _stdout: stdout,
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
