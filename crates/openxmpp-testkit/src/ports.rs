//! Free loopback ports for a server about to start.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};

use crate::KitError;

/// Asks the OS for `count` distinct free ports on 127.0.0.1.
///
/// The listeners are closed before returning, so another process could take a port in between;
/// the servers are started right after, and a start that fails to bind is reported with its log.
pub(crate) fn free_loopback_ports(count: usize) -> Result<Vec<u16>, KitError> {
    let listeners = (0..count)
        .map(|_| TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))))
        .collect::<Result<Vec<_>, _>>()
        .map_err(KitError::io("binding a free loopback port"))?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(KitError::io("reading a bound port"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_distinct_and_nonzero() {
        let ports = free_loopback_ports(3).unwrap();
        assert_eq!(ports.len(), 3);
        assert!(ports.iter().all(|&p| p != 0));
        assert!(ports[0] != ports[1] && ports[1] != ports[2] && ports[0] != ports[2]);
    }
}
