//! `--demo`: an embedded server on a temporary demo store.

use clap::ValueEnum;

/// Which demo account `--demo` signs in as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum DemoAs {
    User,
    Manager,
    #[default]
    Admin,
    Technician,
    Dispatcher,
    ProviderAdmin,
}

impl DemoAs {
    pub fn email(self) -> &'static str {
        match self {
            DemoAs::User => "uma@harbor.example",
            DemoAs::Manager => "mark@harbor.example",
            DemoAs::Admin => "alice@harbor.example",
            DemoAs::Technician => "tom@keystone.example",
            DemoAs::Dispatcher => "dina@keystone.example",
            DemoAs::ProviderAdmin => "paula@keystone.example",
        }
    }
}

pub use portal_server::demo::DEMO_PASSWORD;

/// A running demo server; it stops when dropped.
pub struct Demo {
    pub url: String,
    _server: Box<dyn std::any::Any + Send>,
}

pub async fn start() -> anyhow::Result<Demo> {
    anyhow::bail!("the embedded demo server is not available in this build yet")
}
