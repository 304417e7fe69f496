//! How calls reach the handlers: the listener (TLS, no Nagle, corked
//! writes), the layers every call passes (observed: request id, log line,
//! metrics; shed beyond the in-flight budget; the per-call deadline), the
//! interceptors that turn a bearer token into a `Caller`, the registration
//! of every service with health (NOT_SERVING while draining or while the
//! store cannot be written) and reflection, and the Prometheus endpoint.
//! Handlers live in `service`; nothing here decides what a call does.

mod bad_bytes;
mod cork;
mod deadline;
mod observe;
mod prometheus;
mod shed;

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context as _;
use portal_proto::pb;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Identity, Server, ServerTlsConfig};
use tonic::{Request, Status};

use crate::config::Config;
use crate::service::{self, AppState, authn};
use crate::store::backup::StoreLock;
use crate::store::{Store, StoreOptions};

/// Calls one connection may have in progress at once. The limit is
/// announced in HTTP/2 SETTINGS, so a busy client queues its calls at its
/// own end. Queued on the server instead (tonic announces no limit), every
/// waiting call holds a small unread DATA frame, and a few thousand of those
/// exhaust h2's small-frame budget: the whole connection is closed with
/// ENHANCE_YOUR_CALM.
const MAX_STREAMS_PER_CONNECTION: u32 = 256;

/// Streams a client may reset before the server accepted them. A client
/// whose deadlines expire while its calls wait resets them; h2's default
/// (20) then closes the whole connection with ENHANCE_YOUR_CALM, failing its
/// calls in progress too. One connection's worth keeps the bound (rapid
/// reset) without turning an overload into a cascade.
const MAX_PENDING_RESETS: usize = MAX_STREAMS_PER_CONNECTION as usize;

/// The server's certificate, for the gRPC port and for mail in's STARTTLS.
pub struct Tls {
    pub grpc: ServerTlsConfig,
    pub mail: tokio_rustls::TlsAcceptor,
}

/// TLS with the certificate chain and private key in these PEM files.
pub fn tls_from_files(cert: &Path, key: &Path) -> anyhow::Result<Tls> {
    use tokio_rustls::rustls::{self, pki_types::pem::PemObject as _};

    let cert_pem =
        std::fs::read(cert).with_context(|| format!("--tls-cert: {}", cert.display()))?;
    let key_pem = std::fs::read(key).with_context(|| format!("--tls-key: {}", key.display()))?;
    let chain = rustls::pki_types::CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("--tls-cert: {}", cert.display()))?;
    let private = rustls::pki_types::PrivateKeyDer::from_pem_slice(&key_pem)
        .with_context(|| format!("--tls-key: {}", key.display()))?;
    let mail = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(chain, private)
    .context("--tls-cert and --tls-key")?;
    Ok(Tls {
        grpc: ServerTlsConfig::new().identity(Identity::from_pem(cert_pem, key_pem)),
        mail: tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(mail)),
    })
}

/// `portal-server serve`: opens the store at `path` and serves it on `addr`
/// until Ctrl-C or SIGTERM, printing the bound address first.
pub fn run(path: &Path, addr: SocketAddr, tls: Option<Tls>, config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // Held until the process ends: no restore, and no second server, meanwhile.
    let _lock = StoreLock::acquire(path)?;
    runtime.block_on(async move {
        let store = Store::open(
            path,
            &StoreOptions {
                readers: config.readers,
            },
        )?;
        let listener = TcpListener::bind(addr).await?;
        let metrics = match config.metrics_listen {
            Some(at) => Some((
                prometheus::install()?,
                TcpListener::bind(at)
                    .await
                    .with_context(|| format!("--metrics-listen {at}"))?,
            )),
            None => None,
        };
        let bound = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        // Tests and scripts read this line to find the port.
        println!("listening on {scheme}://{bound}");
        tracing::info!(%bound, db = %path.display(), "serving");
        // The search's word list (store::search_terms) loads while the
        // first callers arrive, not in the first search.
        let terms = store.search_terms();
        let warming = store.clone();
        tokio::spawn(async move {
            if let Err(e) = warming.read(move |conn| terms.warm(conn)).await {
                tracing::warn!(error = %e, "search words not loaded; the first search loads them");
            }
        });
        let state = AppState::new(store, config);
        if let Some((handle, metrics)) = metrics {
            // Always the second line, when there is one.
            println!("metrics on http://{}/metrics", metrics.local_addr()?);
            tokio::spawn(prometheus::serve(metrics, state.clone(), handle));
        }
        // With TLS the gateway's clients get a plaintext listener of their
        // own on loopback: the certificate need not name 127.0.0.1.
        let mut internal = None;
        if let Some(at) = state.config.ssh_listen {
            let grpc = if tls.is_some() {
                let loopback = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
                let addr = loopback.local_addr()?;
                internal = Some(loopback);
                addr
            } else {
                bound
            };
            let (ssh, fingerprint) = crate::gateway::start(&state, path, at, grpc).await?;
            // After the metrics line, when there is one.
            println!("ssh on {ssh} (host key {fingerprint})");
            tracing::info!(%ssh, %fingerprint, "SSH gateway listening");
        }
        if let Some(at) = state.config.mail_listen {
            let smtp = TcpListener::bind(at)
                .await
                .with_context(|| format!("--mail-listen {at}"))?;
            let mail_in = std::sync::Arc::new(service::mail_in::MailIn::new(state.clone()).await?);
            // After the ssh line, when there is one.
            println!(
                "mail in on {} for {}",
                smtp.local_addr()?,
                mail_in.mailboxes().support()
            );
            let max = crate::mail::listener::max_message_bytes(state.config.max_upload_bytes);
            let starttls = tls.as_ref().map(|t| t.mail.clone());
            tokio::spawn(crate::mail::listener::serve(smtp, mail_in, max, starttls));
        }
        let grpc = tls.map(|t| t.grpc);
        serve(state, listener, grpc, internal, shutdown_signal()).await
    })
}

/// The server with its HTTP/2 limits (see the constants above).
fn http2_server() -> Server {
    Server::builder()
        .max_concurrent_streams(MAX_STREAMS_PER_CONNECTION)
        .http2_max_pending_accept_reset_streams(Some(MAX_PENDING_RESETS))
        .http2_keepalive_interval(Some(std::time::Duration::from_secs(30)))
}

/// Serves every service, reflection (v1 and v1alpha) and health on
/// `listener` (with `tls`, if any) and, in plaintext, on the loopback
/// `internal` listener the SSH gateway's clients use when there is TLS,
/// until `shutdown` resolves, then drains (docs/CONFIG.md, "Stopping");
/// the housekeeping runs meanwhile.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    tls: Option<ServerTlsConfig>,
    internal: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let max = state.config.max_message_bytes;
    let (health_reporter, health) = health().await;
    let (reflection_v1, reflection_v1alpha) = reflection()?;

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

    let store_health = housekeeping(&state, &health_reporter);

    let mut builder = http2_server();
    if let Some(tls) = tls {
        builder = builder.tls_config(tls)?;
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|s| *s).await;
    };
    // One budget for both listeners.
    let shed = shed::ShedLayer::new(state.config.max_in_flight, state.config.queue_wait);
    // Outermost first: every call is observed (refusals at the door too),
    // then given a place among those served (or shed), then its deadline.
    let routes = |builder: Server| {
        builder
            .layer(observe::ObserveLayer)
            .layer(shed.clone())
            .layer(deadline::DeadlineLayer {
                limit: state.config.request_timeout,
            })
            .layer(bad_bytes::BadBytesLayer)
            .add_service(guarded!(
                pb::auth_service_server::AuthServiceServer<service::Auth>,
                service::Auth::new(state.clone()),
                optional_auth(&state)
            ))
            .add_service(guarded!(
                pb::account_service_server::AccountServiceServer<service::Accounts>,
                service::Accounts::new(state.clone()),
                require_auth(&state)
            ))
            .add_service(guarded!(
                pb::ticket_service_server::TicketServiceServer<service::Tickets>,
                service::Tickets::new(state.clone()),
                require_auth(&state)
            ))
            .add_service(guarded!(
                pb::staff_service_server::StaffServiceServer<service::StaffAdmin>,
                service::StaffAdmin::new(state.clone()),
                require_auth(&state)
            ))
            .add_service(guarded!(
                pb::billing_service_server::BillingServiceServer<service::Billing>,
                service::Billing::new(state.clone()),
                require_auth(&state)
            ))
            .add_service(guarded!(
                pb::report_service_server::ReportServiceServer<service::Reports>,
                service::Reports::new(state.clone()),
                require_auth(&state)
            ))
            .add_service(guarded!(
                pb::event_service_server::EventServiceServer<service::Events>,
                service::Events::new(state.clone()),
                require_auth(&state)
            ))
            .add_service(guarded!(
                pb::work_service_server::WorkServiceServer<service::Work>,
                service::Work::new(state.clone()),
                require_auth(&state)
            ))
            .add_service(health.clone())
            .add_service(reflection_v1.clone())
            .add_service(reflection_v1alpha.clone())
    };
    let public = routes(builder)
        .serve_with_incoming_shutdown(no_delay(listener), until_stopped(stopped.clone()));
    let internal = async {
        match internal {
            Some(listener) => {
                routes(http2_server())
                    .serve_with_incoming_shutdown(no_delay(listener), until_stopped(stopped))
                    .await
            }
            None => Ok(()),
        }
    };
    let serving = async { tokio::try_join!(public, internal).map(drop) };
    tokio::pin!(serving);
    tokio::select! {
        result = &mut serving => return Ok(result?),
        () = shutdown => {}
    }
    // Draining: say so to health checks, end the live-update streams (they
    // never end by themselves), take no new calls, and give the calls under
    // way the grace period. ("" is the server as a whole.)
    store_health.abort();
    for name in std::iter::once("").chain(SERVICES) {
        health_reporter
            .set_service_status(name, tonic_health::ServingStatus::NotServing)
            .await;
    }
    state.draining.begin();
    stop.send_replace(true);
    let grace = state.config.shutdown_grace;
    if let Ok(result) = tokio::time::timeout(grace, &mut serving).await {
        result?;
    } else {
        tracing::warn!(
            ?grace,
            "calls still under way after the grace period are cut"
        );
    }
    // Every write handed to the writer is committed before the process ends.
    state.store.write(|_| Ok(())).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Starts what runs beside the calls: the sweep, scheduled backups, the
/// mail sender, and the store's health report (returned, to stop it when
/// draining).
fn housekeeping(
    state: &AppState,
    health_reporter: &tonic_health::server::HealthReporter,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(service::sweep(state.clone()));
    if let Some(dir) = state.config.backup_dir.clone() {
        tokio::spawn(service::backups::run(
            state.clone(),
            dir,
            state.config.backup_every,
            state.config.backup_keep as usize,
        ));
    }
    tokio::spawn(crate::mail::sender::run(
        state.store.clone(),
        state.config.clone(),
    ));
    tokio::spawn(report_store_health(
        health_reporter.clone(),
        state.store.clone(),
    ))
}

/// The portal.v1 services, as the health service names them.
const SERVICES: [&str; 8] = [
    pb::auth_service_server::SERVICE_NAME,
    pb::ticket_service_server::SERVICE_NAME,
    pb::account_service_server::SERVICE_NAME,
    pb::billing_service_server::SERVICE_NAME,
    pb::report_service_server::SERVICE_NAME,
    pb::staff_service_server::SERVICE_NAME,
    pb::event_service_server::SERVICE_NAME,
    pb::work_service_server::SERVICE_NAME,
];

/// While health says NOT_SERVING for the store, how often a write is tried.
const PROBE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Reports NOT_SERVING, for the server and every portal.v1 service, while
/// the store cannot be written (a commit failed: disk full, read-only,
/// failing), and SERVING again once a write succeeds. Meanwhile a write
/// is tried every `PROBE_EVERY`: a balancer that believes the health
/// check sends no calls, so no call would find out that the disk has room
/// again.
async fn report_store_health(reporter: tonic_health::server::HealthReporter, store: Store) {
    let mut writable = store.writable();
    // SERVING was reported at start.
    if writable.changed().await.is_err() {
        return;
    }
    loop {
        let ok = *writable.borrow_and_update();
        let status = if ok {
            tonic_health::ServingStatus::Serving
        } else {
            tonic_health::ServingStatus::NotServing
        };
        for name in std::iter::once("").chain(SERVICES) {
            reporter.set_service_status(name, status).await;
        }
        let changed = if ok {
            writable.changed().await
        } else {
            tokio::select! {
                changed = writable.changed() => changed,
                () = tokio::time::sleep(PROBE_EVERY) => {
                    if let Err(e) = store.probe_write().await {
                        tracing::debug!(error = %e, "the store still cannot be written");
                    }
                    Ok(())
                }
            }
        };
        if changed.is_err() {
            return;
        }
    }
}

/// The health service, reporting every portal.v1 service SERVING (the
/// overall service "" starts out SERVING), and its reporter.
async fn health() -> (
    tonic_health::server::HealthReporter,
    tonic_health::pb::health_server::HealthServer<impl tonic_health::pb::health_server::Health>,
) {
    let (health, health_service) = tonic_health::server::health_reporter();
    for name in SERVICES {
        health
            .set_service_status(name, tonic_health::ServingStatus::Serving)
            .await;
    }
    (health, health_service)
}

/// Server reflection, v1 and v1alpha, over the portal and health protos.
fn reflection() -> anyhow::Result<(
    tonic_reflection::server::v1::ServerReflectionServer<
        impl tonic_reflection::server::v1::ServerReflection,
    >,
    tonic_reflection::server::v1alpha::ServerReflectionServer<
        impl tonic_reflection::server::v1alpha::ServerReflection,
    >,
)> {
    let builder = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(portal_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    Ok((builder().build_v1()?, builder().build_v1alpha()?))
}

/// The interceptor for services that need a signed-in caller.
fn require_auth(
    state: &AppState,
) -> impl FnMut(Request<()>) -> Result<Request<()>, Status> + Clone + use<> {
    let state = state.clone();
    move |mut req: Request<()>| {
        let caller = authn::authenticate(
            &state.store,
            &state.sessions,
            state.config.session_idle,
            req.metadata(),
        )?;
        if let Some(slot) = authn::CallerSlot::of(&req) {
            slot.fill(&caller.principal);
        }
        req.extensions_mut().insert(caller);
        Ok(req)
    }
}

/// AuthService mixes signed-out and signed-in calls: a valid token adds
/// the caller, anything else passes through for the handler to judge.
fn optional_auth(
    state: &AppState,
) -> impl FnMut(Request<()>) -> Result<Request<()>, Status> + Clone + use<> {
    let state = state.clone();
    move |mut req: Request<()>| {
        if let Ok(caller) = authn::authenticate(
            &state.store,
            &state.sessions,
            state.config.session_idle,
            req.metadata(),
        ) {
            if let Some(slot) = authn::CallerSlot::of(&req) {
                slot.fill(&caller.principal);
            }
            req.extensions_mut().insert(caller);
        }
        Ok(req)
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

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down");
}
