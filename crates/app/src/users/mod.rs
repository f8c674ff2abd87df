//! Reading and changing user accounts.
