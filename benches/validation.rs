//! Validation figures, printed as JSON lines (`{"name", "value", "unit", "params"}`):
//! full validation of the generated 10k inventory with the built-in rules (wall time on
//! every core, batches of 1024 as the service runs them: workloads, rules, commit), and the
//! time per VM of the rules alone in the interpreter vmyard validates with, against
//! regorus's register VM as the baseline (faster, but it drops errors inside rule bodies,
//! so vmyard does not use it); and
//! the latency from a VM change in the engine to its concerns updated (see `latency.rs`).
//!
//! `cargo bench --bench validation` (`VMYARD_BENCH_VMS=50000` for another size).

// A test or bench crate sees every dependency of the package, and unwraps where a failure
// should stop it loudly, and its helpers are pub for its own modules: the library's lints
// on these do not apply here.
#![allow(unused_crate_dependencies, unreachable_pub, clippy::unwrap_used)]

#[path = "common/bench_config.rs"]
mod bench_config;
#[path = "validation/latency.rs"]
mod latency;

use std::time::Instant;

use serde_json::json;
use vmyard::inventory::decode::{Kind, decode};
use vmyard::inventory::model::Vm;
use vmyard::sim::generate::{Scale, generate};
use vmyard::validation::bundle::Bundle;
use vmyard::validation::workload::Lookup;
use vmyard::validation::{Policy, batch};

fn figure(name: &str, value: f64, unit: &str, params: serde_json::Value) {
    println!(
        "{}",
        json!({"name": name, "value": value, "unit": unit, "params": params})
    );
}

fn main() {
    let vms: usize = std::env::var("VMYARD_BENCH_VMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let g = generate(Scale::for_vms(vms), 1);
    let dir = tempfile::tempdir().unwrap();
    let store = vmyard::store::Store::open(dir.path()).unwrap();
    let mut w = store.write().unwrap();
    for (path, list) in &g.collections {
        let Some(kind) = Kind::from_path(path) else {
            continue;
        };
        for o in list {
            vmyard::collector::sync::put(&mut w, "p", &decode(kind, o).unwrap()).unwrap();
        }
    }
    w.commit().unwrap();
    drop(g);

    let policy = Policy::compile(&Bundle::builtin()).unwrap();
    let pool = vmyard::validation::pool();
    let keys = store.read().unwrap().keys_prefix::<Vm>("p/").unwrap();
    let started = Instant::now();
    for chunk in keys.chunks(batch::BATCH_SIZE) {
        let outcome = batch::run(&store, &policy, &pool, chunk.to_vec(), false);
        assert_eq!(outcome.validated, chunk.len(), "{:?}", outcome.error);
    }
    let wall = started.elapsed().as_secs_f64();
    let params =
        json!({"vms": vms, "workers": pool.current_num_threads(), "batch": batch::BATCH_SIZE});
    figure("full_validation", wall, "s", params.clone());

    // The rules alone, one thread, on the same workloads.
    let r = store.read().unwrap();
    let mut lookup = Lookup::new(&r, "p");
    let docs: Vec<serde_json::Value> = keys
        .iter()
        .take(2000)
        .map(|k| lookup.workload(&r.get::<Vm>(k).unwrap().unwrap()).unwrap())
        .collect();
    let mut baseline = policy
        .register_vm()
        .expect("the built-in rules compile to the RVM");
    let t = Instant::now();
    for d in &docs {
        baseline.validate(d).unwrap();
    }
    let rvm = t.elapsed().as_secs_f64() * 1e6 / docs.len() as f64;
    figure(
        "rules_per_vm_rvm_baseline",
        rvm,
        "us",
        json!({"vms": docs.len()}),
    );
    let mut evaluator = policy.evaluator();
    let t = Instant::now();
    for d in &docs {
        evaluator.validate(d).unwrap();
    }
    let interp = t.elapsed().as_secs_f64() * 1e6 / docs.len() as f64;
    figure("rules_per_vm", interp, "us", json!({"vms": docs.len()}));
    figure(
        "rules_per_vm_ratio_to_rvm",
        interp / rvm,
        "ratio",
        json!({}),
    );

    // A VM changed in the engine, until its concerns are written: once with the default
    // refresh interval's scale in mind (the collector polls; most of the wait is the poll),
    // once with a 100 ms refresh to show the rest of the path.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for refresh in ["1s", "100ms"] {
        let mut l = runtime.block_on(latency::measure(2000, refresh, 20));
        l.sort_by(f64::total_cmp);
        let params = json!({"vms": 2000, "changes": l.len(), "refresh_interval": refresh});
        figure(
            "change_to_concerns_median",
            l[l.len() / 2],
            "ms",
            params.clone(),
        );
        figure("change_to_concerns_max", l[l.len() - 1], "ms", params);
    }
}
