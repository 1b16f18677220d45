//! A partnership's history: every change to it and everything in it.

use diesel::prelude::*;

use crate::audit::AuditEntry;
use crate::db::schema::audit_log;
use crate::db::DbConn;
use crate::error::AppResult;

/// Changes to a partnership and everything in it, newest first.
pub fn history(conn: &mut DbConn, id: i64, limit: i64) -> AppResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .filter(audit_log::entity_type.eq("partnership"))
        .filter(audit_log::entity_id.eq(id.to_string()))
        .order(audit_log::id.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?)
}
