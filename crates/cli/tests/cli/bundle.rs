use serde_json::Value;

use crate::helpers::{Rng, Simpul, UNSUR, csv_file, random_rows, sample, text};

/// A replica holding the sample stack, two interviews (one edited), a draft and a deletion.
fn busy_replica(device: &str) -> Simpul {
    let simpul = Simpul::on_device(device);
    simpul.import(&sample("kuesioner-kertas.csv")).ok();
    let mut ids = Vec::new();
    for (score, draft) in [("4", false), ("2", false), ("3", true)] {
        let mut args: Vec<String> = vec!["capture".into()];
        for u in &UNSUR[..if draft { 5 } else { 9 }] {
            args.extend(["--set".into(), format!("{u}={score}")]);
        }
        args.extend(["--set".into(), "layanan=KTP-el".into()]);
        if draft {
            args.push("--draft".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let captured = simpul.json(&args);
        ids.push(text(&captured["id"]).to_string());
    }
    simpul.run(&["edit", &ids[1], "--set", "U1=3"]).ok();
    let k005 = simpul
        .list(&[])
        .into_iter()
        .find(|r| r["serial"] == "K-005")
        .unwrap();
    simpul.run(&["delete", text(&k005["id"])]).ok();
    simpul
}

fn everything(simpul: &Simpul) -> Vec<Value> {
    simpul.list(&["--include-deleted"])
}

#[test]
fn a_bundle_brings_every_response_across_and_a_second_import_adds_nothing() {
    let a = busy_replica("tablet-a");
    let b = Simpul::on_device("laptop-b");
    let bundle = a.export_bundle("a.simpul");

    let first = b.json(&["bundle", "import", &bundle]);
    assert_eq!(first["created"].as_array().unwrap().len(), 32);
    assert_eq!(first["waiting"], 0);
    let changes = first["new_changes"].as_u64().unwrap();
    assert!(changes >= 34, "{first}");

    let second = b.json(&["bundle", "import", &bundle]);
    assert_eq!(second["new_changes"], 0);
    assert_eq!(second["duplicates"], changes);
    assert_eq!(second["created"], Value::Array(vec![]));
    assert_eq!(second["updated"], Value::Array(vec![]));
    let out = b.run(&["bundle", "import", &bundle]).ok();
    assert!(
        out.stdout.contains("0 respons baru, 0 respons diperbarui"),
        "{}",
        out.stdout
    );

    assert_eq!(everything(&b), everything(&a));
    assert_eq!(b.json(&["report"]), a.json(&["report"]));
    assert_eq!(b.list(&["--status", "draft"]).len(), 1);
}

#[test]
fn an_export_since_the_last_position_carries_only_what_came_after() {
    let a = Simpul::on_device("tablet-a");
    let b = Simpul::on_device("laptop-b");
    a.import(&sample("kuesioner-kertas.csv")).ok();
    let first = a.path("pertama.simpul");
    let exported = a.json(&["bundle", "export", "--out", &first]);
    assert_eq!(exported["responses"], 29);
    let since = exported["last_seq"].as_i64().unwrap().to_string();
    b.json(&["bundle", "import", &first]);

    let k001 = b
        .list(&[])
        .into_iter()
        .find(|r| r["serial"] == "K-001")
        .unwrap();
    a.run(&["edit", text(&k001["id"]), "--set", "saran=Sudah membaik"])
        .ok();
    let next = a.path("berikutnya.simpul");
    let exported = a.json(&["bundle", "export", "--out", &next, "--since", &since]);
    assert_eq!(exported["responses"], 1);
    assert_eq!(exported["changes"], 1);

    let applied = b.json(&["bundle", "import", &next]);
    assert_eq!(applied["new_changes"], 1);
    assert_eq!(applied["updated"], serde_json::json!([k001["id"]]));
    assert_eq!(everything(&b), everything(&a));
}

/// Try `bytes` as a bundle on `simpul`; it must be refused as damaged with nothing changed.
#[track_caller]
fn assert_refused(simpul: &Simpul, name: &str, bytes: &[u8]) {
    let before = everything(simpul);
    let file = simpul.write(name, bytes);
    let out = simpul.run(&["bundle", "import", &file]).refused();
    assert!(
        out.stderr
            .contains("berkas bundel rusak atau tidak lengkap"),
        "{name}: {}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "{name}: {}", out.stdout);
    assert_eq!(everything(simpul), before, "{name} changed the replica");
}

#[test]
fn a_truncated_or_corrupted_bundle_is_refused_and_changes_nothing() {
    let a = busy_replica("tablet-a");
    let b = Simpul::on_device("laptop-b");
    b.run(&["capture", "--draft", "--set", "U1=4"]).ok();
    let bytes = std::fs::read(a.export_bundle("a.simpul")).unwrap();
    assert!(bytes.len() > 100);

    for cut in [1, 4, 17, 18, 19, bytes.len() / 2, bytes.len() - 1] {
        assert_refused(&b, &format!("potong-{cut}.simpul"), &bytes[..cut]);
    }
    for at in [2, 9, 15, bytes.len() / 2, bytes.len() - 1] {
        let mut corrupt = bytes.clone();
        corrupt[at] ^= 0x20;
        assert_refused(&b, &format!("rusak-{at}.simpul"), &corrupt);
    }
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"\n");
    assert_refused(&b, "berekor.simpul", &longer);

    assert_eq!(b.list(&["--include-deleted"]).len(), 1);
}

#[test]
fn random_bytes_and_an_empty_file_are_refused_as_bundles() {
    let b = Simpul::new();
    b.import(&sample("kuesioner-kertas.csv")).ok();
    let mut rng = Rng::new(42);
    for len in [1, 17, 18, 100, 4096, 100_000] {
        assert_refused(&b, &format!("acak-{len}.simpul"), &rng.bytes(len));
    }
    let mut magic = b"SMPL\x01\x00".to_vec();
    magic.extend(rng.bytes(500));
    assert_refused(&b, "acak-bermagic.simpul", &magic);
    assert_refused(&b, "kosong.simpul", b"");

    let out = b.run(&["bundle", "import", &b.path("tidak-ada.simpul")]);
    assert!(!out.status.success());
    assert_eq!(b.list(&[]).len(), 29);
}

#[test]
fn a_bundle_cut_at_a_frame_boundary_is_refused() {
    let a = Simpul::new();
    let mut rng = Rng::new(9);
    let rows = random_rows(&mut rng, 3_000, "B");
    a.import(&a.write("besar.csv", csv_file(&rows))).ok();
    let bytes = std::fs::read(a.export_bundle("a.simpul")).unwrap();
    // Frames: "SMPL", version, flags, payload length, compressed length (u32 LE), checksum.
    let compressed = u32::from_le_bytes(bytes[10..14].try_into().unwrap()) as usize;
    let first_frame = 18 + compressed;
    assert!(first_frame < bytes.len(), "the bundle has a single frame");

    let b = Simpul::new();
    assert_refused(&b, "terpotong.simpul", &bytes[..first_frame]);
}

#[test]
fn a_csv_export_imports_back_with_the_same_ids_and_the_same_report() {
    let a = busy_replica("tablet-a");
    let csv = a.path("ekspor.csv");
    let out = a.run(&["export", "csv", "--out", &csv]).ok();
    assert!(out.stdout.contains("Diekspor 31 respons"), "{}", out.stdout);

    let c = Simpul::on_device("kantor");
    let imported = c.json(&["import-csv", &csv]);
    assert_eq!(imported["created"], 31, "{imported}");
    assert_eq!(imported["rejected"], 0, "{imported}");

    assert_eq!(c.ids(), a.ids());
    let fields = [
        "id", "channel", "serial", "status", "service", "unit", "period",
    ];
    let pick = |simpul: &Simpul| -> Vec<Vec<Value>> {
        simpul
            .list(&[])
            .iter()
            .map(|r| fields.iter().map(|f| r[*f].clone()).collect())
            .collect()
    };
    assert_eq!(pick(&c), pick(&a));
    assert_eq!(c.json(&["report"]), a.json(&["report"]));
    assert_eq!(
        c.json(&["report", "--weight", "template"]),
        a.json(&["report", "--weight", "template"])
    );

    // The export imports back into the replica it came from as nothing new.
    let again = a.json(&["import-csv", &csv]);
    assert_eq!(again["already_present"], 31, "{again}");
}

#[test]
fn another_units_bundle_is_refused_whole_and_changes_nothing() {
    let capil = busy_replica("tablet-capil");
    let bundle = capil.export_bundle("capil.simpul");
    let other = Simpul::in_unit("U-OTHER", "tablet-other");
    let mut capture = vec!["capture".to_string()];
    for u in UNSUR {
        capture.extend(["--set".into(), format!("{u}=4")]);
    }
    let capture: Vec<&str> = capture.iter().map(String::as_str).collect();
    other.run(&capture).ok();
    let before = everything(&other);

    let out = other.run(&["bundle", "import", &bundle]).refused();

    assert!(
        out.stderr.contains("unit U-CAPIL") && out.stderr.contains("unit U-OTHER"),
        "{}",
        out.stderr
    );
    assert_eq!(everything(&other), before, "nothing was imported");
    let report = other.json(&["report"]);
    assert_eq!(
        report["n"], 1,
        "the report holds only U-OTHER's response: {report}"
    );
}
