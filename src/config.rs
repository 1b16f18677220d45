//! Settings for a running server. Every one can also be set by a `CONCORD_*`
//! environment variable (see `concord serve --help`).

use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    /// Base URL people use to reach this server, for links in emails.
    pub public_url: String,
    /// Without an SMTP server, outgoing email is also written here as `.eml` files.
    pub mail_dir: Option<PathBuf>,
    /// SMTP server URL; without one, email goes to the log and `mail_dir`.
    pub smtp_url: Option<String>,
    /// The From address of Concord's email.
    pub mail_from: String,
    /// How long a sender holds a claimed message before another may send it.
    pub mail_lease: std::time::Duration,
    /// Mark cookies Secure. On by default when the public URL is https.
    pub secure_cookies: bool,
    /// Take the client's address from `X-Forwarded-For` (behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// How long requests in flight may take to finish once shutdown starts.
    pub shutdown_timeout: std::time::Duration,
}

impl Config {
    pub fn new(public_url: &str, mail_dir: Option<PathBuf>) -> Config {
        let public_url = public_url.trim_end_matches('/').to_string();
        Config {
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            mail_dir,
            smtp_url: None,
            mail_from: "Concord <no-reply@concord.localhost>".to_string(),
            mail_lease: std::time::Duration::from_secs(300),
            trust_forwarded_for: false,
            shutdown_timeout: std::time::Duration::from_secs(20),
        }
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}
