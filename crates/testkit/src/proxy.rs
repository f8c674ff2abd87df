//! A TCP proxy in front of a real server (Redis, PostgreSQL) that a test can cut, black-hole
//! and restore: the dependency "goes away" for the node under test only, while other tests
//! sharing the server carry on.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub struct Proxy {
    pub address: SocketAddr,
    mode: Arc<Mutex<Mode>>,
    /// Every connection accepted so far, and how many are still open.
    pub accepted: Arc<AtomicUsize>,
    pub open: Arc<AtomicUsize>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
    acceptor: JoinHandle<()>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Forward,
    /// Accepts and then never answers: a hung server or a firewall dropping packets.
    BlackHole,
    /// Accepts and closes at once: a server that is down.
    Refuse,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mode = Arc::new(Mutex::new(Mode::Forward));
        let accepted = Arc::new(AtomicUsize::new(0));
        let open = Arc::new(AtomicUsize::new(0));
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let acceptor = tokio::spawn({
            let (mode, accepted, open, connections) = (
                Arc::clone(&mode),
                Arc::clone(&accepted),
                Arc::clone(&open),
                Arc::clone(&connections),
            );
            async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    accepted.fetch_add(1, Ordering::SeqCst);
                    let mode = *mode.lock().unwrap();
                    let open = Arc::clone(&open);
                    open.fetch_add(1, Ordering::SeqCst);
                    let task = tokio::spawn(async move {
                        let _open = Decrement(open);
                        match mode {
                            Mode::Forward => {
                                if let Ok(mut server) = TcpStream::connect(upstream).await {
                                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server)
                                        .await;
                                }
                            }
                            Mode::BlackHole => std::future::pending::<()>().await,
                            Mode::Refuse => drop(client),
                        }
                    });
                    connections.lock().unwrap().push(task);
                }
            }
        });
        Self {
            address,
            mode,
            accepted,
            open,
            connections,
            acceptor,
        }
    }

    /// For connections from now on.
    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// Closes every open connection, as a server restart or a network cut would.
    pub fn sever(&self) {
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// `url` (`scheme://[credentials@]host[:port][/path]`) with its host and port replaced by
    /// the proxy's.
    pub fn url(&self, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").unwrap();
        let (credentials, host_and_path) = match rest.rsplit_once('@') {
            Some((credentials, host)) => (format!("{credentials}@"), host),
            None => (String::new(), rest),
        };
        let path = host_and_path
            .find('/')
            .map_or("", |slash| &host_and_path[slash..]);
        format!("{scheme}://{credentials}{}{path}", self.address)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.acceptor.abort();
        self.sever();
    }
}

struct Decrement(Arc<AtomicUsize>);

impl Drop for Decrement {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The address `url` points at, `default_port` when it names none.
pub async fn upstream(url: &str, default_port: u16) -> SocketAddr {
    let rest = url.split_once("://").unwrap().1;
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let host = host.split(['/', '?']).next().unwrap();
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:{default_port}")
    };
    tokio::net::lookup_host(host).await.unwrap().next().unwrap()
}
