//! The Portal server: a gRPC service desk that alone owns one SQLite store.

pub mod config;
pub mod demo;
pub mod domain;
pub mod policy;
pub mod security;
pub mod seed;
pub mod service;
pub mod store;
pub mod synthetic;
