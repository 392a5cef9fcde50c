//! Configuration documents: Automerge documents the server writes and devices only read,
//! travelling in the same batches as responses.
//!
//! Each unit has one, with a deterministic id ([`unit_document_id`]) so that the server and
//! every device name it alike without having met. Its root map holds scalars only:
//!
//! | key          | value                                                           |
//! |--------------|-----------------------------------------------------------------|
//! | `kind`       | `"unit"`                                                        |
//! | `code`       | the unit's stable code, e.g. `U-CAPIL`                          |
//! | `name`       | the unit's name as people know it                               |
//! | `period`     | the active survey period's code, e.g. `2025-S1`                 |
//! | `population` | service users in the previous period (integer), for the sample  |
//! | `form`       | the id of the form new responses use, e.g. `skm-2017`           |
//!
//! A device refuses nothing it does not understand: unknown keys are ignored. The server
//! refuses device changes to a configuration document.

use uuid::Uuid;

pub const KIND: &str = "kind";
pub const KIND_UNIT: &str = "unit";
pub const CODE: &str = "code";
pub const NAME: &str = "name";
pub const PERIOD: &str = "period";
pub const POPULATION: &str = "population";
pub const FORM: &str = "form";

/// Fixed forever: changing it would give a unit two configuration documents.
const CONFIG_NAMESPACE: Uuid = Uuid::from_u128(0x3c1f_92a4_6b0e_4d27_8e55_1a7c_d4f0_9b63);

/// The id of `unit`'s configuration document.
pub fn unit_document_id(unit: &str) -> Uuid {
    Uuid::new_v5(&CONFIG_NAMESPACE, format!("unit\u{0}{unit}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_has_its_own_stable_document_id() {
        assert_eq!(unit_document_id("U-CAPIL"), unit_document_id("U-CAPIL"));
        assert_ne!(unit_document_id("U-CAPIL"), unit_document_id("U-RSUD"));
        assert_eq!(unit_document_id("U-CAPIL").get_version_num(), 5);
    }
}
