//! A compiled bundle and its evaluation, in-process with regorus.
//!
//! A bundle is compiled once per version: parsed and checked by the regorus engine with
//! `validate` as the entry point. Each worker thread keeps its own [`Evaluator`].
//!
//! An error while the rules evaluate a VM is an error of that VM, never "no concern": a
//! built-in that fails (a bad regular expression, a wrong type) stops the evaluation, as
//! `opa eval --strict-builtin-errors` does, and the error names the rule file and line it
//! happened at. OPA's default turns such a failure into an undefined expression, which for
//! a rule that raises a concern means the concern silently does not fire.
//!
//! That is why the rules run in regorus's tree-walking interpreter and not in its register
//! VM (RVM), although the RVM is about four times faster: the RVM drops any error raised
//! inside a rule body and carries on as if the body were false, strict mode or not (regorus
//! 0.14, `rvm/vm/rules.rs`), so a rule that fails on a VM would read as a concern that does
//! not apply. [`Policy::register_vm`] keeps the RVM at hand for the benchmark that measures
//! what this costs.
//!
//! A rule that runs away (a loop over a huge range) is stopped after
//! [`EVALUATION_TIME_LIMIT`] and reported as an error of that VM.

use std::num::NonZeroU32;
use std::sync::{Arc, Once};
use std::time::Duration;

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::RegoVM;
use regorus::rvm::program::Program;
use regorus::utils::limits::{ExecutionTimerConfig, set_fallback_execution_timer_config};
use regorus::{CompiledPolicy, Engine, Value};
use serde::{Deserialize, Serialize};

use super::bundle::{Bundle, PACKAGE};

/// A rule that fails to compile or evaluate.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

impl PolicyError {
    fn from(context: &str, e: impl std::fmt::Display) -> Self {
        PolicyError(format!("{context}: {e}"))
    }
}

/// One concern raised by the rules.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct Concern {
    /// `ovirt.disk.shared.detected`, ...
    pub id: String,
    /// `Critical`, `Warning` or `Information`.
    pub category: String,
    /// A short title.
    pub label: String,
    /// What it means for the migration and what to do.
    pub assessment: String,
}

/// How bad a category is: Critical first.
pub fn severity(category: &str) -> u8 {
    match category {
        "Critical" => 0,
        "Warning" => 1,
        "Information" => 2,
        _ => 3,
    }
}

/// The `validate` document of the rules for one workload.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verdict {
    /// The bundle's own `rules_version`.
    pub rules_version: serde_json::Value,
    /// Problems with the workload document itself.
    pub errors: Vec<String>,
    /// The concerns, worst first.
    pub concerns: Vec<Concern>,
}

/// A compiled bundle, shared by every worker.
#[derive(Clone)]
pub struct Policy {
    /// The bundle's version (a hash of its rules).
    pub version: String,
    /// Where the bundle came from.
    pub source: String,
    /// How many rule files it holds.
    pub files: usize,
    /// The bundle's `rules_version` document (Forklift's `{"rules_version": N}`), read once
    /// at compile time as it reads no input; `None` when the bundle leaves it undefined.
    pub rules_version: Option<serde_json::Value>,
    compiled: CompiledPolicy,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("version", &self.version)
            .field("source", &self.source)
            .finish()
    }
}

/// The rule every evaluation asks for.
pub fn entry_point() -> String {
    format!("data.{PACKAGE}.validate")
}

/// How long the rules may run on one workload (or one `policy test` rule) before they are
/// stopped with an error. The built-in rules take well under a millisecond per VM.
pub const EVALUATION_TIME_LIMIT: Duration = Duration::from_secs(3);

/// Puts [`EVALUATION_TIME_LIMIT`] in force. regorus evaluates a [`CompiledPolicy`] in an
/// engine of its own that takes its time limit only from this process-wide setting.
fn limit_evaluation_time() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        set_fallback_execution_timer_config(Some(ExecutionTimerConfig {
            limit: EVALUATION_TIME_LIMIT,
            // Read the clock every thousand steps: cheap, and a stall shows within moments.
            check_interval: NonZeroU32::new(1000).expect("not zero"),
        }));
    });
}

/// A regorus engine loaded with every rule file of `bundle` (tests too when `with_tests`).
pub fn engine(bundle: &Bundle, with_tests: bool) -> Result<Engine, PolicyError> {
    limit_evaluation_time();
    let mut engine = Engine::new();
    engine.set_strict_builtin_errors(true);
    super::functions::add_to(&mut engine)
        .map_err(|e| PolicyError::from("adding the crypto functions", e))?;
    for (name, text) in &bundle.files {
        if !with_tests && Bundle::is_test(name) {
            continue;
        }
        engine
            .add_policy(name.clone(), text.clone())
            .map_err(|e| PolicyError(e.to_string()))?;
    }
    Ok(engine)
}

impl Policy {
    /// Compiles a bundle; errors name the file and line.
    pub fn compile(bundle: &Bundle) -> Result<Policy, PolicyError> {
        let mut engine = engine(bundle, false)?;
        let rules_version = match engine.eval_rule(format!("data.{PACKAGE}.rules_version")) {
            Ok(Value::Undefined) => None,
            Ok(v) => Some(
                serde_json::to_value(&v)
                    .map_err(|e| PolicyError::from("reading rules_version", e))?,
            ),
            Err(e) => return Err(PolicyError::from("rules_version", e)),
        };
        let entry = entry_point();
        let compiled = engine
            .compile_with_entrypoint(&entry.as_str().into())
            .map_err(|e| PolicyError::from(&entry, e))?;
        let policy = Policy {
            version: bundle.version(),
            source: bundle.source.clone(),
            files: bundle.rules().count(),
            rules_version,
            compiled,
        };
        // A bundle that compiles but cannot evaluate (a missing `validate`, a rule that
        // always errors) is refused here rather than on every VM.
        policy.evaluator().validate(&serde_json::json!({}))?;
        Ok(policy)
    }

    /// An evaluator for one thread.
    pub fn evaluator(&self) -> Evaluator {
        Evaluator {
            version: self.version.clone(),
            compiled: self.compiled.clone(),
            vm: None,
            entry: entry_point(),
        }
    }

    /// An evaluator on regorus's register VM, where the rules compile to it: faster, but it
    /// turns an error inside a rule body into "the body is false" (see the module doc), so
    /// vmyard never validates with it. The validation benchmark measures against it; the
    /// program is compiled here, on demand, so no policy load pays for it.
    pub fn register_vm(&self) -> Option<Evaluator> {
        let program = Compiler::compile_from_policy(&self.compiled, &[entry_point().as_str()])
            .map_err(|e| tracing::debug!("the rules do not compile to the register VM: {e}"))
            .ok()?;
        let mut vm = RegoVM::new_with_policy(self.compiled.clone());
        vm.load_program(program.clone());
        vm.set_max_instructions(50_000_000);
        vm.set_strict_builtin_errors(true);
        Some(Evaluator {
            vm: Some((vm, program)),
            ..self.evaluator()
        })
    }
}

/// Evaluates workloads against one policy version; one per thread.
pub struct Evaluator {
    /// The policy version it evaluates.
    pub version: String,
    compiled: CompiledPolicy,
    vm: Option<(RegoVM, Arc<Program>)>,
    entry: String,
}

impl Evaluator {
    /// The `validate` document for one workload.
    pub fn validate(&mut self, workload: &serde_json::Value) -> Result<Verdict, PolicyError> {
        self.validate_owned(workload.clone())
    }

    /// The `validate` document for `input` as the rules give it, unprocessed (the OPA data
    /// API's `result`); `None` when it is undefined for that input.
    pub fn document(
        &mut self,
        input: serde_json::Value,
    ) -> Result<Option<serde_json::Value>, PolicyError> {
        let out = self
            .compiled
            .eval_with_input(Value::from(input))
            .map_err(|e| PolicyError(one_line(&e.to_string())))?;
        if out == Value::Undefined {
            return Ok(None);
        }
        serde_json::to_value(&out)
            .map(Some)
            .map_err(|e| PolicyError::from("reading the validate document", e))
    }

    /// [`Evaluator::validate`] for a document the caller no longer needs (no copy).
    pub fn validate_owned(&mut self, workload: serde_json::Value) -> Result<Verdict, PolicyError> {
        let input = Value::from(workload);
        let out = match &mut self.vm {
            Some((vm, program)) => {
                vm.set_input(input);
                vm.execute_entry_point_by_name(&self.entry)
                    .map_err(|e| PolicyError(format!("{}: {e}", location(program, vm.get_pc()))))?
            }
            None => self
                .compiled
                .eval_with_input(input)
                .map_err(|e| PolicyError(one_line(&e.to_string())))?,
        };
        verdict(&out)
    }
}

/// `file:line` of the rule the register VM was running at instruction `pc`.
fn location(program: &Program, pc: usize) -> String {
    program
        .instruction_spans
        .get(pc)
        .and_then(Option::as_ref)
        .and_then(|span| {
            let file = program.sources.get(span.source_index)?;
            Some(format!("{}:{}", file.name, span.line))
        })
        .unwrap_or_else(|| format!("{} (instruction {pc})", entry_point()))
}

/// An interpreter error on one line: regorus prints `file:line:col: error: ...` followed
/// by the source line and a caret; the first line says it all.
fn one_line(message: &str) -> String {
    let mut lines = message.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("the rules failed").to_string();
    // `--> file:line:col` then `|` lines then `error: ...`: keep the place and the error.
    match first.strip_prefix("--> ") {
        Some(place) => {
            let error = lines
                .find(|l| {
                    !l.starts_with('|') && !l.chars().next().is_some_and(|c| c.is_ascii_digit())
                })
                .unwrap_or("");
            format!("{place}: {error}")
        }
        None => first,
    }
}

fn verdict(out: &Value) -> Result<Verdict, PolicyError> {
    if *out == Value::Undefined {
        return Err(PolicyError(format!(
            "{} is undefined: the bundle must define it",
            entry_point()
        )));
    }
    let json: serde_json::Value = serde_json::to_value(out)
        .map_err(|e| PolicyError::from("reading the validate document", e))?;
    let mut errors: Vec<String> = json["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default();
    errors.sort();
    let mut concerns = Vec::new();
    for c in json["concerns"].as_array().into_iter().flatten() {
        match serde_json::from_value::<Concern>(c.clone()) {
            Ok(c) => concerns.push(c),
            Err(e) => errors.push(format!("a concern is malformed ({e}): {c}")),
        }
    }
    concerns.sort_by(|a, b| {
        (severity(&a.category), &a.id, &a.label).cmp(&(severity(&b.category), &b.id, &b.label))
    });
    concerns.dedup();
    Ok(Verdict {
        rules_version: json["rules_version"].clone(),
        errors,
        concerns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn builtin() -> Policy {
        Policy::compile(&Bundle::builtin()).unwrap()
    }

    #[test]
    fn the_builtin_bundle_compiles_to_the_register_vm_too() {
        let p = builtin();
        assert!(p.register_vm().is_some(), "the benchmark's baseline");
        assert_eq!(p.files, Bundle::builtin().rules().count());
    }

    /// A rule whose regular expression is invalid for one VM: the interpreter reports it,
    /// naming the file and line; the register VM would have said "no concern" (and is why
    /// vmyard does not validate with it).
    #[test]
    fn an_error_in_a_rule_body_is_an_error_of_the_vm() {
        let mut b = Bundle::builtin();
        b.files.insert(
            "site.rego".into(),
            format!(
                "package {PACKAGE}\nimport rego.v1\npatterns := {{\"bad\": \"(\"}}\nconcerns contains {{\"id\": \"site\", \"category\": \"Warning\", \"label\": \"l\", \"assessment\": \"a\"}} if {{\n\tregex.match(object.get(patterns, input.name, \"^none$\"), input.name)\n}}\n"
            ),
        );
        let p = Policy::compile(&b).unwrap();
        let good = json!({"id": "1", "name": "good"});
        let bad = json!({"id": "2", "name": "bad"});
        assert!(p.evaluator().validate(&good).is_ok());
        let e = p.evaluator().validate(&bad).unwrap_err();
        assert!(e.0.starts_with("site.rego:5"), "{e}");
        assert!(e.0.contains("regex"), "{e}");
        let swallowed = p.register_vm().unwrap().validate(&bad).unwrap();
        assert!(
            swallowed.concerns.iter().all(|c| c.id != "site"),
            "the register VM reads the error as a false body"
        );
    }

    #[test]
    fn concerns_come_out_worst_first() {
        let mut e = builtin().evaluator();
        let v = e
            .validate(&json!({"id": "1", "name": "vm", "usbEnabled": true, "hasIllegalImages": true, "display": "spice"}))
            .unwrap();
        let ids: Vec<&str> = v.concerns.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "ovirt.disk.illegal_images.detected",
                "ovirt.usb.enabled",
                "ovirt.display_type.spice.enabled"
            ]
        );
        assert_eq!(v.rules_version, json!(1));
        assert!(v.errors.is_empty());
    }

    #[test]
    fn the_register_vm_and_the_interpreter_agree_where_nothing_fails() {
        let p = builtin();
        let mut fast = p.register_vm().unwrap();
        let mut slow = p.evaluator();
        for doc in [
            json!({"id": "1", "name": "a_b", "status": "paused", "nics": [{"interface": "pci_passthrough", "plugged": false, "profile": {"qos": "q"}}]}),
            json!({"id": "2", "name": "ok", "diskAttachments": [{"interface": "ide", "scsiReservation": true, "disk": {"storageType": "lun", "shared": true, "lun": {"logicalUnits": {"logicalUnit": [{"size": 0}]}}}}]}),
            json!({"name": 3}),
        ] {
            assert_eq!(
                fast.validate(&doc).unwrap(),
                slow.validate(&doc).unwrap(),
                "{doc}"
            );
        }
    }

    #[test]
    fn a_broken_rule_is_an_error_naming_the_file() {
        let mut b = Bundle::builtin();
        b.files.insert(
            "broken.rego".into(),
            format!("package {PACKAGE}\nimport rego.v1\nconcerns contains x if {{ x := }}\n"),
        );
        let e = Policy::compile(&b).unwrap_err();
        assert!(e.0.contains("broken.rego"), "{e}");
    }

    #[test]
    fn a_bundle_without_validate_is_refused() {
        let mut b = Bundle::builtin();
        b.files.remove("validate.rego");
        assert!(Policy::compile(&b).is_err());
    }
}
