//! Graceful shutdown of the long-lived connections: a node told to stop tells every socket and
//! event stream at once, so their clients move to another node right away instead of when
//! the server's shutdown timeout cuts them off.
//!
//! A chat socket that is told sends `error {code: shutting_down}`, reads no more commands,
//! answers the ones it already has (ack or error), then closes with 4503; a notifications
//! socket closes with 4503; an event stream sends `error` (`shutting_down`) and ends. New
//! sockets and streams are refused while the node drains.

use std::sync::Arc;
use tokio::sync::watch;

/// The close reason and error message clients get.
pub(crate) const SHUTTING_DOWN: &str = "this server is shutting down; reconnect to another";

/// A node's shutdown signal, shared by its connections. Cloning shares it.
#[derive(Debug, Clone)]
pub struct Drain {
    sender: Arc<watch::Sender<bool>>,
}

impl Default for Drain {
    fn default() -> Self {
        Self {
            sender: Arc::new(watch::Sender::new(false)),
        }
    }
}

impl Drain {
    pub fn new() -> Self {
        Self::default()
    }

    /// Tells every connection of this node, now and to come, that it is shutting down.
    pub fn start(&self) {
        self.sender.send_replace(true);
    }

    pub fn is_draining(&self) -> bool {
        *self.sender.borrow()
    }

    /// A handle to wait on in a connection's `select!`.
    pub(crate) fn watch(&self) -> Watch {
        Watch(self.sender.subscribe())
    }
}

pub(crate) struct Watch(watch::Receiver<bool>);

impl Watch {
    /// Resolves once the node drains (at once if it does already). Cancel-safe.
    pub(crate) async fn started(&mut self) {
        if self.0.wait_for(|draining| *draining).await.is_err() {
            // The node's `Drain` is gone: it is stopping anyway.
        }
    }
}
