//! One's own SSH keys (`AuthService`'s `ListMySshKeys`, `AddSshKey`,
//! `RemoveSshKey`) and the key half of the gateway's `SshKeySignIn`
//! (docs/GATEWAY.md). Keys arrive in OpenSSH form and are kept without
//! their comment, so one key is one row whatever it is called.

use std::sync::Arc;

use portal_proto::pb;
use russh::keys::{HashAlg, PublicKey};
use tonic::{Request, Status};

use super::AppState;
use super::authn::caller;
use super::convert::timestamp;
use super::my_sessions::event;
use super::status::invalid;
use crate::domain::{Account, AuditAction};
use crate::policy::{self, Denied};
use crate::security::token;
use crate::store::audit;
use crate::store::ssh_keys::{self, NewKey};
use crate::store::{credentials, now_ms};

/// The longest public key line accepted (an RSA 16384-bit key is ~2.8 KB).
const MAX_KEY_LINE: usize = 4096;
/// The longest comment kept, in characters.
const MAX_COMMENT: usize = 100;

/// What the gateway running in this process proves itself with, and the
/// host key fingerprint it shows; set once when the gateway starts.
#[derive(Debug)]
pub struct GatewayAccess {
    pub secret_hash: [u8; 32],
    pub host_key_fingerprint: String,
}

pub type Gateway = Arc<std::sync::OnceLock<GatewayAccess>>;

/// A public key line parsed: the key as stored and shown.
pub fn parse(field: &str, line: &str) -> Result<NewKey, Status> {
    let line = line.trim();
    if line.is_empty() {
        return Err(invalid(field, "required: paste one line of your .pub file"));
    }
    if line.len() > MAX_KEY_LINE {
        return Err(invalid(field, format!("longer than {MAX_KEY_LINE} bytes")));
    }
    if line.contains("PRIVATE KEY") {
        return Err(invalid(
            field,
            "this is a private key: never share it; paste the .pub file's line",
        ));
    }
    let key = PublicKey::from_openssh(line).map_err(|_| {
        invalid(
            field,
            "not an OpenSSH public key (expected a line like \"ssh-ed25519 AAAA… you@host\")",
        )
    })?;
    let comment: String = key
        .comment()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_COMMENT)
        .collect();
    let mut bare = key.clone();
    bare.set_comment("");
    let key_data = bare
        .to_openssh()
        .map_err(|_| invalid(field, "this key cannot be encoded"))?
        .trim()
        .to_owned();
    Ok(NewKey {
        algorithm: key.algorithm().as_str().to_owned(),
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
        key_data,
        comment: comment.trim().to_owned(),
    })
}

fn key_to_pb(k: ssh_keys::SshKey) -> pb::SshKey {
    pb::SshKey {
        id: k.id,
        algorithm: k.algorithm,
        fingerprint: k.fingerprint,
        comment: k.comment,
        added_at: Some(timestamp(k.added_at)),
        last_used_at: k.last_used_at.map(timestamp),
    }
}

pub fn list(
    state: &AppState,
    request: &Request<pb::Empty>,
) -> Result<pb::ListMySshKeysResponse, Status> {
    let caller = caller(request)?;
    policy::manage_own_ssh_keys(&caller.principal)?;
    let (kind, id) = (caller.principal.kind(), caller.principal.subject_id());
    let keys = state.read_inline(|c| Ok(ssh_keys::of(c, kind, id)?))?;
    Ok(pb::ListMySshKeysResponse {
        keys: keys.into_iter().map(key_to_pb).collect(),
        host_key_fingerprint: state
            .gateway
            .get()
            .map(|g| g.host_key_fingerprint.clone())
            .unwrap_or_default(),
    })
}

pub async fn add(
    state: &AppState,
    request: &Request<pb::AddSshKeyRequest>,
) -> Result<pb::SshKey, Status> {
    let caller = caller(request)?.clone();
    policy::manage_own_ssh_keys(&caller.principal)?;
    let key = parse("public_key", &request.get_ref().public_key)?;
    let who = (caller.principal.kind(), caller.principal.subject_id());
    let event = event(
        &caller,
        AuditAction::SshKeyAdded,
        format!("{} {}", key.algorithm, key.fingerprint),
    );
    let now = now_ms();
    let added = state
        .write(move |c| {
            let added = ssh_keys::add(c, who, &key, now)?;
            audit::record(c, now, &event)?;
            Ok(added)
        })
        .await?;
    Ok(key_to_pb(added))
}

pub async fn remove(
    state: &AppState,
    request: &Request<pb::RemoveSshKeyRequest>,
) -> Result<(), Status> {
    let caller = caller(request)?.clone();
    let id = super::input::id("key_id", request.get_ref().key_id)?;
    let now = now_ms();
    state
        .write(move |c| {
            let (owner, fingerprint) = ssh_keys::owner(c, id)?.ok_or(Denied::NotFound)?;
            policy::remove_ssh_key(&caller.principal, owner)?;
            ssh_keys::remove(c, id)?;
            let event = event(&caller, AuditAction::SshKeyRemoved, fingerprint);
            Ok(audit::record(c, now, &event)?)
        })
        .await?;
    Ok(())
}

/// The account that `SshKeySignIn` starts a session for: the gateway's
/// secret checked, then the key's owner, if that person may sign in and
/// has no temporary password to change. Every refusal is the same
/// UNAUTHENTICATED.
pub async fn owner_for_gateway(
    state: &AppState,
    req: &pb::SshKeySignInRequest,
) -> Result<Account, Status> {
    let refused = || Status::unauthenticated("this key signs nobody in");
    let access = state.gateway.get().ok_or_else(refused)?;
    // Both sides are hashes, so the comparison leaks nothing of the secret.
    if token::hash(&req.gateway_secret) != access.secret_hash {
        return Err(refused());
    }
    let key = parse("public_key", &req.public_key).map_err(|_| refused())?;
    let now = now_ms();
    state
        .write(move |c| {
            let Some((kind, id)) = ssh_keys::use_key(c, &key.key_data, now)? else {
                return Ok(None);
            };
            // A temporary password must be changed first, and changing it
            // takes the password: that person signs in with it.
            Ok(credentials::find(c, kind, id)?
                .filter(|a| a.principal().is_some() && !a.must_change()))
        })
        .await?
        .ok_or_else(refused)
}
