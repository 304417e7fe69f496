//! The Portal server: a gRPC service desk that alone owns one SQLite store.

pub mod config;
pub mod domain;
pub mod export;
pub mod gateway;
pub mod generate;
pub mod mail;
pub mod policy;
pub mod security;
pub mod service;
pub mod store;
pub mod transport;
