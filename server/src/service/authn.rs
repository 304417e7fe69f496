//! Authentication: the bearer token in `authorization` becomes a `Caller` in
//! the request's extensions. Sessions are cached in memory so a call costs
//! no store read; anything that changes a person's sessions or rights calls
//! `SessionCache::forget_subject`, which also wakes open event streams to
//! check their session again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::watch;
use tonic::metadata::MetadataMap;
use tonic::{Request, Status};

use super::status;
use crate::domain::{Caller, Principal, SubjectKind};
use crate::security::token;
use crate::store::{self, Store, now_ms, sessions::SessionRow};

/// How stale `last_seen_at` may get in the store before it is written
/// again, at most: a quarter of the idle limit when that is shorter, so a
/// session in use never looks idle.
const TOUCH_EVERY_MS: i64 = 60_000;

pub struct SessionCache {
    by_hash: Mutex<HashMap<[u8; 32], SessionRow>>,
    /// Bumped whenever sessions or rights may have changed.
    changes: watch::Sender<u64>,
}

impl Default for SessionCache {
    fn default() -> Self {
        Self {
            by_hash: Mutex::default(),
            changes: watch::Sender::new(0),
        }
    }
}

impl SessionCache {
    /// Forgets one person's cached sessions (after any change to them).
    pub fn forget_subject(&self, kind: SubjectKind, subject_id: i64) {
        if let Ok(mut map) = self.by_hash.lock() {
            map.retain(|_, s| {
                !(s.principal.kind() == kind && s.principal.subject_id() == subject_id)
            });
        }
        self.changes.send_modify(|n| *n += 1);
    }

    pub fn forget_session(&self, session_id: i64) {
        if let Ok(mut map) = self.by_hash.lock() {
            map.retain(|_, s| s.id != session_id);
        }
        self.changes.send_modify(|n| *n += 1);
    }

    /// Forgets the sessions that have ended by `now`.
    fn forget_ended(&self, now: i64, idle_ms: i64) {
        if let Ok(mut map) = self.by_hash.lock() {
            map.retain(|_, s| !ended(s, now, idle_ms));
        }
    }

    /// Changes whenever a session or someone's rights may have changed.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }
}

/// Checks the bearer token of a call; UNAUTHENTICATED when missing, unknown,
/// revoked or expired. The call counts as activity.
pub fn authenticate(
    store: &Store,
    cache: &SessionCache,
    idle: Duration,
    metadata: &MetadataMap,
) -> Result<Caller, Status> {
    let token = bearer(metadata).ok_or_else(status::sign_in_first)?;
    check(store, cache, idle, token, true)
}

/// Checks a token again, as a long-lived call does while it runs; this is
/// not activity, so an open stream never keeps an idle session alive.
pub fn recheck(
    store: &Store,
    cache: &SessionCache,
    idle: Duration,
    token: &str,
) -> Result<Caller, Status> {
    check(store, cache, idle, token, false)
}

fn check(
    store: &Store,
    cache: &SessionCache,
    idle: Duration,
    token: &str,
    activity: bool,
) -> Result<Caller, Status> {
    let hash = token::hash(token);
    let now = now_ms();
    let idle_ms = millis(idle);

    let cached = cache
        .by_hash
        .lock()
        .ok()
        .and_then(|m| m.get(&hash).cloned());
    // Only a session read from the store or touched now goes back in the cache.
    let (mut session, mut changed) = match cached {
        Some(s) => (s, false),
        None => (
            store
                .read_inline(|conn| store::sessions::lookup(conn, &hash))
                .map_err(|e| status::session_lookup_failed(&e))?
                .ok_or_else(status::session_ended)?,
            true,
        ),
    };
    if ended(&session, now, idle_ms) {
        if let Ok(mut m) = cache.by_hash.lock() {
            m.remove(&hash);
        }
        let id = session.id;
        let store = store.clone();
        tokio::spawn(async move { store.write(move |c| store::sessions::revoke(c, id)).await });
        return Err(status::session_ended());
    }
    if activity && now - session.last_seen_at >= TOUCH_EVERY_MS.min(idle_ms / 4) {
        session.last_seen_at = now;
        changed = true;
        let id = session.id;
        let store = store.clone();
        tokio::spawn(async move {
            store
                .write(move |c| store::sessions::touch(c, id, now))
                .await
        });
    }
    let caller = Caller {
        principal: session.principal.clone(),
        session_id: session.id,
        email: session.email.clone(),
        name: session.name.clone(),
        must_change_password: session.must_change_password,
    };
    if changed && let Ok(mut m) = cache.by_hash.lock() {
        m.insert(hash, session);
    }
    Ok(caller)
}

/// Whether a session has ended by `now`: past its absolute expiry, or
/// unused for `idle_ms`. `store::sessions::purge_expired` deletes the same.
fn ended(session: &SessionRow, now: i64, idle_ms: i64) -> bool {
    now >= session.expires_at || now - session.last_seen_at >= idle_ms
}

/// Deletes the sessions and refresh tokens that have ended, from the store
/// and the cache; returns how many rows went.
pub async fn purge_expired(
    store: &Store,
    cache: &SessionCache,
    idle: Duration,
) -> store::Result<usize> {
    let (now, idle_ms) = (now_ms(), millis(idle));
    cache.forget_ended(now, idle_ms);
    store
        .write(move |c| {
            Ok(store::sessions::purge_expired(c, now, idle_ms)?
                + store::refresh_tokens::purge_expired(c, now)?
                + store::sign_ins::purge_unused(c)?)
        })
        .await
}

/// A duration in the store's milliseconds, saturating.
pub fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub fn bearer(metadata: &MetadataMap) -> Option<&str> {
    let value = metadata.get("authorization")?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    (!token.is_empty()).then_some(token.trim())
}

/// Who made a call, for its line in the call log (`transport::observe`):
/// the transport gives every call an empty slot, and authentication (or a
/// successful sign-in) fills it. It holds the person's kind and id only,
/// never a token or a password.
#[derive(Clone, Default)]
pub struct CallerSlot(Arc<OnceLock<(SubjectKind, i64)>>);

impl CallerSlot {
    /// The slot of the call `req`, if the transport gave it one.
    pub fn of<T>(req: &Request<T>) -> Option<Self> {
        req.extensions().get::<Self>().cloned()
    }

    pub fn fill(&self, principal: &Principal) {
        let _ = self.0.set((principal.kind(), principal.subject_id()));
    }

    /// "staff:3", "contact:12", or "-" for a call nobody signed in made.
    pub fn describe(&self) -> String {
        self.0.get().map_or_else(
            || "-".to_owned(),
            |(kind, id)| format!("{}:{id}", kind.as_str()),
        )
    }
}

/// The caller of an authenticated call. A session with a temporary password
/// may do nothing until it is changed.
pub fn caller<T>(req: &Request<T>) -> Result<&Caller, Status> {
    let caller = any_caller(req)?;
    if caller.must_change_password {
        return Err(status::change_password_first());
    }
    Ok(caller)
}

/// The caller, even one that must still change its temporary password.
pub fn any_caller<T>(req: &Request<T>) -> Result<&Caller, Status> {
    req.extensions()
        .get::<Caller>()
        .ok_or_else(status::sign_in_first)
}
