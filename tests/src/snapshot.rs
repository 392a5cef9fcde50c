//! What a replica shows through `simpul`, gathered for comparing replicas, and the checks
//! every suite makes: converged, nothing twice, nothing missing.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// A replica as its user sees it. Two replicas holding the same documents give equal
/// snapshots (the device name aside).
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub device: String,
    /// `list --include-deleted`
    pub list: Value,
    /// `conflicts --include-deleted`
    pub conflicts: Value,
    /// `report`
    pub report: Value,
    /// `export csv --include-deleted`: every answer of every response.
    pub csv: String,
    /// `show` by response id; empty unless taken in full.
    pub shown: BTreeMap<String, Value>,
}

impl Snapshot {
    /// Where `other` differs from this one, described for a person; `None` when equal.
    pub fn difference(&self, other: &Snapshot) -> Option<String> {
        let parts = [
            ("list", &self.list, &other.list),
            ("conflicts", &self.conflicts, &other.conflicts),
            ("report", &self.report, &other.report),
        ];
        for (name, mine, theirs) in parts {
            if let Some(at) = first_difference(mine, theirs, name) {
                return Some(at);
            }
        }
        if self.csv != other.csv {
            let line = self
                .csv
                .lines()
                .zip(other.csv.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(self.csv.lines().count().min(other.csv.lines().count()));
            return Some(format!(
                "export csv, line {}: {:?} vs {:?}",
                line + 1,
                self.csv.lines().nth(line),
                other.csv.lines().nth(line)
            ));
        }
        let ids: BTreeSet<&String> = self.shown.keys().chain(other.shown.keys()).collect();
        for id in ids {
            let (mine, theirs) = (self.shown.get(id), other.shown.get(id));
            if mine.is_some() != theirs.is_some() {
                return Some(format!("show {id}: shown on one side only"));
            }
            if let (Some(mine), Some(theirs)) = (mine, theirs)
                && let Some(at) = first_difference(mine, theirs, &format!("show {id}"))
            {
                return Some(at);
            }
        }
        None
    }

    /// The listed responses, in list order.
    pub fn responses(&self) -> Vec<&Value> {
        self.list
            .as_array()
            .expect("list is an array")
            .iter()
            .collect()
    }

    /// `(response id, field)` of every conflict.
    pub fn conflicting_cells(&self) -> BTreeSet<(String, String)> {
        self.conflicts
            .as_array()
            .expect("conflicts is an array")
            .iter()
            .map(|c| (text(&c["response"]), text(&c["field"])))
            .collect()
    }
}

/// Asserts that every snapshot equals the first.
#[track_caller]
pub fn assert_converged(snapshots: &[Snapshot]) {
    let (first, rest) = snapshots.split_first().expect("at least one snapshot");
    for other in rest {
        if let Some(difference) = first.difference(other) {
            panic!("{} and {} differ: {difference}", first.device, other.device);
        }
    }
}

/// Asserts that no response is listed twice, by id or by paper serial.
#[track_caller]
pub fn assert_no_duplicates(snapshot: &Snapshot) {
    let mut ids = BTreeSet::new();
    let mut serials = BTreeSet::new();
    for response in snapshot.responses() {
        let id = text(&response["id"]);
        assert!(
            ids.insert(id.clone()),
            "{}: {id} listed twice",
            snapshot.device
        );
        if let Some(serial) = response["serial"].as_str() {
            assert!(
                serials.insert(serial.to_string()),
                "{}: paper serial {serial} listed twice",
                snapshot.device
            );
        }
    }
}

/// Asserts that the snapshot lists exactly the responses `expected`, by id.
#[track_caller]
pub fn assert_holds_exactly(snapshot: &Snapshot, expected: &BTreeSet<String>) {
    let held: BTreeSet<String> = ids(&snapshot.list).into_iter().collect();
    let missing: Vec<_> = expected.difference(&held).take(5).collect();
    let extra: Vec<_> = held.difference(expected).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{} holds {} responses, expected {}; missing (first 5) {missing:?}, unexpected {extra:?}",
        snapshot.device,
        held.len(),
        expected.len()
    );
}

/// The ids in a `list` output, in its order.
pub fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("list is an array")
        .iter()
        .map(|r| text(&r["id"]))
        .collect()
}

/// A JSON string's text.
#[track_caller]
pub fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, got {value}"))
        .to_string()
}

/// The path to the first place `a` and `b` differ, with both values there.
pub fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                if let Some(at) = first_difference(p, q, &format!("{path}[{i}]")) {
                    return Some(at);
                }
            }
            (x.len() != y.len()).then(|| format!("{path}: {} items vs {}", x.len(), y.len()))
        }
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|key| {
                let missing = Value::Null;
                let (p, q) = (x.get(key), y.get(key));
                if p.is_none() != q.is_none() {
                    return Some(format!("{path}.{key}: present on one side only"));
                }
                first_difference(
                    p.unwrap_or(&missing),
                    q.unwrap_or(&missing),
                    &format!("{path}.{key}"),
                )
            })
        }
        _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let a = json!({"list": [{"id": "a", "n": 1}, {"id": "b", "n": 2}]});
        let b = json!({"list": [{"id": "a", "n": 1}, {"id": "b", "n": 3}]});
        assert_eq!(
            first_difference(&a, &b, "x").as_deref(),
            Some("x.list[1].n: 2 vs 3")
        );
        assert_eq!(first_difference(&a, &a, "x"), None);
        let shorter = json!({"list": [{"id": "a", "n": 1}]});
        assert_eq!(
            first_difference(&a, &shorter, "x").as_deref(),
            Some("x.list: 2 items vs 1")
        );
    }
}
