//! Integrations with other systems: incoming webhooks, through which they post into a
//! channel; outgoing ones, which tell them what happened; and slash commands. (Personal access tokens and bot accounts, the credentials integrations hold, are
//! in [`crate::auth`].)

mod commands;
mod hooks;
mod outgoing;
mod signature;

pub use commands::{
    CommandInfo, CommandOutcome, CreateCommand, CreatedCommand, MAX_COMMANDS, MAX_DESCRIPTION,
    available_commands, create_command, delete_command, list_commands, run_command,
};
pub use hooks::{
    CreateHook, CreatedHook, HOOK_PREFIX, HookPost, MAX_HOOKS_PER_CHANNEL, create_hook,
    delete_hook, list_hooks, post_to_hook,
};
pub use outgoing::{
    CreateOutgoing, CreatedOutgoing, DeliveryPolicy, EventSubscriptions, OutgoingError,
    SECRET_PREFIX, create_outgoing, delete_outgoing, deliver, list_outgoing, outgoing_deliveries,
    set_outgoing_active,
};
pub use signature::{hmac_sha256, sign};
