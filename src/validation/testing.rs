//! `vmyard policy test`: runs the `test_*` rules of the `*_test.rego` files, like
//! `opa test`. A test passes when its rule is true; false, undefined or an error fail it.

use regorus::Value;

use super::bundle::Bundle;
use super::policy::{PolicyError, engine};

/// One test rule and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    /// The file that defines it.
    pub file: String,
    /// Its full path, `data.<package>.test_<name>`.
    pub rule: String,
    /// Why it failed; `None` when it passed.
    pub failure: Option<String>,
}

/// The package a Rego file declares.
fn package_of(text: &str) -> Option<&str> {
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("package "))
        .map(str::trim)
}

/// The `test_*` rules a file defines (rule heads start at the line's first column).
fn tests_of(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("test_"))
        .filter_map(|l| {
            let end = l
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(l.len());
            Some(&l[..end]).filter(|n| !n.is_empty())
        })
        .collect();
    names.dedup();
    names
}

/// Runs every test of the bundle; an error is a bundle that does not compile.
pub fn run(bundle: &Bundle) -> Result<Vec<TestResult>, PolicyError> {
    let mut engine = engine(bundle, true)?;
    let mut results = Vec::new();
    for (file, text) in bundle.files.iter().filter(|(n, _)| Bundle::is_test(n)) {
        let Some(package) = package_of(text) else {
            results.push(TestResult {
                file: file.clone(),
                rule: String::new(),
                failure: Some("the file declares no package".into()),
            });
            continue;
        };
        for name in tests_of(text) {
            let rule = format!("data.{package}.{name}");
            let failure = match engine.eval_rule(rule.clone()) {
                Ok(Value::Bool(true)) => None,
                Ok(Value::Undefined) => Some("undefined".to_string()),
                Ok(other) => Some(format!("got {other}")),
                Err(e) => Some(format!("error: {e}")),
            };
            results.push(TestResult {
                file: file.clone(),
                rule,
                failure,
            });
        }
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_test_passes() {
        let results = run(&Bundle::builtin()).unwrap();
        let failed: Vec<_> = results.iter().filter(|r| r.failure.is_some()).collect();
        assert!(failed.is_empty(), "{failed:#?}");
        assert!(results.len() > 80, "{} tests", results.len());
    }

    #[test]
    fn every_builtin_concern_is_tested_both_ways() {
        let b = Bundle::builtin();
        let tests: String = b
            .files
            .iter()
            .filter(|(n, _)| Bundle::is_test(n))
            .map(|(_, t)| t.as_str())
            .collect();
        let rules: String = b.rules().map(|(_, t)| t).collect();
        let ids: Vec<&str> = rules
            .match_indices("\"id\": \"ovirt.")
            .map(|(i, _)| {
                let start = i + "\"id\": \"".len();
                let end = rules[start..].find('"').unwrap() + start;
                &rules[start..end]
            })
            .collect();
        assert_eq!(ids.len(), 40, "the catalogue has 40 concerns");
        for id in ids {
            assert!(
                tests.contains(&format!("\tfired(\"{id}\"")),
                "{id} is never shown to fire"
            );
            assert!(
                tests.contains(&format!("\tnot fired(\"{id}\"")),
                "{id} is never shown to stay quiet"
            );
        }
    }

    #[test]
    fn a_failing_test_is_reported_with_its_rule() {
        let mut b = Bundle::builtin();
        b.files.insert(
            "extra_test.rego".into(),
            "package io.konveyor.forklift.ovirt\nimport rego.v1\n\ntest_wrong if {\n\tfired(\"ovirt.usb.enabled\", vm_with({}))\n}\n\ntest_right if true\n".into(),
        );
        let results = run(&b).unwrap();
        let wrong = results
            .iter()
            .find(|r| r.rule.ends_with(".test_wrong"))
            .unwrap();
        assert_eq!(wrong.file, "extra_test.rego");
        assert!(wrong.failure.is_some());
        let right = results
            .iter()
            .find(|r| r.rule.ends_with(".test_right"))
            .unwrap();
        assert!(right.failure.is_none());
    }
}
