//! Argon2 password hashes: make one, check one, check a hash's shape.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Hashes a password with argon2id and a random salt, as a PHC string.
pub fn hash(password: &str) -> Result<String, String> {
    if password.is_empty() {
        return Err("the password is empty".into());
    }
    let h: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| format!("cannot hash the password: {e}"))?;
    Ok(h.to_string())
}

/// Checks a password against a PHC hash; a malformed hash never verifies.
pub fn verify(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Refuses anything but an argon2 PHC string, so a plain password pasted into
/// `password_hash` is caught when the config is read.
pub fn check_hash_format(hash: &str) -> Result<(), String> {
    let parsed = PasswordHash::new(hash).map_err(|_| {
        "not an argon2 hash: make one with `vmyard user hash` (it reads the password from stdin)"
            .to_string()
    })?;
    let alg = parsed.algorithm.as_str();
    if !alg.starts_with("argon2") {
        return Err(format!(
            "hash algorithm `{alg}` is not argon2: make one with `vmyard user hash`"
        ));
    }
    Ok(())
}

/// A hash that never matches, used to spend the same time on unknown users as on known ones.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&crate::auth::random_token(24)).expect("hashing works"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_its_password() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse", &h));
        assert!(!verify("wrong horse", &h));
        assert!(!verify("correct horse", "garbage"));
        check_hash_format(&h).unwrap();
        assert!(check_hash_format("hunter2").is_err());
        assert!(hash("").is_err());
    }
}
