//! SSH keys for the gateway's tests, made by OpenSSH's own `ssh-keygen`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, ensure};

/// A new ed25519 key pair in `dir` named `name`: the private key's path
/// and the public key's line.
pub fn keygen(dir: &Path, name: &str) -> anyhow::Result<(PathBuf, String)> {
    let path = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C"])
        .arg(format!("{name}@test"))
        .arg("-f")
        .arg(&path)
        .output()
        .context("cannot run ssh-keygen (is openssh-client installed?)")?;
    ensure!(
        out.status.success(),
        "ssh-keygen: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = std::fs::read_to_string(path.with_extension("pub"))?;
    Ok((path, public.trim().to_owned()))
}

/// The `ssh` command line that reaches the gateway at `addr` with the key
/// at `key` (none: no key at all), trusting whatever host key it shows.
pub fn command(addr: &str, key: Option<&Path>) -> Vec<String> {
    let (host, port) = addr.rsplit_once(':').unwrap_or((addr, "22"));
    let mut args: Vec<String> = [
        "ssh",
        "-p",
        port,
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "IdentityAgent=none",
        "-F",
        "/dev/null",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    match key {
        Some(key) => args.extend(["-i".into(), key.display().to_string()]),
        None => args.extend(["-o".into(), "PubkeyAuthentication=no".into()]),
    }
    args.push(format!("portal@{host}"));
    args
}
