//! The Portal server.
