//! Naming why the engine's certificate was refused, and how to fix it.
//!
//! A refused certificate surfaces from the HTTP client as "error sending request", with the
//! TLS library's verdict buried in the error's sources. An operator needs the verdict and the
//! cure: most engines use their own CA (`/etc/pki/ovirt-engine/ca.pem`), which a machine does
//! not trust until `ca_file` points at it, and the engine hands that CA out unauthenticated.

use std::error::Error as StdError;

use reqwest::Url;
use rustls::CertificateError;

/// Where an engine serves its CA certificate, for the engine at `api`.
pub fn ca_url(api: &Url) -> String {
    let mut u = api.clone();
    u.set_path("/ovirt-engine/services/pki-resource");
    u.set_query(Some("resource=ca-certificate&format=X509-PEM-CA"));
    u.to_string()
}

/// The TLS library's own error somewhere in an error's sources.
fn rustls_error<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    if let Some(r) = e.downcast_ref::<rustls::Error>() {
        return Some(r);
    }
    // An I/O error hides the error it wraps from `source()` (it answers that error's own
    // source), and I/O errors nest; ask each one for what it wraps.
    if let Some(inner) = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        let inner: &(dyn StdError + 'static) = inner;
        if let Some(r) = rustls_error(inner) {
            return Some(r);
        }
    }
    e.source().and_then(rustls_error)
}

/// Why the engine's TLS was refused and what to do, when that is why `e` failed.
pub fn explain(e: &reqwest::Error, api: &Url) -> Option<String> {
    let tls = rustls_error(e)?;
    let host = api.host_str().unwrap_or("the engine");
    let set_ca = format!(
        "set ca_file to the engine's CA, which the engine serves at {}",
        ca_url(api)
    );
    let (problem, fix) = match tls {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => (
                "the engine's certificate is signed by an unknown issuer (a CA this machine does not trust)".to_string(),
                set_ca,
            ),
            CertificateError::NotValidForName => (
                format!("the engine's certificate is not valid for the name {host}"),
                "use the host name the certificate was issued for in the provider's url".to_string(),
            ),
            CertificateError::NotValidForNameContext { expected, presented } => (
                format!(
                    "the engine's certificate is not valid for the name {host} (it names {})",
                    if presented.is_empty() { "no names".to_string() } else { presented.join(", ") }
                ),
                format!("use a name the certificate was issued for in the provider's url (expected {expected:?})"),
            ),
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => (
                format!("the engine's certificate has expired ({c})"),
                "renew the engine's certificate (engine-setup renews the engine's PKI)".to_string(),
            ),
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => (
                format!("the engine's certificate is not valid yet ({c})"),
                "check the clocks of this machine and the engine".to_string(),
            ),
            CertificateError::Other(other) if format!("{other:?}").contains("CaUsedAsEndEntity") => (
                "the engine serves a CA certificate as its own server certificate".to_string(),
                format!(
                    "give the engine a server certificate issued by its CA, and {set_ca}"
                ),
            ),
            other => (
                format!("the engine's certificate is refused: {other}"),
                set_ca,
            ),
        },
        other => (
            format!("the TLS handshake with the engine failed: {other}"),
            "check that the provider's url is the engine's HTTPS address".to_string(),
        ),
    };
    Some(format!("{problem}; {fix}"))
}
