//! In-memory fakes of the ports, for use-case tests.
