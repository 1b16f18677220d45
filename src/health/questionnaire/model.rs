//! What a questionnaire looks like to the pages and the API.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::text;

/// One statement to score 1 (strongly disagree) to 5 (strongly agree).
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct StatementView {
    pub id: i64,
    pub text: String,
}

/// A factor of partnership health, with its statements in order.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct FactorView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub statements: Vec<StatementView>,
}

/// A questionnaire and its latest published version.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct QuestionnaireView {
    pub id: i64,
    /// The organisation that owns it; none for Concord's own.
    pub organisation_id: Option<i64>,
    pub name: String,
    /// The latest published version's number and id.
    pub version: i32,
    pub version_id: i64,
    pub published_at: crate::time::Timestamp,
    pub factors: Vec<FactorView>,
}

/// A factor as an admin writes it for a new version.
#[derive(Clone, Debug)]
pub struct FactorInput {
    pub code: String,
    pub name: String,
    pub description: String,
    pub statements: Vec<String>,
}

/// The scale, for pages: (score, label).
pub const SCALE: [(i32, &str); 5] = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
];

// ---------------------------------------------------------------- versions

/// One published version of a questionnaire, with its factors.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct VersionView {
    pub id: i64,
    pub questionnaire_id: i64,
    /// 1 for the first version, then 2, 3, ...
    pub version: i32,
    pub published_at: crate::time::Timestamp,
    /// Who published it (none for Concord's own first version).
    pub published_by: Option<String>,
    /// How many health check rounds use this version.
    pub rounds: i64,
    pub factors: Vec<FactorView>,
}

/// A questionnaire with every version, newest first.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct QuestionnaireDetail {
    pub id: i64,
    /// The organisation that owns it; none for Concord's own.
    pub organisation_id: Option<i64>,
    /// The owner's name ("Concord" for Concord's own).
    pub owner: String,
    pub name: String,
    pub created_at: crate::time::Timestamp,
    /// Newest first; the first is the one new rounds use.
    pub versions: Vec<VersionView>,
}

// ---------------------------------------------------------------- drafts

/// The most factors a questionnaire has, and statements a factor has.
pub const MAX_FACTORS: usize = 30;
pub const MAX_STATEMENTS: usize = 20;

/// A factor as given.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactorDraft {
    /// The factor's name, e.g. "Trust"; each factor's name is its own.
    pub name: String,
    /// What the factor is about (optional).
    #[serde(default)]
    pub description: String,
    /// The statements people score 1 (strongly disagree) to 5 (strongly
    /// agree), in order; at least one.
    #[serde(default)]
    pub statements: Vec<String>,
}

/// A new questionnaire, with its first version.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireDraft {
    pub name: String,
    #[serde(default)]
    pub factors: Vec<FactorDraft>,
}

/// The next version of a questionnaire: all of its factors, as they will be.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionDraft {
    #[serde(default)]
    pub factors: Vec<FactorDraft>,
}

/// Where a rule found a problem, so the API can name the property and the
/// page the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Name,
    Factors,
    FactorName(usize),
    FactorDescription(usize),
    /// The factor's statements as a whole (none, too many).
    FactorStatements(usize),
    Statement(usize, usize),
}

impl Place {
    /// The JSON property at fault.
    pub fn field(self) -> String {
        match self {
            Place::Name => "name".into(),
            Place::Factors => "factors".into(),
            Place::FactorName(i) => format!("factors[{i}].name"),
            Place::FactorDescription(i) => format!("factors[{i}].description"),
            Place::FactorStatements(i) => format!("factors[{i}].statements"),
            Place::Statement(i, j) => format!("factors[{i}].statements[{j}]"),
        }
    }
}

/// One problem a rule found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub place: Place,
    pub message: String,
}

/// The problems as the API's field errors.
pub fn field_errors(problems: Vec<Problem>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|p| FieldError::new(&p.place.field(), p.message))
        .collect()
}

/// A questionnaire's factors, checked (codes assigned by the store).
#[derive(Clone, Debug)]
pub struct FactorsInput {
    pub factors: Vec<FactorInput>,
}

/// A new questionnaire, checked.
#[derive(Clone, Debug)]
pub struct QuestionnaireInput {
    pub name: String,
    pub factors: Vec<FactorInput>,
}

impl FactorsInput {
    /// Every factor has its own name and at least one statement; every
    /// statement has words and appears once in its factor.
    pub fn parse(factors: &[FactorDraft]) -> Result<FactorsInput, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut say = |place: Place, message: String| problems.push(Problem { place, message });
        if factors.is_empty() {
            say(
                Place::Factors,
                "Add at least one factor, with at least one statement".into(),
            );
        }
        if factors.len() > MAX_FACTORS {
            say(
                Place::Factors,
                format!("A questionnaire has at most {MAX_FACTORS} factors"),
            );
        }
        let mut out = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for (i, f) in factors.iter().enumerate().take(MAX_FACTORS + 1) {
            let name = match text::required_line(
                "name",
                "A factor's name",
                &f.name,
                100,
                "Enter the factor's name",
            ) {
                Ok(n) => {
                    let key = n.to_lowercase();
                    if names.contains(&key) {
                        say(
                            Place::FactorName(i),
                            format!("Two factors are called ‘{n}’: give each factor its own name"),
                        );
                    }
                    names.push(key);
                    n
                }
                Err(e) => {
                    say(Place::FactorName(i), e.message);
                    String::new()
                }
            };
            let called = if name.is_empty() {
                format!("Factor {}", i + 1)
            } else {
                format!("Factor ‘{name}’")
            };
            let description = text::paragraph(
                "description",
                "A factor's description",
                &f.description,
                1000,
            )
            .map_err(|e| say(Place::FactorDescription(i), e.message))
            .unwrap_or_default();
            if f.statements.is_empty() {
                say(
                    Place::FactorStatements(i),
                    format!("{called} has no statements: add at least one"),
                );
            }
            if f.statements.len() > MAX_STATEMENTS {
                say(
                    Place::FactorStatements(i),
                    format!("{called} has more than {MAX_STATEMENTS} statements"),
                );
            }
            let mut statements: Vec<String> = Vec::new();
            for (j, s) in f.statements.iter().enumerate().take(MAX_STATEMENTS + 1) {
                match text::required_line(
                    "statement",
                    "A statement",
                    s,
                    500,
                    "Enter the statement's words: a statement cannot be empty",
                ) {
                    Ok(s) if statements.iter().any(|t| t.eq_ignore_ascii_case(&s)) => say(
                        Place::Statement(i, j),
                        format!("{called} has the same statement twice"),
                    ),
                    Ok(s) => statements.push(s),
                    Err(e) => say(Place::Statement(i, j), e.message),
                }
            }
            out.push(FactorInput {
                code: String::new(),
                name,
                description,
                statements,
            });
        }
        if problems.is_empty() {
            Ok(FactorsInput { factors: out })
        } else {
            Err(problems)
        }
    }
}

impl QuestionnaireInput {
    /// The name (not one the organisation already uses) and the factors.
    pub fn parse(
        d: &QuestionnaireDraft,
        taken: &[String],
    ) -> Result<QuestionnaireInput, Vec<Problem>> {
        let mut problems = Vec::new();
        let name = match text::required_line(
            "name",
            "The questionnaire's name",
            &d.name,
            200,
            "Enter a name for the questionnaire",
        ) {
            Ok(n) if taken.iter().any(|t| t.eq_ignore_ascii_case(&n)) => {
                problems.push(Problem {
                    place: Place::Name,
                    message: format!("Your organisation already has a questionnaire called ‘{n}’: choose another name, or publish a new version of that one"),
                });
                None
            }
            Ok(n) => Some(n),
            Err(e) => {
                problems.push(Problem {
                    place: Place::Name,
                    message: e.message,
                });
                None
            }
        };
        let factors = FactorsInput::parse(&d.factors)
            .map_err(|p| problems.extend(p))
            .ok();
        match (name, factors) {
            (Some(name), Some(f)) if problems.is_empty() => Ok(QuestionnaireInput {
                name,
                factors: f.factors,
            }),
            _ => Err(problems),
        }
    }
}

/// A factor's code, from its name: lower case letters, digits and `_`.
pub fn code_of(name: &str) -> String {
    let mut code = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            code.push(c.to_ascii_lowercase());
        } else if !code.is_empty() && !code.ends_with('_') {
            code.push('_');
        }
        if code.len() >= 40 {
            break;
        }
    }
    let code = code.trim_end_matches('_').to_string();
    if code.is_empty() {
        "factor".into()
    } else {
        code
    }
}

/// Gives each factor a code: the code of a known factor with the same name
/// (so a report's trend compares it with earlier rounds), else one made
/// from its name; never the same code twice.
pub fn assign_codes(factors: &mut [FactorInput], known: &[(String, String)]) {
    let mut used: Vec<String> = Vec::new();
    for f in factors.iter_mut() {
        let base = known
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(&f.name))
            .map(|(code, _)| code.clone())
            .unwrap_or_else(|| code_of(&f.name));
        let mut code = base.clone();
        let mut n = 2;
        while used.contains(&code) {
            code = format!("{base}_{n}");
            n += 1;
        }
        used.push(code.clone());
        f.code = code;
    }
}

// ---------------------------------------------------------------- the text form

/// The questionnaire as the page's one text box writes it:
///
/// ```text
/// # Trust
/// How far partners rely on each other.
/// - Partners do what they say they will.
/// - I can raise a problem without it being held against me.
/// ```
///
/// A line starting with `#` names a factor; lines after it, before its
/// first statement, describe it; each line starting with `-` is one
/// statement. Blank lines are ignored.
pub fn to_text(factors: &[FactorView]) -> String {
    let mut out = String::new();
    for (i, f) in factors.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("# {}\n", f.name));
        for line in f.description.lines().filter(|l| !l.trim().is_empty()) {
            out.push_str(line.trim());
            out.push('\n');
        }
        for s in &f.statements {
            out.push_str(&format!("- {}\n", s.text));
        }
    }
    out
}

/// The most characters the text box takes.
pub const MAX_TEXT: usize = 100_000;

/// What the text box said: the factors, the line each factor and statement
/// was on, and the lines that could not be read.
#[derive(Debug, Default)]
pub struct TextReading {
    pub factors: Vec<FactorDraft>,
    /// Per factor: (its name's line, its statements' lines).
    pub lines: Vec<(usize, Vec<usize>)>,
    /// Line number and what is wrong with it.
    pub unreadable: Vec<(usize, String)>,
}

impl TextReading {
    pub fn of(text: &str) -> TextReading {
        let mut r = TextReading::default();
        if text.chars().count() > MAX_TEXT {
            r.unreadable.push((
                0,
                format!("The questionnaire must be {MAX_TEXT} characters or fewer"),
            ));
            return r;
        }
        for (n, raw) in text.lines().enumerate() {
            let n = n + 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('#') {
                r.factors.push(FactorDraft {
                    name: name.trim_start_matches('#').trim().to_string(),
                    ..Default::default()
                });
                r.lines.push((n, Vec::new()));
            } else if let Some(statement) =
                line.strip_prefix('-').or_else(|| line.strip_prefix('*'))
            {
                match (r.factors.last_mut(), r.lines.last_mut()) {
                    (Some(f), Some(l)) => {
                        f.statements.push(statement.trim().to_string());
                        l.1.push(n);
                    }
                    _ => r.unreadable.push((
                        n,
                        "A statement must come after the name of its factor (a line starting with #)".into(),
                    )),
                }
            } else {
                match r.factors.last_mut() {
                    Some(f) if f.statements.is_empty() => {
                        if !f.description.is_empty() {
                            f.description.push('\n');
                        }
                        f.description.push_str(line);
                    }
                    Some(_) => r.unreadable.push((
                        n,
                        "Start each statement with a dash (-); a factor's description goes before its statements".into(),
                    )),
                    None => r.unreadable.push((
                        n,
                        "Start with a factor's name on a line starting with #".into(),
                    )),
                }
            }
        }
        r
    }

    /// The line a problem is on (0: the text as a whole).
    pub fn line_of(&self, place: Place) -> usize {
        let factor = |i: usize| self.lines.get(i).map_or(0, |l| l.0);
        match place {
            Place::Name | Place::Factors => 0,
            Place::FactorName(i) | Place::FactorDescription(i) | Place::FactorStatements(i) => {
                factor(i)
            }
            Place::Statement(i, j) => self
                .lines
                .get(i)
                .and_then(|l| l.1.get(j).copied())
                .unwrap_or_else(|| factor(i)),
        }
    }

    /// The reading's and the rules' problems as the form's errors: the
    /// name's on `name_field`, the rest on `text_field`, each saying its line.
    pub fn form_errors(
        &self,
        problems: Vec<Problem>,
        name_field: &str,
        text_field: &str,
    ) -> Vec<FieldError> {
        let mut at_lines: Vec<(usize, String)> = self.unreadable.clone();
        let mut errors = Vec::new();
        for p in problems {
            if p.place == Place::Name {
                errors.push(FieldError::new(name_field, p.message));
            } else {
                at_lines.push((self.line_of(p.place), p.message));
            }
        }
        at_lines.sort_by_key(|(n, _)| *n);
        for (n, message) in at_lines {
            let message = if n == 0 {
                message
            } else {
                format!("Line {n}: {message}")
            };
            errors.push(FieldError::new(text_field, message));
        }
        errors
    }
}

#[cfg(test)]
mod tests;
