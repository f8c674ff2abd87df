//! Integrations with other systems: incoming webhooks, through which they post into a
//! channel. (Personal access tokens and bot accounts, the credentials integrations hold, are
//! in [`crate::auth`].)

mod hooks;

pub use hooks::{
    CreateHook, CreatedHook, HOOK_PREFIX, HookPost, MAX_HOOKS_PER_CHANNEL, create_hook,
    delete_hook, list_hooks, post_to_hook,
};
