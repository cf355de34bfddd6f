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
        let (conns, stop) = (Arc::clone(&live), Arc::clone(&stopped));
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
                pipe(&client, &upstream);
                pipe(&upstream, &client);
            }
        });
        Ok(CutProxy {
            addr,
            live,
            stopped,
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
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

/// Copies `from` to `to` on a thread until either side ends.
fn pipe(from: &TcpStream, to: &TcpStream) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
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
