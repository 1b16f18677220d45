//! The SWOT board's vocabulary, what is shown of an item, what can be asked
//! of the board (an item as given, and once checked), and the pure rules
//! behind it: ranking by votes and who may delete an item. Each rule about
//! an item is worded here and nowhere else.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::SessionUser;
use crate::error::FieldError;
use crate::policy::{Actor, Relation};
use crate::text;
use crate::web::forms;

crate::vocab::vocabulary!(
    /// The four quadrants of a SWOT board.
    Quadrant {
        Strengths = "strengths": "Strengths",
        Weaknesses = "weaknesses": "Weaknesses",
        Opportunities = "opportunities": "Opportunities",
        Threats = "threats": "Threats",
    }
);

impl Quadrant {
    /// One item of the quadrant, for labels and messages: "strength".
    pub fn singular(self) -> &'static str {
        match self {
            Quadrant::Strengths => "strength",
            Quadrant::Weaknesses => "weakness",
            Quadrant::Opportunities => "opportunity",
            Quadrant::Threats => "threat",
        }
    }

    /// With its article: "a strength", "an opportunity".
    pub fn one(self) -> &'static str {
        match self {
            Quadrant::Strengths => "a strength",
            Quadrant::Weaknesses => "a weakness",
            Quadrant::Opportunities => "an opportunity",
            Quadrant::Threats => "a threat",
        }
    }

    /// The add form's label: "Add a strength".
    pub fn add_label(self) -> String {
        format!("Add {}", self.one())
    }
}

/// An item with its votes, as seen by one person.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct SwotItem {
    pub id: i64,
    pub quadrant: Quadrant,
    pub text: String,
    /// The organisation of the person who added it.
    pub organisation_code: String,
    pub organisation_name: String,
    pub created_at: crate::time::Timestamp,
    pub votes: i64,
    /// Whether the caller has voted for it.
    pub voted: bool,
    /// Whether the caller may delete it: its organisation's people, or anyone from the lead organisation.
    pub can_delete: bool,
}

impl SwotItem {
    /// "1 vote", "3 votes".
    pub fn votes_label(&self) -> String {
        if self.votes == 1 {
            "1 vote".into()
        } else {
            format!("{} votes", self.votes)
        }
    }

    /// The start of the text, to tell screen reader users which item a button is for.
    pub fn short(&self) -> String {
        const MAX: usize = 60;
        if self.text.chars().count() <= MAX {
            self.text.clone()
        } else {
            format!(
                "{}…",
                self.text.chars().take(MAX).collect::<String>().trim_end()
            )
        }
    }
}

/// Every item on a partnership's board, most votes first, then oldest first.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct SwotBoard {
    pub items: Vec<SwotItem>,
}

/// Most votes first; among equals, the oldest first (then by id, so the
/// order is stable). This is the summary by votes.
pub fn rank(items: &mut [SwotItem]) {
    items.sort_by(|a, b| {
        b.votes
            .cmp(&a.votes)
            .then(a.created_at.cmp(&b.created_at))
            .then(a.id.cmp(&b.id))
    });
}

/// Who is looking at the board: their votes are marked, and what they may
/// delete. Nobody signed in sees no votes of theirs and may delete nothing.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub actor: Option<Actor>,
    pub rel: Relation,
}

impl Viewer {
    pub fn of(person: Option<&SessionUser>, rel: Relation) -> Viewer {
        Viewer {
            actor: person.map(SessionUser::actor),
            rel,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.actor.as_ref().map(|a| a.user_id)
    }

    /// An item is its organisation's: that organisation's people, or
    /// anyone from the lead organisation, may delete it, as long as their
    /// organisation may still change the partnership (the policy's
    /// `ChangeOrganisationsRecord`).
    pub fn may_delete(&self, organisation_id: i64) -> bool {
        crate::partnerships::owned::may(self.actor.as_ref(), self.rel, organisation_id)
    }
}

/// A new item, as typed or sent as JSON.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
pub struct SwotDraft {
    /// `strengths`, `weaknesses`, `opportunities` or `threats`.
    #[serde(default)]
    #[schema(value_type = Quadrant)]
    pub quadrant: String,
    /// The item, up to 500 characters.
    #[serde(default)]
    pub text: String,
}

/// A new item once checked: the only thing the store accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwotInput {
    pub quadrant: Quadrant,
    /// Trimmed; line breaks kept (as `\n`).
    pub text: String,
}

/// The longest an item may be, in characters.
pub const MAX_TEXT: usize = 500;

/// The fields in the order of the form, for listing errors. The page
/// renames `text` after the quadrant whose form was sent (`text-strengths`).
pub const FIELD_ORDER: [&str; 2] = ["quadrant", "text"];

impl SwotInput {
    /// Every rule about a new item, worded once; all problems at once.
    pub fn parse(draft: &SwotDraft) -> Result<SwotInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let quadrant = Quadrant::parse(&draft.quadrant);
        if quadrant.is_none() {
            errors.push(FieldError::new(
                "quadrant",
                "Choose a quadrant: strengths, weaknesses, opportunities or threats",
            ));
        }
        let (one, word) = quadrant
            .map(|q| (q.one(), q.singular()))
            .unwrap_or(("the item", "item"));
        let mut chars = word.chars();
        let label: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        // Browsers send line breaks as CRLF; count each once, as the character count on the page does.
        let typed = draft.text.replace("\r\n", "\n");
        let text = forms::keep(
            &mut errors,
            text::paragraph("text", &label, &typed, MAX_TEXT),
        );
        if text.as_deref() == Some("") {
            errors.push(FieldError::new("text", format!("Enter {one}")));
        }
        match (quadrant, text) {
            (Some(quadrant), Some(text)) if errors.is_empty() => Ok(SwotInput { quadrant, text }),
            _ => {
                forms::in_field_order(&mut errors, &FIELD_ORDER);
                Err(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partnerships::model::{MemberRole, Visibility};
    use crate::policy::Role;

    #[test]
    fn labels_read_naturally() {
        assert_eq!(Quadrant::Strengths.add_label(), "Add a strength");
        assert_eq!(Quadrant::Opportunities.add_label(), "Add an opportunity");
        assert_eq!(Quadrant::parse("threats"), Some(Quadrant::Threats));
        assert_eq!(Quadrant::parse("Threats"), None, "codes are exact");
    }

    fn draft(quadrant: &str, text: &str) -> SwotDraft {
        SwotDraft {
            quadrant: quadrant.into(),
            text: text.into(),
        }
    }

    fn messages(r: Result<SwotInput, Vec<FieldError>>) -> Vec<(String, String)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn validation_names_the_quadrant_and_the_limit() {
        assert_eq!(
            SwotInput::parse(&draft("threats", "  Staff turnover \r\n")),
            Ok(SwotInput {
                quadrant: Quadrant::Threats,
                text: "Staff turnover".to_string()
            })
        );
        assert_eq!(
            SwotInput::parse(&draft("strengths", "one\r\ntwo")).map(|i| i.text),
            Ok("one\ntwo".to_string()),
            "line breaks are kept"
        );
        assert_eq!(
            messages(SwotInput::parse(&draft("opportunities", "   "))),
            vec![("text".into(), "Enter an opportunity".into())]
        );
        let long = "x".repeat(501);
        assert_eq!(
            messages(SwotInput::parse(&draft("weaknesses", &long))),
            vec![(
                "text".into(),
                "Weakness must be 500 characters or fewer".into()
            )]
        );
        assert!(
            SwotInput::parse(&draft("strengths", &"é".repeat(500))).is_ok(),
            "characters, not bytes"
        );
        // 250 lines of "x" with CRLF breaks are 499 characters once the breaks count as one.
        assert!(SwotInput::parse(&draft("strengths", &vec!["x"; 250].join("\r\n"))).is_ok());
        assert_eq!(
            messages(SwotInput::parse(&draft("picnic", ""))),
            vec![
                (
                    "quadrant".into(),
                    "Choose a quadrant: strengths, weaknesses, opportunities or threats".into()
                ),
                ("text".into(), "Enter the item".into())
            ]
        );
        assert_eq!(
            messages(SwotInput::parse(&draft("threats", "bell\u{7}"))),
            vec![(
                "text".into(),
                "Threat must not contain control characters".into()
            )]
        );
    }

    fn item(id: i64, votes: i64, minute: u32) -> SwotItem {
        let created_at = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(9, minute, 0)
            .unwrap();
        SwotItem {
            id,
            quadrant: Quadrant::Strengths,
            text: String::new(),
            organisation_code: String::new(),
            organisation_name: String::new(),
            created_at: created_at.into(),
            votes,
            voted: false,
            can_delete: false,
        }
    }

    #[test]
    fn ranking_is_by_votes_then_oldest_first() {
        let mut items = vec![
            item(1, 0, 1),
            item(2, 2, 5),
            item(3, 2, 3),
            item(4, 5, 9),
            item(5, 0, 1),
        ];
        rank(&mut items);
        assert_eq!(
            items.iter().map(|i| i.id).collect::<Vec<_>>(),
            vec![4, 3, 2, 1, 5]
        );
    }

    #[test]
    fn its_organisation_or_the_lead_may_delete_but_not_observers() {
        let me = Actor {
            user_id: 7,
            organisation_id: 2,
            role: Role::Member,
        };
        let viewer = |role| Viewer {
            actor: Some(me.clone()),
            rel: Relation {
                visibility: Visibility::Partners,
                role,
                invited: false,
            },
        };
        assert!(
            viewer(Some(MemberRole::Partner)).may_delete(2),
            "my organisation's item, whoever of us added it"
        );
        assert!(
            !viewer(Some(MemberRole::Partner)).may_delete(3),
            "another organisation's"
        );
        assert!(
            viewer(Some(MemberRole::Lead)).may_delete(3),
            "the lead tidies the board"
        );
        assert!(
            !viewer(Some(MemberRole::Observer)).may_delete(2),
            "observers only watch"
        );
        let left = Viewer {
            actor: Some(me.clone()),
            rel: Relation {
                visibility: Visibility::Public,
                role: None,
                invited: false,
            },
        };
        assert!(!left.may_delete(2), "after leaving");
        let nobody = Viewer {
            actor: None,
            rel: Relation {
                visibility: Visibility::Public,
                role: Some(MemberRole::Lead),
                invited: false,
            },
        };
        assert!(!nobody.may_delete(2));
    }
}
