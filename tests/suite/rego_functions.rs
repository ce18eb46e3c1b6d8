//! What OPA users write runs: the test bundle that calls every family of built-in functions
//! passes, every function of OPA's list is there unless the README names it as missing, and a
//! rule that fails while it evaluates is reported as a failure, never as "no concern".

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use vmyard::validation::bundle::Bundle;
use vmyard::validation::policy;

fn vmyard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vmyard"))
        .args(args)
        .output()
        .unwrap()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_bundle_calling_each_family_passes() {
    let dir = root().join("tests/rego/functions");
    let out = vmyard(&["policy", "test", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    let passed: usize = last
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    // One test per family (and a few more): a bundle that quietly lost its tests fails.
    assert!(passed >= 14 && last.ends_with(" 0 failed"), "{stdout}");
}

/// `name/arity` of every function OPA lists in the families the rules use.
fn opa_functions() -> Vec<(String, usize)> {
    let text = std::fs::read_to_string(root().join("tests/rego/opa_builtins.txt")).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('['))
        .map(|l| {
            let (name, arity) = l.rsplit_once('/').expect("name/arity");
            (name.to_string(), arity.parse().expect("an arity"))
        })
        .collect()
}

/// Whether vmyard's engine knows `name` with `arity` arguments: a call with nulls either
/// runs or fails on the arguments' types; a missing function or a wrong count says so.
fn present(name: &str, arity: usize) -> bool {
    let args = vec!["null"; arity].join(", ");
    let mut bundle = Bundle::builtin();
    bundle.files.clear();
    bundle.files.insert(
        "probe.rego".into(),
        format!("package probe\nimport rego.v1\nx := {name}({args})\n"),
    );
    let mut engine = policy::engine(&bundle, false).unwrap();
    match engine.eval_rule("data.probe.x".into()) {
        Ok(_) => true,
        Err(e) => {
            let e = e.to_string();
            // regorus says "`f` expects 2 arguments" for a wrong count, and "`f` expects
            // string argument" for a wrong type, which is a function that is there.
            let wrong_count = e
                .split(" expects ")
                .skip(1)
                .any(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
            !(e.contains("could not find function") || wrong_count)
        }
    }
}

/// The functions the README lists between its `missing-builtins` markers.
fn readme_missing() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- missing-builtins -->")
        .expect("the README lists the missing built-ins");
    let end = readme[start..]
        .find("<!-- /missing-builtins -->")
        .expect("the list ends")
        + start;
    readme[start..end]
        .lines()
        .filter_map(|l| l.strip_prefix("- `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_opa_function_is_there_or_listed_as_missing() {
    let functions = opa_functions();
    assert!(functions.len() > 100, "the list is OPA's, not a sample");
    let missing: BTreeSet<String> = functions
        .iter()
        .filter(|(name, arity)| !present(name, *arity))
        .map(|(name, arity)| format!("{name}/{arity}"))
        .collect();
    assert_eq!(
        missing,
        readme_missing(),
        "the functions vmyard lacks (left) and the README's list (right) differ"
    );
    // The probe itself can tell: a made-up name is missing, a real one with the wrong
    // number of arguments too.
    assert!(!present("strings.no_such_function", 1));
    assert!(!present("regex.match", 1));
    assert!(present("regex.match", 2));
}

fn write_rules(dir: &Path) {
    std::fs::write(dir.join("site.rego"), FAILING_RULE).unwrap();
    std::fs::write(dir.join("site_test.rego"), FAILING_RULE_TESTS).unwrap();
}

/// A site rule that fails on one VM only (an invalid pattern chosen by the VM's name).
const FAILING_RULE: &str = r#"package io.konveyor.forklift.ovirt

import rego.v1

patterns := {"broken-vm": "("}

concerns contains {"id": "site.name.pattern", "category": "Warning", "label": "Site name pattern", "assessment": "The name matches the site pattern."} if {
	regex.match(object.get(patterns, input.name, "^none$"), input.name)
}
"#;

/// Tests of [`FAILING_RULE`]: the second fails because the rule errors.
const FAILING_RULE_TESTS: &str = r#"package io.konveyor.forklift.ovirt

import rego.v1

test_a_plain_vm_has_no_site_concern if {
	count([c | some c in concerns with input as {"name": "plain"}; c.id == "site.name.pattern"]) == 0
}

test_the_broken_vm if {
	count([c | some c in concerns with input as {"name": "broken-vm"}; c.id == "site.name.pattern"]) == 0
}
"#;

#[test]
fn policy_eval_fails_naming_the_rule_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write_rules(dir.path());
    let input = dir.path().join("vm.json");
    let rules = dir.path().to_str().unwrap();

    let eval = |workload: &str| {
        std::fs::write(&input, workload).unwrap();
        vmyard(&[
            "policy",
            "eval",
            rules,
            "--with-builtin",
            "--input",
            input.to_str().unwrap(),
        ])
    };
    let ok = eval(r#"{"id": "1", "name": "plain"}"#);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let failed = eval(r#"{"id": "2", "name": "broken-vm"}"#);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("site.rego:8"), "{stderr}");
    assert!(stderr.contains("regex"), "{stderr}");
    // Nothing on standard output that a script could read as a clean verdict.
    assert!(
        failed.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&failed.stdout)
    );
}

#[test]
fn policy_test_reports_a_test_whose_rule_errors_as_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    write_rules(dir.path());
    let out = vmyard(&["policy", "test", dir.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let fail = stdout
        .lines()
        .find(|l| l.starts_with("FAIL"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(fail.contains("test_the_broken_vm"), "{stdout}");
    assert!(stdout.contains("site.rego:8"), "{stdout}");
    assert!(stdout.contains("regex"), "{stdout}");
    assert!(stdout.ends_with("1 passed, 1 failed\n"), "{stdout}");
}
