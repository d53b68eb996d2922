//! Connections closed so that the client reads the answer. When the server answers
//! before it has read a request's body (a body over the limit is refused from its
//! `Content-Length`, or cut at the limit), closing at once would leave the rest unread,
//! and the system then resets the connection: a client still sending sees it cut and
//! may never read the answer. So a connection is closed as a web server does it: the
//! server's side is shut once the answer is written, and what the client still sends
//! is read and dropped until it closes its side, for at most [`LINGER`] and
//! [`MAX_DRAINED`] bytes.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Sleep;

/// Longest wait for the client to close its side.
pub const LINGER: Duration = Duration::from_secs(3);
/// Most bytes read and dropped from a closing connection.
pub const MAX_DRAINED: usize = 32 << 20;

/// A listener whose connections close as [this module](self) says.
#[derive(Debug)]
pub struct Lingering(pub TcpListener);

impl axum::serve::Listener for Lingering {
    type Io = Closing;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Closing, SocketAddr) {
        let (io, addr) = axum::serve::Listener::accept(&mut self.0).await;
        (Closing { io, drain: None }, addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// A connection that, on shutdown, shuts its sending side and drains the other.
#[derive(Debug)]
pub struct Closing {
    io: TcpStream,
    drain: Option<Drain>,
}

#[derive(Debug)]
struct Drain {
    until: Pin<Box<Sleep>>,
    left: usize,
}

impl AsyncRead for Closing {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Closing {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.drain.is_none() {
            ready!(Pin::new(&mut this.io).poll_shutdown(cx))?;
            this.drain = Some(Drain { until: Box::pin(tokio::time::sleep(LINGER)), left: MAX_DRAINED });
        }
        let Some(drain) = this.drain.as_mut() else { return Poll::Ready(Ok(())) };
        let mut scratch = [0u8; 16 * 1024];
        while drain.left > 0 && drain.until.as_mut().poll(cx).is_pending() {
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut this.io).poll_read(cx, &mut buf) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => {
                    drain.left = drain.left.saturating_sub(buf.filled().len());
                }
                // The client closed its side, or the connection is gone.
                Poll::Ready(_) => drain.left = 0,
            }
        }
        drain.left = 0;
        Poll::Ready(Ok(()))
    }
}
