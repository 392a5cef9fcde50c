//! A response's history — who wrote what, when, from which device or as which person — read
//! from its Automerge history: there is nothing separate to keep in step with it.

use automerge::Change;
use automerge::legacy::{Key, ObjectId, OpType};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::storage::Storage;
use crate::{Error, Result};

/// One change of a response, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    /// When the author's clock said it was written.
    pub at: Option<DateTime<Utc>>,
    /// The enumerator or person named in the change.
    pub by: Option<String>,
    /// The device that sent it (its name, as enrolled), or `server` for a supervisor's
    /// decision.
    pub from: String,
    /// Each field it wrote; `None` where it cleared one.
    pub wrote: Vec<(String, Option<String>)>,
}

/// Every change the server holds for `response`, in the order the server received them.
pub fn history(storage: &dyn Storage, response: Uuid) -> Result<Vec<Entry>> {
    if storage.document_unit(response)?.is_none() {
        return Err(Error::UnknownResponse(response.to_string()));
    }
    storage
        .document_history(response)?
        .into_iter()
        .enumerate()
        .map(|(index, (bytes, from))| {
            let change = Change::from_bytes(bytes).map_err(|source| Error::InvalidChange {
                index,
                doc: response,
                source,
            })?;
            Ok(entry(&change, from))
        })
        .collect()
}

fn entry(change: &Change, from: String) -> Entry {
    let mut wrote: Vec<(String, Option<String>)> = Vec::new();
    for op in change.decode().operations {
        let (ObjectId::Root, Key::Map(key)) = (&op.obj, &op.key) else {
            continue;
        };
        let value = match &op.action {
            OpType::Put(value) => match value {
                automerge::ScalarValue::Null => None,
                automerge::ScalarValue::Str(text) => Some(text.to_string()),
                other => Some(other.to_string()),
            },
            OpType::Delete => None,
            _ => continue,
        };
        // Settling a field clears it and writes it again in one change: show the write.
        wrote.retain(|(k, _)| k != key.as_str());
        wrote.push((key.to_string(), value));
    }
    Entry {
        at: DateTime::from_timestamp_millis(change.timestamp()).filter(|_| change.timestamp() > 0),
        by: change.message().map(str::to_string),
        from,
        wrote,
    }
}
