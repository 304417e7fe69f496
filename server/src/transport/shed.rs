//! Load shedding (docs/RELIABILITY.md, "Overload"): at most
//! `--max-in-flight` calls are served at once; one more waits at most
//! `--queue-wait-ms` for a place and is then refused with
//! `RESOURCE_EXHAUSTED`, at once and before any handler runs, instead of
//! queueing until its deadline expires.
//!
//! Point reads a person waits on (opening a ticket) have a budget of their
//! own, four times as large: each takes well under a millisecond, so a
//! flood of lists, searches and writes fills the general budget and is
//! shed while a signed-in user's `GetTicket` is still answered.
//! Live-update streams (open for hours), health checks and reflection are
//! not counted.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::codegen::{BoxFuture, Context, Poll, Service, StdError, http};

use crate::service::status;

/// Calls refused at the door, by budget.
pub const SHED: &str = "portal_calls_shed_total";
/// Calls being served, by budget.
pub const IN_FLIGHT: &str = "portal_calls_in_flight";

/// How many times the general budget the point reads have.
const QUICK_FACTOR: usize = 4;

/// Never counted: they last as long as a session, or cost nothing.
const UNCOUNTED: &[&str] = &[
    "/portal.v1.EventService/Subscribe",
    "/grpc.health.",
    "/grpc.reflection.",
];

/// Point reads by key: one ticket, one's own identity.
const QUICK: &[&str] = &[
    "/portal.v1.TicketService/GetTicket",
    "/portal.v1.TicketService/GetTimeline",
    "/portal.v1.WorkService/GetTicketWork",
    "/portal.v1.AuthService/WhoAmI",
    "/portal.v1.AccountService/GetMyProfile",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Budget {
    General,
    Quick,
}

impl Budget {
    fn of(path: &str) -> Option<Self> {
        if UNCOUNTED.iter().any(|p| path.starts_with(p)) {
            None
        } else if QUICK.contains(&path) {
            Some(Self::Quick)
        } else {
            Some(Self::General)
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Quick => "quick",
        }
    }
}

struct Budgets {
    general: Arc<Semaphore>,
    quick: Arc<Semaphore>,
    wait: Duration,
}

#[derive(Clone)]
pub struct ShedLayer {
    budgets: Arc<Budgets>,
}

impl ShedLayer {
    pub fn new(max_in_flight: usize, wait: Duration) -> Self {
        let max = max_in_flight.clamp(1, Semaphore::MAX_PERMITS / QUICK_FACTOR);
        Self {
            budgets: Arc::new(Budgets {
                general: Arc::new(Semaphore::new(max)),
                quick: Arc::new(Semaphore::new(max * QUICK_FACTOR)),
                wait,
            }),
        }
    }
}

impl<S> tower_layer::Layer<S> for ShedLayer {
    type Service = Shed<S>;

    fn layer(&self, inner: S) -> Shed<S> {
        Shed {
            inner,
            budgets: Arc::clone(&self.budgets),
        }
    }
}

#[derive(Clone)]
pub struct Shed<S> {
    inner: S,
    budgets: Arc<Budgets>,
}

/// A place among the calls served, counted in `IN_FLIGHT` while held.
struct Place {
    budget: Budget,
    _permit: OwnedSemaphorePermit,
}

impl Place {
    /// A place in `budget`, waiting at most the queue wait for one.
    async fn take(budgets: &Budgets, budget: Budget) -> Option<Self> {
        let semaphore = match budget {
            Budget::General => &budgets.general,
            Budget::Quick => &budgets.quick,
        };
        let permit = match Arc::clone(semaphore).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => tokio::time::timeout(budgets.wait, Arc::clone(semaphore).acquire_owned())
                .await
                .ok()?
                .ok()?,
        };
        metrics::gauge!(IN_FLIGHT, "budget" => budget.label()).increment(1.0);
        Some(Self {
            budget,
            _permit: permit,
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        metrics::gauge!(IN_FLIGHT, "budget" => self.budget.label()).decrement(1.0);
    }
}

impl<S, B, ResBody> Service<http::Request<B>> for Shed<S>
where
    S: Service<http::Request<B>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<StdError>,
    B: Send + 'static,
    ResBody: Default + Send + 'static,
{
    type Response = http::Response<ResBody>;
    type Error = StdError;
    type Future = BoxFuture<Self::Response, StdError>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), StdError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let Some(budget) = Budget::of(request.uri().path()) else {
            let call = self.inner.call(request);
            return Box::pin(async move { call.await.map_err(Into::into) });
        };
        // The service made ready by `poll_ready` serves this call, later;
        // a clone takes its place for the next one.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let budgets = Arc::clone(&self.budgets);
        Box::pin(async move {
            let Some(place) = Place::take(&budgets, budget).await else {
                metrics::counter!(SHED, "budget" => budget.label()).increment(1);
                return Ok(status::busy().into_http());
            };
            let result = inner.call(request).await.map_err(Into::into);
            drop(place);
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_reads_have_their_own_budget_and_streams_none() {
        assert_eq!(
            Budget::of("/portal.v1.TicketService/GetTicket"),
            Some(Budget::Quick)
        );
        assert_eq!(
            Budget::of("/portal.v1.TicketService/ListTickets"),
            Some(Budget::General)
        );
        assert_eq!(
            Budget::of("/portal.v1.TicketService/Nope"),
            Some(Budget::General)
        );
        assert_eq!(Budget::of("/portal.v1.EventService/Subscribe"), None);
        assert_eq!(Budget::of("/grpc.health.v1.Health/Check"), None);
    }

    #[tokio::test]
    async fn a_full_budget_refuses_after_the_wait_and_frees_with_the_call() {
        let layer = ShedLayer::new(1, Duration::from_millis(20));
        let first = Place::take(&layer.budgets, Budget::General).await;
        assert!(first.is_some());
        assert!(Place::take(&layer.budgets, Budget::General).await.is_none());
        // The other budget is not touched.
        assert!(Place::take(&layer.budgets, Budget::Quick).await.is_some());
        drop(first);
        assert!(Place::take(&layer.budgets, Budget::General).await.is_some());
    }
}
