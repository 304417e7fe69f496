//! The server's per-call deadline (`request_timeout`), for every call but
//! uploads: an upload lasts as long as its file and the link need, so it is
//! held to the deadline between its pieces instead (see the upload handler).
//! A client's own shorter `grpc-timeout` is enforced by tonic for all calls.

use std::time::Duration;

use tonic::codegen::{BoxFuture, Context, Poll, Service, StdError, http};

/// Calls held to the deadline between pieces rather than as a whole.
const STREAMED_IN: &[&str] = &["/portal.v1.TicketService/UploadAttachment"];

#[derive(Clone)]
pub struct DeadlineLayer {
    pub limit: Duration,
}

impl<S> tower_layer::Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;

    fn layer(&self, inner: S) -> Deadline<S> {
        Deadline {
            inner,
            limit: self.limit,
        }
    }
}

#[derive(Clone)]
pub struct Deadline<S> {
    inner: S,
    limit: Duration,
}

impl<S, B> Service<http::Request<B>> for Deadline<S>
where
    S: Service<http::Request<B>>,
    S::Future: Send + 'static,
    S::Error: Into<StdError>,
{
    type Response = S::Response;
    type Error = StdError;
    type Future = BoxFuture<S::Response, StdError>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), StdError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let limit = (!STREAMED_IN.contains(&request.uri().path())).then_some(self.limit);
        let call = self.inner.call(request);
        Box::pin(async move {
            match limit {
                // Answered as tonic answers its own deadline ("Timeout expired").
                Some(limit) => tokio::time::timeout(limit, call)
                    .await
                    .map_err(|_| StdError::from(tonic::TimeoutExpired(())))?
                    .map_err(Into::into),
                None => call.await.map_err(Into::into),
            }
        })
    }
}
