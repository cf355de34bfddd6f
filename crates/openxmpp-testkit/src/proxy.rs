//! A loopback TCP proxy that can cut its connections on demand: the network failing under a
//! client while the server stays up (what stream management's resumption is for).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use crate::KitError;

/// Forwards every connection made to [`CutProxy::addr`] to the target.
pub struct CutProxy {
    addr: SocketAddr,
    live: Arc<Mutex<Vec<TcpStream>>>,
    stopped: Arc<AtomicBool>,
    stalled: Arc<AtomicBool>,
}

impl CutProxy {
    /// Starts a proxy on a free loopback port forwarding to `target`.
    pub fn start(target: SocketAddr) -> Result<Self, KitError> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .map_err(KitError::io("binding the proxy"))?;
        let addr = listener
            .local_addr()
            .map_err(KitError::io("reading the proxy's port"))?;
        let live = Arc::new(Mutex::new(Vec::new()));
        let stopped = Arc::new(AtomicBool::new(false));
        let stalled = Arc::new(AtomicBool::new(false));
        let (conns, stop, stall) = (
            Arc::clone(&live),
            Arc::clone(&stopped),
            Arc::clone(&stalled),
        );
        thread::spawn(move || {
            for client in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let Ok(upstream) = TcpStream::connect(target) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = upstream.set_nodelay(true);
                if let (Ok(c), Ok(u)) = (client.try_clone(), upstream.try_clone())
                    && let Ok(mut list) = conns.lock()
                {
                    list.push(c);
                    list.push(u);
                }
                pipe(&client, &upstream, &stall);
                pipe(&upstream, &client, &stall);
            }
        });
        Ok(CutProxy {
            addr,
            live,
            stopped,
            stalled,
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops forwarding, both ways, on every connection (open ones and new ones), without
    /// closing anything: the connection stays open and silent, as over a network that dropped
    /// off without a word. What arrives meanwhile is held until [`CutProxy::resume`].
    pub fn stall(&self) {
        self.stalled.store(true, Ordering::SeqCst);
    }

    /// Forwards again after [`CutProxy::stall`].
    pub fn resume(&self) {
        self.stalled.store(false, Ordering::SeqCst);
    }

    /// Cuts every connection going through the proxy now, both ways, as a broken network
    /// would (no closing handshake). New connections are still accepted.
    pub fn cut_all(&self) {
        if let Ok(mut list) = self.live.lock() {
            for stream in list.drain(..) {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
    }
}

impl Drop for CutProxy {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.cut_all();
        // Wake the accept loop so that it sees the stop flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Copies `from` to `to` on a thread until either side ends, holding data while `stalled`.
fn pipe(from: &TcpStream, to: &TcpStream, stalled: &Arc<AtomicBool>) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    let stalled = Arc::clone(stalled);
    thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    while stalled.load(Ordering::SeqCst) {
                        thread::sleep(std::time::Duration::from_millis(20));
                    }
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
}
