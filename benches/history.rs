//! Readiness history figures, printed as JSON lines (`{"name", "value", "unit", "params"}`):
//! a store holding the history of 10k VMs that change 20 times a day each (every change
//! kept in full for the days written, readiness counted per day for 400 days, per cluster
//! and per concern), and the queries people run on it: a 365-day trend, a one-VM
//! timeline, what changed this week. Each time is also given as a ratio to one point read
//! of the same store in the same run.
//!
//! `cargo bench --bench history` (`VMYARD_BENCH_VMS`, `VMYARD_BENCH_CHANGES_PER_DAY`,
//! `VMYARD_BENCH_DETAIL_DAYS` for other sizes: the days of full changes written; the store
//! size of the days kept in full, `history_detail_days`, is projected from them, linearly,
//! and printed as a projection).

#![allow(unused_crate_dependencies, unreachable_pub, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use vmyard::validation::Readiness;
use vmyard::validation::history::{self, Cause, ConcernChange, ConcernRef, HistoryQuery};
use vmyard::validation::trend::{self, DailyReadiness};

fn figure(name: &str, value: f64, unit: &str, params: serde_json::Value) {
    println!(
        "{}",
        json!({"name": name, "value": value, "unit": unit, "params": params})
    );
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The median of `runs` timings of `f`, in milliseconds.
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let vms = env("VMYARD_BENCH_VMS", 10_000);
    let per_day = env("VMYARD_BENCH_CHANGES_PER_DAY", 20);
    let detail_days = env("VMYARD_BENCH_DETAIL_DAYS", 2);
    let clusters = 20;
    let concerns: Vec<String> = (0..30).map(|i| format!("ovirt.concern.{i:02}")).collect();
    let dir = tempfile::tempdir().unwrap();
    let store = vmyard::store::Store::open(dir.path()).unwrap();
    let now = Timestamp::now();
    let params = json!({"vms": vms, "changes_per_vm_per_day": per_day, "days_of_changes": detail_days, "days_of_counts": 400});

    // 400 days of counts, per cluster and per concern.
    let mut w = store.write().unwrap();
    for d in 0..400 {
        let at = now - SignedDuration::from_hours(24 * d);
        let counts = |n: usize| {
            BTreeMap::from([
                ("ready".to_string(), n * 6 / 10),
                ("warnings".to_string(), n * 3 / 10),
                ("blocked".to_string(), n / 10),
                ("error".to_string(), 0),
            ])
        };
        let day = DailyReadiness {
            day: history::day_of(at),
            at,
            vms,
            readiness: counts(vms),
            clusters: (0..clusters)
                .map(|c| (format!("cluster-{c:02}"), counts(vms / clusters)))
                .collect(),
            concerns: concerns.iter().map(|c| (c.clone(), vms / 7)).collect(),
        };
        w.upsert(&format!("p/{}", day.day), &day).unwrap();
    }
    w.commit().unwrap();

    // The days of full changes: every VM changes `per_day` times a day.
    let written = Instant::now();
    let mut total = 0usize;
    for d in 0..detail_days {
        let day_start = now - SignedDuration::from_hours(24 * (d as i64 + 1));
        for chunk in (0..vms).collect::<Vec<_>>().chunks(2000) {
            let mut w = store.write().unwrap();
            w.relaxed();
            for &vm in chunk {
                for k in 0..per_day {
                    let at = day_start
                        + SignedDuration::from_secs(
                            (86_400 / per_day as i64) * k as i64 + vm as i64 % 60,
                        );
                    let concern = &concerns[(vm + k) % concerns.len()];
                    let r = ConcernRef {
                        id: concern.clone(),
                        category: "Warning".into(),
                        label: "A concern of the benchmark".into(),
                    };
                    let (appeared, cleared) = if k % 2 == 0 {
                        (vec![r], vec![])
                    } else {
                        (vec![], vec![r])
                    };
                    let change = ConcernChange {
                        vm: format!("vm-{vm:05}"),
                        cluster: format!("cluster-{:02}", vm % clusters),
                        at,
                        policy_version: "0123456789abcdef".into(),
                        cause: Cause::Engine {
                            event: Some(1_000_000 + total as u64),
                        },
                        before: Some(Readiness::Ready),
                        after: Some(Readiness::Warnings),
                        appeared,
                        cleared,
                    };
                    w.upsert(&history::change_key(&format!("p/vm-{vm:05}"), at), &change)
                        .unwrap();
                    total += 1;
                }
            }
            w.commit().unwrap();
        }
    }
    // A last durable commit, so the file holds everything.
    let w = store.write().unwrap();
    w.commit().unwrap();
    let write_s = written.elapsed().as_secs_f64();
    figure(
        "history_write_per_change",
        write_s * 1e6 / total as f64,
        "us",
        params.clone(),
    );

    let bytes = std::fs::metadata(store.path()).unwrap().len() as f64;
    figure(
        "history_store_size",
        bytes / 1048576.0,
        "MiB",
        params.clone(),
    );
    let per_change = bytes / total as f64;
    figure(
        "history_store_bytes_per_change",
        per_change,
        "B",
        params.clone(),
    );
    // Changes are kept in full for `history_detail_days` (90 by default), the daily counts
    // for 400 days: the store of a site at this rate, projected from the days written.
    let detail = vmyard::config::Validation::default().history_detail_days as usize;
    figure(
        "history_store_size_projected",
        per_change * (vms * per_day * detail) as f64 / 1073741824.0,
        "GiB",
        json!({"vms": vms, "changes_per_vm_per_day": per_day, "days_kept_in_full": detail, "days_of_counts": 400, "projected_from_days": detail_days}),
    );
    let r = store.read().unwrap();
    // The baseline: one point read of the same store.
    let key = format!("p/{}", history::day_of(now));
    let point = median_ms(200, || {
        r.get::<DailyReadiness>(&key).unwrap().unwrap();
    });
    figure("history_point_read_baseline", point * 1e3, "us", json!({}));
    let trend_365 = median_ms(20, || {
        assert!(trend::trend(&r, "p", 365, None).unwrap().len() >= 364);
    });
    figure("history_trend_365d", trend_365, "ms", params.clone());
    figure(
        "history_trend_365d_over_point_read",
        trend_365 / point,
        "ratio",
        params.clone(),
    );
    let trend_cluster = median_ms(20, || {
        trend::trend(&r, "p", 365, Some("cluster-03")).unwrap();
    });
    figure(
        "history_trend_365d_one_cluster",
        trend_cluster,
        "ms",
        params.clone(),
    );
    let all_time = HistoryQuery {
        from: Some(now - SignedDuration::from_hours(24 * 365)),
        to: Some(now),
        vm: Some("vm-00042".into()),
        ..HistoryQuery::default()
    };
    let timeline = median_ms(50, || {
        let (found, _) = history::changes(&r, "p", &all_time, 10_000).unwrap();
        assert_eq!(found.len(), per_day * detail_days);
    });
    figure("history_vm_timeline", timeline, "ms", params.clone());
    figure(
        "history_vm_timeline_over_point_read",
        timeline / point,
        "ratio",
        params.clone(),
    );
    let week = HistoryQuery {
        from: Some(now - SignedDuration::from_hours(24 * 7)),
        to: Some(now),
        concern: Some(concerns[3].clone()),
        ..HistoryQuery::default()
    };
    let changes_week = median_ms(3, || {
        history::changes(&r, "p", &week, 1000).unwrap();
    });
    figure(
        "history_changes_of_a_concern_this_week",
        changes_week,
        "ms",
        params.clone(),
    );
    figure(
        "history_changes_week_over_point_read",
        changes_week / point,
        "ratio",
        params,
    );
}
