//! The forms that ship with Simpul: the standard PermenPANRB 14/2017 questionnaire, worded as
//! the regulation words it, and the archived KepMenPAN 25/2004 one for reading old data.

use std::sync::LazyLock;

use crate::form::{Choice, Form, Item, ItemKind};
use crate::method::Method;
use crate::text::Text;

/// The standard SKM questionnaire of PermenPANRB 14/2017: the respondent profile, the nine
/// unsur questions with the regulation's own wording, and an open suggestion.
pub fn skm_2017() -> Form {
    let method = Method::Permenpanrb14_2017;
    let unsur = QUESTIONS_2017
        .iter()
        .zip(method.unsur())
        .map(|(q, u)| Item {
            id: u.id.to_owned(),
            label: Text::new(q.question.0, q.question.1),
            kind: ItemKind::Scored {
                unsur: u.id.to_owned(),
                options: q
                    .options
                    .iter()
                    .map(|&(id, en)| Text::new(id, en))
                    .collect(),
            },
            required: true,
            aliases: Vec::new(),
        });
    Form {
        id: "skm-2017".to_owned(),
        version: 1,
        method,
        title: Text::new(
            "Survei Kepuasan Masyarakat",
            "Community satisfaction survey (SKM)",
        ),
        items: profile()
            .into_iter()
            .chain(unsur)
            .chain([saran()])
            .collect(),
    }
}

/// The KepMenPAN 25/2004 questionnaire, kept so archived surveys can be entered and scored with
/// their own method. The regulation fixed the fourteen unsur but not a wording, so each question
/// asks about the unsur by name, with the same four answers for all.
pub fn skm_2004() -> Form {
    let method = Method::Kepmenpan25_2004;
    let options: Vec<Text> = [
        ("Tidak baik", "Very poor"),
        ("Kurang baik", "Poor"),
        ("Baik", "Good"),
        ("Sangat baik", "Very good"),
    ]
    .into_iter()
    .map(|(id, en)| Text::new(id, en))
    .collect();
    let unsur = method
        .unsur()
        .iter()
        .zip(UNSUR_2004_EN)
        .map(|(u, en)| Item {
            id: u.id.to_owned(),
            label: Text::new(
                format!(
                    "Bagaimana pendapat Saudara tentang {}?",
                    u.name.to_lowercase()
                ),
                format!("What is your opinion of {en}?"),
            ),
            kind: ItemKind::Scored {
                unsur: u.id.to_owned(),
                options: options.clone(),
            },
            required: true,
            aliases: Vec::new(),
        });
    Form {
        id: "skm-2004".to_owned(),
        version: 1,
        method,
        title: Text::new(
            "Survei Kepuasan Masyarakat (KepMenPAN 25/2004)",
            "Community satisfaction survey (SKM), KepMenPAN 25/2004",
        ),
        items: profile()
            .into_iter()
            .chain(unsur)
            .chain([saran()])
            .collect(),
    }
}

/// The built-in forms, built once: a server checks each web answer against its form.
static BUILTIN: LazyLock<[Form; 2]> = LazyLock::new(|| [skm_2017(), skm_2004()]);

/// Every built-in form, the current one first.
pub fn builtin_forms() -> Vec<Form> {
    BUILTIN.to_vec()
}

/// The built-in form with this id.
pub fn builtin_form(id: &str) -> Option<Form> {
    builtin(id).cloned()
}

/// The built-in form with this id, without a copy.
pub fn builtin(id: &str) -> Option<&'static Form> {
    BUILTIN.iter().find(|form| form.id == id)
}

struct Question {
    question: (&'static str, &'static str),
    /// Score 1 first.
    options: [(&'static str, &'static str); 4],
}

const SUITABLE: [(&str, &str); 4] = [
    ("Tidak sesuai", "Not suitable"),
    ("Kurang sesuai", "Less suitable"),
    ("Sesuai", "Suitable"),
    ("Sangat sesuai", "Very suitable"),
];

/// U1–U9 in the regulation's order and words.
const QUESTIONS_2017: [Question; 9] = [
    Question {
        question: (
            "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
            "How well do the service requirements match the type of service?",
        ),
        options: SUITABLE,
    },
    Question {
        question: (
            "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
            "How easy do you find the service procedure at this unit?",
        ),
        options: [
            ("Tidak mudah", "Not easy"),
            ("Kurang mudah", "Less easy"),
            ("Mudah", "Easy"),
            ("Sangat mudah", "Very easy"),
        ],
    },
    Question {
        question: (
            "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
            "How fast was the service delivered?",
        ),
        options: [
            ("Tidak cepat", "Not fast"),
            ("Kurang cepat", "Less fast"),
            ("Cepat", "Fast"),
            ("Sangat cepat", "Very fast"),
        ],
    },
    Question {
        question: (
            "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
            "How reasonable is the fee/tariff for the service?",
        ),
        options: [
            ("Sangat mahal", "Very expensive"),
            ("Cukup mahal", "Fairly expensive"),
            ("Murah", "Cheap"),
            ("Gratis", "Free"),
        ],
    },
    Question {
        question: (
            "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?",
            "How well does the service product delivered match what the service standard states?",
        ),
        options: SUITABLE,
    },
    Question {
        question: (
            "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
            "How competent/capable were the staff who served you?",
        ),
        options: [
            ("Tidak kompeten", "Not competent"),
            ("Kurang kompeten", "Less competent"),
            ("Kompeten", "Competent"),
            ("Sangat kompeten", "Very competent"),
        ],
    },
    Question {
        question: (
            "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
            "How polite and friendly were the staff who served you?",
        ),
        options: [
            ("Tidak sopan dan ramah", "Not polite and friendly"),
            ("Kurang sopan dan ramah", "Less polite and friendly"),
            ("Sopan dan ramah", "Polite and friendly"),
            ("Sangat sopan dan ramah", "Very polite and friendly"),
        ],
    },
    Question {
        question: (
            "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
            "How are complaints from service users handled?",
        ),
        options: [
            ("Tidak ada", "There is none"),
            ("Ada tetapi tidak berfungsi", "Exists but does not work"),
            ("Berfungsi kurang maksimal", "Works, but not fully"),
            ("Dikelola dengan baik", "Well managed"),
        ],
    },
    Question {
        question: (
            "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
            "How good are the facilities and infrastructure?",
        ),
        options: [
            ("Buruk", "Bad"),
            ("Cukup", "Fair"),
            ("Baik", "Good"),
            ("Sangat baik", "Very good"),
        ],
    },
];

/// The 2004 unsur in English, as the object of "What is your opinion of …?".
const UNSUR_2004_EN: [&str; 14] = [
    "the service procedure",
    "the service requirements",
    "the clarity of the service staff",
    "the discipline of the service staff",
    "the responsibility of the service staff",
    "the ability of the service staff",
    "the speed of service",
    "the fairness in obtaining service",
    "the courtesy and friendliness of the staff",
    "the reasonableness of the service fee",
    "the certainty of the service fee",
    "the certainty of the service schedule",
    "the comfort of the surroundings",
    "the security of the service",
];

/// The respondent profile of the standard form. None of it is required: a respondent may
/// decline any of it and still be counted.
fn profile() -> Vec<Item> {
    vec![
        optional(
            "tanggal",
            ("Tanggal survei", "Survey date"),
            ItemKind::Date,
            &["date"],
        ),
        optional(
            "jenis_kelamin",
            ("Jenis kelamin", "Sex"),
            choice(
                &[("L", "Laki-laki", "Male"), ("P", "Perempuan", "Female")],
                None,
            ),
            &["gender"],
        ),
        optional(
            "umur",
            ("Umur (tahun)", "Age (years)"),
            ItemKind::Integer { min: 10, max: 120 },
            &["age"],
        ),
        optional(
            "pendidikan",
            ("Pendidikan terakhir", "Highest education"),
            choice(
                &[
                    ("SD", "SD/sederajat", "Primary school or equivalent"),
                    (
                        "SMP",
                        "SMP/sederajat",
                        "Junior secondary school or equivalent",
                    ),
                    (
                        "SMA",
                        "SMA/sederajat",
                        "Senior secondary school or equivalent",
                    ),
                    ("D1-D3", "Diploma (D1–D3)", "Diploma (D1–D3)"),
                    ("D4", "Diploma IV (D4)", "Applied bachelor's degree (D4)"),
                    ("S1", "Sarjana (S1)", "Bachelor's degree (S1)"),
                    ("S2", "Magister (S2)", "Master's degree (S2)"),
                    ("S3", "Doktor (S3)", "Doctorate (S3)"),
                ],
                None,
            ),
            &["education"],
        ),
        optional(
            "pekerjaan",
            ("Pekerjaan", "Occupation"),
            choice(
                &[
                    ("PNS", "PNS", "Civil servant (PNS)"),
                    ("TNI", "TNI", "Armed forces (TNI)"),
                    ("POLRI", "POLRI", "Police (POLRI)"),
                    ("SWASTA", "Pegawai swasta", "Private employee"),
                    ("WIRAUSAHA", "Wirausaha", "Self-employed"),
                    ("LAINNYA", "Lainnya", "Other"),
                ],
                Some(("LAINNYA", "pekerjaan_lainnya")),
            ),
            &["occupation"],
        ),
        optional(
            "pekerjaan_lainnya",
            (
                "Pekerjaan lainnya (sebutkan)",
                "Other occupation (please specify)",
            ),
            ItemKind::Text { max_len: 200 },
            &["occupation_other"],
        ),
        optional(
            "layanan",
            ("Jenis layanan yang diterima", "Service received"),
            ItemKind::Text { max_len: 200 },
            &["service"],
        ),
    ]
}

fn saran() -> Item {
    optional(
        "saran",
        ("Saran dan masukan", "Suggestions and feedback"),
        ItemKind::Text { max_len: 2000 },
        &["suggestion"],
    )
}

fn optional(id: &str, label: (&str, &str), kind: ItemKind, aliases: &[&str]) -> Item {
    Item {
        id: id.to_owned(),
        label: Text::new(label.0, label.1),
        kind,
        required: false,
        aliases: aliases.iter().map(|&a| a.to_owned()).collect(),
    }
}

/// A choice from `(code, Indonesian label, English label)`, with the "other" code and the item
/// that holds its detail.
fn choice(options: &[(&str, &str, &str)], other: Option<(&str, &str)>) -> ItemKind {
    ItemKind::Choice {
        options: options
            .iter()
            .map(|&(code, id, en)| Choice {
                code: code.to_owned(),
                label: Text::new(id, en),
            })
            .collect(),
        other: other.map(|(code, _)| code.to_owned()),
        other_item: other.map(|(_, item)| item.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(form: &Form) -> Vec<&str> {
        form.items.iter().map(|i| i.id.as_str()).collect()
    }

    fn options(form: &Form, id: &str) -> Vec<String> {
        match &form.item(id).unwrap().kind {
            ItemKind::Scored { options, .. } => options.iter().map(|o| o.id.clone()).collect(),
            other => panic!("{id} is {other:?}"),
        }
    }

    #[test]
    fn the_2017_form_asks_profile_then_unsur_then_saran() {
        let form = skm_2017();
        assert_eq!(form.id, "skm-2017");
        assert_eq!(form.version, 1);
        assert_eq!(form.method, Method::Permenpanrb14_2017);
        assert_eq!(
            ids(&form),
            [
                "tanggal",
                "jenis_kelamin",
                "umur",
                "pendidikan",
                "pekerjaan",
                "pekerjaan_lainnya",
                "layanan",
                "U1",
                "U2",
                "U3",
                "U4",
                "U5",
                "U6",
                "U7",
                "U8",
                "U9",
                "saran"
            ]
        );
    }

    #[test]
    fn only_the_unsur_questions_are_required() {
        for form in builtin_forms() {
            for item in &form.items {
                let scored = matches!(item.kind, ItemKind::Scored { .. });
                assert_eq!(item.required, scored, "{} {}", form.id, item.id);
            }
        }
    }

    #[test]
    fn u1_is_worded_as_in_the_regulation() {
        let form = skm_2017();
        assert_eq!(
            form.item("U1").unwrap().label.id,
            "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?"
        );
        assert_eq!(
            options(&form, "U1"),
            ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]
        );
    }

    #[test]
    fn u4_scores_a_free_service_highest() {
        let form = skm_2017();
        assert_eq!(
            form.item("U4").unwrap().label.id,
            "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?"
        );
        assert_eq!(
            options(&form, "U4"),
            ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"]
        );
    }

    #[test]
    fn u8_tops_out_at_well_managed_complaints() {
        let form = skm_2017();
        assert_eq!(
            form.item("U8").unwrap().label.id,
            "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?"
        );
        assert_eq!(
            options(&form, "U8"),
            [
                "Tidak ada",
                "Ada tetapi tidak berfungsi",
                "Berfungsi kurang maksimal",
                "Dikelola dengan baik"
            ]
        );
    }

    #[test]
    fn u5_u7_and_u9_keep_their_regulation_wording() {
        let form = skm_2017();
        assert_eq!(
            form.item("U5").unwrap().label.id,
            "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?"
        );
        assert_eq!(options(&form, "U7")[3], "Sangat sopan dan ramah");
        assert_eq!(
            options(&form, "U9"),
            ["Buruk", "Cukup", "Baik", "Sangat baik"]
        );
    }

    #[test]
    fn every_scored_item_measures_its_own_unsur_with_four_translated_options() {
        for form in builtin_forms() {
            let unsur: Vec<&str> = form
                .scored_items()
                .map(|item| match &item.kind {
                    ItemKind::Scored { unsur, options } => {
                        assert_eq!(options.len(), 4);
                        assert!(options.iter().all(|o| !o.en.is_empty() && o.en != o.id));
                        assert_eq!(unsur, &item.id);
                        unsur.as_str()
                    }
                    _ => unreachable!(),
                })
                .collect();
            let expected: Vec<&str> = form.method.unsur().iter().map(|u| u.id).collect();
            assert_eq!(unsur, expected, "{}", form.id);
        }
    }

    #[test]
    fn the_occupation_other_points_at_its_detail_item() {
        let form = skm_2017();
        match &form.item("pekerjaan").unwrap().kind {
            ItemKind::Choice {
                other, other_item, ..
            } => {
                assert_eq!(other.as_deref(), Some("LAINNYA"));
                let detail = other_item.as_deref().unwrap();
                assert!(matches!(
                    form.item(detail).unwrap().kind,
                    ItemKind::Text { max_len: 200 }
                ));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_2004_form_asks_about_its_fourteen_unsur_by_name() {
        let form = skm_2004();
        assert_eq!(form.id, "skm-2004");
        assert_eq!(form.method, Method::Kepmenpan25_2004);
        assert_eq!(form.scored_items().count(), 14);
        assert_eq!(
            form.item("U1").unwrap().label.id,
            "Bagaimana pendapat Saudara tentang prosedur pelayanan?"
        );
        assert_eq!(
            form.item("U14").unwrap().label.en,
            "What is your opinion of the security of the service?"
        );
        assert_eq!(
            options(&form, "U10"),
            ["Tidak baik", "Kurang baik", "Baik", "Sangat baik"]
        );
    }

    #[test]
    fn built_in_forms_are_found_by_id() {
        assert_eq!(builtin_form("skm-2017"), Some(skm_2017()));
        assert_eq!(builtin_form("skm-2004"), Some(skm_2004()));
        assert_eq!(builtin_form("skm-2014"), None);
        let ids: Vec<String> = builtin_forms().into_iter().map(|f| f.id).collect();
        assert_eq!(ids, ["skm-2017", "skm-2004"]);
    }
}
