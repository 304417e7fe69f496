//! A demo server inside the calling process (`portal --demo`): a demo store
//! in a temporary directory, served on a free loopback port.

use std::net::SocketAddr;

use anyhow::Context;
use tokio::sync::oneshot;

use crate::config::Config;
use crate::service::AppState;
use crate::store::{Store, StoreOptions};
use crate::transport;

/// A running demo server; dropping it stops the server and deletes its store.
pub struct DemoServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    // Dropped last: the store's files live here.
    _dir: tempfile::TempDir,
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Loads the demo data set into a temporary store and serves it on
/// `127.0.0.1:0` on the current tokio runtime.
pub async fn serve_demo() -> anyhow::Result<DemoServer> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let path = dir.path().join("demo.db");
    // Loading blocks (argon2 and the writer thread), so off the runtime.
    let store = tokio::task::spawn_blocking(move || -> anyhow::Result<Store> {
        let store = Store::open(&path, &StoreOptions::default())?;
        super::load(&store)?;
        Ok(store)
    })
    .await
    .context("the demo loader stopped")??;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let stopped = async {
            let _ = rx.await;
        };
        if let Err(e) = transport::serve(
            AppState::new(store, Config::default()),
            listener,
            None,
            None,
            stopped,
        )
        .await
        {
            tracing::error!(error = %e, "the demo server stopped");
        }
    });
    Ok(DemoServer {
        addr,
        shutdown: Some(tx),
        _dir: dir,
    })
}
