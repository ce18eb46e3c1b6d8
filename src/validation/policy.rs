//! A compiled bundle and its evaluation, in-process with regorus.
//!
//! A bundle is compiled once per version: parsed and checked by the regorus engine, then
//! compiled to regorus's register VM (RVM) with `validate` as the entry point. The RVM runs a
//! workload about four times faster than the tree-walking interpreter with the same results;
//! a rule the RVM compiler does not handle makes the policy fall back to the interpreter
//! rather than fail. Each worker thread keeps its own [`Evaluator`] (the VM holds mutable
//! state), built from the shared compiled program.

use std::sync::Arc;

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::RegoVM;
use regorus::rvm::program::Program;
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
    compiled: CompiledPolicy,
    program: Option<Arc<Program>>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("version", &self.version)
            .field("source", &self.source)
            .field("rvm", &self.program.is_some())
            .finish()
    }
}

/// The rule every evaluation asks for.
pub fn entry_point() -> String {
    format!("data.{PACKAGE}.validate")
}

/// A regorus engine loaded with every rule file of `bundle` (tests too when `with_tests`).
pub fn engine(bundle: &Bundle, with_tests: bool) -> Result<Engine, PolicyError> {
    let mut engine = Engine::new();
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
        let entry = entry_point();
        let compiled = engine
            .compile_with_entrypoint(&entry.as_str().into())
            .map_err(|e| PolicyError::from(&entry, e))?;
        let program = match Compiler::compile_from_policy(&compiled, &[entry.as_str()]) {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::warn!("the rules run interpreted (slower): {e}");
                None
            }
        };
        let policy = Policy {
            version: bundle.version(),
            source: bundle.source.clone(),
            files: bundle.rules().count(),
            compiled,
            program,
        };
        // A bundle that compiles but cannot evaluate (a missing `validate`, a rule that
        // always errors) is refused here rather than on every VM.
        policy.evaluator().validate(&serde_json::json!({}))?;
        Ok(policy)
    }

    /// An evaluator for one thread.
    pub fn evaluator(&self) -> Evaluator {
        let vm = self.program.as_ref().map(|program| {
            let mut vm = RegoVM::new_with_policy(self.compiled.clone());
            vm.load_program(program.clone());
            // A runaway rule is stopped, not the default limit that a VM with many disks
            // can reach.
            vm.set_max_instructions(50_000_000);
            vm
        });
        Evaluator {
            version: self.version.clone(),
            compiled: self.compiled.clone(),
            vm,
            entry: entry_point(),
        }
    }

    /// An evaluator that runs the tree-walking interpreter even where the register VM
    /// could (to compare the two).
    pub fn interpreter(&self) -> Evaluator {
        Evaluator {
            vm: None,
            ..self.evaluator()
        }
    }

    /// Whether the fast register VM runs the rules.
    pub fn compiled_to_vm(&self) -> bool {
        self.program.is_some()
    }
}

/// Evaluates workloads against one policy version; one per thread.
pub struct Evaluator {
    /// The policy version it evaluates.
    pub version: String,
    compiled: CompiledPolicy,
    vm: Option<RegoVM>,
    entry: String,
}

impl Evaluator {
    /// The `validate` document for one workload.
    pub fn validate(&mut self, workload: &serde_json::Value) -> Result<Verdict, PolicyError> {
        self.validate_owned(workload.clone())
    }

    /// [`Evaluator::validate`] for a document the caller no longer needs (no copy).
    pub fn validate_owned(&mut self, workload: serde_json::Value) -> Result<Verdict, PolicyError> {
        let input = Value::from(workload);
        let out = match &mut self.vm {
            Some(vm) => {
                vm.set_input(input);
                vm.execute_entry_point_by_name(&self.entry)
                    .map_err(|e| PolicyError::from("evaluating validate", e))?
            }
            None => self
                .compiled
                .eval_with_input(input)
                .map_err(|e| PolicyError::from("evaluating validate", e))?,
        };
        verdict(&out)
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
    fn the_builtin_bundle_compiles_to_the_vm() {
        let p = builtin();
        assert!(p.compiled_to_vm());
        assert_eq!(p.files, Bundle::builtin().rules().count());
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
    fn the_vm_and_the_interpreter_agree() {
        let p = builtin();
        let mut fast = p.evaluator();
        let mut slow = p.evaluator();
        slow.vm = None;
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
