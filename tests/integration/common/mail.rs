//! Email as a test sees it: messages parsed from `.eml` files or from the
//! wire, and a small SMTP server that can be told to refuse, fail or hang.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use mail_parser::MessageParser;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// One email, decoded.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: String,
    pub subject: String,
    /// Without the angle brackets.
    pub message_id: String,
    pub text: String,
    pub html: Option<String>,
    pub list_unsubscribe: Option<String>,
}

impl Received {
    pub fn parse(raw: &[u8]) -> Option<Received> {
        let m = MessageParser::default().parse(raw)?;
        let header = |name: &str| {
            m.header_raw(name).map(|v| {
                v.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
        };
        Some(Received {
            to: m
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_string(),
            subject: m.subject().unwrap_or_default().to_string(),
            message_id: m.message_id().unwrap_or_default().to_string(),
            text: m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            html: m.body_html(0).map(|t| t.into_owned()),
            list_unsubscribe: header("List-Unsubscribe"),
        })
    }
}

/// What the server answers to the next message's DATA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Accept,
    /// 451: try again later.
    Temporary,
    /// 550: this will never be delivered.
    Permanent,
    /// Read the message, then never answer: a sender that crashes now has
    /// sent it without knowing.
    Hang,
}

/// An SMTP server on 127.0.0.1 without TLS (`?tls=none`).
pub struct SmtpServer {
    pub port: u16,
    /// Answers for the coming messages, in order; `Accept` when empty.
    pub script: Arc<Mutex<VecDeque<Reply>>>,
    /// Every message that reached DATA, with the answer it got.
    pub seen: Arc<Mutex<Vec<(Reply, Received)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        Self::on(0).await
    }

    /// Listens on `port` (0: any free port).
    pub async fn on(port: u16) -> SmtpServer {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let script = Arc::new(Mutex::new(VecDeque::new()));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (s, n) = (script.clone(), seen.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, s.clone(), n.clone()));
            }
        });
        SmtpServer {
            port,
            script,
            seen,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    pub fn then(&self, replies: &[Reply]) {
        self.script.lock().unwrap().extend(replies);
    }

    /// The messages accepted (answered 250).
    pub fn accepted(&self) -> Vec<Received> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(r, _)| *r == Reply::Accept)
            .map(|(_, m)| m.clone())
            .collect()
    }

    pub fn attempts(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Stops listening, as a server that has gone down.
    pub fn stop(self) -> u16 {
        self.task.abort();
        self.port
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    script: Arc<Mutex<VecDeque<Reply>>>,
    seen: Arc<Mutex<Vec<(Reply, Received)>>>,
) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let _ = write.write_all(b"220 test.example ESMTP\r\n").await;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" => b"250-test.example\r\n250 8BITMIME\r\n",
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                let _ = write.write_all(b"221 Bye\r\n").await;
                return;
            }
            "DATA" => {
                let _ = write.write_all(b"354 Go ahead\r\n").await;
                let mut raw = Vec::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    raw.extend_from_slice(line.strip_prefix('.').unwrap_or(&line).as_bytes());
                }
                let reply = script.lock().unwrap().pop_front().unwrap_or(Reply::Accept);
                if let Some(m) = Received::parse(&raw) {
                    seen.lock().unwrap().push((reply, m));
                }
                match reply {
                    Reply::Accept => b"250 Queued\r\n",
                    Reply::Temporary => b"451 Try again later\r\n",
                    Reply::Permanent => b"550 No such mailbox\r\n",
                    Reply::Hang => {
                        // Keep the connection open and silent until the client goes.
                        let mut rest = Vec::new();
                        let _ = tokio::io::AsyncReadExt::read_to_end(&mut lines, &mut rest).await;
                        return;
                    }
                }
            }
            _ => b"502 Not implemented\r\n",
        };
        if write.write_all(answer).await.is_err() {
            return;
        }
    }
}
