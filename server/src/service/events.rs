//! EventService: ticket changes pushed to every signed-in caller who may
//! see the ticket, as they happen.

use std::sync::Arc;
use std::time::Duration;

use portal_proto::pb;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::authn::{self, caller};
use super::convert::timestamp;
use super::{AppState, status};
use crate::domain::{Principal, TicketFacts};
use crate::policy;

pub struct Events {
    state: AppState,
}

impl Events {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

/// Events buffered per subscriber before the slowest ones start to lag.
const SUBSCRIBER_BUFFER: usize = 64;

/// How often an open stream checks that its session has not expired.
const RECHECK_EVERY: Duration = Duration::from_secs(30);

#[tonic::async_trait]
impl pb::event_service_server::EventService for Events {
    type SubscribeStream = ReceiverStream<Result<pb::Event, tonic::Status>>;
    async fn subscribe(
        &self,
        request: tonic::Request<pb::Empty>,
    ) -> std::result::Result<tonic::Response<Self::SubscribeStream>, tonic::Status> {
        let mut who = caller(&request)?.principal.clone();
        let token = authn::bearer(request.metadata())
            .unwrap_or_default()
            .to_owned();
        let state = self.state.clone();
        // Registered before this returns, and so before the response headers
        // go out: a client whose call returned misses nothing (events.proto).
        let mut events = state.events.subscribe();
        let mut changes = state.sessions.changes();
        let mut clock = tokio::time::interval(RECHECK_EVERY);
        clock.tick().await; // the first tick is immediate
        let (tx, rx) = mpsc::channel(SUBSCRIBER_BUFFER);
        tokio::spawn(async move {
            let draining = state.draining.clone();
            let shutdown = draining.begun();
            tokio::pin!(shutdown);
            loop {
                let event = tokio::select! {
                    received = events.recv() => match received {
                        Ok(event) => Some(event),
                        // A slow reader skips what it missed rather than
                        // holding everyone else up; the client refreshes on
                        // the next event it does get.
                        Err(RecvError::Lagged(missed)) => {
                            tracing::debug!(missed, "event subscriber lagged");
                            continue;
                        }
                        Err(RecvError::Closed) => break,
                    },
                    // A session revoked, or rights changed, or time passed:
                    // the stream goes on only as its session would.
                    _ = changes.changed() => None,
                    _ = clock.tick() => None,
                    () = tx.closed() => break, // the client went away
                    // Open streams would keep a stopping server up forever.
                    () = &mut shutdown => {
                        let _ = tx.send(Err(status::shutting_down())).await;
                        break;
                    }
                };
                let Some(event) = event else {
                    let session = state.config.session_idle;
                    match authn::recheck(&state.store, &state.sessions, session, &token) {
                        Ok(caller) => who = caller.principal,
                        Err(status) => {
                            let _ = tx.send(Err(status)).await;
                            break;
                        }
                    }
                    continue;
                };
                if event.audience.admits(&who) && tx.send(Ok(event.to_pb())).await.is_err() {
                    break;
                }
            }
        });
        Ok(tonic::Response::new(ReceiverStream::new(rx)))
    }
}

/// Who may receive an event: those who may view the ticket, and only staff
/// for events about internal notes.
#[derive(Debug, Clone)]
pub struct Audience {
    /// The ticket as seen by nobody in particular (`caller_subscribed` false).
    pub facts: TicketFacts,
    pub subscribers: Arc<[i64]>,
    pub staff_only: bool,
}

impl Audience {
    pub fn admits(&self, p: &Principal) -> bool {
        if self.staff_only && !policy::sees_internal_notes(p) {
            return false;
        }
        let mut facts = self.facts;
        if let Principal::Contact { contact_id, .. } = p {
            facts.caller_subscribed = self.subscribers.contains(contact_id);
        }
        policy::view_ticket(p, &facts).is_ok()
    }
}

/// A change to a ticket, published by the handler that made it.
#[derive(Debug, Clone)]
pub struct TicketEvent {
    pub kind: pb::EventKind,
    pub ticket_number: i64,
    pub at_ms: i64,
    pub actor_name: String,
    pub summary: String,
    pub audience: Audience,
}

impl TicketEvent {
    fn to_pb(&self) -> pb::Event {
        pb::Event {
            kind: self.kind.into(),
            ticket_number: self.ticket_number,
            at: Some(timestamp(self.at_ms)),
            actor_name: self.actor_name.clone(),
            summary: self.summary.clone(),
        }
    }
}

/// Fan-out of ticket events to subscribed clients.
#[derive(Clone)]
pub struct EventBus {
    tx: tokio::sync::broadcast::Sender<TicketEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self {
            tx: tokio::sync::broadcast::channel(1024).0,
        }
    }
}

impl EventBus {
    pub fn publish(&self, event: TicketEvent) {
        // No subscribers is fine.
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<TicketEvent> {
        self.tx.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AccessLevel, StaffRole, TicketStatus};

    fn audience(staff_only: bool) -> Audience {
        Audience {
            facts: TicketFacts {
                company_id: 1,
                contact_id: 10,
                status: TicketStatus::New,
                assigned_staff_id: None,
                caller_subscribed: false,
                users_see_all: false,
            },
            subscribers: Arc::from(vec![12]),
            staff_only,
        }
    }

    fn contact(contact_id: i64, company_id: i64, access: AccessLevel) -> Principal {
        Principal::Contact {
            contact_id,
            company_id,
            access,
        }
    }

    #[test]
    fn events_reach_only_those_who_may_see_the_ticket() {
        let public = audience(false);
        let tech = Principal::Staff {
            staff_id: 1,
            role: StaffRole::Technician,
        };
        assert!(public.admits(&tech));
        assert!(public.admits(&contact(10, 1, AccessLevel::User)));
        assert!(public.admits(&contact(12, 1, AccessLevel::User)));
        assert!(!public.admits(&contact(11, 1, AccessLevel::User)));
        assert!(public.admits(&contact(11, 1, AccessLevel::Manager)));
        assert!(!public.admits(&contact(20, 2, AccessLevel::Admin)));
        let internal = audience(true);
        assert!(internal.admits(&tech));
        assert!(!internal.admits(&contact(10, 1, AccessLevel::Admin)));
    }
}
