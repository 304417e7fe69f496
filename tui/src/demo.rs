//! `--demo`: an embedded server on a temporary demo store. The only module
//! of the client that links the server; it exists with the `demo` feature.

use clap::ValueEnum;

use crate::action::{AuthCall, Request};
use crate::start::DemoAs;

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

/// The sign-in of the demo account `who`, as the demo data set defines it.
pub fn login(who: DemoAs) -> anyhow::Result<Request> {
    let role = who
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    let email = portal_server::generate::demo::demo_email(&role)
        .ok_or_else(|| anyhow::anyhow!("no demo account for {role}"))?;
    Ok(Request::Auth(AuthCall::Login {
        email: email.to_owned(),
        password: DEMO_PASSWORD.to_owned(),
        remember: false,
    }))
}
