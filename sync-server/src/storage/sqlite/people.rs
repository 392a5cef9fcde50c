//! People, sessions and failed sign-ins in SQLite (schema 5).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStorage, timestamp, unit};
use crate::model::{Name, UnitCode};
use crate::people::{Person, Role, Scope};
use crate::secret::SecretHash;
use crate::storage::{NewPerson, People};
use crate::{Error, Result};

impl People for SqliteStorage {
    fn add_person(&self, person: &NewPerson, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            let added = tx.execute(
                "INSERT INTO people (name, role, instansi, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO NOTHING",
                params![
                    person.name.as_str(),
                    person.role.code(),
                    person.instansi,
                    person.password_hash,
                    timestamp(now)
                ],
            )?;
            if added == 0 {
                return Err(Error::PersonExists(person.name.to_string()));
            }
            for code in &person.units {
                if unit(tx, code)?.is_none() {
                    return Err(Error::UnknownUnit(code.to_string()));
                }
                tx.execute(
                    "INSERT INTO person_units (person, unit) VALUES (?1, ?2)",
                    params![person.name.as_str(), code.as_str()],
                )?;
            }
            Ok(())
        })
    }

    fn person(&self, name: &str) -> Result<Option<(Person, String)>> {
        self.read(|conn| person(conn, name))
    }

    fn people(&self) -> Result<Vec<Person>> {
        self.read(|conn| {
            let names: Vec<String> = conn
                .prepare("SELECT name FROM people ORDER BY name")?
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut people = Vec::with_capacity(names.len());
            for name in names {
                if let Some((person, _)) = person(conn, &name)? {
                    people.push(person);
                }
            }
            Ok(people)
        })
    }

    fn disable_person(&self, name: &str, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE people SET disabled_at = COALESCE(disabled_at, ?2) WHERE name = ?1",
                params![name, timestamp(now)],
            )?;
            if changed == 0 {
                return Err(Error::UnknownPerson(name.to_string()));
            }
            tx.execute("DELETE FROM sessions WHERE person = ?1", [name])?;
            Ok(())
        })
    }

    fn set_password_hash(&self, name: &str, hash: &str) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE people SET password_hash = ?2 WHERE name = ?1",
                params![name, hash],
            )?;
            if changed == 0 {
                return Err(Error::UnknownPerson(name.to_string()));
            }
            tx.execute("DELETE FROM sessions WHERE person = ?1", [name])?;
            Ok(())
        })
    }

    fn add_session(
        &self,
        token: SecretHash,
        person: &Name,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx| {
            // Expired sessions go as new ones come, so the table holds little else.
            tx.execute(
                "DELETE FROM sessions WHERE expires_at <= ?1",
                [now.timestamp_millis()],
            )?;
            tx.execute(
                "INSERT INTO sessions (token_hash, person, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    token.0.as_slice(),
                    person.as_str(),
                    now.timestamp_millis(),
                    expires_at.timestamp_millis()
                ],
            )?;
            Ok(())
        })
    }

    fn session_person(&self, token: SecretHash, now: DateTime<Utc>) -> Result<Option<Person>> {
        self.read(|conn| {
            let name: Option<String> = conn
                .query_row(
                    "SELECT person FROM sessions WHERE token_hash = ?1 AND expires_at > ?2",
                    params![token.0.as_slice(), now.timestamp_millis()],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(name) = name else {
                return Ok(None);
            };
            Ok(person(conn, &name)?
                .map(|(person, _)| person)
                .filter(|person| !person.disabled))
        })
    }

    fn end_session(&self, token: SecretHash) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM sessions WHERE token_hash = ?1",
                [token.0.as_slice()],
            )?;
            Ok(())
        })
    }

    fn record_sign_in_failure(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM sign_in_failures WHERE at < ?1",
                [since.timestamp_millis()],
            )?;
            for key in keys {
                tx.execute(
                    "INSERT INTO sign_in_failures (key, at) VALUES (?1, ?2)",
                    params![key, now.timestamp_millis()],
                )?;
            }
            Ok(())
        })
    }

    fn sign_in_failures(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<(u32, Option<DateTime<Utc>>)> {
        self.read(|conn| {
            let (count, oldest): (i64, Option<i64>) = conn.query_row(
                "SELECT COUNT(*), MIN(at) FROM sign_in_failures WHERE key = ?1 AND at >= ?2",
                params![key, since.timestamp_millis()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            Ok((
                u32::try_from(count).unwrap_or(u32::MAX),
                oldest.and_then(DateTime::from_timestamp_millis),
            ))
        })
    }

    fn clear_sign_in_failures(&self, key: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM sign_in_failures WHERE key = ?1", [key])?;
            Ok(())
        })
    }
}

/// A row of `people`, as stored.
struct PersonRow {
    name: String,
    role: String,
    instansi: Option<String>,
    hash: String,
    disabled_at: Option<String>,
}

fn person(conn: &Connection, name: &str) -> Result<Option<(Person, String)>> {
    let row = conn
        .query_row(
            "SELECT name, role, instansi, password_hash, disabled_at FROM people WHERE name = ?1",
            [name],
            |row| {
                Ok(PersonRow {
                    name: row.get(0)?,
                    role: row.get(1)?,
                    instansi: row.get(2)?,
                    hash: row.get(3)?,
                    disabled_at: row.get(4)?,
                })
            },
        )
        .optional()?;
    let Some(PersonRow {
        name,
        role,
        instansi,
        hash,
        disabled_at,
    }) = row
    else {
        return Ok(None);
    };
    let role = Role::parse(&role)?;
    let scope = match (role, instansi) {
        (Role::Admin, _) => Scope::Everything,
        (_, Some(instansi)) => Scope::Instansi(instansi),
        (_, None) => {
            let units: Vec<String> = conn
                .prepare("SELECT unit FROM person_units WHERE person = ?1 ORDER BY unit")?
                .query_map([&name], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Scope::Units(
                units
                    .iter()
                    .map(|code| UnitCode::parse(code))
                    .collect::<std::result::Result<BTreeSet<_>, _>>()?,
            )
        }
    };
    let person = Person {
        name: Name::parse("name", &name)?,
        role,
        scope,
        disabled: disabled_at.is_some(),
    };
    Ok(Some((person, hash)))
}
