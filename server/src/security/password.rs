//! Password hashing: argon2id with OWASP's minimum parameters
//! (19 MiB memory, 2 iterations, 1 lane).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use tokio::sync::Semaphore;

fn argon2() -> Argon2<'static> {
    // The parameters are constants that argon2 accepts.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string to store for `password`.
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// Whether `password` matches the stored PHC string (false for a malformed one).
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Costs the same as a real verification, so an unknown e-mail takes as long
/// as a wrong password (no user enumeration by timing).
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("dummy-password-for-timing"));
    let _ = verify(password, stored);
}

/// Password hashes computed at once. Each takes 19 MiB and a core for tens of
/// milliseconds: a burst of sign-ins waits here (until its deadline) rather
/// than filling memory and the blocking pool that the store's reads share.
static HASHING: Semaphore = Semaphore::const_new(4);

/// The argon2 work could not run (the runtime is shutting down) or failed.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct HashFailed;

/// Runs argon2 work off the async workers, a few at a time; `None` if the
/// work could not run.
async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let permit = HASHING.acquire().await.ok()?;
    // The permit moves into the task: a caller that gives up (deadline)
    // frees it only when the hash is done.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .ok()
}

/// `verify`, off the async workers (argon2 costs tens of milliseconds).
/// Without a stored hash it does the same work and answers false.
pub async fn verify_off_thread(candidate: String, stored: Option<String>) -> bool {
    hashing(move || {
        if let Some(hash) = stored {
            verify(&candidate, &hash)
        } else {
            verify_dummy(&candidate);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// `hash`, off the async workers.
pub async fn hash_off_thread(plain: String) -> Result<String, HashFailed> {
    hashing(move || hash(&plain))
        .await
        .filter(|hash| !hash.is_empty())
        .ok_or(HashFailed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash("Correct-Horse-9");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("Correct-Horse-9", &h));
        assert!(!verify("correct-horse-9", &h));
        assert!(!verify("x", "not a hash"));
    }
}
