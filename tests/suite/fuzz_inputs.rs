//! Property tests of the parsers that read what others write: the engine's JSON decoder and
//! the config loader. Whatever they are given (arbitrary JSON, a recorded engine answer
//! with any of its values replaced, arbitrary text, the reference config with bytes
//! changed), they answer with a value or an error, never a panic. The number of cases is
//! bounded so that a run takes seconds; `PROPTEST_CASES` raises it for a longer hunt.

use std::path::Path;

use proptest::prelude::*;
use serde_json::Value;
use vmyard::inventory::decode::{Kind, decode};

const KINDS: [Kind; 9] = [
    Kind::DataCenter,
    Kind::Cluster,
    Kind::Host,
    Kind::Network,
    Kind::NicProfile,
    Kind::StorageDomain,
    Kind::DiskProfile,
    Kind::Disk,
    Kind::Vm,
];

/// Any JSON value, a few levels deep, with the engine's favourite shapes (strings that
/// look like numbers and booleans) over-represented.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            Just("true".to_string()),
            Just("false".to_string()),
            Just("-1".to_string()),
            Just("18446744073709551616".to_string()),
            Just(String::new()),
            ".*",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("name".to_string()),
                    Just("status".to_string()),
                    Just("cluster".to_string()),
                    Just("memory".to_string()),
                    "[a-z_]{1,12}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn fixture(kind: Kind) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/sim/fixtures/ovirt-engine-4.4.10")
        .join(kind.path())
        .join("content.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc.as_object()
        .and_then(|o| o.values().next())
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Replaces the value at the `pick`-th place of `v` (depth first) with `with`.
fn replace_nth(v: &mut Value, pick: &mut usize, with: &Value) -> bool {
    if *pick == 0 {
        *v = with.clone();
        return true;
    }
    *pick -= 1;
    match v {
        Value::Array(items) => items.iter_mut().any(|i| replace_nth(i, pick, with)),
        Value::Object(map) => map.values_mut().any(|i| replace_nth(i, pick, with)),
        _ => false,
    }
}

/// A store holding every recorded object of the fixtures' engine, as provider `f`.
fn recorded_store() -> &'static vmyard::store::Store {
    static STORE: std::sync::OnceLock<(tempfile::TempDir, vmyard::store::Store)> =
        std::sync::OnceLock::new();
    &STORE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = vmyard::store::Store::open(dir.path()).unwrap();
            let mut w = store.write().unwrap();
            for kind in KINDS {
                for v in fixture(kind) {
                    if let Ok(o) = decode(kind, &v) {
                        vmyard::collector::sync::put(&mut w, "f", &o).unwrap();
                    }
                }
            }
            w.commit().unwrap();
            (dir, store)
        })
        .1
}

fn built_in_policy() -> &'static vmyard::validation::policy::Policy {
    static POLICY: std::sync::OnceLock<vmyard::validation::policy::Policy> =
        std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        vmyard::validation::policy::Policy::compile(&vmyard::validation::bundle::Bundle::builtin())
            .unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A recorded VM with any value replaced, decoded and stored, gives a workload document
    /// and a verdict of the built-in rules (concerns, or an evaluation error): never a panic.
    #[test]
    fn the_workload_builder_and_the_rules_never_panic_on_a_recorded_vm_altered(
        which in any::<usize>(),
        place in 0usize..400,
        with in json(),
    ) {
        let vms = fixture(Kind::Vm);
        prop_assume!(!vms.is_empty());
        let mut vm = vms[which % vms.len()].clone();
        let mut pick = place;
        replace_nth(&mut vm, &mut pick, &with);
        let Ok(object) = decode(Kind::Vm, &vm) else { return Ok(()) };
        let store = recorded_store();
        let key = vmyard::inventory::key("f", object.id());
        let mut w = store.write().unwrap();
        vmyard::collector::sync::put(&mut w, "f", &object).unwrap();
        w.commit().unwrap();
        let r = store.read().unwrap();
        let stored = r.get::<vmyard::inventory::model::Vm>(&key).unwrap().unwrap();
        let mut lookup = vmyard::validation::workload::Lookup::new(&r, "f");
        let workload = lookup.workload(&stored).unwrap();
        prop_assert!(workload.is_object());
        let _ = built_in_policy().evaluator().validate(&workload);
    }

    #[test]
    fn the_decoder_never_panics_on_any_json(kind in 0..KINDS.len(), v in json()) {
        let _ = decode(KINDS[kind], &v);
    }

    #[test]
    fn the_decoder_never_panics_on_a_recorded_answer_with_a_value_replaced(
        kind in 0..KINDS.len(),
        which in any::<usize>(),
        place in 0usize..400,
        with in json(),
    ) {
        let objects = fixture(KINDS[kind]);
        prop_assume!(!objects.is_empty());
        let mut object = objects[which % objects.len()].clone();
        let mut pick = place;
        replace_nth(&mut object, &mut pick, &with);
        let _ = decode(KINDS[kind], &object);
    }

    #[test]
    fn the_config_loader_never_panics_on_any_text(text in "\\PC{0,400}") {
        let dir = tempfile::tempdir().unwrap();
        let _ = vmyard::config::load::load_str(&text, dir.path());
    }

    #[test]
    fn the_config_loader_never_panics_on_the_reference_config_altered(
        at in any::<usize>(),
        insert in "\\PC{0,12}",
        cut in 0usize..16,
    ) {
        let reference = include_str!("../../config/vmyard.toml");
        let mut text = reference.to_string();
        let mut at = at % text.len();
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + cut).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.replace_range(at..end, &insert);
        let dir = tempfile::tempdir().unwrap();
        let _ = vmyard::config::load::load_str(&text, dir.path());
    }
}
