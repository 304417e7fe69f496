//! The mail outbox seen by provider Admins (StaffService.ListFailedMail and
//! RetryMail): what the sender gave up on, and queueing it again.

use portal_proto::pb;
use tonic::{Request, Response, Status};

use super::AppState;
use super::authn::caller;
use super::convert::timestamp;
use super::{input, keyset};
use crate::domain::AuditAction;
use crate::domain::mail::QueuedMail;
use crate::policy;
use crate::store::audit::{self, AuditEvent};
use crate::store::{StoreError, now_ms, outbox};

fn message_to_pb(m: &QueuedMail) -> pb::OutboxMessage {
    pb::OutboxMessage {
        id: m.id,
        kind: m.kind.clone(),
        recipient: m.recipient.clone(),
        subject: m.subject.clone(),
        body: m.body.clone(),
        ticket_number: m.ticket_number.unwrap_or_default(),
        created_at: Some(timestamp(m.created_at)),
        attempts: m.attempts,
        last_error: m.last_error.clone(),
        failed_at: m.failed_at.map(timestamp),
    }
}

pub async fn list_failed(
    state: &AppState,
    request: Request<pb::ListFailedMailRequest>,
) -> Result<Response<pb::ListFailedMailResponse>, Status> {
    let caller = caller(&request)?;
    policy::manage_outbox(&caller.principal)?;
    let req = request.get_ref();
    let limit = keyset::page_size(req.page.as_ref())?;
    let before = keyset::decode::<i64>(req.page.as_ref())?;
    let mut messages = state
        .read(move |c| Ok(outbox::failed(c, before, limit as usize + 1)?))
        .await?;
    let next_cursor = keyset::finish(&mut messages, limit, |last| last.id);
    Ok(Response::new(pb::ListFailedMailResponse {
        messages: messages.iter().map(message_to_pb).collect(),
        next_cursor,
    }))
}

pub async fn retry(
    state: &AppState,
    request: Request<pb::RetryMailRequest>,
) -> Result<Response<pb::OutboxMessage>, Status> {
    let caller = caller(&request)?.clone();
    policy::manage_outbox(&caller.principal)?;
    let id = input::id("id", request.get_ref().id)?;
    let now = now_ms();
    let message = state
        .write(move |c| {
            let message = outbox::retry(c, id, now)?.ok_or(StoreError::NotFound)?;
            let mut event =
                AuditEvent::by(&caller, AuditAction::MailRetried, &message.recipient, None);
            event.detail = format!("message {id}: {}", message.subject);
            audit::record(c, now, &event)?;
            Ok(message)
        })
        .await?;
    Ok(Response::new(message_to_pb(&message)))
}
