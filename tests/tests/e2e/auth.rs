//! Authentication as a device meets it; the server's own tests cover the details.

use std::time::Duration;

use simpul_e2e::answers::{random_answers, set_args};
use simpul_e2e::{Device, Rng, Server};

fn capture(device: &Device, rng: &mut Rng) {
    let mut args = vec!["capture".to_string()];
    args.extend(set_args(&random_answers(rng), false));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    device.json(&args);
}

#[test]
fn a_revoked_device_is_told_its_token_was_refused_and_keeps_its_data_pending() {
    let mut rng = Rng::new(11);
    let server = Server::start();
    let tablet = Device::enrolled("tablet", &server, &server.url());
    capture(&tablet, &mut rng);
    tablet.sync_ok();

    // An administrator revokes the tablet; it goes on working offline.
    server.revoke(&tablet.device_id());
    capture(&tablet, &mut rng);
    capture(&tablet, &mut rng);
    let refused = tablet.run(&["sync"]).failed();
    let in_english = tablet.run(&["--lang", "en", "sync"]).failed();

    assert_eq!(refused.status.code(), Some(1), "{refused}");
    assert!(
        refused
            .stderr
            .contains("server menolak token perangkat ini"),
        "{refused}"
    );
    assert!(
        in_english
            .stderr
            .contains("the server refused this device's token")
            && in_english.stderr.contains("revoked"),
        "{in_english}"
    );
    // A refusal is final: no rounds of backing off before saying so.
    assert!(refused.took < Duration::from_secs(10), "{refused}");
    let status = tablet.status();
    assert_eq!(status["pending_changes"], 2, "{status}");
    assert_eq!(status["pending_responses"], 2, "{status}");
    assert_eq!(tablet.responses().len(), 3);
    // The unit's settings and the first interview; nothing of what came after.
    assert_eq!(server.change_count(), 2);
}

#[test]
fn a_device_is_never_enrolled_with_a_code_for_another_unit_and_the_code_stays_good() {
    let server = Server::start();
    server
        .admin(&["unit", "add", "U-OTHER", "--name", "Unit lain"])
        .ok();
    let code = server
        .admin(&["enrol-code", "--unit", "U-OTHER"])
        .ok()
        .last_line()
        .to_string();
    let tablet = Device::new("tablet");

    let refused = tablet.enrol(&server.url(), &code).failed();

    assert!(
        refused.stderr.contains("unit U-OTHER") && refused.stderr.contains("U-CAPIL"),
        "{refused}"
    );
    assert!(
        tablet.status()["enrolment"].is_null(),
        "the tablet holds no enrolment: {}",
        tablet.status()
    );
    let devices = server.admin(&["device", "list"]).ok();
    assert!(!devices.stdout.contains("tablet"), "{devices}");

    // The code was not spent: a device of U-OTHER still enrols with it.
    let other = Device::in_unit("U-OTHER", "other tablet");
    other.enrol(&server.url(), &code).ok();
}
