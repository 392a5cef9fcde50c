//! Invitations by e-mail over the office's SMTP server (`smtp_url`, `smtp_from` in the
//! server's configuration): a short message in Bahasa Indonesia with English below it, the
//! recipient's own link, and a link to hear no more.

use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{Message, SmtpTransport, Transport};

use crate::invitations::Invitation;
use crate::{Error, Result};

/// How long one SMTP exchange may take before the send is given up.
const TIMEOUT: Duration = Duration::from_secs(30);

/// An SMTP connection's settings and the sender.
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl Mailer {
    /// `url` as lettre reads it: `smtps://user:password@host` (TLS), `smtp://host:587?tls=required`
    /// (STARTTLS), or `smtp://host:25` (plain, for a relay on the same network).
    pub fn new(url: &str, from: &str) -> Result<Mailer> {
        let transport = SmtpTransport::from_url(url)
            .map_err(|error| Error::Mail(format!("smtp_url is not an SMTP address: {error}")))?
            .timeout(Some(TIMEOUT))
            .build();
        let from = from.parse().map_err(|error| {
            Error::Mail(format!("smtp_from {from:?} is not an address: {error}"))
        })?;
        Ok(Mailer { transport, from })
    }

    /// Sends one invitation (or its reminder) to the recipient's address.
    pub fn send(
        &self,
        unit: &str,
        invitation: &Invitation,
        url: &str,
        reminder: bool,
    ) -> Result<()> {
        let Some(address) = &invitation.email else {
            return Ok(());
        };
        let to = Mailbox::new(
            Some(invitation.name.clone()),
            address
                .parse()
                .map_err(|error| Error::Mail(format!("{address:?} is not an address: {error}")))?,
        );
        let (subject, body) = letter(unit, invitation, url, reminder);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|error| Error::Mail(error.to_string()))?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|error| Error::Mail(format!("to {address}: {error}")))
    }
}

/// The subject and text of an invitation.
pub fn letter(unit: &str, invitation: &Invitation, url: &str, reminder: bool) -> (String, String) {
    let subject = if reminder {
        format!("Pengingat: Survei Kepuasan Masyarakat — {unit}")
    } else {
        format!("Survei Kepuasan Masyarakat — {unit}")
    };
    let service = invitation
        .service
        .as_deref()
        .map_or(String::new(), |s| format!(" {s}"));
    let body = format!(
        "Yth. {name},\n\n\
         Terima kasih telah menggunakan layanan{service} di {unit}. Kami ingin mengetahui \
         pendapat Anda: mohon isi survei kepuasan singkat ini (sekitar 3 menit, tanpa nama):\n\n\
         {url}\n\n\
         Tautan ini khusus untuk Anda dan dapat dipakai satu kali.\n\
         Tidak ingin dihubungi lagi? Buka {url}/berhenti\n\n\
         ---\n\
         Thank you for using{service} at {unit}. Please tell us what you think in this short \
         satisfaction survey (about 3 minutes, anonymous): {url}\n\
         To hear no more from us: {url}/berhenti\n",
        name = invitation.name,
    );
    (subject, body)
}
