//! The gateway's host key: generated on first start and kept beside the
//! store (`<store>.ssh_host_ed25519_key`, owner-only), so clients that
//! trusted it once are not warned of a new one after a restart.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use russh::keys::{Algorithm, HashAlg, PrivateKey};

/// Where the host key of the store at `db` lives.
pub fn path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".ssh_host_ed25519_key");
    PathBuf::from(name)
}

/// The host key at `path`, made there first if there is none.
pub fn load_or_create(path: &Path) -> anyhow::Result<PrivateKey> {
    if path.exists() {
        return russh::keys::load_secret_key(path, None)
            .with_context(|| format!("reading the SSH host key {}", path.display()));
    }
    let key = PrivateKey::random(
        &mut russh::keys::ssh_key::rand_core::OsRng,
        Algorithm::Ed25519,
    )
    .context("generating the SSH host key")?;
    let pem = key
        .to_openssh(russh::keys::ssh_key::LineEnding::LF)
        .context("encoding the SSH host key")?;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(pem.as_bytes()).and_then(|()| f.sync_all()))
        .with_context(|| format!("writing the SSH host key {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a new SSH host key");
    Ok(key)
}

/// The fingerprint clients are shown ("SHA256:…").
pub fn fingerprint(key: &PrivateKey) -> String {
    key.public_key().fingerprint(HashAlg::Sha256).to_string()
}
