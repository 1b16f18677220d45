//! A running Concord for a test, and clients that talk to it as a browser
//! or an API caller would.

use concord::db::Db;
use diesel::prelude::*;

use super::db::{backend, TestDb};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};

pub const PASSWORD: &str = concord::demo::DEMO_PASSWORD;

/// A running Concord with the real reference data and the demo accounts.
pub struct TestApp {
    pub base: String,
    pub test_db: TestDb,
    /// Where the server writes the email it sends (as `.eml` files).
    pub mail_dir: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    /// A server on a fresh database with the reference data and demo accounts.
    pub async fn with_reference_data() -> TestApp {
        let test_db = tokio::task::spawn_blocking(|| TestDb::with_reference_data(backend()))
            .await
            .unwrap();
        Self::serve(test_db).await
    }

    pub async fn serve(test_db: TestDb) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let mail_dir = tempfile::tempdir().expect("a mail folder");
        let mut config = concord::config::Config::new(&base, Some(mail_dir.path().to_path_buf()));
        // Tests play clients at different addresses through X-Forwarded-For.
        config.trust_forwarded_for = true;
        let state = concord::AppState::new(test_db.db.clone(), config);
        // Only the sender: tests run jobs (reminders, digests) when they choose.
        concord::start_sender(&state).expect("the email sender starts");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(concord::serve(state, listener, async move {
            let _ = rx.await;
        }));
        TestApp {
            base,
            test_db,
            mail_dir,
            _shutdown: tx,
        }
    }

    /// The plain-text body of the first email sent to `to`, waiting up to
    /// 10 seconds for the outbox to send it.
    pub async fn mail_to(&self, to: &str) -> String {
        for _ in 0..100 {
            if let Some(message) = self.mails().into_iter().find(|m| m.to == to) {
                return message.text;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no email to {to} within 10 seconds");
    }

    /// The first email to `to` whose subject contains `words`, waiting up
    /// to 10 seconds.
    pub async fn mail_about(&self, to: &str, words: &str) -> super::mail::Received {
        for _ in 0..100 {
            if let Some(m) = self
                .mails()
                .into_iter()
                .find(|m| m.to == to && m.subject.contains(words))
            {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no email to {to} about '{words}' within 10 seconds");
    }

    /// Every email written so far, oldest first.
    pub fn mails(&self) -> Vec<super::mail::Received> {
        let mut files: Vec<_> = std::fs::read_dir(self.mail_dir.path())
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .filter_map(|f| std::fs::read(f).ok())
            .filter_map(|raw| super::mail::Received::parse(&raw))
            .collect()
    }

    pub fn db(&self) -> &Db {
        &self.test_db.db
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        Browser {
            base: self.base.clone(),
            http: Client::builder()
                .cookie_provider(jar.clone())
                .redirect(Policy::none())
                .build()
                .unwrap(),
            jar,
        }
    }

    /// A client signed in as a demo account. The session is made through the
    /// session store, as signing in would make it, without hashing a password
    /// (the accounts tests sign in through the form).
    pub async fn signed_in(&self, email: &str) -> Browser {
        let b = self.client();
        let secret = self.session_for(email);
        let url: reqwest::Url = self.base.parse().unwrap();
        b.jar.add_cookie_str(
            &format!(
                "{}={secret}; Path=/",
                concord::auth::session::SESSION_COOKIE
            ),
            &url,
        );
        b
    }

    /// A new session's secret for a demo account.
    fn session_for(&self, email: &str) -> String {
        let email = email.to_string();
        self.db()
            .write_blocking(move |c| {
                use concord::db::schema::users;
                let id: i64 = users::table
                    .filter(users::email.eq(&email))
                    .select(users::id)
                    .first(c)?;
                concord::auth::session::create(c, id, "test")
            })
            .expect("a session for a demo account")
    }

    /// An API token for a demo account, made through the token store.
    pub async fn token_for(&self, email: &str) -> String {
        let secret = self.session_for(email);
        self.db()
            .write_blocking(move |c| {
                let hash = concord::auth::hash_token(&secret);
                let (user, _) = concord::auth::session::load_user(c, &hash)?
                    .ok_or(concord::error::AppError::NotFound)?;
                concord::auth::tokens::create(c, &user, "test")
            })
            .expect("an API token for a demo account")
    }

    pub fn api(&self) -> Api {
        Api {
            base: self.base.clone(),
            http: Client::builder().redirect(Policy::none()).build().unwrap(),
            token: None,
        }
    }

    pub async fn api_as(&self, email: &str) -> Api {
        let token = self.token_for(email).await;
        Api {
            token: Some(token),
            ..self.api()
        }
    }

    pub fn count(&self, sql_table: &str) -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let sql = format!("SELECT COUNT(*) AS n FROM {sql_table}");
        self.db()
            .read_blocking(|c| Ok(diesel::sql_query(&sql).get_result::<N>(c)?.n))
            .unwrap()
    }
}

pub fn extract_between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(text[from..to].to_string())
}

pub struct Browser {
    pub base: String,
    pub http: Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
}

impl Browser {
    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        (r.status(), r.text().await.unwrap())
    }

    /// The CSRF token the server expects from this client's forms.
    pub async fn csrf(&self) -> String {
        let html = self.get("/sign-in").await.text().await.unwrap();
        let html = if html.contains("csrf_token") {
            html
        } else {
            self.get("/account").await.text().await.unwrap()
        };
        extract_between(&html, "name=\"csrf_token\" value=\"", "\"")
            .expect("a CSRF token in the page")
    }

    /// Submits a form the way a browser does, with the CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.http
            .post(format!("{}{path}", self.base))
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_form_without_csrf(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.http
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Puts a cookie in this browser's jar, as a server once set it.
    pub fn add_cookie(&self, cookie: &str, url: &reqwest::Url) {
        self.jar.add_cookie_str(cookie, url);
    }

    /// Uploads a CSV file as the `file` field, the CSRF field first as a browser sends it.
    pub async fn upload(&self, path: &str, csv: &str) -> Response {
        let token = self.csrf().await;
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", token)
            .part(
                "file",
                reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("upload.csv"),
            );
        self.http
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.post_form("/sign-in", &[("email", email), ("password", password)])
            .await
    }
}

pub struct Api {
    pub base: String,
    pub http: Client,
    pub token: Option<String>,
}

impl Api {
    fn auth(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, serde_json::Value, String) {
        let r = self
            .auth(self.http.get(format!("{}{path}", self.base)))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let content_type = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = r.json().await.unwrap_or(serde_json::Value::Null);
        (status, body, content_type)
    }

    /// Any method, for PUT, PATCH and DELETE; returns status and JSON body (null if none).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (StatusCode, serde_json::Value) {
        let mut rb = self.auth(self.http.request(method, format!("{}{path}", self.base)));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn post(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> (StatusCode, serde_json::Value, String) {
        let r = self
            .auth(self.http.post(format!("{}{path}", self.base)))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let content_type = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = r.json().await.unwrap_or(serde_json::Value::Null);
        (status, body, content_type)
    }
}

/// The form fields for a new partnership; tests override what they need.
pub fn partnership_form(name: &str, visibility: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_string()),
        (
            "purpose",
            "Share a revenues and benefits service".to_string(),
        ),
        ("kind", "shared_service".to_string()),
        ("degree", "collaborating".to_string()),
        ("stage", "5".to_string()),
        ("status", "active".to_string()),
        ("visibility", visibility.to_string()),
        ("start_date_day", "1".to_string()),
        ("start_date_month", "4".to_string()),
        ("start_date_year", "2025".to_string()),
        ("services", "524".to_string()),
        ("review_cadence_months", "12".to_string()),
    ]
}
