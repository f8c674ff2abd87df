//! Tandem's use cases and the ports they drive. One module per use case; no framework here.
//!
//! Every use case follows one flow: load → authorize (a pure `tandem_domain` rule) → change →
//! persist → announce → return. Adapters implement the traits in [`ports`]; the server wires
//! them into one [`AppContext`], which holds one context per area ([`context`]): a use case
//! takes its area's, with only the ports that area uses. [`realtime`] is the transport-neutral
//! core the WebSocket and Server-Sent Events adapters are thin layers over.

pub mod admin;
pub mod auth;
pub mod channels;
pub mod context;
pub mod files;
pub mod integrations;
pub mod jobs;
pub mod messages;
pub mod notifications;
pub mod organizations;
pub mod ports;
pub mod realtime;
pub mod resilience;
pub mod users;

pub use context::{
    AdminContext, AppContext, AuthContext, AuthPolicy, ChatContext, ChatPolicy, FilesContext,
    FilesPolicy, IntegrationsContext, JobPolicy, JobsContext, NotificationPolicy,
    NotificationsContext, PeopleContext, Policies, Ports, RealtimeContext,
};
