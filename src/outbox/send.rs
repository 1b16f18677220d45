//! Sending: by SMTP (lettre) when a server is configured, otherwise to the
//! log and, if set, a folder of `.eml` files for development.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{Message, SmtpTransport, Transport as _};

use super::{deliver_due, Attempt, Claimed};
use crate::db::Db;

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    Smtp(SmtpTransport),
    /// The log, and `.eml` files in the folder if one is given.
    Folder(Option<PathBuf>),
}

/// Sends claimed messages from one address.
#[derive(Clone)]
pub struct Sender {
    transport: Transport,
    from: Mailbox,
    /// How long a claim lasts before another sender may take the message.
    lease: chrono::Duration,
}

impl Sender {
    /// `smtp_url`: `smtp://user:pass@host:587` (STARTTLS, required),
    /// `smtps://user:pass@host:465` (TLS from the start), or
    /// `smtp://host:25?tls=none` for a relay on a trusted network. Without
    /// one, mail goes to the log and `mail_dir`.
    pub fn new(
        smtp_url: Option<&str>,
        mail_dir: Option<PathBuf>,
        from: &str,
        lease: StdDuration,
    ) -> anyhow::Result<Sender> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("--mail-from '{from}' is not an email address: {e}"))?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(smtp_transport(url)?),
            None => Transport::Folder(mail_dir),
        };
        Ok(Sender {
            transport,
            from,
            lease: chrono::Duration::from_std(lease)?,
        })
    }

    pub fn lease(&self) -> chrono::Duration {
        self.lease
    }

    /// The full `Message-ID` of a message: its stored part and our domain.
    pub fn message_id(&self, m: &Claimed) -> String {
        format!("<{}@{}>", m.message_id, self.from.email.domain())
    }

    /// Builds the message as it goes on the wire.
    pub fn build(&self, m: &Claimed) -> Result<Message, String> {
        let to: Mailbox = m
            .recipient
            .parse()
            .map_err(|e| format!("'{}' is not an email address: {e}", m.recipient))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&m.subject)
            .message_id(Some(self.message_id(m)))
            .raw_header(header(
                "List-Id",
                format!(
                    "Concord notifications <notifications.{}>",
                    self.from.email.domain()
                ),
            ));
        if !m.unsubscribe.is_empty() {
            builder = builder
                .raw_header(header("List-Unsubscribe", format!("<{}>", m.unsubscribe)))
                .raw_header(header(
                    "List-Unsubscribe-Post",
                    "List-Unsubscribe=One-Click".to_string(),
                ));
        }
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(m.text.clone());
        let message = if m.html.is_empty() {
            builder.singlepart(text)
        } else {
            builder.multipart(
                MultiPart::alternative().singlepart(text).singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(m.html.clone()),
                ),
            )
        };
        message.map_err(|e| e.to_string())
    }

    /// One attempt to send one message.
    pub fn send(&self, m: &Claimed) -> Attempt {
        let message = match self.build(m) {
            Ok(message) => message,
            Err(e) => return Attempt::Permanent(e),
        };
        match &self.transport {
            Transport::Smtp(smtp) => match smtp.send(&message) {
                Ok(_) => Attempt::Sent,
                Err(e) if e.is_permanent() => Attempt::Permanent(e.to_string()),
                Err(e) => Attempt::Temporary(e.to_string()),
            },
            Transport::Folder(dir) => {
                // Messages carry secrets (invitation links): the log says who
                // and what, never the text.
                tracing::info!(to = %m.recipient, subject = %m.subject, "email written");
                if let Some(dir) = dir {
                    let written = std::fs::create_dir_all(dir).and_then(|()| {
                        std::fs::write(dir.join(format!("{:06}.eml", m.id)), message.formatted())
                    });
                    if let Err(e) = written {
                        return Attempt::Temporary(format!(
                            "cannot write to {}: {e}",
                            dir.display()
                        ));
                    }
                }
                Attempt::Sent
            }
        }
    }
}

fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

fn smtp_transport(url: &str) -> anyhow::Result<SmtpTransport> {
    let mut parsed =
        url::Url::parse(url).map_err(|e| anyhow::anyhow!("--smtp-url is not a URL: {e}"))?;
    // Plain `smtp://` means STARTTLS, required: a password never goes in the clear.
    let tls = parsed
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    match (parsed.scheme(), tls.as_deref()) {
        ("smtp", None) => {
            parsed.query_pairs_mut().append_pair("tls", "required");
        }
        ("smtp", Some("none")) => parsed.set_query(None),
        ("smtp", Some("required" | "opportunistic")) | ("smtps", _) => {}
        (scheme, tls) => anyhow::bail!(
            "--smtp-url must be smtp://… (STARTTLS; add ?tls=none only for a trusted local relay) or smtps://…, not {scheme} with tls={tls:?}"
        ),
    }
    Ok(SmtpTransport::from_url(parsed.as_str())
        .map_err(|e| anyhow::anyhow!("--smtp-url: {e}"))?
        .timeout(Some(StdDuration::from_secs(20)))
        .build())
}

/// Sends what is due every `every` until the process stops.
pub fn spawn_sender(db: Db, sender: Arc<Sender>, every: StdDuration) {
    tokio::spawn(async move {
        loop {
            let (d, s) = (db.clone(), sender.clone());
            match tokio::task::spawn_blocking(move || deliver_due(&d, &s, crate::db::now())).await {
                Ok(Err(e)) => tracing::warn!(error = %e, "outbox could not be read"),
                Err(e) => tracing::warn!(error = %e, "outbox sender stopped unexpectedly"),
                Ok(Ok(_)) => {}
            }
            tokio::time::sleep(every).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claimed(unsubscribe: &str, html: &str) -> Claimed {
        Claimed {
            id: 7,
            recipient: "kerra@cornwall.example".into(),
            subject: "Review due".into(),
            text: "The review is due.".into(),
            html: html.into(),
            unsubscribe: unsubscribe.into(),
            message_id: "abc123".into(),
            attempts: 1,
        }
    }

    #[test]
    fn messages_carry_their_id_list_headers_and_both_parts() {
        let sender = Sender::new(
            None,
            None,
            "Concord <no-reply@concord.example>",
            StdDuration::from_secs(60),
        )
        .unwrap();
        let wire = String::from_utf8(
            sender
                .build(&claimed(
                    "https://concord.example/unsubscribe/t0k",
                    "<p>The review is due.</p>",
                ))
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(
            wire.contains("Message-ID: <abc123@concord.example>"),
            "{wire}"
        );
        assert!(wire.contains("List-Id: Concord notifications <notifications.concord.example>"));
        assert!(wire.contains("List-Unsubscribe: <https://concord.example/unsubscribe/t0k>"));
        assert!(wire.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(wire.contains("multipart/alternative") && wire.contains("text/html"));
        let plain = String::from_utf8(sender.build(&claimed("", "")).unwrap().formatted()).unwrap();
        assert!(!plain.contains("List-Unsubscribe") && !plain.contains("multipart"));
    }

    #[test]
    fn smtp_urls_require_tls_unless_told_otherwise() {
        assert!(smtp_transport("smtp://u:p@mail.example:587").is_ok());
        assert!(smtp_transport("smtps://u:p@mail.example").is_ok());
        assert!(smtp_transport("smtp://127.0.0.1:2525?tls=none").is_ok());
        assert!(smtp_transport("http://mail.example").is_err());
        assert!(smtp_transport("smtp://mail.example?tls=maybe").is_err());
    }
}
