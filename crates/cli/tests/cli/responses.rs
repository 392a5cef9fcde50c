use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{Simpul, UNSUR, text};

/// `--set` arguments answering every unsur with `score`, plus `extra` assignments.
fn answers(score: u8, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = UNSUR
        .iter()
        .flat_map(|u| ["--set".to_string(), format!("{u}={score}")])
        .collect();
    for assignment in extra {
        args.extend(["--set".to_string(), assignment.to_string()]);
    }
    args
}

/// Run `capture` with these arguments and `--format json`; the new response's id.
#[track_caller]
fn capture(simpul: &Simpul, args: &[String]) -> String {
    let mut all = vec!["capture"];
    all.extend(args.iter().map(String::as_str));
    let captured = simpul.json(&all);
    assert_eq!(captured["outcome"], "created", "{captured}");
    text(&captured["id"]).to_string()
}

#[test]
fn an_interview_captured_with_set_is_listed_and_shown_with_its_answers() {
    let simpul = Simpul::new();
    let id = capture(
        &simpul,
        &answers(3, &["jenis_kelamin=P", "layanan=KTP-el", "umur=41"]),
    );

    let listed = simpul.list(&[]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["channel"], "interview");
    assert_eq!(listed[0]["status"], "final");
    assert_eq!(listed[0]["service"], "KTP-el");
    assert_eq!(listed[0]["serial"], Value::Null);
    assert_eq!(simpul.answer(&id, "jenis_kelamin").as_deref(), Some("P"));
    assert_eq!(simpul.answer(&id, "umur").as_deref(), Some("41"));
    assert_eq!(simpul.answer(&id, "U9").as_deref(), Some("3"));
    assert_eq!(simpul.answer(&id, "saran"), None);
}

#[test]
fn answers_given_as_json_on_stdin_are_captured_by_id_or_alias() {
    let simpul = Simpul::new();
    let input = r#"{"U1": 4, "U2": 4, "U3": "3", "U4": 4, "U5": 2, "U6": 4, "U7": 4,
        "U8": 1, "U9": 4, "gender": "L", "service": "Akta kelahiran",
        "suggestion": "Cepat, \"ramah\""}"#;
    let out = simpul
        .run_with_stdin(&["capture", "--channel", "kiosk", "--json"], input)
        .ok();
    assert!(out.stdout.starts_with("Tersimpan: "), "{}", out.stdout);

    let listed = simpul.list(&[]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["channel"], "kiosk");
    let id = text(&listed[0]["id"]);
    assert_eq!(simpul.answer(id, "jenis_kelamin").as_deref(), Some("L"));
    assert_eq!(
        simpul.answer(id, "layanan").as_deref(),
        Some("Akta kelahiran")
    );
    assert_eq!(
        simpul.answer(id, "saran").as_deref(),
        Some("Cepat, \"ramah\"")
    );
    assert_eq!(simpul.answer(id, "U8").as_deref(), Some("1"));
    assert_eq!(simpul.json(&["report"])["n"], 1);
}

#[test]
fn an_out_of_range_answer_is_refused_by_name_and_value_and_changes_nothing() {
    let simpul = Simpul::new();
    let mut args = vec!["capture".to_string()];
    args.extend(answers(4, &["U1=5"]));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = simpul.run(&args).refused();
    assert!(
        out.stderr.contains("isian U1: `5` tidak diterima"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);

    let input =
        r#"{"U1": 5, "U2": 4, "U3": 4, "U4": 4, "U5": 4, "U6": 4, "U7": 4, "U8": 4, "U9": 4}"#;
    let out = simpul
        .run_with_stdin(&["--lang", "en", "capture", "--json"], input)
        .refused();
    assert!(
        out.stderr.contains("item U1: `5` is not allowed"),
        "{}",
        out.stderr
    );

    assert!(simpul.list(&["--include-deleted"]).is_empty());
    assert!(simpul.list(&["--status", "draft"]).is_empty());
}

#[test]
fn an_unknown_item_or_malformed_json_is_refused_and_changes_nothing() {
    let simpul = Simpul::new();
    let out = simpul
        .run(&["capture", "--set", "U10=4", "--draft"])
        .refused();
    assert!(out.stderr.contains("U10"), "{}", out.stderr);
    let out = simpul
        .run_with_stdin(&["capture", "--json", "--draft"], "[4, 4, 4]")
        .refused();
    assert!(out.stderr.contains("JSON"), "{}", out.stderr);
    assert!(simpul.list(&["--include-deleted"]).is_empty());
}

#[test]
fn an_incomplete_interview_is_refused_unless_saved_as_a_draft_and_finalised_when_complete() {
    let simpul = Simpul::new();
    let mut partial = answers(4, &[]);
    partial.truncate(16); // U1–U8 only
    let mut args = vec!["capture"];
    args.extend(partial.iter().map(String::as_str));
    let out = simpul.run(&args).refused();
    assert!(out.stderr.contains("U9 wajib diisi"), "{}", out.stderr);
    assert!(simpul.list(&[]).is_empty());

    let mut draft = partial.clone();
    draft.push("--draft".into());
    let id = capture(&simpul, &draft);
    assert_eq!(simpul.list(&["--status", "draft"]).len(), 1);
    assert_eq!(simpul.json(&["report"])["n"], 0);

    let out = simpul.run(&["finalise", &id]).refused();
    assert!(out.stderr.contains("U9"), "{}", out.stderr);
    simpul.run(&["edit", &id, "--set", "U9=2"]).ok();
    simpul.run(&["finalise", &id]).ok();
    let listed = simpul.list(&[]);
    assert_eq!(listed[0]["status"], "final");
    assert_eq!(simpul.json(&["report"])["n"], 1);
}

#[test]
fn an_edit_changes_the_answer_and_the_report() {
    let simpul = Simpul::new();
    let id = capture(&simpul, &answers(4, &[]));
    assert_eq!(simpul.json(&["report"])["ikm"], 100.0);

    let out = simpul.run(&["edit", &id, "--set", "U3=2"]).ok();
    assert!(out.stdout.contains(&id), "{}", out.stdout);
    assert_eq!(simpul.answer(&id, "U3").as_deref(), Some("2"));
    let report = simpul.json(&["report"]);
    assert_eq!(report["unsur"][2]["total"], 2);
    assert_eq!(report["weakest"], "U3");

    let out = simpul.run(&["edit", &id, "--set", "U3=0"]).refused();
    assert!(out.stderr.contains("U3"), "{}", out.stderr);
    assert_eq!(simpul.answer(&id, "U3").as_deref(), Some("2"));
}

#[test]
fn a_deleted_response_is_hidden_until_restored() {
    let simpul = Simpul::new();
    let kept = capture(&simpul, &answers(4, &[]));
    let id = capture(&simpul, &answers(1, &[]));

    simpul.run(&["delete", &id]).ok();
    assert_eq!(simpul.ids(), BTreeSet::from([kept]));
    let all = simpul.list(&["--include-deleted"]);
    assert_eq!(all.len(), 2);
    let deleted = all.iter().find(|r| r["id"] == id.as_str()).unwrap();
    assert_eq!(deleted["deleted"], true);
    assert_eq!(simpul.json(&["report"])["ikm"], 100.0);
    let out = simpul.run(&["edit", &id, "--set", "U1=2"]).refused();
    assert!(out.stderr.contains("sudah dihapus"), "{}", out.stderr);

    simpul.run(&["restore", &id]).ok();
    assert_eq!(simpul.list(&[]).len(), 2);
    assert_eq!(simpul.json(&["report"])["n"], 2);
    assert_eq!(simpul.show(&id)["deleted"], false);
}

#[test]
fn resolving_a_conflict_keeps_the_chosen_value_and_clears_the_flag() {
    let simpul = Simpul::new();
    let paper = |u3: &str| {
        let mut args: Vec<String> = ["capture", "--channel", "paper", "--paper-serial", "a-17"]
            .map(String::from)
            .to_vec();
        args.extend(answers(4, &[&format!("U3={u3}")]));
        args.extend(["--format".into(), "json".into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        simpul.run(&args).ok().json()
    };
    let first = paper("2");
    let second = paper("3");
    assert_eq!(second["outcome"], "merged", "{second}");
    assert_eq!(second["id"], first["id"]);
    assert_eq!(second["differing"], serde_json::json!(["U3"]));
    let id = text(&first["id"]).to_string();

    let conflicts = simpul.json(&["conflicts"]);
    assert_eq!(conflicts.as_array().unwrap().len(), 1, "{conflicts}");
    assert_eq!(conflicts[0]["serial"], "A-17");
    assert_eq!(conflicts[0]["field"], "U3");
    assert_eq!(conflicts[0]["values"], serde_json::json!(["2", "3"]));
    assert_eq!(simpul.list(&["--has-conflict"]).len(), 1);

    let out = simpul.run(&["resolve", &id, "U3", "4"]).refused();
    assert!(out.stderr.contains("U3"), "{}", out.stderr);
    assert_eq!(simpul.json(&["conflicts"]).as_array().unwrap().len(), 1);

    simpul.run(&["resolve", &id, "U3", "3"]).ok();
    assert!(simpul.json(&["conflicts"]).as_array().unwrap().is_empty());
    assert!(simpul.list(&["--has-conflict"]).is_empty());
    assert_eq!(simpul.answer(&id, "U3").as_deref(), Some("3"));
    assert_eq!(simpul.list(&[])[0]["conflicts"], 0);
}

#[test]
fn show_in_json_gives_the_summary_every_item_in_form_order_and_the_conflicts() {
    let simpul = Simpul::new();
    let paper = |u1: &str| {
        let mut args: Vec<String> = ["capture", "--channel", "paper", "--paper-serial", "S-1"]
            .map(String::from)
            .to_vec();
        args.extend(answers(4, &[&format!("U1={u1}"), "layanan=KTP-el"]));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        simpul.run(&args).ok();
    };
    paper("4");
    paper("1");
    let id = text(&simpul.list(&[])[0]["id"]).to_string();

    // A unique beginning of the id is enough.
    let shown = simpul.show(&id[..8]);
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["serial"], "S-1");
    assert_eq!(shown["channel"], "paper");
    assert_eq!(shown["unit"], "U-CAPIL");
    assert_eq!(shown["period"], "2025-S1");
    assert_eq!(shown["form"], "skm-2017");
    assert_eq!(shown["service"], "KTP-el");
    assert_eq!(shown["conflicts"], 1);
    let items: Vec<&str> = shown["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| text(&a["item"]))
        .collect();
    let mut expected = vec![
        "tanggal",
        "jenis_kelamin",
        "umur",
        "pendidikan",
        "pekerjaan",
        "pekerjaan_lainnya",
        "layanan",
    ];
    expected.extend(UNSUR);
    expected.push("saran");
    assert_eq!(items, expected);
    let conflicting = shown["conflicting_fields"].as_array().unwrap();
    assert_eq!(conflicting.len(), 1, "{shown}");
    assert_eq!(conflicting[0]["field"], "U1");
    assert_eq!(conflicting[0]["values"], serde_json::json!(["1", "4"]));

    let out = simpul.run(&["show", "zzzz"]).refused();
    assert!(out.stderr.contains("zzzz"), "{}", out.stderr);
}

#[test]
fn a_list_piped_into_a_reader_that_stops_early_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};

    use crate::helpers::{Rng, SIMPUL, csv_file, random_rows};

    // Enough responses that the list overflows any pipe buffer: writing must meet the
    // closed pipe, as `simpul list | head` does.
    let simpul = Simpul::new();
    let rows = random_rows(&mut Rng::new(3), 2_000, "H");
    simpul
        .import(&simpul.write("banyak.csv", csv_file(&rows)))
        .ok();
    let mut child = Command::new(SIMPUL)
        .args(["list", "--data", &simpul.data()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("simpul starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped"))
        .read_line(&mut first)
        .expect("the list begins");
    // The reader is gone now, like `head` after its lines.
    let output = child.wait_with_output().expect("simpul ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!first.is_empty(), "the list printed its first line");
    assert!(
        !stderr.contains("panicked"),
        "no panic on a closed pipe: {stderr}"
    );
    assert!(
        output.status.success() || output.status.signal() == Some(13),
        "ended by SIGPIPE or normally, not by a panic: {:?}",
        output.status
    );
}

#[test]
fn channels_are_the_replicas_own_list_web_included_and_an_unknown_one_is_refused_by_name() {
    let simpul = Simpul::new();
    let mut capture = vec!["capture", "--channel", "kiosk"];
    for u in [
        "U1=4", "U2=4", "U3=4", "U4=4", "U5=4", "U6=4", "U7=4", "U8=4", "U9=4",
    ] {
        capture.extend(["--set", u]);
    }
    simpul.run(&capture).ok();

    assert_eq!(simpul.list(&["--channel", "kiosk"]).len(), 1);
    assert!(simpul.list(&["--channel", "web"]).is_empty());
    let refused = simpul.run(&["list", "--channel", "phone"]);
    assert!(!refused.status.success());
    assert!(refused.stderr.contains("phone"), "{}", refused.stderr);
}

#[test]
fn lists_and_reports_filter_by_the_enumerator_who_captured_and_by_day_typed_as_offices_write_it() {
    let simpul = Simpul::new();
    for who in ["Sari", "Sari", "Budi"] {
        let mut args = vec!["--enumerator".to_string(), who.to_string()];
        args.extend(answers(4, &[]));
        capture(&simpul, &args);
    }

    assert_eq!(simpul.list(&["--enumerator", "Sari"]).len(), 2);
    assert_eq!(simpul.list(&["--enumerator", "Budi"]).len(), 1);
    let today = chrono::Local::now().date_naive();
    let typed = today.format("%d/%m/%Y").to_string();
    assert_eq!(simpul.list(&["--from", &typed, "--to", &typed]).len(), 3);
    let tomorrow = today.succ_opt().unwrap().format("%Y-%m-%d").to_string();
    assert!(simpul.list(&["--from", &tomorrow]).is_empty());
    let report = simpul.json(&["report", "--enumerator", "Budi"]);
    assert_eq!(report["n"], 1, "{report}");

    let refused = simpul.run(&["list", "--from", "31/02/2026"]);
    assert!(!refused.status.success());
    assert!(refused.stderr.contains("31/02/2026"), "{}", refused.stderr);
    assert!(refused.stderr.contains("--from"), "{}", refused.stderr);
}
