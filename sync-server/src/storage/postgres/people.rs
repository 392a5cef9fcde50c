//! People, sessions and failed sign-ins in PostgreSQL (schema 2): shared by every node, so a
//! supervisor signed in through one node is signed in through all, and a password guesser
//! spreading attempts over nodes is slowed down all the same.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use postgres::GenericClient;

use super::{PostgresStorage, unit};
use crate::model::{Name, UnitCode};
use crate::people::{Person, Role, Scope};
use crate::secret::SecretHash;
use crate::storage::{NewPerson, People};
use crate::{Error, Result};

impl People for PostgresStorage {
    fn add_person(&self, person: &NewPerson, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            let added = tx.execute(
                "INSERT INTO people (name, role, instansi, password_hash, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
                &[
                    &person.name.as_str(),
                    &person.role.code(),
                    &person.instansi,
                    &person.password_hash,
                    &now,
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
                    "INSERT INTO person_units (person, unit) VALUES ($1, $2)",
                    &[&person.name.as_str(), &code.as_str()],
                )?;
            }
            Ok(())
        })
    }

    fn person(&self, name: &str) -> Result<Option<(Person, String)>> {
        person(&mut *self.client()?, name)
    }

    fn people(&self) -> Result<Vec<Person>> {
        let mut client = self.client()?;
        let names: Vec<String> = client
            .query("SELECT name FROM people ORDER BY name COLLATE \"C\"", &[])?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let mut people = Vec::with_capacity(names.len());
        for name in names {
            if let Some((person, _)) = person(&mut *client, &name)? {
                people.push(person);
            }
        }
        Ok(people)
    }

    fn disable_person(&self, name: &str, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE people SET disabled_at = COALESCE(disabled_at, $2) WHERE name = $1",
                &[&name, &now],
            )?;
            if changed == 0 {
                return Err(Error::UnknownPerson(name.to_string()));
            }
            tx.execute("DELETE FROM sessions WHERE person = $1", &[&name])?;
            Ok(())
        })
    }

    fn set_password_hash(&self, name: &str, hash: &str) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE people SET password_hash = $2 WHERE name = $1",
                &[&name, &hash],
            )?;
            if changed == 0 {
                return Err(Error::UnknownPerson(name.to_string()));
            }
            tx.execute("DELETE FROM sessions WHERE person = $1", &[&name])?;
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
            tx.execute("DELETE FROM sessions WHERE expires_at <= $1", &[&now])?;
            tx.execute(
                "INSERT INTO sessions (token_hash, person, created_at, expires_at)
                 VALUES ($1, $2, $3, $4)",
                &[&token.0.as_slice(), &person.as_str(), &now, &expires_at],
            )?;
            Ok(())
        })
    }

    fn session_person(&self, token: SecretHash, now: DateTime<Utc>) -> Result<Option<Person>> {
        let mut client = self.client()?;
        let found = client.query_opt(
            "SELECT person FROM sessions WHERE token_hash = $1 AND expires_at > $2",
            &[&token.0.as_slice(), &now],
        )?;
        let Some(row) = found else {
            return Ok(None);
        };
        Ok(person(&mut *client, row.get(0))?
            .map(|(person, _)| person)
            .filter(|person| !person.disabled))
    }

    fn end_session(&self, token: SecretHash) -> Result<()> {
        self.client()?.execute(
            "DELETE FROM sessions WHERE token_hash = $1",
            &[&token.0.as_slice()],
        )?;
        Ok(())
    }

    fn record_sign_in_failure(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM sign_in_failures WHERE at < $1", &[&since])?;
            for key in keys {
                tx.execute(
                    "INSERT INTO sign_in_failures (key, at) VALUES ($1, $2)",
                    &[key, &now],
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
        let row = self.client()?.query_one(
            "SELECT COUNT(*), MIN(at) FROM sign_in_failures WHERE key = $1 AND at >= $2",
            &[&key, &since],
        )?;
        let count: i64 = row.get(0);
        Ok((u32::try_from(count).unwrap_or(u32::MAX), row.get(1)))
    }

    fn clear_sign_in_failures(&self, key: &str) -> Result<()> {
        self.client()?
            .execute("DELETE FROM sign_in_failures WHERE key = $1", &[&key])?;
        Ok(())
    }
}

fn person(client: &mut impl GenericClient, name: &str) -> Result<Option<(Person, String)>> {
    let Some(row) = client.query_opt(
        "SELECT name, role, instansi, password_hash, disabled_at FROM people WHERE name = $1",
        &[&name],
    )?
    else {
        return Ok(None);
    };
    let name: &str = row.get(0);
    let role = Role::parse(row.get(1))?;
    let scope = match (role, row.get::<_, Option<String>>(2)) {
        (Role::Admin, _) => Scope::Everything,
        (_, Some(instansi)) => Scope::Instansi(instansi),
        (_, None) => Scope::Units(
            client
                .query(
                    "SELECT unit FROM person_units WHERE person = $1 ORDER BY unit COLLATE \"C\"",
                    &[&name],
                )?
                .iter()
                .map(|unit| UnitCode::parse(unit.get(0)))
                .collect::<std::result::Result<BTreeSet<_>, _>>()?,
        ),
    };
    let person = Person {
        name: Name::parse("name", name)?,
        role,
        scope,
        disabled: row.get::<_, Option<DateTime<Utc>>>(4).is_some(),
    };
    Ok(Some((person, row.get(3))))
}
