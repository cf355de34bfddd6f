//! The entity capabilities cache (XEP-0115 §5–6): which features each contact's client has,
//! learned once per verification string instead of once per contact.
//!
//! [`CapsCache`] is sans-IO. Feed it every incoming presence ([`CapsCache::handle_presence`]);
//! when a presence advertises a `ver` it does not know yet, it answers with a [`CapsLookup`]:
//! the disco#info IQ to send to that JID (node `node#ver`). Hand the response back with
//! [`CapsCache::handle_lookup_result`] (or [`CapsCache::cancel_lookup`] if none came): the
//! answer is hashed again and cached only if it matches `ver`. After each of these, drain
//! [`CapsCache::poll_lookup`]: it yields lookups that waited for a free slot and retries of a
//! `ver` whose first answer was wrong, sent to another JID that advertised it.
//!
//! Policies:
//! - Only SHA-1 (the mandatory hash, the only one [`caps::ver`] computes) is followed. Legacy
//!   caps (no `hash` attribute, before XEP-0115 1.5) and other hash functions are ignored (and
//!   the JID's earlier advertisement forgotten): what they advertise cannot be verified, and
//!   unverified answers are how caches get poisoned.
//! - An answer that does not hash to the advertised `ver` is never cached; it is reported as
//!   [`LookupError::Poisoned`] and logged. The JID that gave it is not asked about that `ver`
//!   again; another JID that advertised it is (at most [`MAX_ATTEMPTS`] JIDs per `ver`).
//! - Every collection is bounded ([`CapsCacheConfig`]): verification strings and JIDs are
//!   evicted oldest first, lookups under way are capped, and an answer larger than
//!   [`CapsCacheConfig::max_info_bytes`] is not cached.
//! - Unavailable presence forgets the JID (an unavailable presence from a bare JID forgets all
//!   its resources). An available presence without `<c/>` leaves what the JID advertised
//!   before. [`CapsCache::session_ended`] forgets every JID and lookup but keeps the cache.
//!
//! ```
//! use openxmpp_im::caps::Caps;
//! use openxmpp_im::caps_cache::CapsCache;
//! use openxmpp_im::core::jid::Jid;
//! use openxmpp_im::core::stanza::Presence;
//! use openxmpp_im::disco::{DiscoInfoResult, Identity};
//!
//! // What Romeo's client answers to disco#info, and the presence it sends.
//! let info = DiscoInfoResult::new()
//!     .with_identity(Identity::new("client", "pc").with_name("Exodus 0.9.1"))
//!     .with_feature("http://jabber.org/protocol/caps")
//!     .with_feature("http://jabber.org/protocol/muc");
//! let romeo: Jid = "romeo@montague.lit/orchard".parse()?;
//! let mut presence = Presence::available()
//!     .with_payload(Caps::new("http://code.google.com/p/exodus", &info)?.into());
//! presence.header.from = Some(romeo.clone());
//!
//! let mut cache = CapsCache::default();
//! let lookup = cache.handle_presence(&presence).ok_or("a lookup")?;
//! assert_eq!(cache.has_feature(&romeo, "http://jabber.org/protocol/muc"), None);
//!
//! // Send `lookup.iq`; Romeo answers.
//! let answer = lookup.iq.result(Some(info.into()));
//! cache.handle_lookup_result(lookup.key, Ok(answer))?;
//! assert_eq!(cache.has_feature(&romeo, "http://jabber.org/protocol/muc"), Some(true));
//! assert!(cache.poll_lookup().is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::sync::Arc;

use openxmpp_core::error::StanzaError;
use openxmpp_core::jid::Jid;
use openxmpp_core::stanza::{Iq, IqPayload, Presence, PresenceType, StanzaParseError};
use openxmpp_core::xml::{Element, write_element};

use crate::caps::{self, Caps, SHA_1};
use crate::disco::{DiscoInfoQuery, DiscoInfoResult};
use crate::parse_util::{invalid, missing};

/// How many JIDs that advertised one `ver` are asked before giving up on it.
pub const MAX_ATTEMPTS: usize = 4;

/// How many JIDs that advertised a `ver` being looked up are remembered as fallbacks.
const MAX_CANDIDATES: usize = 8;

/// The longest `ver` followed (a base64 SHA-1 has 28 characters).
const MAX_VER_LEN: usize = 64;

/// The longest `node` followed.
const MAX_NODE_LEN: usize = 1024;

/// The bounds of a [`CapsCache`]. Memory is bounded by about
/// `max_vers × max_info_bytes + max_jids × (JID + node)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapsCacheConfig {
    /// Verification strings cached (and being looked up); the oldest is evicted beyond.
    pub max_vers: usize,
    /// JIDs whose advertised `ver` is remembered; the oldest is evicted beyond.
    pub max_jids: usize,
    /// disco#info lookups under way at once; more wait in a queue ([`CapsCache::poll_lookup`]).
    pub max_lookups: usize,
    /// The largest disco#info answer cached, serialized, in bytes.
    pub max_info_bytes: usize,
}

impl Default for CapsCacheConfig {
    /// 10,000 `ver`s, 10,000 JIDs, 8 lookups at once, answers up to 32 KiB.
    fn default() -> Self {
        CapsCacheConfig {
            max_vers: 10_000,
            max_jids: 10_000,
            max_lookups: 8,
            max_info_bytes: 32 * 1024,
        }
    }
}

/// Identifies a lookup between [`CapsLookup`] and [`CapsCache::handle_lookup_result`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LookupKey(u64);

/// A disco#info query to send, and the key to hand its response back with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapsLookup {
    /// The key for [`CapsCache::handle_lookup_result`].
    pub key: LookupKey,
    /// The JID asked (one that advertised `ver`).
    pub jid: Jid,
    /// The verification string being looked up.
    pub ver: String,
    /// The IQ get to send, addressed to `jid`, with an empty id for the connection to assign.
    pub iq: Iq,
}

/// A verification string newly learned and cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The JID that answered.
    pub jid: Jid,
    /// The verification string, now known.
    pub ver: String,
    /// What it stands for: the features of every JID that advertises it.
    pub info: Arc<DiscoInfoResult>,
}

/// Why a lookup did not teach the cache anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// No lookup with this key is under way (answered already, cancelled, or evicted).
    #[error("no capabilities lookup {0:?} is under way")]
    UnknownKey(LookupKey),
    /// The JID answered with an error.
    #[error("{jid} refused the capabilities query for {ver}: {error}")]
    Refused {
        /// The JID asked.
        jid: Jid,
        /// The verification string.
        ver: String,
        /// Its error.
        error: Box<StanzaError>,
    },
    /// The answer is not a valid disco#info result, or is too large to cache.
    #[error("{jid} answered the capabilities query for {ver} with an unusable result: {error}")]
    Invalid {
        /// The JID asked.
        jid: Jid,
        /// The verification string.
        ver: String,
        /// What is wrong with it.
        error: Box<StanzaParseError>,
    },
    /// The answer does not hash to the advertised verification string (XEP-0115 §5.4): a
    /// buggy client or an attempt to poison the cache. Nothing was cached.
    #[error(
        "poisoned capabilities: {jid} advertised {ver}, but its answer hashes to {}",
        computed.as_deref().unwrap_or("nothing (it is ill-formed)")
    )]
    Poisoned {
        /// The JID asked.
        jid: Jid,
        /// The verification string it advertised.
        ver: String,
        /// What its answer hashes to (`None` if the answer is ill-formed per §5.4).
        computed: Option<String>,
    },
}

/// What one JID advertised in its last presence.
#[derive(Debug, Clone)]
struct Advert {
    node: String,
    ver: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum LookupState {
    /// Nothing under way: no JID left to ask (the `ver` stays known as failed, so that the
    /// JIDs that failed are not asked again).
    Idle,
    /// Waiting for a free slot in [`CapsCache::poll_lookup`]'s queue.
    Queued,
    /// A query is under way.
    InFlight { key: LookupKey, jid: Jid },
}

/// A `ver` not verified yet.
#[derive(Debug, Clone)]
struct VerLookup {
    state: LookupState,
    /// JIDs that advertised it and were not asked yet, oldest first.
    candidates: VecDeque<Jid>,
    /// JIDs asked that gave no usable answer.
    tried: Vec<Jid>,
}

impl VerLookup {
    fn knows(&self, jid: &Jid) -> bool {
        self.tried.contains(jid)
            || self.candidates.contains(jid)
            || matches!(&self.state, LookupState::InFlight { jid: asked, .. } if asked == jid)
    }
}

/// A map that keeps at most `cap` entries, evicting the least recently inserted.
#[derive(Debug)]
struct Fifo<K, V> {
    map: HashMap<K, (u64, V)>,
    order: BTreeMap<u64, K>,
    next: u64,
    cap: usize,
}

impl<K: Clone + Eq + Hash, V> Fifo<K, V> {
    fn new(cap: usize) -> Self {
        Fifo {
            map: HashMap::new(),
            order: BTreeMap::new(),
            next: 0,
            cap,
        }
    }

    fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.map.get(key).map(|(_, v)| v)
    }

    fn get_mut<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.map.get_mut(key).map(|(_, v)| v)
    }

    fn contains<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.map.contains_key(key)
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    /// Inserts (or replaces) as the newest entry; returns the entries evicted.
    fn insert(&mut self, key: K, value: V) -> Vec<(K, V)> {
        let seq = self.next;
        self.next += 1;
        if let Some((old, _)) = self.map.insert(key.clone(), (seq, value)) {
            self.order.remove(&old);
        }
        self.order.insert(seq, key);
        let mut evicted = Vec::new();
        while self.map.len() > self.cap {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some((_, value)) = self.map.remove(&oldest) {
                evicted.push((oldest, value));
            }
        }
        evicted
    }

    /// Makes `key` the newest entry.
    fn touch<Q: Hash + Eq + ?Sized>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
    {
        let seq = self.next;
        if let Some((old, _)) = self.map.get_mut(key) {
            self.next += 1;
            if let Some(stored) = self.order.remove(old) {
                self.order.insert(seq, stored);
            }
            *old = seq;
        }
    }

    fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let (seq, value) = self.map.remove(key)?;
        self.order.remove(&seq);
        Some(value)
    }

    fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        let order = &mut self.order;
        self.map.retain(|k, (seq, v)| {
            let kept = keep(k, v);
            if !kept {
                order.remove(seq);
            }
            kept
        });
    }

    fn clear(&mut self) {
        self.map.clear();
        self.order.clear();
    }
}

/// The entity capabilities cache: JID → advertised `ver` → verified disco#info.
#[derive(Debug)]
pub struct CapsCache {
    config: CapsCacheConfig,
    /// What each JID advertised last.
    jids: Fifo<Jid, Advert>,
    /// Verified answers by `ver`.
    vers: Fifo<String, Arc<DiscoInfoResult>>,
    /// `ver`s not verified yet, being looked up or given up on.
    lookups: Fifo<String, VerLookup>,
    /// Lookups under way: key → `ver`.
    in_flight: HashMap<LookupKey, String>,
    /// `ver`s waiting for a free slot, in order (entries no longer queued are skipped).
    queue: VecDeque<String>,
    next_key: u64,
}

impl Default for CapsCache {
    fn default() -> Self {
        CapsCache::new(CapsCacheConfig::default())
    }
}

impl CapsCache {
    /// An empty cache with these bounds.
    pub fn new(config: CapsCacheConfig) -> Self {
        CapsCache {
            config,
            jids: Fifo::new(config.max_jids),
            vers: Fifo::new(config.max_vers),
            lookups: Fifo::new(config.max_vers),
            in_flight: HashMap::new(),
            queue: VecDeque::new(),
            next_key: 0,
        }
    }

    /// Records what an incoming presence advertises. Returns the lookup to send if its `ver`
    /// is neither known nor being looked up and a slot is free (else it is queued for
    /// [`CapsCache::poll_lookup`]). Unavailable presence forgets the sender.
    pub fn handle_presence(&mut self, presence: &Presence) -> Option<CapsLookup> {
        let from = presence.header.from.as_ref()?;
        match presence.kind {
            PresenceType::Available => {}
            PresenceType::Unavailable => {
                self.forget(from);
                return None;
            }
            _ => return None,
        }
        let element = presence.payloads.iter().find(|p| p.is("c", caps::NS))?;
        let caps = match Caps::try_from(element.clone()) {
            Ok(caps) if !caps.hash.eq_ignore_ascii_case(SHA_1) => {
                Err(format!("unsupported hash {:?}", caps.hash))
            }
            Ok(caps)
                if caps.ver.is_empty()
                    || caps.ver.len() > MAX_VER_LEN
                    || caps.node.len() > MAX_NODE_LEN =>
            {
                Err("ver or node out of bounds".to_owned())
            }
            Ok(caps) => Ok(caps),
            Err(error) => Err(error.to_string()),
        };
        let caps = match caps {
            Ok(caps) => caps,
            Err(reason) => {
                // What it advertised before no longer holds; what it advertises now cannot be
                // verified.
                tracing::debug!(%from, %reason, "ignoring capabilities");
                self.jids.remove(from);
                return None;
            }
        };
        let ver = caps.ver;
        self.jids.insert(
            from.clone(),
            Advert {
                node: caps.node,
                ver: ver.clone(),
            },
        );
        if self.vers.contains(&ver) {
            self.vers.touch(&ver);
            return None;
        }
        self.want(from, ver)
    }

    /// Hands back the response to the lookup `key`: the answer is parsed, hashed and cached if
    /// it matches. After an error, drain [`CapsCache::poll_lookup`]: another JID that
    /// advertised the same `ver` may be asked.
    ///
    /// # Errors
    /// [`LookupError::UnknownKey`] if `key` is not under way; otherwise why nothing was
    /// cached: [`LookupError::Refused`], [`LookupError::Invalid`] or
    /// [`LookupError::Poisoned`].
    pub fn handle_lookup_result(
        &mut self,
        key: LookupKey,
        response: Result<Iq, StanzaError>,
    ) -> Result<Resolved, LookupError> {
        let (ver, jid) = self.finish(key)?;
        let info = match self.verify(&jid, &ver, response) {
            Ok(info) => info,
            Err(error) => {
                if let LookupError::Poisoned { computed, .. } = &error {
                    tracing::warn!(%jid, %ver, ?computed, "poisoned entity capabilities: not cached");
                } else {
                    tracing::debug!(%error, "capabilities lookup failed");
                }
                self.failed(&ver, jid);
                return Err(error);
            }
        };
        self.drop_lookup(&ver);
        let info = Arc::new(info);
        for (evicted, _) in self.vers.insert(ver.clone(), Arc::clone(&info)) {
            tracing::trace!(ver = %evicted, "capabilities evicted");
        }
        Ok(Resolved { jid, ver, info })
    }

    /// Gives up on the lookup `key` (no answer in time, or the session ended): its slot frees
    /// and, as after an error, another JID that advertised the `ver` may be asked (drain
    /// [`CapsCache::poll_lookup`]). Returns whether `key` was under way.
    pub fn cancel_lookup(&mut self, key: LookupKey) -> bool {
        match self.finish(key) {
            Ok((ver, jid)) => {
                self.failed(&ver, jid);
                true
            }
            Err(_) => false,
        }
    }

    /// The next lookup to send: one that waited for a free slot, or a retry with another JID.
    /// Call until `None` after [`CapsCache::handle_lookup_result`] and
    /// [`CapsCache::cancel_lookup`].
    pub fn poll_lookup(&mut self) -> Option<CapsLookup> {
        while self.in_flight.len() < self.config.max_lookups {
            let ver = self.queue.pop_front()?;
            if self
                .lookups
                .get(&ver)
                .is_some_and(|l| l.state == LookupState::Queued)
                && let Some(lookup) = self.launch(&ver)
            {
                return Some(lookup);
            }
        }
        None
    }

    /// Forgets every JID and lookup (the session ended: presence will be sent again), keeping
    /// the verified answers.
    pub fn session_ended(&mut self) {
        self.jids.clear();
        self.lookups.clear();
        self.in_flight.clear();
        self.queue.clear();
    }

    /// Adds an answer known to be right (e.g. one cached on disk in an earlier run); returns
    /// its `ver`, computed here.
    ///
    /// # Errors
    /// [`StanzaParseError::InvalidValue`] if the answer is ill-formed (XEP-0115 §5.4).
    pub fn insert(&mut self, info: DiscoInfoResult) -> Result<String, StanzaParseError> {
        let ver = caps::ver(&info)?;
        self.drop_lookup(&ver);
        self.vers.insert(ver.clone(), Arc::new(info));
        Ok(ver)
    }

    /// The verified disco#info of what `jid` advertised, if known.
    pub fn features_of(&self, jid: &Jid) -> Option<&DiscoInfoResult> {
        let advert = self.jids.get(jid)?;
        self.vers.get(&advert.ver).map(Arc::as_ref)
    }

    /// Whether `jid` supports `feature`: `None` if its capabilities are not known.
    pub fn has_feature(&self, jid: &Jid, feature: &str) -> Option<bool> {
        self.features_of(jid).map(|info| info.has_feature(feature))
    }

    /// The verified answer for a verification string.
    pub fn info(&self, ver: &str) -> Option<Arc<DiscoInfoResult>> {
        self.vers.get(ver).cloned()
    }

    /// The verification string `jid` advertised last (verified or not).
    pub fn advertised_ver(&self, jid: &Jid) -> Option<&str> {
        self.jids.get(jid).map(|a| a.ver.as_str())
    }

    /// How many verification strings are cached.
    pub fn len(&self) -> usize {
        self.vers.len()
    }

    /// Whether no verification string is cached.
    pub fn is_empty(&self) -> bool {
        self.vers.len() == 0
    }

    /// How many lookups are under way.
    pub fn lookups_in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Forgets what `jid` advertised (all resources, for a bare JID).
    fn forget(&mut self, jid: &Jid) {
        if jid.is_bare() {
            let bare = jid.as_str();
            self.jids.retain(|j, _| j.bare_str() != bare);
        } else {
            self.jids.remove(jid);
        }
    }

    /// `jid` advertised `ver`, which is not cached.
    fn want(&mut self, jid: &Jid, ver: String) -> Option<CapsLookup> {
        if let Some(lookup) = self.lookups.get_mut(&ver) {
            if lookup.knows(jid) {
                return None;
            }
            if lookup.state == LookupState::Idle && lookup.tried.len() >= MAX_ATTEMPTS {
                return None;
            }
            if lookup.candidates.len() < MAX_CANDIDATES {
                lookup.candidates.push_back(jid.clone());
            }
            if lookup.state != LookupState::Idle {
                return None;
            }
            self.lookups.touch(&ver);
        } else {
            let lookup = VerLookup {
                state: LookupState::Idle,
                candidates: VecDeque::from([jid.clone()]),
                tried: Vec::new(),
            };
            for (evicted, lookup) in self.lookups.insert(ver.clone(), lookup) {
                tracing::debug!(ver = %evicted, "capabilities lookup evicted");
                if let LookupState::InFlight { key, .. } = lookup.state {
                    self.in_flight.remove(&key);
                }
            }
        }
        self.start(&ver)
    }

    /// Starts looking `ver` up now, or queues it.
    fn start(&mut self, ver: &str) -> Option<CapsLookup> {
        if self.in_flight.len() < self.config.max_lookups {
            return self.launch(ver);
        }
        if let Some(lookup) = self.lookups.get_mut(ver) {
            lookup.state = LookupState::Queued;
            self.enqueue(ver);
        }
        None
    }

    /// Asks the next candidate that still advertises `ver`; `Idle` if none is left.
    fn launch(&mut self, ver: &str) -> Option<CapsLookup> {
        let lookup = self.lookups.get_mut(ver)?;
        lookup.state = LookupState::Idle;
        while let Some(jid) = lookup.candidates.pop_front() {
            let Some(advert) = self.jids.get(&jid).filter(|a| a.ver == ver) else {
                continue;
            };
            let key = LookupKey(self.next_key);
            self.next_key = self.next_key.wrapping_add(1);
            let node = format!("{}#{}", advert.node, ver);
            let iq = DiscoInfoQuery::request(jid.clone(), Some(&node));
            lookup.state = LookupState::InFlight {
                key,
                jid: jid.clone(),
            };
            self.in_flight.insert(key, ver.to_owned());
            return Some(CapsLookup {
                key,
                jid,
                ver: ver.to_owned(),
                iq,
            });
        }
        None
    }

    /// Queues `ver` for [`CapsCache::poll_lookup`], dropping stale entries when the queue
    /// outgrows the lookups it can refer to.
    fn enqueue(&mut self, ver: &str) {
        self.queue.push_back(ver.to_owned());
        if self.queue.len() > self.lookups.len() {
            let mut seen = HashSet::new();
            let lookups = &self.lookups;
            self.queue.retain(|v| {
                lookups
                    .get(v.as_str())
                    .is_some_and(|l| l.state == LookupState::Queued)
                    && seen.insert(v.clone())
            });
        }
    }

    /// Forgets the lookup of `ver`, freeing its slot if it was under way.
    fn drop_lookup(&mut self, ver: &str) {
        if let Some(VerLookup {
            state: LookupState::InFlight { key, .. },
            ..
        }) = self.lookups.remove(ver)
        {
            self.in_flight.remove(&key);
        }
    }

    /// Ends the lookup `key`: its `ver` and the JID asked.
    fn finish(&mut self, key: LookupKey) -> Result<(String, Jid), LookupError> {
        let ver = self
            .in_flight
            .remove(&key)
            .ok_or(LookupError::UnknownKey(key))?;
        let lookup = self
            .lookups
            .get_mut(&ver)
            .ok_or(LookupError::UnknownKey(key))?;
        match std::mem::replace(&mut lookup.state, LookupState::Idle) {
            LookupState::InFlight { key: k, jid } if k == key => Ok((ver, jid)),
            other => {
                lookup.state = other;
                Err(LookupError::UnknownKey(key))
            }
        }
    }

    /// `jid` gave no usable answer for `ver`: queue another candidate, if any.
    fn failed(&mut self, ver: &str, jid: Jid) {
        let Some(lookup) = self.lookups.get_mut(ver) else {
            return;
        };
        if lookup.tried.len() < MAX_ATTEMPTS {
            lookup.tried.push(jid);
        }
        if lookup.tried.len() < MAX_ATTEMPTS && !lookup.candidates.is_empty() {
            lookup.state = LookupState::Queued;
            self.enqueue(ver);
        } else {
            lookup.state = LookupState::Idle;
            lookup.candidates.clear();
        }
    }

    /// Parses and checks an answer to the lookup of `ver` sent to `jid`.
    fn verify(
        &self,
        jid: &Jid,
        ver: &str,
        response: Result<Iq, StanzaError>,
    ) -> Result<DiscoInfoResult, LookupError> {
        let unusable = |error| LookupError::Invalid {
            jid: jid.clone(),
            ver: ver.to_owned(),
            error: Box::new(error),
        };
        let refused = |error| LookupError::Refused {
            jid: jid.clone(),
            ver: ver.to_owned(),
            error: Box::new(error),
        };
        let element: Element = match response.map(|iq| iq.payload) {
            Err(error) | Ok(IqPayload::Error { error, .. }) => return Err(refused(error)),
            Ok(IqPayload::Result(Some(element))) => element,
            Ok(IqPayload::Result(None)) => {
                return Err(unusable(missing("iq", "disco#info query")));
            }
            Ok(other) => {
                return Err(unusable(invalid(
                    "iq",
                    "type (expected a result)",
                    other.type_name(),
                )));
            }
        };
        let mut bytes = Vec::new();
        write_element(&element, &mut bytes);
        if bytes.len() > self.config.max_info_bytes {
            return Err(unusable(invalid(
                "query",
                "size (larger than the cache accepts)",
                &bytes.len().to_string(),
            )));
        }
        let info = DiscoInfoResult::try_from(element).map_err(unusable)?;
        match caps::ver(&info) {
            Ok(computed) if computed == ver => Ok(info),
            computed => Err(LookupError::Poisoned {
                jid: jid.clone(),
                ver: ver.to_owned(),
                computed: computed.ok(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disco::Identity;
    use crate::test_support::{element, xml};
    use openxmpp_core::error::StanzaErrorCondition;

    const EXODUS: &str = "http://code.google.com/p/exodus";
    const EXODUS_VER: &str = "QgayPKawpkPSDYmwT/WM94uAlu0=";
    const MUC: &str = "http://jabber.org/protocol/muc";

    fn jid(s: &str) -> Jid {
        s.parse().unwrap()
    }

    /// XEP-0115 §5.2's answer.
    fn exodus() -> DiscoInfoResult {
        DiscoInfoResult::new()
            .with_identity(Identity::new("client", "pc").with_name("Exodus 0.9.1"))
            .with_feature("http://jabber.org/protocol/caps")
            .with_feature("http://jabber.org/protocol/disco#info")
            .with_feature("http://jabber.org/protocol/disco#items")
            .with_feature(MUC)
    }

    fn presence(xml: &str) -> Presence {
        Presence::try_from(element(xml)).unwrap()
    }

    fn caps_presence(from: &str, ver: &str) -> Presence {
        presence(&format!(
            "<presence from='{from}'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' \
             node='{EXODUS}' ver='{ver}'/></presence>"
        ))
    }

    /// The answer `from` sends to `lookup`, as it arrives.
    fn answer(lookup: &CapsLookup, from: &str, query: &str) -> Iq {
        Iq::try_from(element(&format!(
            "<iq type='result' id='{}' from='{from}'>{query}</iq>",
            lookup.iq.id
        )))
        .unwrap()
    }

    fn exodus_query() -> String {
        xml(&exodus().with_node(format!("{EXODUS}#{EXODUS_VER}")).into())
    }

    #[test]
    fn transcript_lookup_and_cache() {
        let mut cache = CapsCache::default();
        let romeo = jid("romeo@montague.lit/orchard");

        // Romeo's presence (XEP-0115 §2): unknown ver → one disco#info to Romeo.
        let lookup = cache
            .handle_presence(&caps_presence(romeo.as_str(), EXODUS_VER))
            .unwrap();
        assert_eq!(lookup.jid, romeo);
        assert_eq!(lookup.ver, EXODUS_VER);
        assert_eq!(
            xml(&lookup.iq.clone().into()),
            "<iq xmlns='jabber:client' id='' to='romeo@montague.lit/orchard' type='get'>\
             <query xmlns='http://jabber.org/protocol/disco#info' \
             node='http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0='/></iq>"
        );
        assert_eq!(cache.advertised_ver(&romeo), Some(EXODUS_VER));
        assert_eq!(cache.features_of(&romeo), None);
        assert_eq!(cache.lookups_in_flight(), 1);

        // The same presence again: already being looked up.
        assert_eq!(
            cache.handle_presence(&caps_presence(romeo.as_str(), EXODUS_VER)),
            None
        );

        // Romeo answers; the hash matches; cached.
        let resolved = cache
            .handle_lookup_result(
                lookup.key,
                Ok(answer(&lookup, romeo.as_str(), &exodus_query())),
            )
            .unwrap();
        assert_eq!(resolved.jid, romeo);
        assert_eq!(resolved.ver, EXODUS_VER);
        assert!(resolved.info.has_feature(MUC));
        assert_eq!(cache.has_feature(&romeo, MUC), Some(true));
        assert_eq!(cache.has_feature(&romeo, "urn:xmpp:jingle:1"), Some(false));
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.lookups_in_flight(), 0);
        assert_eq!(cache.poll_lookup(), None);

        // The Nurse uses the same client: known at once, nothing sent.
        let nurse = jid("nurse@capulet.lit/chamber");
        assert_eq!(
            cache.handle_presence(&caps_presence(nurse.as_str(), EXODUS_VER)),
            None
        );
        assert_eq!(cache.has_feature(&nurse, MUC), Some(true));

        // The key is spent.
        assert_eq!(
            cache.handle_lookup_result(lookup.key, Ok(lookup.iq.result(None))),
            Err(LookupError::UnknownKey(lookup.key))
        );

        // Romeo goes offline: forgotten; the ver stays cached.
        cache.handle_presence(&presence(
            "<presence from='romeo@montague.lit/orchard' type='unavailable'/>",
        ));
        assert_eq!(cache.features_of(&romeo), None);
        assert_eq!(cache.advertised_ver(&romeo), None);
        assert!(cache.info(EXODUS_VER).is_some());
        assert_eq!(cache.has_feature(&nurse, MUC), Some(true));
    }

    #[test]
    fn two_contacts_sharing_a_ver_make_one_lookup() {
        let mut cache = CapsCache::default();
        let romeo = jid("romeo@montague.lit/orchard");
        let nurse = jid("nurse@capulet.lit/chamber");
        let lookup = cache
            .handle_presence(&caps_presence(romeo.as_str(), EXODUS_VER))
            .unwrap();
        // The Nurse advertises the same ver while Romeo's lookup is under way.
        assert_eq!(
            cache.handle_presence(&caps_presence(nurse.as_str(), EXODUS_VER)),
            None
        );
        assert_eq!(cache.poll_lookup(), None);
        assert_eq!(cache.lookups_in_flight(), 1);
        cache
            .handle_lookup_result(
                lookup.key,
                Ok(answer(&lookup, romeo.as_str(), &exodus_query())),
            )
            .unwrap();
        assert_eq!(cache.poll_lookup(), None, "the Nurse is not asked");
        assert_eq!(cache.has_feature(&romeo, MUC), Some(true));
        assert_eq!(cache.has_feature(&nurse, MUC), Some(true));
    }

    #[test]
    fn poisoned_answer_is_not_cached_and_another_jid_is_asked() {
        let mut cache = CapsCache::default();
        let iago = jid("iago@shakespeare.lit/pda");
        let romeo = jid("romeo@montague.lit/orchard");
        let lookup = cache
            .handle_presence(&caps_presence(iago.as_str(), EXODUS_VER))
            .unwrap();
        assert_eq!(lookup.jid, iago);
        assert_eq!(
            cache.handle_presence(&caps_presence(romeo.as_str(), EXODUS_VER)),
            None
        );

        // Iago claims Exodus' ver but answers with extra features.
        let forged = exodus().with_feature("urn:xmpp:jingle:1");
        let forged_ver = caps::ver(&forged).unwrap();
        let result = cache.handle_lookup_result(
            lookup.key,
            Ok(answer(&lookup, iago.as_str(), &xml(&forged.into()))),
        );
        assert_eq!(
            result,
            Err(LookupError::Poisoned {
                jid: iago.clone(),
                ver: EXODUS_VER.into(),
                computed: Some(forged_ver),
            })
        );
        assert!(cache.is_empty());
        assert_eq!(cache.features_of(&iago), None);
        assert_eq!(cache.info(EXODUS_VER), None);

        // Romeo advertised the same ver: he is asked next.
        let retry = cache.poll_lookup().unwrap();
        assert_eq!(retry.jid, romeo);
        assert_eq!(retry.ver, EXODUS_VER);
        assert_eq!(cache.poll_lookup(), None);

        // Iago's presence again: not asked again while Romeo's lookup is under way, nor after.
        assert_eq!(
            cache.handle_presence(&caps_presence(iago.as_str(), EXODUS_VER)),
            None
        );
        cache
            .handle_lookup_result(
                retry.key,
                Ok(answer(&retry, romeo.as_str(), &exodus_query())),
            )
            .unwrap();
        assert_eq!(cache.has_feature(&romeo, MUC), Some(true));
        // Iago advertised the verified ver: what it stands for is known, whatever he answered.
        assert_eq!(cache.has_feature(&iago, "urn:xmpp:jingle:1"), Some(false));
    }

    #[test]
    fn a_poisoner_alone_is_not_asked_again() {
        let mut cache = CapsCache::default();
        let iago = jid("iago@shakespeare.lit/pda");
        let lookup = cache
            .handle_presence(&caps_presence(iago.as_str(), EXODUS_VER))
            .unwrap();
        // A valid answer that does not hash to the ver.
        let forged = DiscoInfoResult::new().with_feature(MUC);
        let err = cache
            .handle_lookup_result(
                lookup.key,
                Ok(answer(&lookup, iago.as_str(), &xml(&forged.into()))),
            )
            .unwrap_err();
        assert!(matches!(err, LookupError::Poisoned { .. }));
        assert!(err.to_string().contains("poisoned"));
        assert_eq!(cache.poll_lookup(), None, "nobody else advertised it");
        assert_eq!(
            cache.handle_presence(&caps_presence(iago.as_str(), EXODUS_VER)),
            None,
            "not asked again"
        );
        // Someone new advertising it is asked.
        let lookup = cache
            .handle_presence(&caps_presence("romeo@montague.lit/orchard", EXODUS_VER))
            .unwrap();
        assert_eq!(lookup.jid.as_str(), "romeo@montague.lit/orchard");
    }

    #[test]
    fn errors_and_timeouts_fall_back_to_other_jids() {
        let mut cache = CapsCache::default();
        let a = jid("a@example.org/1");
        let b = jid("b@example.org/2");
        let c = jid("c@example.org/3");
        let lookup = cache
            .handle_presence(&caps_presence(a.as_str(), EXODUS_VER))
            .unwrap();
        cache.handle_presence(&caps_presence(b.as_str(), EXODUS_VER));
        cache.handle_presence(&caps_presence(c.as_str(), EXODUS_VER));

        // a refuses.
        let refused = StanzaError::new(StanzaErrorCondition::ServiceUnavailable);
        assert_eq!(
            cache.handle_lookup_result(lookup.key, Err(refused.clone())),
            Err(LookupError::Refused {
                jid: a.clone(),
                ver: EXODUS_VER.into(),
                error: Box::new(refused),
            })
        );
        // b is asked, and never answers.
        let lookup = cache.poll_lookup().unwrap();
        assert_eq!(lookup.jid, b);
        assert!(cache.cancel_lookup(lookup.key));
        assert!(!cache.cancel_lookup(lookup.key));
        // c went offline meanwhile: skipped; nobody left.
        cache.handle_presence(&presence(
            "<presence from='c@example.org' type='unavailable'/>",
        ));
        assert_eq!(cache.poll_lookup(), None);
        assert_eq!(cache.lookups_in_flight(), 0);
        assert!(cache.is_empty());
    }

    #[test]
    fn invalid_answers() {
        let mut cache = CapsCache::default();
        let romeo = jid("romeo@montague.lit/orchard");
        let mut lookup = cache
            .handle_presence(&caps_presence(romeo.as_str(), EXODUS_VER))
            .unwrap();
        // Romeo is not asked twice about one ver: forget that he failed, to ask again.
        let retry = |cache: &mut CapsCache| {
            cache.drop_lookup(EXODUS_VER);
            cache
                .handle_presence(&caps_presence(romeo.as_str(), EXODUS_VER))
                .unwrap()
        };
        for (response, expected) in [
            (
                "<query xmlns='http://jabber.org/protocol/disco#info'><feature/></query>",
                StanzaParseError::Missing {
                    element: "feature",
                    what: "var attribute",
                },
            ),
            (
                "<query xmlns='http://jabber.org/protocol/disco#items'/>",
                StanzaParseError::UnexpectedElement {
                    expected: "query",
                    ns: crate::disco::NS_INFO,
                    found: "query".into(),
                    found_ns: crate::disco::NS_ITEMS.into(),
                },
            ),
            ("", missing("iq", "disco#info query")),
        ] {
            let err = cache
                .handle_lookup_result(lookup.key, Ok(answer(&lookup, romeo.as_str(), response)))
                .unwrap_err();
            assert_eq!(
                err,
                LookupError::Invalid {
                    jid: romeo.clone(),
                    ver: EXODUS_VER.into(),
                    error: Box::new(expected)
                }
            );
            lookup = retry(&mut cache);
        }

        // Too large to cache.
        let mut cache = CapsCache::new(CapsCacheConfig {
            max_info_bytes: 100,
            ..CapsCacheConfig::default()
        });
        let lookup = cache
            .handle_presence(&caps_presence(romeo.as_str(), EXODUS_VER))
            .unwrap();
        assert!(matches!(
            cache.handle_lookup_result(
                lookup.key,
                Ok(answer(&lookup, romeo.as_str(), &exodus_query()))
            ),
            Err(LookupError::Invalid { error, .. })
                if matches!(*error, StanzaParseError::InvalidValue { element: "query", .. })
        ));
        assert!(cache.is_empty());
    }

    #[test]
    fn ignored_presences() {
        let mut cache = CapsCache::default();
        for ignored in [
            // Legacy caps (no hash attribute).
            "<presence from='a@b/c'><c xmlns='http://jabber.org/protocol/caps' \
             node='http://exodus.jabberstudio.org/caps' ver='0.9' ext='ftrans xhtml'/></presence>",
            // Another hash function.
            "<presence from='a@b/c'><c xmlns='http://jabber.org/protocol/caps' hash='sha-256' \
             node='n' ver='abc'/></presence>",
            // No caps, no sender, not availability.
            "<presence from='a@b/c'/>",
            "<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' \
             ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>",
            "<presence from='a@b/c' type='subscribe'><c xmlns='http://jabber.org/protocol/caps' \
             hash='sha-1' node='n' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>",
            // A ver far too long.
            &format!(
                "<presence from='a@b/c'><c xmlns='http://jabber.org/protocol/caps' \
                 hash='sha-1' node='n' ver='{}'/></presence>",
                "A".repeat(1000)
            ),
        ] {
            assert_eq!(cache.handle_presence(&presence(ignored)), None, "{ignored}");
        }
        assert_eq!(cache.advertised_ver(&jid("a@b/c")), None);
        assert_eq!(cache.lookups_in_flight(), 0);

        // A JID that switches to legacy caps is forgotten.
        cache.insert(exodus()).unwrap();
        cache.handle_presence(&caps_presence("a@b/c", EXODUS_VER));
        assert_eq!(cache.has_feature(&jid("a@b/c"), MUC), Some(true));
        cache.handle_presence(&presence(
            "<presence from='a@b/c'><c xmlns='http://jabber.org/protocol/caps' node='n' \
             ver='1.0'/></presence>",
        ));
        assert_eq!(cache.has_feature(&jid("a@b/c"), MUC), None);
        // A presence without caps keeps what was advertised.
        cache.handle_presence(&caps_presence("a@b/c", EXODUS_VER));
        cache.handle_presence(&presence(
            "<presence from='a@b/c'><show>away</show></presence>",
        ));
        assert_eq!(cache.has_feature(&jid("a@b/c"), MUC), Some(true));
    }

    #[test]
    fn concurrent_lookups_are_capped_and_queued() {
        let mut cache = CapsCache::new(CapsCacheConfig {
            max_lookups: 2,
            ..CapsCacheConfig::default()
        });
        let mut sent = Vec::new();
        for i in 0..4 {
            sent.extend(
                cache.handle_presence(&caps_presence(&format!("u{i}@x/r"), &format!("v{i}"))),
            );
        }
        assert_eq!(sent.len(), 2);
        assert_eq!(cache.poll_lookup(), None, "no slot free");
        assert!(cache.cancel_lookup(sent[0].key));
        let next = cache.poll_lookup().unwrap();
        assert_eq!(next.ver, "v2");
        assert_eq!(cache.poll_lookup(), None);
        assert!(cache.cancel_lookup(sent[1].key));
        assert_eq!(cache.poll_lookup().unwrap().ver, "v3");
        assert_eq!(cache.lookups_in_flight(), 2);

        // The session ends: everything under way is dropped.
        cache.session_ended();
        assert_eq!(cache.lookups_in_flight(), 0);
        assert_eq!(cache.poll_lookup(), None);
        assert_eq!(cache.advertised_ver(&jid("u3@x/r")), None);
    }

    #[test]
    fn bounded_jids_and_vers() {
        let mut cache = CapsCache::new(CapsCacheConfig {
            max_vers: 2,
            max_jids: 3,
            max_lookups: 100,
            max_info_bytes: 1 << 20,
        });
        // Three different answers, known in advance.
        let infos: Vec<DiscoInfoResult> = (0..3)
            .map(|i| DiscoInfoResult::new().with_feature(format!("urn:f:{i}")))
            .collect();
        let vers: Vec<String> = infos
            .iter()
            .map(|i| cache.insert(i.clone()).unwrap())
            .collect();
        assert_eq!(cache.len(), 2, "the oldest ver was evicted");
        assert_eq!(cache.info(&vers[0]), None);
        assert!(cache.info(&vers[2]).is_some());

        for i in 0..5 {
            assert_eq!(
                cache.handle_presence(&caps_presence(&format!("u{i}@x/r"), &vers[2])),
                None
            );
        }
        assert_eq!(cache.advertised_ver(&jid("u0@x/r")), None, "evicted");
        assert_eq!(cache.advertised_ver(&jid("u1@x/r")), None, "evicted");
        assert_eq!(cache.has_feature(&jid("u4@x/r"), "urn:f:2"), Some(true));
        assert_eq!(cache.jids.len(), 3);

        // Lookups are bounded by max_vers too.
        for i in 0..10 {
            cache.handle_presence(&caps_presence(&format!("w{i}@x/r"), &format!("unknown{i}")));
        }
        assert!(cache.lookups.len() <= 2);
        assert!(cache.lookups_in_flight() <= 2);
    }

    #[test]
    fn fifo_touch_and_replace() {
        let mut fifo = Fifo::new(2);
        assert!(fifo.insert("a", 1).is_empty());
        assert!(fifo.insert("b", 2).is_empty());
        fifo.touch(&"a");
        assert_eq!(fifo.insert("c", 3), [("b", 2)]);
        assert!(fifo.insert("a", 4).is_empty(), "replacing does not grow");
        assert_eq!(fifo.get(&"a"), Some(&4));
        assert_eq!(fifo.insert("d", 5), [("c", 3)]);
        fifo.retain(|k, _| *k != "a");
        assert_eq!(fifo.len(), 1);
        assert_eq!(fifo.order.len(), 1);
        let mut zero = Fifo::new(0);
        assert_eq!(zero.insert("a", 1), [("a", 1)]);
        assert_eq!(zero.len(), 0);
    }
}
