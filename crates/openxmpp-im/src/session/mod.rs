//! The IM session: every module of this crate wired to one account's stream.
//!
//! A [`Session`] sits beside the core's `Connection`, which it never touches: the driver hands
//! it what the connection reports (the session came online, a stanza arrived, a response to
//! one of the session's own requests), and drains what it wants sent
//! ([`Session::poll_output`]) and what the application should hear ([`Session::poll_event`]).
//! Like the rest of this crate it performs no I/O and never reads the clock.
//!
//! What it does by itself:
//! - at login, fetches the roster (versioned through the [`RosterStore`]) and then sends the
//!   initial presence (RFC 6121 §2.2, §4.2); enables carbons (XEP-0280); fetches the blocklist
//!   (XEP-0191); after a reconnect without resumption, sends the last presence again;
//! - applies roster and blocklist pushes, only from our own account, and answers them;
//! - tracks contacts' presence per resource, subscription requests, conversations with
//!   resource locking, and verifies entity capabilities;
//! - answers disco#info (with features derived from the modules enabled in
//!   [`SessionConfig`]), software version, entity time and receipt requests;
//! - accepts carbon copies only from our own bare JID.
//!
//! Stanzas it does not handle are handed back to the caller ([`Session::handle_stanza`]
//! returns them), so an application can still see anything.
//!
//! ```
//! use openxmpp_im::session::{Event, Output, Session, SessionConfig};
//! use openxmpp_im::core::connection::StreamFeatures;
//! use openxmpp_im::core::stanza::{Iq, Stanza};
//! use openxmpp_im::core::xml::parse_element;
//!
//! let mut session = Session::new("juliet@example.com".parse()?, SessionConfig::default());
//! session.online(&"juliet@example.com/balcony".parse()?, &StreamFeatures::default(), false);
//! // The roster comes first …
//! let Some(Output::Request { token, iq }) = session.poll_output() else { panic!() };
//! assert_eq!(iq.payload_element().map(|p| p.ns()), Some("jabber:iq:roster"));
//! let answer = Iq::try_from(parse_element(
//!     "<iq type='result' id='r1'><query xmlns='jabber:iq:roster' ver='1'/></iq>",
//! )?)?;
//! session.handle_response(token, Ok(answer));
//! assert!(matches!(session.poll_event(), Some(Event::Roster { .. })));
//! // … then the initial presence.
//! assert!(std::iter::from_fn(|| session.poll_output())
//!     .any(|o| matches!(o, Output::Send(Stanza::Presence(_)))));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod archive;
mod config;
mod event;
mod incoming_iq;
mod incoming_message;
mod incoming_presence;
mod login;
mod rooms;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap, VecDeque};

use openxmpp_core::error::StanzaError;
use openxmpp_core::jid::{BareJid, FullJid};
use openxmpp_core::stanza::{Iq, Presence, PresenceType, Stanza};

use crate::caps::Caps;
use crate::caps_cache::{CapsCache, CapsCacheConfig, LookupKey};
use crate::chats::Chats;
use crate::disco::DiscoInfoResult;
use crate::mam::{ArchiveDedup, ArchiveQuery};
use crate::muc::Rooms;
use crate::presence::PresenceTracker;
use crate::roster::{MemoryRosterStore, Roster, RosterStore};
use crate::subscriptions::Subscriptions;

pub use archive::{ArchiveStartError, ArchiveStep, CatchUpAnchor, MAX_ARCHIVE_QUERIES};
pub use config::{Modules, SessionConfig};
pub use event::{BlocklistEvent, Event};
pub use rooms::JoinOutcome;

/// A request the session made, to be matched with its response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestToken(u64);

/// Something the session wants sent.
#[derive(Debug, Clone)]
pub enum Output {
    /// Send this stanza.
    Send(Stanza),
    /// Send this IQ request and give its response (or failure) to
    /// [`Session::handle_response`] with `token`.
    Request {
        /// Identifies the request.
        token: RequestToken,
        /// The request (its id may be empty: the connection assigns one).
        iq: Iq,
    },
}

/// Why one of the session's own requests got no result.
pub type RequestFailure = Option<StanzaError>;

/// What one of the session's requests was for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Purpose {
    Roster,
    EnableCarbons,
    Blocklist,
    Capabilities(LookupKey),
}

/// The IM state of one account, across reconnects. See the [module docs](self).
#[derive(Debug)]
pub struct Session<S: RosterStore = MemoryRosterStore> {
    config: SessionConfig,
    account: BareJid,
    jid: Option<FullJid>,
    roster: Roster<S>,
    presence: PresenceTracker,
    subscriptions: Subscriptions,
    chats: Chats,
    /// The blocked JIDs, once fetched.
    blocklist: Option<BTreeSet<String>>,
    /// The last broadcast presence we sent, sent again on a new session.
    own_presence: Option<Presence>,
    /// Whether the initial presence was sent in this session.
    presence_sent: bool,
    /// What the server's stream features offered.
    pre_approval: bool,
    /// Our own capabilities (XEP-0115), from our disco#info.
    caps: Option<Caps>,
    /// Contacts' verified capabilities (XEP-0115).
    caps_cache: CapsCache,
    /// Multi-user chat rooms.
    rooms: Rooms,
    /// How recent joins ended, by room.
    join_outcomes: HashMap<String, JoinOutcome>,
    /// When the last session with rooms ended (to rejoin with only the history since).
    offline_since: Option<crate::delay::Timestamp>,
    /// Running archive queries.
    archive_queries: Vec<ArchiveQuery>,
    /// Live messages seen, to leave them out of archive catch-ups.
    dedup: ArchiveDedup,
    /// The archive id of the newest live message stamped by our account's archive.
    last_archive_id: Option<String>,
    /// Where the messages missed since a session was lost start, until caught up.
    missed: Option<CatchUpAnchor>,
    outputs: VecDeque<Output>,
    events: VecDeque<Event>,
    requests: HashMap<RequestToken, Purpose>,
    next_token: u64,
}

impl Session<MemoryRosterStore> {
    /// The session of `account` with the roster kept in memory.
    pub fn new(account: BareJid, config: SessionConfig) -> Self {
        Session::with_store(account, config, MemoryRosterStore::default())
    }
}

impl<S: RosterStore> Session<S> {
    /// The session of `account`, keeping the roster and its version in `store`.
    pub fn with_store(account: BareJid, config: SessionConfig, store: S) -> Self {
        let chats = Chats::new(config.id_prefix.clone());
        let mut session = Session {
            roster: Roster::new(account.clone(), store),
            account,
            jid: None,
            presence: PresenceTracker::default(),
            subscriptions: Subscriptions::default(),
            chats,
            blocklist: None,
            own_presence: None,
            presence_sent: false,
            pre_approval: false,
            caps: None,
            caps_cache: CapsCache::new(CapsCacheConfig {
                max_vers: 2_000,
                max_jids: 10_000,
                max_lookups: 8,
                max_info_bytes: 16 * 1024,
            }),
            rooms: Rooms::default(),
            join_outcomes: HashMap::new(),
            offline_since: None,
            archive_queries: Vec::new(),
            dedup: ArchiveDedup::new(),
            last_archive_id: None,
            missed: None,
            outputs: VecDeque::new(),
            events: VecDeque::new(),
            requests: HashMap::new(),
            next_token: 0,
            config,
        };
        session.caps = Caps::new(session.config.caps_node.clone(), &session.disco_info()).ok();
        session
    }

    /// The account.
    pub fn account(&self) -> &BareJid {
        &self.account
    }

    /// The full JID of the current session, once online.
    pub fn jid(&self) -> Option<&FullJid> {
        self.jid.as_ref()
    }

    /// The IQ namespaces the session answers: the connection must deliver requests in these
    /// namespaces (everything else it may answer with `service-unavailable`).
    pub fn iq_namespaces(&self) -> Vec<String> {
        let mut namespaces = vec![
            crate::roster::NS.to_owned(),
            crate::disco::NS_INFO.to_owned(),
            crate::blocking::NS.to_owned(),
            crate::ping::NS.to_owned(),
        ];
        if self.config.modules.version.is_some() {
            namespaces.push(crate::version::NS.to_owned());
        }
        if self.config.modules.time {
            namespaces.push(crate::time::NS.to_owned());
        }
        namespaces.extend(self.config.app_iq_namespaces.iter().cloned());
        namespaces
    }

    /// Our disco#info: the identity and the features of every enabled module, plus the
    /// application's.
    pub fn disco_info(&self) -> DiscoInfoResult {
        let mut info = DiscoInfoResult::new().with_identity(self.config.identity.clone());
        let mut features: BTreeSet<&str> = self.config.modules.features().collect();
        features.extend(self.config.app_features.iter().map(String::as_str));
        for feature in features {
            info = info.with_feature(feature);
        }
        info
    }

    /// Our entity capabilities (XEP-0115), attached to every presence we broadcast.
    pub fn caps(&self) -> Option<&Caps> {
        self.caps.as_ref()
    }

    /// The roster.
    pub fn roster(&self) -> &Roster<S> {
        &self.roster
    }

    /// Contacts' presence.
    pub fn presence(&self) -> &PresenceTracker {
        &self.presence
    }

    /// Subscription requests waiting for an answer.
    pub fn subscriptions(&self) -> &Subscriptions {
        &self.subscriptions
    }

    /// Conversations (resource locks, outgoing ids).
    pub fn chats(&self) -> &Chats {
        &self.chats
    }

    /// Conversations, to compose messages.
    pub fn chats_mut(&mut self) -> &mut Chats {
        &mut self.chats
    }

    /// The blocked JIDs, once fetched.
    pub fn blocklist(&self) -> Option<impl Iterator<Item = &str>> {
        self.blocklist
            .as_ref()
            .map(|list| list.iter().map(String::as_str))
    }

    /// What `jid` can do, from its verified entity capabilities (XEP-0115), once known.
    pub fn capabilities(&self, jid: &openxmpp_core::jid::Jid) -> Option<&DiscoInfoResult> {
        self.caps_cache.features_of(jid)
    }

    /// Whether the server offers subscription pre-approval (RFC 6121 §3.4).
    pub fn pre_approval(&self) -> bool {
        self.pre_approval
    }

    /// The next thing to send.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Prepares a presence we send: an available one gets our capabilities (XEP-0115); a
    /// broadcast one (no `to`) is remembered to be sent again after a reconnect; a directed
    /// one is remembered so that it can be withdrawn (RFC 6121 §4.6). Returns the presence
    /// to send.
    pub fn outgoing_presence(&mut self, mut presence: Presence) -> Presence {
        if presence.kind == PresenceType::Available
            && let Some(caps) = &self.caps
            && !presence.payloads.iter().any(|p| p.is("c", crate::caps::NS))
        {
            presence.payloads.push(caps.clone().into());
        }
        match &presence.header.to {
            None => match presence.kind {
                PresenceType::Available => {
                    self.own_presence = Some(presence.clone());
                    self.presence_sent = true;
                }
                PresenceType::Unavailable => self.own_presence = None,
                _ => {}
            },
            Some(to) => {
                let to = to.clone();
                self.presence.directed_sent(&to, presence.kind);
            }
        }
        presence
    }

    /// The presences to send before closing the stream: `unavailable` to everyone we sent
    /// directed presence to, then the broadcast `unavailable` (RFC 6121 §4.5, §4.6.3).
    pub fn closing_presences(&mut self, status: Option<&str>) -> Vec<Presence> {
        let mut presences: Vec<Presence> = self
            .presence
            .directed_targets()
            .filter_map(|to| to.parse().ok())
            .map(|to| Presence::unavailable().to(to))
            .collect();
        let mut broadcast = Presence::unavailable();
        if let Some(status) = status {
            broadcast = broadcast.with_status(None, status);
        }
        presences.push(broadcast);
        for presence in &presences {
            if let Some(to) = &presence.header.to {
                self.presence.directed_sent(to, PresenceType::Unavailable);
            }
        }
        self.own_presence = None;
        presences
    }

    /// Approves `contact`'s subscription request (or pre-approves, where offered): the
    /// presence to send.
    pub fn approve(&mut self, contact: &BareJid) -> Presence {
        self.subscriptions.approve(contact)
    }

    /// Denies `contact`'s subscription request: the presence to send.
    pub fn deny(&mut self, contact: &BareJid) -> Presence {
        self.subscriptions.deny(contact)
    }

    /// The session went offline at `now`: contacts' presence is unknown until the next
    /// session says otherwise (an `Unavailable` event for each one that was online); the
    /// rooms we were in are rejoined by the next session. Where the messages missed from now
    /// on start is remembered for [`Session::missed_messages_anchor`].
    pub fn offline(&mut self, now: &crate::delay::Timestamp) {
        self.rooms_offline(now);
        let online: Vec<BareJid> = self.presence.contacts().collect();
        self.presence.clear();
        self.chats.unlock_all();
        for contact in online {
            self.events.push_back(Event::Presence {
                change: crate::presence::PresenceChange::Unavailable {
                    contact,
                    resource: None,
                },
            });
        }
        if self.missed.is_none() {
            self.missed = Some(CatchUpAnchor {
                after_id: self.last_archive_id.clone(),
                lost_at: *now,
            });
        }
        self.jid = None;
        self.presence_sent = false;
        self.requests.clear();
        self.caps_cache.session_ended();
    }

    fn request(&mut self, purpose: Purpose, iq: Iq) {
        self.next_token += 1;
        let token = RequestToken(self.next_token);
        self.requests.insert(token, purpose);
        self.outputs.push_back(Output::Request { token, iq });
    }

    fn send(&mut self, stanza: impl Into<Stanza>) {
        self.outputs.push_back(Output::Send(stanza.into()));
    }

    fn emit(&mut self, event: Event) {
        self.events.push_back(event);
    }

    /// Handles a stanza the connection received. Returns it when no module handled it, for
    /// the application.
    pub fn handle_stanza(
        &mut self,
        stanza: Stanza,
        now: &crate::delay::Timestamp,
    ) -> Option<Stanza> {
        match stanza {
            Stanza::Iq(iq) => self.handle_iq(iq, now).map(Stanza::Iq),
            Stanza::Message(message) => self.handle_message(message).map(Stanza::Message),
            Stanza::Presence(presence) => self.handle_presence(presence).map(Stanza::Presence),
        }
    }
}
