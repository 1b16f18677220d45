//! Password hashing with argon2id (the `argon2` crate's defaults follow the
//! OWASP recommendation: 19 MiB, 2 passes, 1 lane).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::error::{AppError, AppResult, FieldError};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

pub fn hash(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real check, so a missing account cannot be told
/// apart from a wrong password by timing.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("dummy password for timing").unwrap_or_default());
    let _ = verify(password, stored);
}

/// Checks a new password and its confirmation; field names match the forms.
pub fn check_new(password: &str, confirm: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let length = password.chars().count();
    if password.is_empty() {
        errors.push(FieldError::new("new_password", "Enter a new password"));
    } else if length < MIN_LENGTH {
        errors.push(FieldError::new(
            "new_password",
            format!("Password must be {MIN_LENGTH} characters or more"),
        ));
    } else if length > MAX_LENGTH {
        errors.push(FieldError::new(
            "new_password",
            format!("Password must be {MAX_LENGTH} characters or fewer"),
        ));
    } else if password != confirm {
        errors.push(FieldError::new(
            "confirm_password",
            "The passwords do not match",
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_use_argon2id() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("wrong horse battery", &h));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn new_passwords_are_checked() {
        assert_eq!(check_new("", "")[0].message, "Enter a new password");
        assert_eq!(check_new("short", "short")[0].field, "new_password");
        assert_eq!(
            check_new("long enough password", "different password")[0].field,
            "confirm_password"
        );
        assert!(check_new("long enough password", "long enough password").is_empty());
    }
}
