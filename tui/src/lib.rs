//! `portal`, the Portal terminal client.

pub mod action;
pub mod app;
pub mod cli;
pub mod client;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
pub mod editor;
pub mod keyring;
pub mod keys;
pub mod local_files;
pub mod money;
pub mod page_size;
pub mod start;
pub mod theme;
pub mod ui;
