//! EventService: ticket changes pushed to every signed-in caller who may
//! see the ticket, as they happen.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use portal_proto::pb;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::codegen::BoxStream;

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

/// The metric of the streams open now (docs/RELIABILITY.md, "Metrics").
pub const STREAMS_OPEN: &str = "portal_event_streams_open";

/// Counts one open stream in `STREAMS_OPEN` for as long as it lives.
struct Counted;

impl Counted {
    fn open() -> Self {
        metrics::gauge!(STREAMS_OPEN).increment(1.0);
        Self
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        metrics::gauge!(STREAMS_OPEN).decrement(1.0);
    }
}

/// Events buffered per subscriber before the slowest ones start to lag.
const SUBSCRIBER_BUFFER: usize = 64;

/// How often an open stream checks that its session has not expired.
const RECHECK_EVERY: Duration = Duration::from_secs(30);

#[tonic::async_trait]
impl pb::event_service_server::EventService for Events {
    async fn subscribe(
        &self,
        request: tonic::Request<pb::SubscribeRequest>,
    ) -> std::result::Result<tonic::Response<BoxStream<pb::Event>>, tonic::Status> {
        let who = caller(&request)?.principal.clone();
        let token = authn::bearer(request.metadata())
            .unwrap_or_default()
            .to_owned();
        let after_id = request.get_ref().after_id;
        let state = self.state.clone();
        // Registered before this returns, and so before the response headers
        // go out: a client whose call returned misses nothing (events.proto).
        let (events, backlog) = state.events.subscribe(after_id);
        let mut clock = tokio::time::interval(RECHECK_EVERY);
        clock.tick().await; // the first tick is immediate
        let (tx, rx) = mpsc::channel(SUBSCRIBER_BUFFER);
        let feed = Feed {
            who,
            token,
            last_id: after_id,
            tx,
        };
        tokio::spawn(feed.run(state, events, backlog, clock));
        Ok(tonic::Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

/// One open stream: who it is for and the last event id it has passed
/// (delivered or not theirs to see), so nothing goes out twice.
struct Feed {
    who: Principal,
    token: String,
    last_id: u64,
    tx: mpsc::Sender<Result<pb::Event, tonic::Status>>,
}

impl Feed {
    async fn run(
        mut self,
        state: AppState,
        mut events: broadcast::Receiver<Stamped>,
        backlog: Backlog,
        mut clock: tokio::time::Interval,
    ) {
        let _counted = Counted::open();
        let mut changes = state.sessions.changes();
        let draining = state.draining.clone();
        let shutdown = draining.begun();
        tokio::pin!(shutdown);
        if self.replay(backlog).await.is_err() {
            return;
        }
        loop {
            let event = tokio::select! {
                received = events.recv() => match received {
                    Ok(event) => Some(event),
                    // A slow reader is caught up from the events the bus
                    // still holds (or told to reload) rather than holding
                    // everyone else up.
                    Err(RecvError::Lagged(missed)) => {
                        tracing::debug!(missed, "event subscriber lagged");
                        if self.replay(state.events.since(self.last_id)).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    Err(RecvError::Closed) => break,
                },
                // A session revoked, or rights changed, or time passed:
                // the stream goes on only as its session would.
                _ = changes.changed() => None,
                _ = clock.tick() => None,
                () = self.tx.closed() => break, // the client went away
                // Open streams would keep a stopping server up forever.
                () = &mut shutdown => {
                    let _ = self.tx.send(Err(status::shutting_down())).await;
                    break;
                }
            };
            let Some(event) = event else {
                let session = state.config.session_idle;
                match authn::recheck(&state.store, &state.sessions, session, &self.token) {
                    Ok(caller) => self.who = caller.principal,
                    Err(status) => {
                        let _ = self.tx.send(Err(status)).await;
                        break;
                    }
                }
                continue;
            };
            if self.deliver(&event).await.is_err() {
                break;
            }
        }
    }

    /// Sends what came before the live feed; `Err` when the client is gone.
    async fn replay(&mut self, backlog: Backlog) -> Result<(), ()> {
        match backlog {
            Backlog::Events(events) => {
                for event in &events {
                    self.deliver(event).await?;
                }
                Ok(())
            }
            Backlog::Missed { latest } => {
                self.last_id = self.last_id.max(latest);
                let resync = pb::Event {
                    kind: pb::EventKind::Resync.into(),
                    id: latest,
                    at: Some(timestamp(chrono::Utc::now().timestamp_millis())),
                    ..Default::default()
                };
                self.tx.send(Ok(resync)).await.map_err(drop)
            }
        }
    }

    /// Sends `event` if it is new to this stream and its caller may see it.
    async fn deliver(&mut self, event: &Stamped) -> Result<(), ()> {
        if event.id <= self.last_id {
            return Ok(());
        }
        self.last_id = event.id;
        if !event.event.audience.admits(&self.who) {
            return Ok(());
        }
        self.tx
            .send(Ok(event.event.to_pb(event.id)))
            .await
            .map_err(drop)
    }
}

/// Who may receive an event.
#[derive(Debug, Clone)]
pub enum Audience {
    /// Those who may view the ticket, and only staff for events about
    /// internal notes.
    Ticket {
        /// The ticket as seen by nobody in particular (`caller_subscribed` false).
        facts: TicketFacts,
        subscribers: Arc<[i64]>,
        staff_only: bool,
        /// Only this staff member hears it (assigned to them).
        only_staff_id: Option<i64>,
    },
    /// Those who see the company's money (`policy::view_money`); the event
    /// is about invoice `invoice_number`.
    Money {
        company_id: i64,
        invoice_number: i64,
    },
    /// Those who read what is for `company_id` (`None`: every client): a
    /// knowledge article's readers, or a company's for its account team
    /// (`policy::view_article`, as archived articles are not announced).
    Readers { company_id: Option<i64> },
}

impl Audience {
    /// The same ticket audience narrowed to one staff member.
    #[must_use]
    pub fn only_to(&self, staff_id: i64) -> Self {
        match self.clone() {
            Self::Ticket {
                facts,
                subscribers,
                staff_only,
                ..
            } => Self::Ticket {
                facts,
                subscribers,
                staff_only,
                only_staff_id: Some(staff_id),
            },
            other @ (Self::Money { .. } | Self::Readers { .. }) => other,
        }
    }

    pub fn admits(&self, p: &Principal) -> bool {
        match self {
            Self::Ticket {
                facts,
                subscribers,
                staff_only,
                only_staff_id,
            } => {
                if *staff_only && !policy::sees_internal_notes(p) {
                    return false;
                }
                if let Some(id) = *only_staff_id {
                    return matches!(p, Principal::Staff { staff_id, .. } if *staff_id == id);
                }
                let mut facts = *facts;
                if let Principal::Contact { contact_id, .. } = p {
                    facts.caller_subscribed = subscribers.contains(contact_id);
                }
                policy::view_ticket(p, &facts).is_ok()
            }
            Self::Money { company_id, .. } => policy::view_money(p, *company_id).is_ok(),
            Self::Readers { company_id } => policy::view_article(p, *company_id, false).is_ok(),
        }
    }
}

/// A change to a ticket (or, `Audience::Money`, to a company's invoices and
/// payments), published by the handler that made it.
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
    fn to_pb(&self, id: u64) -> pb::Event {
        pb::Event {
            id,
            kind: self.kind.into(),
            ticket_number: self.ticket_number,
            at: Some(timestamp(self.at_ms)),
            actor_name: self.actor_name.clone(),
            summary: self.summary.clone(),
            invoice_number: match self.audience {
                Audience::Money { invoice_number, .. } => invoice_number,
                Audience::Ticket { .. } | Audience::Readers { .. } => 0,
            },
        }
    }
}

/// An event with its id (events.proto says what ids promise).
#[derive(Debug, Clone)]
pub struct Stamped {
    pub id: u64,
    pub event: Arc<TicketEvent>,
}

/// What a subscriber gets before the live feed.
#[derive(Debug)]
pub enum Backlog {
    /// The events after the one it named, oldest first (none when it named
    /// none).
    Events(Vec<Stamped>),
    /// Some of them are no longer held; `latest` is the newest event's id.
    Missed { latest: u64 },
}

/// How many of the latest events the bus holds for resuming streams.
const HELD: usize = 4096;

/// Fan-out of ticket events to subscribed clients, with the latest ones
/// held for streams that resume.
#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Mutex<Bus>>,
}

struct Bus {
    tx: broadcast::Sender<Stamped>,
    next_id: u64,
    held: VecDeque<Stamped>,
}

impl Default for EventBus {
    /// Ids start at the start time in microseconds, so they keep increasing
    /// across restarts (a resume from before one is then told to resync).
    fn default() -> Self {
        let now = chrono::Utc::now().timestamp_micros().max(1) as u64;
        Self::starting_at(now)
    }
}

impl EventBus {
    fn starting_at(first_id: u64) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Bus {
                tx: broadcast::channel(1024).0,
                next_id: first_id,
                held: VecDeque::with_capacity(HELD),
            })),
        }
    }

    fn bus(&self) -> MutexGuard<'_, Bus> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn publish(&self, event: TicketEvent) {
        let mut bus = self.bus();
        let stamped = Stamped {
            id: bus.next_id,
            event: Arc::new(event),
        };
        bus.next_id += 1;
        if bus.held.len() == HELD {
            bus.held.pop_front();
        }
        bus.held.push_back(stamped.clone());
        // No subscribers is fine.
        let _ = bus.tx.send(stamped);
    }

    /// The live feed and, taken at the same instant, the held events after
    /// `after_id` (0: none), so that together they miss nothing.
    pub fn subscribe(&self, after_id: u64) -> (broadcast::Receiver<Stamped>, Backlog) {
        let bus = self.bus();
        (bus.tx.subscribe(), bus.since(after_id))
    }

    /// The held events after `after_id`.
    pub fn since(&self, after_id: u64) -> Backlog {
        self.bus().since(after_id)
    }
}

impl Bus {
    fn since(&self, after_id: u64) -> Backlog {
        if after_id == 0 {
            return Backlog::Events(Vec::new());
        }
        let oldest = self.held.front().map_or(self.next_id, |e| e.id);
        if after_id + 1 < oldest || after_id >= self.next_id {
            return Backlog::Missed {
                latest: self.next_id - 1,
            };
        }
        Backlog::Events(
            self.held
                .iter()
                .filter(|e| e.id > after_id)
                .cloned()
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AccessLevel, StaffRole, TicketStatus};

    fn audience(staff_only: bool) -> Audience {
        Audience::Ticket {
            facts: TicketFacts {
                company_id: 1,
                contact_id: 10,
                status: TicketStatus::New,
                assigned_staff_id: None,
                caller_subscribed: false,
                caller_assigned: false,
                users_see_all: false,
            },
            subscribers: Arc::from(vec![12]),
            staff_only,
            only_staff_id: None,
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
        let assigned = audience(false).only_to(1);
        assert!(assigned.admits(&tech));
        let other = Principal::Staff {
            staff_id: 2,
            role: StaffRole::Dispatcher,
        };
        assert!(!assigned.admits(&other));
        assert!(!assigned.admits(&contact(10, 1, AccessLevel::Admin)));
    }

    #[test]
    fn money_events_reach_only_those_who_see_the_company_money() {
        let money = Audience::Money {
            company_id: 1,
            invoice_number: 1001,
        };
        let staff = |role| Principal::Staff { staff_id: 1, role };
        assert!(money.admits(&staff(StaffRole::Admin)));
        assert!(money.admits(&contact(11, 1, AccessLevel::Manager)));
        assert!(money.admits(&contact(12, 1, AccessLevel::Admin)));
        assert!(!money.admits(&contact(10, 1, AccessLevel::User)));
        assert!(!money.admits(&contact(20, 2, AccessLevel::Admin)));
        assert!(!money.admits(&staff(StaffRole::Technician)));
        assert!(!money.admits(&staff(StaffRole::Dispatcher)));
    }

    #[test]
    fn library_events_reach_the_readers_of_the_company_or_of_all() {
        let tech = Principal::Staff {
            staff_id: 1,
            role: StaffRole::Technician,
        };
        let harbor = Audience::Readers {
            company_id: Some(1),
        };
        assert!(harbor.admits(&tech));
        assert!(harbor.admits(&contact(10, 1, AccessLevel::User)));
        assert!(!harbor.admits(&contact(20, 2, AccessLevel::Admin)));
        let everyone = Audience::Readers { company_id: None };
        assert!(everyone.admits(&contact(20, 2, AccessLevel::User)));
    }

    fn event(number: i64) -> TicketEvent {
        TicketEvent {
            kind: pb::EventKind::PostAdded,
            ticket_number: number,
            at_ms: 0,
            actor_name: String::new(),
            summary: String::new(),
            audience: audience(false),
        }
    }

    fn ids(backlog: &Backlog) -> Vec<u64> {
        match backlog {
            Backlog::Events(events) => events.iter().map(|e| e.id).collect(),
            Backlog::Missed { .. } => panic!("expected events, got {backlog:?}"),
        }
    }

    #[test]
    fn a_resume_gets_exactly_the_held_events_after_its_id() {
        let bus = EventBus::starting_at(100);
        let (mut live, backlog) = bus.subscribe(0);
        assert!(ids(&backlog).is_empty());
        for n in 0..5 {
            bus.publish(event(n));
        }
        assert_eq!(live.try_recv().expect("live").id, 100);
        assert_eq!(ids(&bus.since(101)), [102, 103, 104]);
        assert_eq!(ids(&bus.since(104)), Vec::<u64>::new());
        // The id before the first event: everything held.
        assert_eq!(ids(&bus.since(99)), [100, 101, 102, 103, 104]);
        // An id the server never gave (or from before a restart, when ids
        // were lower than any held now) cannot be resumed.
        assert!(matches!(bus.since(105), Backlog::Missed { latest: 104 }));
        assert!(matches!(bus.since(7), Backlog::Missed { latest: 104 }));
    }

    #[test]
    fn events_no_longer_held_mean_resync() {
        let bus = EventBus::starting_at(1);
        for n in 0..(HELD as i64 + 10) {
            bus.publish(event(n));
        }
        let latest = HELD as u64 + 10;
        assert!(matches!(bus.since(5), Backlog::Missed { latest: l } if l == latest));
        assert_eq!(ids(&bus.since(10)).len(), HELD);
        assert_eq!(ids(&bus.since(latest - 1)), [latest]);
    }
}
