//! Moments in time. The database stores them as UTC without a zone (both
//! backends' `TIMESTAMP`); [`Timestamp`] is such a moment that the API
//! writes as RFC 3339 with a `Z`, as its OpenAPI `date-time` format says.

use chrono::{NaiveDateTime, SecondsFormat};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types;

#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = sql_types::Timestamp)]
pub struct Timestamp(pub NaiveDateTime);

impl Timestamp {
    pub fn now() -> Timestamp {
        Timestamp(chrono::Utc::now().naive_utc())
    }

    /// "2026-11-30T00:24:26.589096Z".
    pub fn rfc3339(&self) -> String {
        self.0
            .and_utc()
            .to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

impl std::ops::Deref for Timestamp {
    type Target = NaiveDateTime;

    fn deref(&self) -> &NaiveDateTime {
        &self.0
    }
}

impl From<NaiveDateTime> for Timestamp {
    fn from(moment: NaiveDateTime) -> Timestamp {
        Timestamp(moment)
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.rfc3339())
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some("A moment in UTC, RFC 3339"))
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

impl<DB> FromSql<sql_types::Timestamp, DB> for Timestamp
where
    DB: Backend,
    NaiveDateTime: FromSql<sql_types::Timestamp, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        NaiveDateTime::from_sql(bytes).map(Timestamp)
    }
}

impl<DB> ToSql<sql_types::Timestamp, DB> for Timestamp
where
    DB: Backend,
    NaiveDateTime: ToSql<sql_types::Timestamp, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.0.to_sql(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_rfc3339_in_utc() {
        let t = Timestamp(
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
                .unwrap()
                .and_hms_nano_opt(0, 24, 26, 589_096_828)
                .unwrap(),
        );
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-11-30T00:24:26.589096Z\""
        );
        assert_eq!(
            t.format("%-d %b %Y").to_string(),
            "30 Nov 2026",
            "formats as a date for pages"
        );
    }
}
