//! Invitations end to end with the real binary and a real SMTP exchange: an SMTP server
//! started here on loopback receives what `admin invite --send` mails. Every recipient gets
//! one message with a link of their own; a used link is refused the second time; an
//! opted-out recipient gets no reminder; a bad file is refused by its lines, storing nothing.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{ServerProcess, last_line};

/// One message as the SMTP server received it.
#[derive(Clone, Debug)]
struct Mail {
    to: Vec<String>,
    data: String,
}

/// A minimal SMTP server on 127.0.0.1 that accepts every message and keeps it.
struct SmtpSink {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&mails);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = Arc::clone(&kept);
                std::thread::spawn(move || serve(stream, &kept));
            }
        });
        SmtpSink { port, mails }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, kept: &Mutex<Vec<Mail>>) {
    let mut out = stream.try_clone().unwrap();
    let mut reply = |line: &str| {
        let _ = out.write_all(format!("{line}\r\n").as_bytes());
    };
    reply("220 localhost ESMTP test");
    let mut lines = BufReader::new(stream).lines();
    let mut mail = Mail {
        to: Vec::new(),
        data: String::new(),
    };
    while let Some(Ok(line)) = lines.next() {
        let command = line.to_ascii_uppercase();
        if command.starts_with("EHLO") || command.starts_with("HELO") {
            reply("250 localhost");
        } else if command.starts_with("RCPT TO:") {
            mail.to
                .push(line[8..].trim().trim_matches(['<', '>']).to_string());
            reply("250 OK");
        } else if command.starts_with("DATA") {
            reply("354 go on");
            for line in lines.by_ref() {
                let line = line.unwrap_or_default();
                if line == "." {
                    break;
                }
                mail.data.push_str(&line);
                mail.data.push('\n');
            }
            kept.lock().unwrap().push(mail.clone());
            mail = Mail {
                to: Vec::new(),
                data: String::new(),
            };
            reply("250 kept");
        } else if command.starts_with("QUIT") {
            reply("221 bye");
            return;
        } else {
            reply("250 OK");
        }
    }
}

/// The survey link in a message: its one address under `/f/`, without the opt-out one.
fn link_in(mail: &Mail, server: &str) -> String {
    let start = mail
        .data
        .find(&format!("{server}/f/"))
        .unwrap_or_else(|| panic!("a link in {}", mail.data));
    let link: String = mail.data[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    link.trim_end_matches("/berhenti").to_string()
}

fn answer_set() -> serde_json::Value {
    let mut answers = json!({"jenis_kelamin": "P", "umur": 29, "layanan": "KTP-el"});
    for unsur in 1..=9 {
        answers[format!("U{unsur}")] = json!(3);
    }
    json!({"id": Uuid::now_v7(), "answers": answers})
}

#[tokio::test]
async fn each_recipient_gets_one_message_with_a_link_of_their_own_that_takes_one_answer() {
    let server = ServerProcess::start();
    let sink = SmtpSink::start();
    last_line(&server.admin(&[
        "unit",
        "add",
        "U-CAPIL",
        "--name",
        "Disdukcapil",
        "--period",
        "2026-S2",
    ]));
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("penerima.csv");
    std::fs::write(
        &csv,
        "nama,no_hp,email,layanan,tanggal_layanan\n\
         Ani,,ani@contoh.id,KTP-el,28/11/2026\n\
         Budi,,budi@contoh.id,KTP-el,28/11/2026\n\
         Citra,0812-1111-2222,citra@contoh.id,Akta kelahiran,29/11/2026\n\
         Dodi,0813 3333 4444,,KTP-el,29/11/2026\n",
    )
    .unwrap();
    let outbox = dir.path().join("outbox.csv");
    let smtp = sink.url();
    let public = server.address.clone();
    let common = [
        "--unit",
        "U-CAPIL",
        "--public-url",
        public.as_str(),
        "--smtp-url",
        smtp.as_str(),
        "--smtp-from",
        "SKM Disdukcapil <skm@contoh.go.id>",
    ];
    let invited = server.admin(
        &[
            &["invite", "--csv", csv.to_str().unwrap(), "--send"][..],
            &["--outbox", outbox.to_str().unwrap()],
            &common,
        ]
        .concat(),
    );
    let summary = last_line(&invited);
    assert!(summary.contains("invited 4, sent 4"), "{summary}");

    // One message per e-mail address, each with its own link.
    let mails = sink.mails();
    let mut to: Vec<&str> = mails.iter().map(|m| m.to[0].as_str()).collect();
    to.sort_unstable();
    assert_eq!(to, ["ani@contoh.id", "budi@contoh.id", "citra@contoh.id"]);
    let links: Vec<String> = mails.iter().map(|m| link_in(m, &public)).collect();
    assert_eq!(
        links.iter().collect::<std::collections::HashSet<_>>().len(),
        3,
        "{links:?}"
    );
    // The phones are in the outbox, with the message and a wa.me link.
    let outbox = std::fs::read_to_string(&outbox).unwrap();
    assert!(outbox.starts_with("phone,message,whatsapp"), "{outbox}");
    assert!(outbox.contains("6281211112222") && outbox.contains("6281333334444"));
    assert!(
        outbox.contains("https://wa.me/6281333334444?text="),
        "{outbox}"
    );

    // Ani answers through her link; a second set through it is refused.
    let ani = &links[to.iter().position(|t| *t == "ani@contoh.id").unwrap()];
    let client = reqwest::Client::new();
    // The running server's follower takes the new unit's period moments after it is set.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let status = client.get(ani).send().await.unwrap().status();
        if status == StatusCode::OK {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the page answers {status}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let post = |body: serde_json::Value| {
        client
            .post(format!("{ani}/responses"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    assert_eq!(
        post(answer_set()).await.unwrap().status(),
        StatusCode::CREATED
    );
    let again = post(answer_set()).await.unwrap();
    assert_eq!(again.status(), StatusCode::GONE);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["code"], "link_used");

    // Budi asks to hear no more; the reminder goes to Citra's address only, once.
    let budi = &links[to.iter().position(|t| *t == "budi@contoh.id").unwrap()];
    let stop = client.get(format!("{budi}/berhenti")).send().await.unwrap();
    assert_eq!(stop.status(), StatusCode::OK);
    assert!(stop.text().await.unwrap().contains("tidak akan dihubungi"));
    let remind = [&["invite", "--remind-after", "0", "--send"][..], &common].concat();
    last_line(&server.admin(&remind));
    let reminders: Vec<Mail> = sink.mails().into_iter().skip(3).collect();
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert_eq!(reminders[0].to, ["citra@contoh.id"]);
    assert!(
        reminders[0].data.contains("Pengingat"),
        "{}",
        reminders[0].data
    );
    last_line(&server.admin(&remind));
    assert_eq!(sink.mails().len(), 4, "one reminder, never two");

    let listed = last_line(&server.admin(&[&["invite", "--list"][..], &common].concat()));
    assert!(
        listed.contains("opened 1, answered 1 (25.0 % of those sent), opted out 1"),
        "{listed}"
    );

    // Sending without a mail server is refused before anything is imported.
    let unsent = server.admin(&[
        "invite",
        "--unit",
        "U-CAPIL",
        "--csv",
        csv.to_str().unwrap(),
        "--send",
    ]);
    assert!(!unsent.status.success());
    assert!(String::from_utf8_lossy(&unsent.stderr).contains("smtp_url"));
    let listed = last_line(&server.admin(&[&["invite", "--list"][..], &common].concat()));
    assert!(listed.starts_with("invited 4,"), "{listed}");

    // A file with bad lines is refused by its lines, and nothing of it is stored.
    std::fs::write(
        &csv,
        "nama,no_hp,email\nEka,0812-5555-6666,\nFajar,12ab,\nGita,,gita(at)contoh\n",
    )
    .unwrap();
    let refused =
        server.admin(&[&["invite", "--csv", csv.to_str().unwrap()][..], &common].concat());
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("line 3") && stderr.contains("line 4"),
        "{stderr}"
    );
    assert!(!stderr.contains("line 2"), "{stderr}");
    let listed = last_line(&server.admin(&[&["invite", "--list"][..], &common].concat()));
    assert!(listed.starts_with("invited 4,"), "{listed}");
}
