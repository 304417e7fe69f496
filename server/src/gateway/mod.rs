//! The SSH gateway (docs/GATEWAY.md): `serve --ssh-listen ADDR` serves the
//! terminal client over SSH, so a client needs nothing installed. Each SSH
//! session runs the real `portal` client in a pty of its own, pointed at
//! this server's gRPC address: it talks to the server exactly as an
//! installed client does, so every call passes the same policy. The
//! gateway never touches the store; a registered key signs its owner in
//! through `SshKeySignIn`, with a secret only this process knows.

mod command;
pub mod host_key;
mod limits;
mod session;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use russh::server::Server as _;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::security::token;
use crate::service::AppState;
use crate::service::ssh_keys::GatewayAccess;

/// A rejected key or sign-in costs this long, whatever the reason.
const AUTH_REJECTION: Duration = Duration::from_millis(300);

/// What every connection of the gateway shares.
struct Shared {
    /// The gRPC address the clients connect to.
    server_url: String,
    /// A channel to the same address, for the gateway's own sign-ins.
    channel: tonic::transport::Channel,
    client: PathBuf,
    secret: String,
    limits: limits::Limits,
}

/// Binds `listen`, readies the host key beside the store at `db`, and
/// serves SSH until the process ends. Returns the bound address and the
/// host key fingerprint, once listening.
pub async fn start(
    state: &AppState,
    db: &Path,
    listen: SocketAddr,
    grpc: SocketAddr,
) -> anyhow::Result<(SocketAddr, String)> {
    let config: &Config = &state.config;
    let client = match &config.ssh_client {
        Some(path) => path.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("portal-server has no directory")?
            .join("portal"),
    };
    if !client.is_file() {
        anyhow::bail!(
            "--ssh-listen: no client at {} (give --ssh-client)",
            client.display()
        );
    }
    let key = host_key::load_or_create(&host_key::path(db))?;
    let fingerprint = host_key::fingerprint(&key);
    let (secret, secret_hash) = token::generate();
    state
        .gateway
        .set(GatewayAccess {
            secret_hash,
            host_key_fingerprint: fingerprint.clone(),
        })
        .map_err(|_| anyhow::anyhow!("the SSH gateway is started once"))?;
    let ssh_config = Arc::new(russh::server::Config {
        server_id: russh::SshId::Standard(format!("SSH-2.0-Portal_{}", env!("CARGO_PKG_VERSION"))),
        methods: [
            russh::MethodKind::PublicKey,
            russh::MethodKind::KeyboardInteractive,
        ]
        .as_slice()
        .into(),
        auth_rejection_time: AUTH_REJECTION,
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![key],
        inactivity_timeout: Some(config.ssh_idle),
        keepalive_interval: Some(Duration::from_secs(30)),
        nodelay: true,
        ..Default::default()
    });
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("--ssh-listen {listen}"))?;
    let bound = listener.local_addr()?;
    let server_url = format!("http://{grpc}");
    let channel = tonic::transport::Endpoint::from_shared(server_url.clone())?.connect_lazy();
    let mut gateway = Gateway(Arc::new(Shared {
        server_url,
        channel,
        client,
        secret,
        limits: limits::Limits::new(config.ssh_max_sessions, config.ssh_max_per_address),
    }));
    tokio::spawn(async move {
        if let Err(e) = gateway.run_on_socket(ssh_config, &listener).await {
            tracing::error!(error = %e, "the SSH gateway stopped");
        }
    });
    Ok((bound, fingerprint))
}

/// Makes one `session::Connection` per SSH connection.
struct Gateway(Arc<Shared>);

impl russh::server::Server for Gateway {
    type Handler = session::Connection;

    fn new_client(&mut self, peer: Option<SocketAddr>) -> session::Connection {
        session::Connection::new(self.0.clone(), peer.map(|p| p.ip()))
    }
}
