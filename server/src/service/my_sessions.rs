//! One's own sessions (`AuthService`'s `ListMySessions`, `RevokeSession`,
//! `SignOutEverywhere`): what the caller sees is its sign-ins (see
//! `store::sign_ins`), each one place it is signed in. Ending one ends its
//! sessions and refresh tokens in the same write, then wakes the open
//! event streams, which end for a session that is gone (as for a disabled
//! account or a logout).

use portal_proto::pb;
use tonic::{Request, Status};

use super::AppState;
use super::authn::{caller, millis};
use super::convert::timestamp;
use super::input;
use crate::domain::{AuditAction, Caller};
use crate::policy::{self, Denied};
use crate::store::audit::{self, AuditEvent};
use crate::store::now_ms;
use crate::store::sign_ins::{self, Origin};

/// The longest client name kept, in characters.
const MAX_CLIENT: usize = 60;

/// Where a sign-in or refresh comes from: the client as it names itself
/// (else its user-agent header) and the source IP address.
pub fn origin<T>(request: &Request<T>, client: &str) -> Origin {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_control())
            .take(MAX_CLIENT)
            .collect::<String>()
            .trim()
            .to_owned()
    };
    let mut client = clean(client);
    if client.is_empty()
        && let Some(agent) = request
            .metadata()
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
    {
        client = clean(agent);
    }
    Origin {
        client,
        address: request
            .remote_addr()
            .map(|a| a.ip().to_canonical().to_string())
            .unwrap_or_default(),
    }
}

/// An audit event of the caller about something of its own.
pub(super) fn event(caller: &Caller, action: AuditAction, detail: String) -> AuditEvent {
    AuditEvent {
        detail,
        ..AuditEvent::by(caller, action, &caller.email, caller.principal.company_id())
    }
}

pub fn list(
    state: &AppState,
    request: &Request<pb::Empty>,
) -> Result<pb::ListMySessionsResponse, Status> {
    let caller = caller(request)?;
    policy::manage_own_sessions(&caller.principal)?;
    let (kind, id) = (caller.principal.kind(), caller.principal.subject_id());
    let session = caller.session_id;
    let (now, idle_ms) = (now_ms(), millis(state.config.session_idle));
    let (current, live) = state.read_inline(|c| {
        Ok((
            sign_ins::of_session(c, session)?,
            sign_ins::live(c, kind, id, now, idle_ms)?,
        ))
    })?;
    Ok(pb::ListMySessionsResponse {
        sessions: live
            .into_iter()
            .map(|s| pb::MySession {
                id: s.id,
                client: s.client,
                address: s.address,
                signed_in_at: Some(timestamp(s.signed_in_at)),
                last_used_at: Some(timestamp(s.last_used_at)),
                current: current == Some(s.id),
                remembered: s.remembered,
            })
            .collect(),
    })
}

pub async fn revoke(
    state: &AppState,
    request: &Request<pb::RevokeSessionRequest>,
) -> Result<(), Status> {
    let caller = caller(request)?.clone();
    let sign_in = input::id("session_id", request.get_ref().session_id)?;
    let principal = caller.principal.clone();
    let event = event(
        &caller,
        AuditAction::SessionRevoked,
        format!("sign-in {sign_in}"),
    );
    let now = now_ms();
    let ended = state
        .write(move |c| {
            let owner = sign_ins::owner(c, sign_in)?.ok_or(Denied::NotFound)?;
            policy::revoke_session(&principal, owner)?;
            let ended = sign_ins::end(c, sign_in)?;
            audit::record(c, now, &event)?;
            Ok(ended)
        })
        .await?;
    for session in ended {
        state.sessions.forget_session(session);
    }
    Ok(())
}

pub async fn sign_out_everywhere(
    state: &AppState,
    request: &Request<pb::SignOutEverywhereRequest>,
) -> Result<pb::SignOutEverywhereResponse, Status> {
    let caller = caller(request)?.clone();
    let keep_current = request.get_ref().keep_current;
    policy::manage_own_sessions(&caller.principal)?;
    let (kind, id) = (caller.principal.kind(), caller.principal.subject_id());
    let session = caller.session_id;
    let event = event(
        &caller,
        AuditAction::SignedOutEverywhere,
        if keep_current {
            "kept the current session".into()
        } else {
            "every session".into()
        },
    );
    let (now, idle_ms) = (now_ms(), millis(state.config.session_idle));
    let ended = state
        .write(move |c| {
            let keep = if keep_current {
                sign_ins::of_session(c, session)?
            } else {
                None
            };
            let ended = sign_ins::live(c, kind, id, now, idle_ms)?
                .iter()
                .filter(|s| Some(s.id) != keep)
                .count();
            sign_ins::end_all_except(c, kind, id, keep)?;
            audit::record(c, now, &event)?;
            Ok(ended)
        })
        .await?;
    state.sessions.forget_subject(kind, id);
    Ok(pb::SignOutEverywhereResponse {
        ended: u32::try_from(ended).unwrap_or(u32::MAX),
    })
}
