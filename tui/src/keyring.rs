//! Remember me: the refresh token lives in the kernel's keyring (keyutils),
//! one entry per server, and never in a plain file.
//!
//! The entry is in the user keyring (`@u`), which every process of the
//! user reaches, whichever session keyring a process has or lacks: a
//! desktop login, an SSH login, tmux, cron, a service. The session keyring the keyring
//! crate uses by default is not that: a process started without one (a
//! container, a service, CI) resolves it per thread, so a token saved from
//! one thread was sometimes not found from another ("No matching entry
//! found"). The entry is also linked into the user's persistent keyring
//! when the kernel offers one, so it outlives the last login of the user
//! for a few days (`/proc/sys/kernel/keys/persistent_keyring_expiry`).
//! Nothing survives a reboot.

use linux_keyutils::{KeyRing, KeyRingIdentifier};

const SERVICE: &str = "portal";

fn entry(server: &str) -> Result<keyring::Entry, String> {
    crate::local_files::check()?;
    let user = KeyRing::from_special_id(KeyRingIdentifier::User, false)
        .map_err(|e| format!("the kernel keyring is not available: {e:?}"))?;
    // A key is read back only by a process that possesses it: one whose
    // session keyring reaches it. A login links the user keyring into its
    // session keyring; a session of its own (a service, `keyctl session`)
    // may not, so the link is made here. Without any session keyring the
    // kernel gives the user-session one, which already has it.
    if let Ok(session) = KeyRing::from_special_id(KeyRingIdentifier::Session, false) {
        let _ = session.link_keyring(user);
    }
    let credential = keyring::keyutils::KeyutilsCredential {
        session: user,
        persistent: KeyRing::get_persistent(KeyRingIdentifier::User).ok(),
        description: format!("keyring-rs:{server}@{SERVICE}"),
    };
    Ok(keyring::Entry::new_with_credential(Box::new(credential)))
}

/// The remembered refresh token for `server`, if any.
pub fn load(server: &str) -> Result<Option<String>, String> {
    match entry(server)?.get_password() {
        Ok(token) => Ok(Some(token)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

pub fn save(server: &str, refresh_token: &str) -> Result<(), String> {
    entry(server)?
        .set_password(refresh_token)
        .map_err(|e| e.to_string())
}

/// Forgets the token; forgetting nothing is fine.
pub fn delete(server: &str) -> Result<(), String> {
    match entry(server)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}
