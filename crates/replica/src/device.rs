//! What belongs to this device alone and never syncs: the enumerators who sign in on it and
//! its local settings. Both live in the replica's database so a device that is backed up or
//! moved keeps them, while the change log — what travels — never sees them.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use crate::{Error, Phrase, Replica, Result};

/// Longest enumerator name accepted, in characters.
pub const MAX_NAME_LEN: usize = 80;

/// A person who captures on this device. `pin_hash` is a PHC string made by the caller: the
/// replica stores it and never sees the PIN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumeratorRecord {
    pub id: String,
    pub name: String,
    pub pin_hash: String,
}

impl Replica {
    /// Register an enumerator. Names are unique ignoring case, because the sign-in screen
    /// shows them side by side and two "Sari"s could not be told apart.
    pub fn add_enumerator(
        &mut self,
        name: &str,
        pin_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<EnumeratorRecord> {
        let name = name.trim();
        let invalid = |reason| Error::InvalidValue {
            what: Phrase::new("nama petugas", "enumerator name"),
            value: name.to_string(),
            reason,
        };
        if name.is_empty() {
            return Err(invalid(Phrase::new("kosong", "it is empty")));
        }
        if name.chars().count() > MAX_NAME_LEN || name.chars().any(char::is_control) {
            return Err(invalid(Phrase::new(
                "pakai 1–80 karakter tanpa karakter kendali",
                "use 1–80 characters without control characters",
            )));
        }
        let record = EnumeratorRecord {
            id: Uuid::now_v7().to_string(),
            name: name.to_string(),
            pin_hash: pin_hash.to_string(),
        };
        let tx = self.conn.transaction()?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM enumerators WHERE name = ?1)",
            [name],
            |row| row.get(0),
        )?;
        if taken {
            return Err(invalid(Phrase::new(
                "nama ini sudah dipakai petugas lain di perangkat ini",
                "another enumerator on this device already has this name",
            )));
        }
        tx.execute(
            "INSERT INTO enumerators (id, name, pin_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                record.id,
                record.name,
                record.pin_hash,
                at.timestamp_millis()
            ],
        )?;
        tx.commit()?;
        Ok(record)
    }

    /// Every enumerator, by name.
    pub fn enumerators(&self) -> Result<Vec<EnumeratorRecord>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, pin_hash FROM enumerators ORDER BY name, id")?;
        let rows = stmt.query_map([], enumerator)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn enumerator(&self, id: &str) -> Result<Option<EnumeratorRecord>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, pin_hash FROM enumerators WHERE id = ?1",
                [id],
                enumerator,
            )
            .optional()?)
    }

    /// A device-local setting, such as the interface language.
    pub fn local_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM local_settings WHERE key = ?1",
                [key],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Set (or with `None` remove) a device-local setting.
    pub fn set_local_setting(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(value) => self.conn.execute(
                "INSERT INTO local_settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?,
            None => self
                .conn
                .execute("DELETE FROM local_settings WHERE key = ?1", [key])?,
        };
        Ok(())
    }
}

fn enumerator(row: &rusqlite::Row<'_>) -> rusqlite::Result<EnumeratorRecord> {
    Ok(EnumeratorRecord {
        id: row.get(0)?,
        name: row.get(1)?,
        pin_hash: row.get(2)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replica() -> (tempfile::TempDir, Replica) {
        crate::testing::replica("tablet")
    }

    #[test]
    fn enumerators_are_listed_by_name_and_survive_reopening() {
        let (dir, mut replica) = replica();
        let budi = replica.add_enumerator(" Budi ", "h1", Utc::now()).unwrap();
        replica.add_enumerator("Ani", "h2", Utc::now()).unwrap();
        drop(replica);
        let replica = Replica::open(dir.path()).unwrap();
        let names: Vec<String> = replica
            .enumerators()
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["Ani", "Budi"]);
        assert_eq!(
            replica.enumerator(&budi.id).unwrap().unwrap().pin_hash,
            "h1"
        );
    }

    #[test]
    fn a_second_enumerator_with_the_same_name_in_other_case_is_refused() {
        let (_dir, mut replica) = replica();
        replica.add_enumerator("Sari", "h", Utc::now()).unwrap();
        let err = replica.add_enumerator("sari", "h", Utc::now()).unwrap_err();
        assert!(matches!(err, Error::InvalidValue { .. }), "{err}");
        assert!(replica.add_enumerator("  ", "h", Utc::now()).is_err());
    }

    #[test]
    fn local_settings_are_set_replaced_and_removed() {
        let (_dir, mut replica) = replica();
        assert_eq!(replica.local_setting("language").unwrap(), None);
        replica.set_local_setting("language", Some("en")).unwrap();
        replica.set_local_setting("language", Some("id")).unwrap();
        assert_eq!(
            replica.local_setting("language").unwrap().as_deref(),
            Some("id")
        );
        replica.set_local_setting("language", None).unwrap();
        assert_eq!(replica.local_setting("language").unwrap(), None);
    }
}
