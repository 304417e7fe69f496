//! Every call, seen once from outside (docs/RELIABILITY.md, "Metrics" and
//! "The call log"): a request id (also sent back as `x-request-id`), one
//! log line with the method, the caller, the code and the latency, and the
//! calls and latency metrics by method and code. It is the outermost layer,
//! so it sees every service, refusals at the door (`shed`, the deadline)
//! included.
//!
//! A call ends when its status is known: at once for a trailers-only reply
//! (an error before any message), else when the reply body yields its
//! trailers, or when the body is dropped before that (the client went
//! away: `CANCELLED`).

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::OnceLock;
use std::time::Instant;

use http_body::{Body, Frame, SizeHint};
use prost::Message as _;
use tonic::codegen::{BoxFuture, Context, Poll, Service, StdError, http};
use tonic::{Code, Status};

use crate::service::authn::CallerSlot;

/// The response header carrying the call's request id.
pub const REQUEST_ID: &str = "x-request-id";

/// Calls by service, method and code (the names grpc-prometheus uses).
pub const HANDLED: &str = "grpc_server_handled_total";
/// Seconds from the call's arrival to its status, by service and method.
pub const HANDLING_SECONDS: &str = "grpc_server_handling_seconds";

#[derive(Clone, Copy, Default)]
pub struct ObserveLayer;

impl<S> tower_layer::Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Observe<S> {
        Observe { inner }
    }
}

#[derive(Clone)]
pub struct Observe<S> {
    inner: S,
}

impl<S, B, ResBody> Service<http::Request<B>> for Observe<S>
where
    S: Service<http::Request<B>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
    S::Error: Into<StdError>,
    ResBody: Default + Send + 'static,
{
    type Response = http::Response<Observed<ResBody>>;
    type Error = StdError;
    type Future = BoxFuture<Self::Response, StdError>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), StdError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let record = Record {
            started: Instant::now(),
            id: format!("{:016x}", rand::random::<u64>()),
            method: Method::of(request.uri().path()),
            caller: CallerSlot::default(),
        };
        request.extensions_mut().insert(record.caller.clone());
        let call = self.inner.call(request);
        Box::pin(async move {
            // An error of a layer within (the deadline) is answered here as
            // tonic would answer it, so that it is counted and logged too.
            let mut response = call
                .await
                .unwrap_or_else(|e| Status::from_error(e.into()).into_http());
            if let Ok(value) = http::HeaderValue::from_str(&record.id) {
                response.headers_mut().insert(REQUEST_ID, value);
            }
            // A trailers-only reply carries its status in the headers.
            let done = response
                .headers()
                .get("grpc-status")
                .map(|code| Code::from_bytes(code.as_bytes()));
            let record = match done {
                Some(code) => {
                    record.finish(code);
                    None
                }
                None => Some(record),
            };
            Ok(response.map(|inner| Observed { inner, record }))
        })
    }
}

/// The reply body, watched for the status in its trailers.
pub struct Observed<B> {
    inner: B,
    record: Option<Record>,
}

impl<B> Body for Observed<B>
where
    B: Body + Unpin,
{
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        let code = match &polled {
            Poll::Ready(Some(Ok(frame))) => frame.trailers_ref().map(|trailers| {
                trailers
                    .get("grpc-status")
                    .map_or(Code::Unknown, |c| Code::from_bytes(c.as_bytes()))
            }),
            Poll::Ready(Some(Err(_))) => Some(Code::Internal),
            Poll::Ready(None) => Some(Code::Unknown),
            Poll::Pending => None,
        };
        if let Some(code) = code
            && let Some(record) = self.record.take()
        {
            record.finish(code);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<B> Drop for Observed<B> {
    fn drop(&mut self) {
        // Dropped before its status: the client went away (or the
        // connection broke) while the call was under way.
        if let Some(record) = self.record.take() {
            record.finish(Code::Cancelled);
        }
    }
}

/// One call under way.
struct Record {
    started: Instant,
    id: String,
    method: Method,
    caller: CallerSlot,
}

impl Record {
    fn finish(self, code: Code) {
        let took = self.started.elapsed();
        let code = code_name(code);
        let Method { service, name } = self.method;
        metrics::counter!(HANDLED, "grpc_service" => service, "grpc_method" => name, "grpc_code" => code)
            .increment(1);
        metrics::histogram!(HANDLING_SECONDS, "grpc_service" => service, "grpc_method" => name)
            .record(took.as_secs_f64());
        tracing::info!(
            target: "portal::call",
            request_id = %self.id,
            method = %format_args!("{service}/{name}"),
            caller = %self.caller.describe(),
            code = %code,
            ms = took.as_micros() as f64 / 1000.0,
            "call"
        );
    }
}

/// A known method, as its labels name it; any other path is "unknown", so
/// junk paths cannot add series without end.
#[derive(Clone, Copy)]
struct Method {
    service: &'static str,
    name: &'static str,
}

impl Method {
    const UNKNOWN: Self = Self {
        service: "unknown",
        name: "unknown",
    };

    fn of(path: &str) -> Self {
        known().get(path).copied().unwrap_or(Self::UNKNOWN)
    }
}

/// Every method the server serves, by path (`/package.Service/Method`):
/// read once from the descriptor sets the server registers, so a new RPC
/// is counted without a change here.
fn known() -> &'static HashMap<String, Method> {
    static KNOWN: OnceLock<HashMap<String, Method>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let mut known = HashMap::new();
        for set in [
            portal_proto::FILE_DESCRIPTOR_SET,
            tonic_health::pb::FILE_DESCRIPTOR_SET,
        ] {
            let Ok(set) = prost_types::FileDescriptorSet::decode(set) else {
                continue;
            };
            for file in set.file {
                for service in &file.service {
                    let full = format!("{}.{}", file.package(), service.name());
                    let service_name: &'static str = full.leak();
                    for method in &service.method {
                        let name: &'static str = method.name().to_owned().leak();
                        known.insert(
                            format!("/{service_name}/{name}"),
                            Method {
                                service: service_name,
                                name,
                            },
                        );
                    }
                }
            }
        }
        for service in [
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection",
        ] {
            let name = "ServerReflectionInfo";
            known.insert(format!("/{service}/{name}"), Method { service, name });
        }
        known
    })
}

/// The code as gRPC names it (`NOT_FOUND`), for labels and the log.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_method_is_known_and_junk_is_not() {
        let get = Method::of("/portal.v1.TicketService/GetTicket");
        assert_eq!(
            (get.service, get.name),
            ("portal.v1.TicketService", "GetTicket")
        );
        assert_eq!(Method::of("/grpc.health.v1.Health/Check").name, "Check");
        assert_eq!(
            Method::of("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo").name,
            "ServerReflectionInfo"
        );
        assert_eq!(Method::of("/portal.v1.TicketService/Nope").name, "unknown");
        assert_eq!(Method::of("/x").service, "unknown");
    }
}
