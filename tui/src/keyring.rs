//! Remember me: the refresh token lives in the operating system's keyring,
//! one entry per server, and never in a plain file.

const SERVICE: &str = "portal";

fn entry(server: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(SERVICE, server).map_err(|e| e.to_string())
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
