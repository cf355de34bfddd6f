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

impl std::fmt::Debug for SharedRosterStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedRosterStore")
    }
}

/// The IM session as the client runs it.
pub(crate) type ImSession = Session<SharedRosterStore>;

/// The session, shared by the driver (which feeds it) and the handles (which read it and
/// prepare stanzas with it). Never held across an `.await`.
#[derive(Clone, Debug)]
pub(crate) struct SharedSession {
    session: Arc<Mutex<ImSession>>,
    /// Woken whenever the driver has fed the session, for handles waiting on its state.
    changed: Arc<tokio::sync::Notify>,
}

impl SharedSession {
    pub(crate) fn new(
        account: BareJid,
        mut config: SessionConfig,
        store: Option<SharedRosterStore>,
    ) -> Self {
        config.id_prefix = random_prefix();
        let store = store.unwrap_or_else(|| SharedRosterStore::new(MemoryRosterStore::default()));
        SharedSession {
            session: Arc::new(Mutex::new(Session::with_store(account, config, store))),
            changed: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Locks the session (a panic elsewhere while it was held does not make it unusable:
    /// every method leaves it consistent).
    pub(crate) fn lock(&self) -> MutexGuard<'_, ImSession> {
        self.session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wakes the handles waiting for the session to change.
    pub(crate) fn changed(&self) {
        self.changed.notify_waiters();
    }

    /// Waits until `check` finds what it looks for in the session, re-checking each time the
    /// driver feeds it, until `deadline`.
    pub(crate) async fn wait_until<T>(
        &self,
        deadline: tokio::time::Instant,
        mut check: impl FnMut(&mut ImSession) -> Option<T>,
    ) -> Option<T> {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(found) = check(&mut self.lock()) {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
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
