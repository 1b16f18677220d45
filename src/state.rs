//! What every request handler shares: the database, the settings and the metrics.

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub metrics: Metrics,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        AppState {
            db,
            config: Arc::new(config),
            metrics: Metrics::new(),
        }
    }
}
