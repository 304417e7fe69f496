//! Replies that are ready at about the same moment leave in one write.
//!
//! HTTP/2 writes each reply's headers, message and trailers as soon as each
//! is ready, one system call apiece: on a busy server that is most of the
//! cost of a small call. A connection's first write after a flush is put off
//! once, behind the tasks already waiting to run (often the handlers of its
//! other calls), and goes out with whatever they add meanwhile. An idle
//! server has nothing waiting, so a lone reply is not delayed.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tonic::transport::server::{Connected, TcpConnectInfo};

pub struct Corked {
    stream: TcpStream,
    /// A write was put off since the last flush.
    waited: bool,
}

impl Corked {
    pub fn new(stream: TcpStream) -> Self {
        Self {
            stream,
            waited: false,
        }
    }

    /// Pending once per flush, to be woken behind the tasks already queued.
    fn wait_once(&mut self, cx: &Context<'_>) -> bool {
        if self.waited {
            return false;
        }
        self.waited = true;
        cx.waker().wake_by_ref();
        true
    }
}

impl AsyncRead for Corked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Corked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.wait_once(cx) {
            return Poll::Pending;
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.wait_once(cx) {
            return Poll::Pending;
        }
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.waited = false;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

impl Connected for Corked {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.stream.connect_info()
    }
}
