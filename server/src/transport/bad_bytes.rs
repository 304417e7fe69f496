//! Requests whose bytes are not a valid message are the caller's fault:
//! tonic answers them `INTERNAL` (as gRPC's status code guide says for a
//! request that cannot be parsed), which monitoring would count as the
//! server's own failure. This layer answers them `INVALID_ARGUMENT`
//! instead, naming the request and keeping tonic's reason. `INTERNAL` is
//! left for the server's own faults ("internal error").
//!
//! Every such refusal comes before a handler runs (unary and
//! server-streaming calls) or is passed on unchanged by the handler reading
//! a client stream, so it is always a trailers-only answer: the status is
//! in the response headers.

use tonic::codegen::http::HeaderValue;
use tonic::codegen::{BoxFuture, Context, Poll, Service, http};

/// How tonic and prost begin the messages of the refusals above.
const DECODING: &[&str] = &[
    // prost: any malformed message (bad wire type, length past the end,
    // invalid UTF-8 in a string, nesting beyond its recursion limit, ...).
    "failed to decode Protobuf message",
    // tonic's framing: the compressed flag without an encoding, a flag
    // other than 0 or 1.
    "protocol error:",
    // A length prefix beyond the end of the body.
    "Unexpected EOF decoding stream",
    // A unary call whose body holds no message.
    "Missing request message",
    // A compressed message that does not decompress.
    "Error decompressing",
];

/// gRPC's `INTERNAL` and `INVALID_ARGUMENT`, as they appear in `grpc-status`.
const INTERNAL: &str = "13";
const INVALID_ARGUMENT: &str = "3";

#[derive(Clone, Copy)]
pub struct BadBytesLayer;

impl<S> tower_layer::Layer<S> for BadBytesLayer {
    type Service = BadBytes<S>;

    fn layer(&self, inner: S) -> BadBytes<S> {
        BadBytes { inner }
    }
}

#[derive(Clone)]
pub struct BadBytes<S> {
    inner: S,
}

impl<S, B, R> Service<http::Request<B>> for BadBytes<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<S::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let call = self.inner.call(request);
        Box::pin(async move {
            let mut response = call.await?;
            rewrite(response.headers_mut());
            Ok(response)
        })
    }
}

/// Turns a decoding refusal in `headers` into `INVALID_ARGUMENT`.
fn rewrite(headers: &mut http::HeaderMap) {
    if headers.get("grpc-status").map(HeaderValue::as_bytes) != Some(INTERNAL.as_bytes()) {
        return;
    }
    let Some(message) = headers
        .get("grpc-message")
        .and_then(|m| m.to_str().ok())
        .filter(|m| {
            let decoded = percent_encoding::percent_decode_str(m).decode_utf8_lossy();
            DECODING.iter().any(|p| decoded.starts_with(p))
        })
    else {
        return;
    };
    // The message is already percent-encoded (ASCII), so it can be reused.
    let message = format!("request: not a valid message ({message})");
    if let Ok(message) = HeaderValue::from_str(&message) {
        headers.insert("grpc-status", HeaderValue::from_static(INVALID_ARGUMENT));
        headers.insert("grpc-message", message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: &tonic::Status) -> http::HeaderMap {
        let mut headers = status.clone().into_http::<()>().into_parts().0.headers;
        rewrite(&mut headers);
        headers
    }

    fn code_and_message(headers: &http::HeaderMap) -> (String, String) {
        let get = |k| {
            headers
                .get(k)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        (get("grpc-status"), get("grpc-message"))
    }

    #[test]
    fn decoding_refusals_become_invalid_argument() {
        for status in [
            tonic::Status::internal(
                "failed to decode Protobuf message: invalid wire type value: 7",
            ),
            tonic::Status::internal(
                "protocol error: received message with compressed-flag but no grpc-encoding was specified",
            ),
            tonic::Status::internal("Unexpected EOF decoding stream."),
            tonic::Status::internal("Missing request message."),
        ] {
            let (code, message) = code_and_message(&answer(&status));
            assert_eq!(code, "3", "{status:?}");
            assert!(
                message.starts_with("request: not a valid message ("),
                "{message}"
            );
        }
    }

    #[test]
    fn the_servers_own_faults_and_other_codes_stay() {
        let own = tonic::Status::internal("internal error");
        assert_eq!(code_and_message(&answer(&own)).0, "13");
        let other = tonic::Status::not_found("failed to decode Protobuf message: no");
        assert_eq!(code_and_message(&answer(&other)).0, "5");
    }
}
