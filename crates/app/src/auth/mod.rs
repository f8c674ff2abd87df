//! Sign-up, login, token refresh and logout.
