//! The gRPC services. Handlers validate → authorize (`crate::policy`) →
//! call the store → convert; they never write SQL.

mod account;
mod auth;
mod authn;
mod billing;
mod convert;
mod cork;
mod deadline;
pub mod events;
mod input;
mod keyset;
mod reports;
mod staff;
mod status;
mod tickets;

use std::future::Future;
use std::sync::Arc;

use portal_proto::pb;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Server, ServerTlsConfig};
use tonic::{Request, Status};

pub use authn::SessionCache;
/// The ticket handlers, for in-process benchmarks of the service layer.
pub use tickets::Tickets;

use crate::config::Config;
use crate::store::Store;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub sessions: Arc<SessionCache>,
    pub events: events::EventBus,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Self {
        Self {
            store,
            config: Arc::new(config),
            sessions: Arc::default(),
            events: events::EventBus::default(),
        }
    }

    /// The interceptor for services that need a signed-in caller.
    fn require_auth(
        &self,
    ) -> impl FnMut(Request<()>) -> Result<Request<()>, Status> + Clone + use<> {
        let state = self.clone();
        move |mut req: Request<()>| {
            let caller = authn::authenticate(
                &state.store,
                &state.sessions,
                state.config.session_idle,
                req.metadata(),
            )?;
            req.extensions_mut().insert(caller);
            Ok(req)
        }
    }

    /// AuthService mixes signed-out and signed-in calls: a valid token adds
    /// the caller, anything else passes through for the handler to judge.
    fn optional_auth(
        &self,
    ) -> impl FnMut(Request<()>) -> Result<Request<()>, Status> + Clone + use<> {
        let state = self.clone();
        move |mut req: Request<()>| {
            if let Ok(caller) = authn::authenticate(
                &state.store,
                &state.sessions,
                state.config.session_idle,
                req.metadata(),
            ) {
                req.extensions_mut().insert(caller);
            }
            Ok(req)
        }
    }
}

/// Serves every service, reflection (v1 and v1alpha) and health on
/// `listener` until `shutdown` resolves.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    tls: Option<ServerTlsConfig>,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let max = state.config.max_message_bytes;
    // The overall service ("") starts out SERVING.
    let (health, health_service) = tonic_health::server::health_reporter();
    for name in [
        pb::auth_service_server::SERVICE_NAME,
        pb::ticket_service_server::SERVICE_NAME,
        pb::account_service_server::SERVICE_NAME,
        pb::billing_service_server::SERVICE_NAME,
        pb::report_service_server::SERVICE_NAME,
        pb::staff_service_server::SERVICE_NAME,
        pb::event_service_server::SERVICE_NAME,
    ] {
        health
            .set_service_status(name, tonic_health::ServingStatus::Serving)
            .await;
    }

    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(portal_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(portal_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()?;

    macro_rules! guarded {
        ($server:ty, $svc:expr, $interceptor:expr) => {
            InterceptedService::new(
                <$server>::new($svc)
                    .max_decoding_message_size(max)
                    .max_encoding_message_size(max),
                $interceptor,
            )
        };
    }

    tokio::spawn(sweep(state.clone()));

    // The stream limit is announced in HTTP/2 SETTINGS, so a busy client
    // queues its calls at its own end. Queued on the server instead (tonic
    // announces no limit), every waiting call holds a small unread DATA
    // frame, and a few thousand of those exhaust h2's small-frame budget:
    // the whole connection is closed with ENHANCE_YOUR_CALM.
    let mut builder = Server::builder()
        .max_concurrent_streams(MAX_STREAMS_PER_CONNECTION)
        .http2_keepalive_interval(Some(std::time::Duration::from_secs(30)));
    if let Some(tls) = tls {
        builder = builder.tls_config(tls)?;
    }
    builder
        .layer(deadline::DeadlineLayer {
            limit: state.config.request_timeout,
        })
        .add_service(guarded!(
            pb::auth_service_server::AuthServiceServer<auth::Auth>,
            auth::Auth::new(state.clone()),
            state.optional_auth()
        ))
        .add_service(guarded!(
            pb::account_service_server::AccountServiceServer<account::Accounts>,
            account::Accounts::new(state.clone()),
            state.require_auth()
        ))
        .add_service(guarded!(
            pb::ticket_service_server::TicketServiceServer<tickets::Tickets>,
            tickets::Tickets::new(state.clone()),
            state.require_auth()
        ))
        .add_service(guarded!(
            pb::staff_service_server::StaffServiceServer<staff::StaffAdmin>,
            staff::StaffAdmin::new(state.clone()),
            state.require_auth()
        ))
        .add_service(guarded!(
            pb::billing_service_server::BillingServiceServer<billing::Billing>,
            billing::Billing,
            state.require_auth()
        ))
        .add_service(guarded!(
            pb::report_service_server::ReportServiceServer<reports::Reports>,
            reports::Reports::new(state.clone()),
            state.require_auth()
        ))
        .add_service(guarded!(
            pb::event_service_server::EventServiceServer<events::Events>,
            events::Events::new(state.clone()),
            state.require_auth()
        ))
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .serve_with_incoming_shutdown(no_delay(listener), shutdown)
        .await?;
    Ok(())
}

/// Calls one connection may have in progress at once.
const MAX_STREAMS_PER_CONNECTION: u32 = 256;

/// How often the housekeeping runs.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_mins(10);

/// Housekeeping, at start and every `SWEEP_EVERY`: closes unanswered
/// Completed tickets, and deletes ended sessions and refresh tokens.
async fn sweep(state: AppState) {
    let tickets = tickets::Tickets::new(state.clone());
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        every.tick().await;
        let closed = tickets.close_unanswered(crate::store::now_ms()).await;
        log_sweep("closed unanswered completed tickets", closed);
        let purged =
            authn::purge_expired(&state.store, &state.sessions, state.config.session_idle).await;
        log_sweep("deleted ended sessions and refresh tokens", purged);
    }
}

fn log_sweep(what: &str, done: Result<usize, impl std::fmt::Display>) {
    match done {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, "{what}"),
        Err(e) => tracing::warn!(error = %e, "sweep failed: {what}"),
    }
}

/// Accepted connections with Nagle's algorithm off: small gRPC replies must
/// leave at once, not wait for the peer's delayed ACK (~40 ms a call).
/// Replies ready together are still sent together (`cork`).
fn no_delay(
    listener: TcpListener,
) -> impl tokio_stream::Stream<Item = std::io::Result<cork::Corked>> {
    use tokio_stream::StreamExt;
    TcpListenerStream::new(listener).map(|accepted| {
        accepted.map(|stream| {
            if let Err(e) = stream.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY");
            }
            cork::Corked::new(stream)
        })
    })
}
