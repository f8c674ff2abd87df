//! Shared files: the rules that hold whatever stores or serves them. A file's name is cleaned
//! before it is kept ([`FileName`]), its type is read from its first bytes and never from what
//! the uploader declared ([`sniff`]), and the [`FilePolicy`] decides whether it is accepted and
//! whether browsers may show it inline.

mod header;
mod name;
mod policy;
mod sniff;

pub use name::{FileName, FileNameError};
pub use policy::{Disposition, FilePolicy, FileRefusal};
pub use sniff::{FileKind, ImageFormat, SNIFF_LEN, Sniffed, sniff};
