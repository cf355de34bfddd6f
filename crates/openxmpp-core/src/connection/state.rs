//! The session's states (the seed design's session diagram, made explicit).

/// Where a [`Connection`](super::Connection) is in its life.
///
/// `Offline → Connecting → Connected → StartingTls → Authenticating → Binding → Online →
/// Disconnecting → Offline`. With Direct TLS the TLS handshake happens in `StartingTls` before
/// the stream is opened; with the explicit plaintext opt-in `StartingTls` is skipped. A
/// connection for in-band registration ([`Purpose::Register`](super::Purpose::Register)) goes
/// `StartingTls → Registering → Disconnecting` instead of authenticating. Every transition is
/// reported as [`Event::StateChanged`](super::Event::StateChanged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// No transport.
    Offline,
    /// The driver is opening the transport.
    Connecting,
    /// The transport is up and the (not yet secured) stream is being opened.
    Connected,
    /// TLS is being negotiated (after `<proceed/>`, or from the first byte with Direct TLS).
    StartingTls,
    /// The stream is secured and not authenticated: in-band registration requests (XEP-0077)
    /// to the server may be sent ([`Purpose::Register`](super::Purpose::Register) only).
    Registering,
    /// SASL authentication is in progress.
    Authenticating,
    /// The resource is being bound (and the legacy session established, if required).
    Binding,
    /// A previous session is being resumed (XEP-0198) instead of binding a new one.
    Resuming,
    /// The session is established: stanzas flow.
    Online,
    /// The closing handshake is in progress.
    Disconnecting,
}

impl State {
    /// A short lower-case name, for logs and user interfaces.
    pub const fn name(self) -> &'static str {
        match self {
            State::Offline => "offline",
            State::Connecting => "connecting",
            State::Connected => "connected",
            State::StartingTls => "starting-tls",
            State::Registering => "registering",
            State::Authenticating => "authenticating",
            State::Binding => "binding",
            State::Resuming => "resuming",
            State::Online => "online",
            State::Disconnecting => "disconnecting",
        }
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
