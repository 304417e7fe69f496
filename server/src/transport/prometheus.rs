//! Prometheus metrics (docs/RELIABILITY.md, "Metrics"), only with
//! `serve --metrics-listen ADDR`: the `metrics` recorder is installed, and
//! `GET /metrics` on ADDR, plain HTTP/1.1 on a listener of its own, answers
//! the text exposition format. Without the flag no recorder is installed
//! (every metric is a no-op) and nothing listens.
//!
//! Most series are kept where things happen (calls in `observe`, sheds in
//! `shed`, the writer and readers in `store`, streams in
//! `service::events`); what is a count of the store (sessions, the mail
//! outbox) or a time (the last backup) is read when scraped.

use std::convert::Infallible;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tonic::codegen::{Bytes, http};

use super::observe;
use crate::service::{AppState, authn, events};
use crate::store::{self, metric as pool_metric, now_ms};

/// People signed in: sessions not yet ended.
const SESSIONS: &str = "portal_sessions_signed_in";
/// Mail in the outbox, by state: `pending` (still to send) or `failed` (given up).
const OUTBOX: &str = "portal_mail_outbox_messages";
/// Unix seconds of the last good scheduled backup (only with `--backup-dir`; 0: none yet).
const LAST_BACKUP: &str = "portal_last_backup_timestamp_seconds";

/// Call latencies, seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Writes per commit.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];
/// Waits for a reader connection, seconds.
const WAIT_BUCKETS: &[f64] = &[
    0.000_01, 0.000_1, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0,
];

/// Installs the process's recorder, with histogram buckets for each
/// histogram, and describes every series.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(observe::HANDLING_SECONDS.into()),
            LATENCY_BUCKETS,
        )?
        .set_buckets_for_metric(Matcher::Full(pool_metric::BATCH_SIZE.into()), BATCH_BUCKETS)?
        .set_buckets_for_metric(Matcher::Full(pool_metric::READER_WAIT.into()), WAIT_BUCKETS)?
        .install_recorder()?;
    describe();
    Ok(handle)
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        observe::HANDLED,
        "Calls finished, by service, method and code."
    );
    describe_histogram!(
        observe::HANDLING_SECONDS,
        Unit::Seconds,
        "Time from a call's arrival to its status, by service and method."
    );
    describe_counter!(
        super::shed::SHED,
        "Calls refused with RESOURCE_EXHAUSTED because the budget was full (--max-in-flight)."
    );
    describe_gauge!(super::shed::IN_FLIGHT, "Calls being served, by budget.");
    describe_histogram!(
        pool_metric::BATCH_SIZE,
        "Writes committed together, per commit."
    );
    describe_gauge!(
        pool_metric::QUEUE_DEPTH,
        "Writes waiting for the writer, not yet in a batch."
    );
    describe_gauge!(
        pool_metric::WRITABLE,
        "1 while the writer's last commit succeeded, 0 after one failed."
    );
    describe_histogram!(
        pool_metric::READER_WAIT,
        Unit::Seconds,
        "Time a read waited for a reader connection."
    );
    describe_gauge!(events::STREAMS_OPEN, "Live-update event streams open.");
    describe_gauge!(SESSIONS, "Sessions signed in and not yet ended.");
    describe_gauge!(OUTBOX, "Mail in the outbox, by state (pending, failed).");
    describe_gauge!(
        LAST_BACKUP,
        Unit::Seconds,
        "Unix time of the last good scheduled backup; 0 while there is none."
    );
    // Present from the start, at zero, rather than from their first change.
    metrics::gauge!(pool_metric::QUEUE_DEPTH).set(0.0);
    metrics::gauge!(events::STREAMS_OPEN).set(0.0);
}

/// Serves `GET /metrics` on `listener` for as long as the process runs.
pub async fn serve(listener: TcpListener, state: AppState, handle: PrometheusHandle) {
    // Histograms and summaries are kept in buckets that need draining.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of descriptors, most likely: wait rather than spin.
                tracing::warn!(error = %e, "metrics listener cannot accept");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let state = state.clone();
        let handle = handle.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: http::Request<Incoming>| {
                let state = state.clone();
                let handle = handle.clone();
                async move { Ok::<_, Infallible>(answer(&request, &state, &handle).await) }
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(error = %e, "metrics connection ended");
            }
        });
    }
}

async fn answer<B>(
    request: &http::Request<B>,
    state: &AppState,
    handle: &PrometheusHandle,
) -> http::Response<Full<Bytes>> {
    let (status, body) = match (request.method(), request.uri().path()) {
        (&http::Method::GET, "/metrics") => {
            refresh(state).await;
            (http::StatusCode::OK, handle.render())
        }
        (_, "/metrics") => (
            http::StatusCode::METHOD_NOT_ALLOWED,
            "GET only\n".to_owned(),
        ),
        _ => (
            http::StatusCode::NOT_FOUND,
            "metrics are at /metrics\n".to_owned(),
        ),
    };
    let mut response = http::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// Sets the gauges that are read rather than kept: the signed-in sessions
/// and the outbox (one read of the store), the last backup, the store's
/// writability.
async fn refresh(state: &AppState) {
    let now = now_ms();
    let idle = authn::millis(state.config.session_idle);
    let counted = state
        .store
        .read(move |c| {
            Ok((
                store::sessions::count_live(c, now, idle)?,
                store::outbox::backlog(c)?,
            ))
        })
        .await;
    match counted {
        Ok((sessions, (pending, failed))) => {
            metrics::gauge!(SESSIONS).set(sessions as f64);
            metrics::gauge!(OUTBOX, "state" => "pending").set(pending as f64);
            metrics::gauge!(OUTBOX, "state" => "failed").set(failed as f64);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot count sessions and mail"),
    }
    if state.config.backup_dir.is_some() {
        let at = state.last_backup.at().unwrap_or(0);
        metrics::gauge!(LAST_BACKUP).set((at / 1000) as f64);
    }
    let writable = *state.store.writable().borrow();
    metrics::gauge!(pool_metric::WRITABLE).set(f64::from(u8::from(writable)));
}
