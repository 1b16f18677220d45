//! Test harness: each test gets its own database (a temporary SQLite file, or
//! a fresh PostgreSQL database that is dropped afterwards) and its own server
//! on port 0. `CONCORD_TEST_DATABASE=postgres` runs the suite on PostgreSQL.

use concord::db::{Backend, Db};
use diesel::prelude::*;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};

pub const PASSWORD: &str = concord::demo::DEMO_PASSWORD;

pub fn backend() -> Backend {
    match std::env::var("CONCORD_TEST_DATABASE").as_deref() {
        Ok("postgres") | Ok("postgresql") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

fn postgres_admin_url() -> String {
    std::env::var("CONCORD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                let db = Db::connect(&url, 4).expect("open SQLite");
                db.migrate().expect("migrate SQLite");
                TestDb {
                    url,
                    db,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("concord_test_{}_{}", std::process::id(), rand_suffix());
                let mut admin = diesel::PgConnection::establish(&postgres_admin_url())
                    .expect("connect to PostgreSQL (is it running on 127.0.0.1:5432?)");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create test database");
                let base = postgres_admin_url();
                let url = format!(
                    "{}/{name}",
                    base.rsplit_once('/').map(|(b, _)| b).unwrap_or(&base)
                );
                let db = Db::connect(&url, 4).expect("open PostgreSQL");
                db.migrate().expect("migrate PostgreSQL");
                TestDb {
                    url,
                    db,
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut admin) = diesel::PgConnection::establish(&postgres_admin_url()) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{nanos}_{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A running Concord with the real reference data and the demo accounts.
pub struct TestApp {
    pub base: String,
    pub test_db: TestDb,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        let test_db = TestDb::new(backend());
        let db = test_db.db.clone();
        tokio::task::spawn_blocking(move || {
            concord::demo::load_with(&db, false).expect("demo data")
        })
        .await
        .unwrap();
        Self::serve(test_db).await
    }

    pub async fn serve(test_db: TestDb) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let state = concord::AppState::new(
            test_db.db.clone(),
            concord::config::Config::new(&base, None),
        );
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(concord::serve(state, listener, async move {
            let _ = rx.await;
        }));
        TestApp {
            base,
            test_db,
            _shutdown: tx,
        }
    }

    pub fn db(&self) -> &Db {
        &self.test_db.db
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> Browser {
        Browser {
            base: self.base.clone(),
            http: Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// A client signed in as one of the demo accounts.
    pub async fn signed_in(&self, email: &str) -> Browser {
        let b = self.client();
        let r = b.sign_in(email, PASSWORD).await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "sign-in as {email} failed"
        );
        b
    }

    /// An API token for a demo account, made through the account page.
    pub async fn token_for(&self, email: &str) -> String {
        let b = self.signed_in(email).await;
        let page = b.post_form("/account/tokens", &[("name", "test")]).await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        extract_between(&html, "id=\"new-token\">", "<").expect("token shown once on the page")
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

impl TestApp {
    /// A partnership led by Birmingham (lead@birmingham.example) with Leeds
    /// (lead@leeds.example) as an active partner. Returns its id.
    pub async fn partnership(&self, visibility: &str) -> i64 {
        let bir = self.signed_in("lead@birmingham.example").await;
        let form = partnership_form("Birmingham and Leeds revenues", visibility);
        let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = bir.post_form("/partnerships/new", &fields).await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "create partnership: {}",
            r.text().await.unwrap_or_default()
        );
        let id: i64 = r.headers()["location"]
            .to_str()
            .unwrap()
            .trim_start_matches("/partnerships/")
            .parse()
            .unwrap();
        let r = bir
            .post_form(
                &format!("/partnerships/{id}/members"),
                &[("organisation", "LDS"), ("role", "partner")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "invite Leeds");
        let lds = self.signed_in("lead@leeds.example").await;
        let r = lds
            .post_form(
                &format!("/partnerships/{id}/respond"),
                &[("answer", "accept")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "Leeds accepts");
        id
    }
}
