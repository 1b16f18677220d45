//! Closed lists of values ("vocabularies") stored as text: one declaration
//! gives the enum, its codes and labels, JSON and OpenAPI, and the mapping to
//! and from the database column. A stored value that is not in the list is
//! an error when it is read, never silently another value.

/// Declares a vocabulary: `Name { Variant = "code": "Label", ... }`.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:tt : $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// (code, label) pairs for a form's options.
            pub fn options() -> Vec<(&'static str, &'static str)> {
                Self::ALL.iter().map(|v| (v.code(), v.label())).collect()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        $crate::vocab::stored_as_text!($name);
    };
}

/// Maps a type with `code()` and `parse()` to a text column on every backend.
macro_rules! stored_as_text {
    ($name:ident) => {
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                self.code().to_sql(out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                $name::parse(&text).ok_or_else(|| {
                    format!(
                        "{text:?} is not a known {} in the database",
                        stringify!($name)
                    )
                    .into()
                })
            }
        }
    };
}

pub(crate) use stored_as_text;
pub(crate) use vocabulary;

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    crate::vocab::vocabulary!(
        /// A test vocabulary.
        Colour {
            Red = "red": "Red",
            DarkBlue = "dark_blue": "Dark blue",
        }
    );

    #[test]
    fn codes_labels_and_parsing_agree() {
        assert_eq!(Colour::DarkBlue.code(), "dark_blue");
        assert_eq!(Colour::DarkBlue.label(), "Dark blue");
        assert_eq!(Colour::parse("red"), Some(Colour::Red));
        assert_eq!(Colour::parse("Red"), None);
        assert_eq!(
            serde_json::to_string(&Colour::DarkBlue).unwrap(),
            "\"dark_blue\""
        );
    }

    #[test]
    fn an_unknown_stored_value_is_an_error_not_a_default() {
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        let ok: Colour = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("'dark_blue'"))
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(ok, Colour::DarkBlue);
        let stored: Result<Colour, _> =
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("'purple'"))
                .get_result(&mut conn);
        // The field error wraps ours; walk the chain to find what it says.
        let error = stored.unwrap_err();
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(inner) = source {
            message.push_str(&format!(": {inner}"));
            source = inner.source();
        }
        assert!(
            message.contains("\"purple\" is not a known Colour"),
            "{message}"
        );
        let written: String = diesel::select(Colour::Red.into_sql::<diesel::sql_types::Text>())
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(written, "red");
    }
}
