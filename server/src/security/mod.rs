//! Secrets: session and refresh tokens, password hashing and policy.

pub mod password;
pub mod password_policy;
pub mod throttle;
pub mod token;
