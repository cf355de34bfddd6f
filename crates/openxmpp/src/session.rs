//! The IM session the driver runs beside the connection, shared with the client's handles.

use std::sync::{Arc, Mutex, MutexGuard};

use openxmpp_core::jid::BareJid;
use openxmpp_im::roster::{MemoryRosterStore, RosterItem, RosterStore};
use openxmpp_im::session::{Session, SessionConfig};

/// A roster store the application gave the builder (cloneable, like the builder).
#[derive(Clone)]
pub(crate) struct SharedRosterStore(Arc<Mutex<dyn RosterStore + Send>>);

impl SharedRosterStore {
    pub(crate) fn new(store: impl RosterStore + Send + 'static) -> Self {
        SharedRosterStore(Arc::new(Mutex::new(store)))
    }

    fn lock(&self) -> MutexGuard<'_, dyn RosterStore + Send + 'static> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl RosterStore for SharedRosterStore {
    fn load(&self) -> Option<(String, Vec<RosterItem>)> {
        self.lock().load()
    }

    fn save(&mut self, version: &str, items: &[RosterItem]) {
        self.lock().save(version, items);
    }

    fn clear(&mut self) {
        self.lock().clear();
    }
}

/// The IM session as the client runs it.
pub(crate) type ImSession = Session<SharedRosterStore>;

/// The session, shared by the driver (which feeds it) and the handles (which read it and
/// prepare stanzas with it). Never held across an `.await`.
#[derive(Clone, Debug)]
pub(crate) struct SharedSession(Arc<Mutex<ImSession>>);

impl std::fmt::Debug for SharedRosterStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedRosterStore")
    }
}

impl SharedSession {
    pub(crate) fn new(
        account: BareJid,
        mut config: SessionConfig,
        store: Option<SharedRosterStore>,
    ) -> Self {
        config.id_prefix = random_prefix();
        let store = store.unwrap_or_else(|| SharedRosterStore::new(MemoryRosterStore::default()));
        SharedSession(Arc::new(Mutex::new(Session::with_store(
            account, config, store,
        ))))
    }

    /// Locks the session (a panic elsewhere while it was held does not make it unusable:
    /// every method leaves it consistent).
    pub(crate) fn lock(&self) -> MutexGuard<'_, ImSession> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A random prefix for this client's message ids, so ids never repeat across clients.
fn random_prefix() -> String {
    let mut bytes = [0u8; 6];
    if getrandom::fill(&mut bytes).is_err() {
        tracing::warn!("no randomness for message ids: using the process id");
        return format!("p{}", std::process::id());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
