//! What an IM session does by itself, and which modules it answers for.

use openxmpp_core::stanza::Presence;

use crate::disco::Identity;
use crate::version::SoftwareVersion;

/// The modules a session runs. Each enabled module adds its disco features (XEP-0030) and,
/// through them, our entity capabilities (XEP-0115): a peer only sees what we really do.
#[derive(Debug, Clone)]
pub struct Modules {
    /// Answer software version requests (XEP-0092) with this; `None` answers
    /// `service-unavailable`.
    pub version: Option<SoftwareVersion>,
    /// Answer entity time requests (XEP-0202).
    pub time: bool,
    /// Enable message carbons at login (XEP-0280).
    pub carbons: bool,
    /// Answer delivery receipt requests (XEP-0184) for messages we receive.
    pub receipts: bool,
    /// Advertise chat states (XEP-0085): the application sends and shows them.
    pub chat_states: bool,
    /// Advertise chat markers (XEP-0333).
    pub markers: bool,
    /// Advertise last message correction (XEP-0308).
    pub correction: bool,
    /// Fetch the blocklist at login and follow its pushes (XEP-0191).
    pub blocking: bool,
    /// Advertise multi-user chat (XEP-0045).
    pub muc: bool,
}

impl Default for Modules {
    fn default() -> Self {
        Modules {
            version: Some(SoftwareVersion::new("openXMPP", env!("CARGO_PKG_VERSION"))),
            time: true,
            carbons: true,
            receipts: true,
            chat_states: true,
            markers: true,
            correction: true,
            blocking: true,
            muc: true,
        }
    }
}

impl Modules {
    /// The disco features of the enabled modules.
    pub fn features(&self) -> impl Iterator<Item = &'static str> {
        let always = [
            crate::disco::NS_INFO,
            crate::caps::NS,
            openxmpp_core::ns::PING,
            crate::stanza_id::NS,
        ];
        let optional = [
            (self.version.is_some(), crate::version::NS),
            (self.time, crate::time::NS),
            (self.carbons, crate::carbons::NS),
            (self.receipts, crate::receipts::NS),
            (self.chat_states, crate::chat_states::NS),
            (self.markers, crate::markers::NS),
            (self.correction, crate::correction::NS),
            (self.muc, "http://jabber.org/protocol/muc"),
        ];
        always.into_iter().chain(
            optional
                .into_iter()
                .filter_map(|(enabled, ns)| enabled.then_some(ns)),
        )
    }
}

/// How a [`Session`](super::Session) behaves.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Fetch the roster at login (RFC 6121 §2.2); without it no roster pushes arrive either.
    pub fetch_roster: bool,
    /// The presence sent once the roster is loaded (RFC 6121 §4.2); `None` leaves it to the
    /// application (the session then stays invisible to contacts until it sends one).
    pub initial_presence: Option<Presence>,
    /// Who we are in disco#info.
    pub identity: Identity,
    /// The node of our entity capabilities (a URL identifying the software).
    pub caps_node: String,
    /// The enabled modules.
    pub modules: Modules,
    /// Extra disco features, for what the application implements itself.
    pub app_features: Vec<String>,
    /// IQ namespaces the application answers itself (delivered to it, not refused).
    pub app_iq_namespaces: Vec<String>,
    /// Our time zone offset for entity time answers (`Z` or `±hh:mm`).
    pub time_zone: String,
    /// A prefix that makes this session's message ids unique (random per client).
    pub id_prefix: String,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            fetch_roster: true,
            initial_presence: Some(Presence::available()),
            identity: Identity::new("client", "pc").with_name("openXMPP"),
            // The software's URL (XEP-0115 §4): the workspace's repository.
            caps_node: env!("CARGO_PKG_REPOSITORY").to_owned(),
            modules: Modules::default(),
            app_features: Vec::new(),
            app_iq_namespaces: Vec::new(),
            time_zone: "Z".to_owned(),
            id_prefix: "oxm".to_owned(),
        }
    }
}
