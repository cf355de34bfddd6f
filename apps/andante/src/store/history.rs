//! The message history of one account, in SQLite: every line of every conversation, with the
//! ids that recognise the same message when it comes again (live, as a carbon, from the
//! archive), so nothing is stored twice.

use std::path::Path;

use openxmpp::BareJid;
use openxmpp::im::chats::Direction;
use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::conversation::{ChatLine, DeliveryState};

/// A history database failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("the history database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The directory could not be made.
    #[error("cannot create the history directory: {0}")]
    Io(#[from] std::io::Error),
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    peer TEXT NOT NULL,
    outgoing INTEGER NOT NULL,
    sender_id TEXT,
    archive_id TEXT,
    body TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    state INTEGER NOT NULL,
    edited INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_sender_id
    ON messages (peer, outgoing, sender_id) WHERE sender_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS messages_archive_id
    ON messages (archive_id) WHERE archive_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS messages_peer_time ON messages (peer, at_ms, id);
CREATE INDEX IF NOT EXISTS messages_time ON messages (at_ms);
";

/// One account's history.
#[derive(Debug)]
pub struct History {
    db: Connection,
}

fn outgoing(direction: Direction) -> bool {
    direction == Direction::Outgoing
}

fn line_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ChatLine> {
    Ok(ChatLine {
        db_id: Some(row.get(0)?),
        direction: if row.get::<_, bool>(1)? {
            Direction::Outgoing
        } else {
            Direction::Incoming
        },
        id: row.get(2)?,
        archive_id: row.get(3)?,
        body: row.get(4)?,
        at_ms: row.get(5)?,
        state: DeliveryState::from_code(row.get(6)?),
        edited: row.get(7)?,
    })
}

const COLUMNS: &str = "id, outgoing, sender_id, archive_id, body, at_ms, state, edited";

impl History {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let db = Connection::open(path)?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        History::with(db)
    }

    /// A database in memory (tests, benchmarks).
    pub fn in_memory() -> Result<Self, StoreError> {
        History::with(Connection::open_in_memory()?)
    }

    fn with(db: Connection) -> Result<Self, StoreError> {
        db.execute_batch(SCHEMA)?;
        Ok(History { db })
    }

    /// Stores `line` of the conversation with `peer`; returns its row, or `None` when the
    /// database already has it (then an archive id it lacked is added).
    pub fn insert(&self, peer: &BareJid, line: &ChatLine) -> Result<Option<i64>, StoreError> {
        let inserted = self.db.execute(
            "INSERT OR IGNORE INTO messages
                (peer, outgoing, sender_id, archive_id, body, at_ms, state, edited)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                peer.as_str(),
                outgoing(line.direction),
                line.id,
                line.archive_id,
                line.body,
                line.at_ms,
                line.state.code(),
                line.edited
            ],
        )?;
        if inserted == 1 {
            return Ok(Some(self.db.last_insert_rowid()));
        }
        if let (Some(id), Some(archive_id)) = (&line.id, &line.archive_id) {
            self.db.execute(
                "UPDATE OR IGNORE messages SET archive_id = ?4
                 WHERE peer = ?1 AND outgoing = ?2 AND sender_id = ?3 AND archive_id IS NULL",
                params![peer.as_str(), outgoing(line.direction), id, archive_id],
            )?;
        }
        Ok(None)
    }

    /// Whether the database has this line (by sender id or archive id).
    pub fn contains(&self, peer: &BareJid, line: &ChatLine) -> Result<bool, StoreError> {
        let found: Option<i64> = self
            .db
            .query_row(
                "SELECT id FROM messages
                 WHERE (peer = ?1 AND outgoing = ?2 AND sender_id = ?3)
                    OR archive_id = ?4 LIMIT 1",
                params![
                    peer.as_str(),
                    outgoing(line.direction),
                    line.id,
                    line.archive_id
                ],
                |row| row.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }

    /// Sets the delivery state of our message `id` to `peer`.
    pub fn set_state(
        &self,
        peer: &BareJid,
        id: &str,
        state: DeliveryState,
    ) -> Result<(), StoreError> {
        self.db.execute(
            "UPDATE messages SET state = ?3 WHERE peer = ?1 AND outgoing = 1 AND sender_id = ?2",
            params![peer.as_str(), id, state.code()],
        )?;
        Ok(())
    }

    /// Replaces the text of a message (a correction).
    pub fn correct(
        &self,
        peer: &BareJid,
        direction: Direction,
        id: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        self.db.execute(
            "UPDATE messages SET body = ?4, edited = 1
             WHERE peer = ?1 AND outgoing = ?2 AND sender_id = ?3",
            params![peer.as_str(), outgoing(direction), id, body],
        )?;
        Ok(())
    }

    /// The last `limit` lines with `peer` before the row `before` (all, without it), oldest
    /// first, and whether there is nothing older.
    pub fn load(
        &self,
        peer: &BareJid,
        before: Option<(i64, i64)>,
        limit: usize,
    ) -> Result<(Vec<ChatLine>, bool), StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let (at, id) = before.unwrap_or((i64::MAX, i64::MAX));
        let mut statement = self.db.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM messages
             WHERE peer = ?1 AND (at_ms < ?2 OR (at_ms = ?2 AND id < ?3))
             ORDER BY at_ms DESC, id DESC LIMIT ?4"
        ))?;
        let mut lines = statement
            .query_map(params![peer.as_str(), at, id, limit + 1], line_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        let exhausted = lines.len() as i64 <= limit;
        lines.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        lines.reverse();
        Ok((lines, exhausted))
    }

    /// Lines with `peer` containing `text` (case-insensitive for ASCII), newest first.
    pub fn search(
        &self,
        peer: &BareJid,
        text: &str,
        limit: usize,
    ) -> Result<Vec<ChatLine>, StoreError> {
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let mut statement = self.db.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM messages
             WHERE peer = ?1 AND body LIKE ?2 ESCAPE '\\'
             ORDER BY at_ms DESC, id DESC LIMIT ?3"
        ))?;
        let lines = statement
            .query_map(
                params![
                    peer.as_str(),
                    pattern,
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                line_from_row,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(lines)
    }

    /// The newest instant of any message received from the server (for the archive
    /// catch-up), in Unix milliseconds.
    pub fn latest_received(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .db
            .query_row(
                "SELECT MAX(at_ms) FROM messages WHERE state != ?1",
                params![DeliveryState::Queued.code()],
                |row| row.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Our messages still waiting to be sent, with their contact, oldest first.
    pub fn queued(&self) -> Result<Vec<(BareJid, ChatLine)>, StoreError> {
        let mut statement = self.db.prepare(&format!(
            "SELECT {COLUMNS}, peer FROM messages WHERE outgoing = 1 AND state IN (?1, ?2)
             ORDER BY at_ms, id"
        ))?;
        let rows = statement
            .query_map(
                params![DeliveryState::Queued.code(), DeliveryState::Sending.code()],
                |row| Ok((row.get::<_, String>(8)?, line_from_row(row)?)),
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(peer, line)| Some((peer.parse().ok()?, line)))
            .collect())
    }

    /// The contacts with history, most recent first.
    pub fn peers(&self, limit: usize) -> Result<Vec<BareJid>, StoreError> {
        let mut statement = self
            .db
            .prepare("SELECT peer FROM messages GROUP BY peer ORDER BY MAX(at_ms) DESC LIMIT ?1")?;
        let peers = statement
            .query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
                row.get::<_, String>(0)
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(peers.into_iter().filter_map(|p| p.parse().ok()).collect())
    }

    /// Deletes every message older than `cutoff_ms`; returns how many.
    pub fn prune(&self, cutoff_ms: i64) -> Result<usize, StoreError> {
        Ok(self
            .db
            .execute("DELETE FROM messages WHERE at_ms < ?1", params![cutoff_ms])?)
    }

    /// How many messages there are.
    pub fn count(&self) -> Result<usize, StoreError> {
        let n: i64 = self
            .db
            .query_row("SELECT COUNT(*) FROM messages", [], |row| row.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Runs `f` in one transaction (bulk inserts).
    pub fn batch<T>(
        &mut self,
        f: impl FnOnce(&History) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.db.execute_batch("BEGIN")?;
        match f(self) {
            Ok(value) => {
                self.db.execute_batch("COMMIT")?;
                Ok(value)
            }
            Err(e) => {
                let _ = self.db.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer() -> BareJid {
        "romeo@montague.lit".parse().unwrap()
    }

    fn line(id: Option<&str>, archive: Option<&str>, body: &str, at: i64) -> ChatLine {
        ChatLine {
            db_id: None,
            id: id.map(str::to_owned),
            archive_id: archive.map(str::to_owned),
            direction: Direction::Incoming,
            body: body.to_owned(),
            at_ms: at,
            state: DeliveryState::Received,
            edited: false,
        }
    }

    #[test]
    fn the_same_message_is_stored_once() {
        let h = History::in_memory().unwrap();
        assert!(
            h.insert(&peer(), &line(Some("a"), None, "hi", 1))
                .unwrap()
                .is_some()
        );
        // Live copy again, then the archive's copy with its archive id.
        assert!(
            h.insert(&peer(), &line(Some("a"), None, "hi", 1))
                .unwrap()
                .is_none()
        );
        assert!(
            h.insert(&peer(), &line(Some("a"), Some("arch-1"), "hi", 1))
                .unwrap()
                .is_none()
        );
        // A message known only by its archive id.
        assert!(
            h.insert(&peer(), &line(None, Some("arch-1"), "hi", 1))
                .unwrap()
                .is_none()
        );
        assert!(
            h.insert(&peer(), &line(None, Some("arch-2"), "yo", 2))
                .unwrap()
                .is_some()
        );
        assert_eq!(h.count().unwrap(), 2);
        assert!(
            h.contains(&peer(), &line(None, Some("arch-1"), "", 0))
                .unwrap()
        );
    }

    #[test]
    fn history_pages_back_oldest_first() {
        let h = History::in_memory().unwrap();
        for i in 0..10 {
            h.insert(
                &peer(),
                &line(Some(&format!("m{i}")), None, &format!("{i}"), i),
            )
            .unwrap();
        }
        let (last, exhausted) = h.load(&peer(), None, 4).unwrap();
        assert!(!exhausted);
        let bodies: Vec<_> = last.iter().map(|l| l.body.as_str()).collect();
        assert_eq!(bodies, ["6", "7", "8", "9"]);
        let first = &last[0];
        let (older, exhausted) = h
            .load(&peer(), Some((first.at_ms, first.db_id.unwrap())), 10)
            .unwrap();
        assert!(exhausted);
        assert_eq!(older.len(), 6);
        assert_eq!(older[5].body, "5");
    }

    #[test]
    fn states_corrections_search_and_retention() {
        let h = History::in_memory().unwrap();
        let mine = ChatLine::outgoing("o1".into(), "wherefore".into(), 5, DeliveryState::Queued);
        h.insert(&peer(), &mine).unwrap();
        assert_eq!(h.queued().unwrap().len(), 1);
        h.set_state(&peer(), "o1", DeliveryState::Read).unwrap();
        assert!(h.queued().unwrap().is_empty());
        h.correct(&peer(), Direction::Outgoing, "o1", "Wherefore art thou")
            .unwrap();
        let found = h.search(&peer(), "ART", 10).unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0].edited);
        assert_eq!(found[0].state, DeliveryState::Read);
        assert!(h.search(&peer(), "%", 10).unwrap().is_empty());
        assert_eq!(h.latest_received().unwrap(), Some(5));
        assert_eq!(h.peers(10).unwrap(), [peer()]);
        assert_eq!(h.prune(6).unwrap(), 1);
        assert_eq!(h.count().unwrap(), 0);
    }
}
