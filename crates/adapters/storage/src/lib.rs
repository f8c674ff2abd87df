//! Tandem's file storage: the `BlobStore` adapters (local directory, S3-compatible, memory) and
//! image processing. Empty until file sharing is built; the crate exists so the workspace has
//! its final shape and the architecture test covers it.
