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
    /// The demo account's e-mail, as the demo data set defines it.
    pub fn email(self) -> anyhow::Result<&'static str> {
        let role = self
            .to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default();
        portal_server::generate::demo::demo_email(&role)
            .ok_or_else(|| anyhow::anyhow!("no demo account for {role}"))
    }
}

pub use portal_server::generate::demo::DEMO_PASSWORD;

/// A running demo server; it stops (and its store is deleted) when dropped.
pub struct Demo {
    pub url: String,
    _server: portal_server::generate::demo::DemoServer,
}

/// Starts the embedded server over a fresh demo store on a loopback port.
pub async fn start() -> anyhow::Result<Demo> {
    let server = portal_server::generate::demo::serve_demo().await?;
    Ok(Demo {
        url: format!("http://{}", server.addr),
        _server: server,
    })
}
