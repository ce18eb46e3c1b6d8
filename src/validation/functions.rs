//! Built-in functions OPA has and regorus lacks, added to every engine as extensions.
//!
//! regorus 0.14 has no `crypto` family. Forklift-style bundles hash names and serials
//! (`crypto.sha256(input.serialNumber)`), so the hashes and HMACs are added here, with OPA's
//! names, arities and results: a lowercase hex digest of the string's UTF-8 bytes, and
//! `crypto.hmac.equal` comparing in constant time. A bundle that calls one of them runs in
//! the interpreter (the register VM compiles only regorus's own built-ins), with the same
//! results.
//!
//! `net.cidr_intersects` is added too: regorus has the rest of OPA's CIDR family but not it.

use anyhow::{Context, bail};
use hmac::Mac;
use hmac::digest::KeyInit;
use regorus::{Engine, Value};
use sha2::Digest;

/// The name of each function added, with its number of arguments.
pub const ADDED: [(&str, u8); 9] = [
    ("crypto.md5", 1),
    ("crypto.sha1", 1),
    ("crypto.sha256", 1),
    ("crypto.hmac.md5", 2),
    ("crypto.hmac.sha1", 2),
    ("crypto.hmac.sha256", 2),
    ("crypto.hmac.sha512", 2),
    ("crypto.hmac.equal", 2),
    ("net.cidr_intersects", 2),
];

/// A string argument, or the error OPA gives for another type.
fn string<'a>(name: &str, args: &'a [Value], i: usize) -> anyhow::Result<&'a str> {
    let arg = args
        .get(i)
        .with_context(|| format!("{name}: argument {} missing", i + 1))?;
    match arg {
        Value::String(s) => Ok(s),
        other => bail!(
            "{name}: operand {} must be string but got {}",
            i + 1,
            type_name(other)
        ),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Set(_) => "set",
        Value::Object(_) => "object",
        Value::Undefined => "undefined",
    }
}

fn hex(bytes: &[u8]) -> Value {
    Value::from(hex::encode(bytes))
}

fn digest_of<D: Digest>(
    name: &'static str,
) -> impl Fn(Vec<Value>) -> anyhow::Result<Value> + Clone + Send + Sync + 'static {
    move |args| Ok(hex(&D::digest(string(name, &args, 0)?.as_bytes())))
}

fn hmac_of<M: Mac + KeyInit>(
    name: &'static str,
) -> impl Fn(Vec<Value>) -> anyhow::Result<Value> + Clone + Send + Sync + 'static {
    move |args| {
        let message = string(name, &args, 0)?;
        let key = string(name, &args, 1)?;
        let mut mac = <M as KeyInit>::new_from_slice(key.as_bytes())
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        mac.update(message.as_bytes());
        Ok(hex(&mac.finalize().into_bytes()))
    }
}

fn hmac_equal(args: Vec<Value>) -> anyhow::Result<Value> {
    let a = string("crypto.hmac.equal", &args, 0)?;
    let b = string("crypto.hmac.equal", &args, 1)?;
    Ok(Value::from(bool::from(subtle::ConstantTimeEq::ct_eq(
        a.as_bytes(),
        b.as_bytes(),
    ))))
}

/// A CIDR as its address (widened to 128 bits), prefix length and family.
fn cidr(name: &str, text: &str) -> anyhow::Result<(u128, u32, bool)> {
    let (addr, prefix) = text
        .split_once('/')
        .with_context(|| format!("{name}: invalid CIDR {text:?}: no prefix length"))?;
    let addr: std::net::IpAddr = addr
        .parse()
        .with_context(|| format!("{name}: invalid CIDR {text:?}"))?;
    let prefix: u32 = prefix
        .parse()
        .with_context(|| format!("{name}: invalid CIDR {text:?}"))?;
    let (bits, width, v4) = match addr {
        std::net::IpAddr::V4(a) => (u128::from(u32::from(a)) << 96, 32, true),
        std::net::IpAddr::V6(a) => (u128::from(a), 128, false),
    };
    if prefix > width {
        bail!("{name}: invalid CIDR {text:?}: prefix longer than the address");
    }
    Ok((bits, prefix, v4))
}

/// OPA's `net.cidr_intersects(a, b)`: whether the two networks share an address, which
/// they do when they agree on the bits of the shorter prefix.
fn cidr_intersects(args: Vec<Value>) -> anyhow::Result<Value> {
    const NAME: &str = "net.cidr_intersects";
    let (a, a_len, a_v4) = cidr(NAME, string(NAME, &args, 0)?)?;
    let (b, b_len, b_v4) = cidr(NAME, string(NAME, &args, 1)?)?;
    if a_v4 != b_v4 {
        return Ok(Value::from(false));
    }
    let shorter = a_len.min(b_len);
    let mask = u128::MAX.checked_shl(128 - shorter).unwrap_or(0);
    Ok(Value::from(a & mask == b & mask))
}

/// Adds every function of [`ADDED`] to `engine`.
pub fn add_to(engine: &mut Engine) -> anyhow::Result<()> {
    engine.add_extension(
        "crypto.md5".into(),
        1,
        Box::new(digest_of::<md5::Md5>("crypto.md5")),
    )?;
    engine.add_extension(
        "crypto.sha1".into(),
        1,
        Box::new(digest_of::<sha1::Sha1>("crypto.sha1")),
    )?;
    engine.add_extension(
        "crypto.sha256".into(),
        1,
        Box::new(digest_of::<sha2::Sha256>("crypto.sha256")),
    )?;
    engine.add_extension(
        "crypto.hmac.md5".into(),
        2,
        Box::new(hmac_of::<hmac::Hmac<md5::Md5>>("crypto.hmac.md5")),
    )?;
    engine.add_extension(
        "crypto.hmac.sha1".into(),
        2,
        Box::new(hmac_of::<hmac::Hmac<sha1::Sha1>>("crypto.hmac.sha1")),
    )?;
    engine.add_extension(
        "crypto.hmac.sha256".into(),
        2,
        Box::new(hmac_of::<hmac::Hmac<sha2::Sha256>>("crypto.hmac.sha256")),
    )?;
    engine.add_extension(
        "crypto.hmac.sha512".into(),
        2,
        Box::new(hmac_of::<hmac::Hmac<sha2::Sha512>>("crypto.hmac.sha512")),
    )?;
    engine.add_extension("crypto.hmac.equal".into(), 2, Box::new(hmac_equal))?;
    engine.add_extension("net.cidr_intersects".into(), 2, Box::new(cidr_intersects))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(query: &str) -> Value {
        let mut engine = Engine::new();
        add_to(&mut engine).unwrap();
        engine
            .add_policy(
                "t.rego".into(),
                format!("package t\nimport rego.v1\nx := {query}\n"),
            )
            .unwrap();
        engine.eval_rule("data.t.x".into()).unwrap()
    }

    /// The digests of "abc" published with each algorithm (RFC 1321, FIPS 180-2) and the
    /// HMAC test vectors of RFC 2202 and RFC 4231 (case 2: key "Jefe").
    #[test]
    fn digests_match_the_published_vectors() {
        for (query, want) in [
            ("crypto.md5(\"abc\")", "900150983cd24fb0d6963f7d28e17f72"),
            (
                "crypto.sha1(\"abc\")",
                "a9993e364706816aba3e25717850c26c9cd0d89d",
            ),
            (
                "crypto.sha256(\"abc\")",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                "crypto.hmac.md5(\"what do ya want for nothing?\", \"Jefe\")",
                "750c783e6ab0b503eaa86e310a5db738",
            ),
            (
                "crypto.hmac.sha1(\"what do ya want for nothing?\", \"Jefe\")",
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
            ),
            (
                "crypto.hmac.sha256(\"what do ya want for nothing?\", \"Jefe\")",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                "crypto.hmac.sha512(\"what do ya want for nothing?\", \"Jefe\")",
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
            ),
        ] {
            assert_eq!(eval(query), Value::from(want), "{query}");
        }
        assert_eq!(eval("crypto.hmac.equal(\"ab\", \"ab\")"), Value::from(true));
        assert_eq!(
            eval("crypto.hmac.equal(\"ab\", \"ac\")"),
            Value::from(false)
        );
    }

    #[test]
    fn cidrs_intersect_when_they_share_an_address() {
        for (a, b, want) in [
            ("10.0.0.0/8", "10.1.0.0/16", true),
            ("10.1.0.0/16", "10.0.0.0/8", true),
            ("192.168.1.0/24", "192.168.2.0/24", false),
            ("0.0.0.0/0", "203.0.113.7/32", true),
            ("fd00::/8", "fd12:3456::/32", true),
            ("fd00::/8", "fe80::/10", false),
            ("10.0.0.0/8", "::/0", false),
        ] {
            assert_eq!(
                eval(&format!("net.cidr_intersects(\"{a}\", \"{b}\")")),
                Value::from(want),
                "{a} {b}"
            );
        }
    }

    #[test]
    fn a_wrong_type_is_an_error_naming_the_function() {
        let mut engine = Engine::new();
        add_to(&mut engine).unwrap();
        engine
            .add_policy(
                "t.rego".into(),
                "package t\nimport rego.v1\nx := crypto.sha256(input.n)\n".into(),
            )
            .unwrap();
        engine.set_input(Value::from_json_str("{\"n\": 3}").unwrap());
        let e = engine.eval_rule("data.t.x".into()).unwrap_err();
        assert!(
            e.to_string()
                .contains("crypto.sha256: operand 1 must be string"),
            "{e}"
        );
    }
}
