//! The `tandem` server: settings, wiring of adapters into use cases, and startup. No business
//! logic lives here.

pub mod jobs;
pub mod keys;
pub mod logging;
pub mod settings;
pub mod startup;

pub use settings::Settings;
pub use startup::{Application, Shutdown};
