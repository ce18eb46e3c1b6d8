//! Readiness history as the API, the pages and the CLI ask for it: times given as people
//! write them, VMs and clusters by name or id, and every change with the names it refers to.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::filters::{FilterError, resolve_ref};
use crate::inventory::model::{Cluster, Vm};
use crate::inventory::{self, InventoryRecord};
use crate::store::ReadTxn;
use crate::validation::history::{self, ConcernChange, HistoryQuery, PolicyChange};
use crate::validation::trend::{self, TrendDay};

/// The query parameters of a history request.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct HistoryParams {
    /// From: RFC 3339 (`2026-12-01T08:00:00Z`), a day (`2026-12-01`, from its start, UTC)
    /// or an age (`7d`, `12h`, `30m`); a week ago by default.
    pub from: Option<String>,
    /// Up to (exclusive), in the same forms; now by default.
    pub to: Option<String>,
    /// Only this VM, by name or engine id (a VM since removed by its id).
    pub vm: Option<String>,
    /// Only changes where this concern id appeared or cleared.
    pub concern: Option<String>,
    /// Only VMs of this cluster, by name or engine id.
    pub cluster: Option<String>,
    /// At most this many changes (1 to 10000, 1000 by default).
    pub limit: Option<usize>,
}

/// One change, with the names of what it refers to.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChangeView {
    /// The change.
    #[serde(flatten)]
    pub change: ConcernChange,
    /// The VM's name (its id when it is gone).
    pub vm_name: String,
    /// The cluster's name (empty when unknown).
    pub cluster_name: String,
}

/// What changed between two times.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HistoryView {
    /// From (inclusive).
    #[schema(value_type = String)]
    pub from: Timestamp,
    /// To (exclusive).
    #[schema(value_type = String)]
    pub to: Timestamp,
    /// The changes, newest first.
    pub changes: Vec<ChangeView>,
    /// Whether more changes matched than `limit`.
    pub truncated: bool,
    /// Policy versions that came into force in the span, newest first.
    pub policies: Vec<PolicyChange>,
}

/// A time as the parameters give it, against `now`.
pub fn parse_when(v: &str, now: Timestamp) -> Result<Timestamp, FilterError> {
    let v = v.trim();
    if let Ok(t) = v.parse::<Timestamp>() {
        return Ok(t);
    }
    if let Ok(d) = v.parse::<jiff::civil::Date>()
        && let Ok(t) = d.to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp())
    {
        return Ok(t);
    }
    let age = v
        .strip_suffix('d')
        .and_then(|n| n.parse::<i64>().ok())
        .map(|n| n * 86_400)
        .or_else(|| {
            v.strip_suffix('h')
                .and_then(|n| n.parse::<i64>().ok())
                .map(|n| n * 3600)
        })
        .or_else(|| {
            v.strip_suffix('m')
                .and_then(|n| n.parse::<i64>().ok())
                .map(|n| n * 60)
        });
    match age {
        Some(secs) if secs >= 0 => Ok(now - SignedDuration::from_secs(secs)),
        _ => Err(FilterError::Unknown(format!(
            "`{v}` is no time: give RFC 3339 (2026-12-01T08:00:00Z), a day (2026-12-01) or an age (7d, 12h, 30m)"
        ))),
    }
}

/// A parameter given and not blank.
fn set(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The history of `provider` as `p` asks.
pub fn history(r: &ReadTxn, provider: &str, p: &HistoryParams) -> Result<HistoryView, FilterError> {
    let now = Timestamp::now();
    let to = set(&p.to)
        .map(|v| parse_when(v, now))
        .transpose()?
        .unwrap_or(now);
    let from = set(&p.from)
        .map(|v| parse_when(v, now))
        .transpose()?
        .unwrap_or(to - SignedDuration::from_hours(24 * 7));
    if from >= to {
        return Err(FilterError::Unknown(format!(
            "`from` ({from}) must come before `to` ({to})"
        )));
    }
    let vm = match set(&p.vm) {
        Some(v) => Some(match resolve_ref::<Vm>(r, provider, v, "VM", "VMs") {
            Ok(id) => id,
            // A VM since removed keeps its history under its id.
            Err(FilterError::Unknown(why)) => {
                let prefix = format!("{}/", inventory::key(provider, v));
                if r.count_prefix::<ConcernChange>(&prefix)? > 0 {
                    v.to_string()
                } else {
                    return Err(FilterError::Unknown(why));
                }
            }
            Err(e) => return Err(e),
        }),
        None => None,
    };
    let cluster = set(&p.cluster)
        .map(|c| resolve_ref::<Cluster>(r, provider, c, "cluster", "clusters"))
        .transpose()?;
    let q = HistoryQuery {
        from: Some(from),
        to: Some(to),
        vm,
        concern: set(&p.concern).map(str::to_string),
        cluster,
    };
    let limit = p.limit.unwrap_or(1000).clamp(1, 10_000);
    let (changes, truncated) = history::changes(r, provider, &q, limit)?;
    let mut names = super::names::Names::new(r, provider);
    let mut views = Vec::with_capacity(changes.len());
    for change in changes {
        let vm_name = match r.get::<Vm>(&inventory::key(provider, &change.vm))? {
            Some(vm) => vm.value.display_name().to_string(),
            None => change.vm.clone(),
        };
        let cluster_name = if change.cluster.is_empty() {
            String::new()
        } else {
            names.name(crate::inventory::decode::Kind::Cluster, &change.cluster)?
        };
        views.push(ChangeView {
            change,
            vm_name,
            cluster_name,
        });
    }
    Ok(HistoryView {
        from,
        to,
        changes: views,
        truncated,
        policies: history::policy_changes(r, Some(from), Some(to))?,
    })
}

/// The query parameters of a trend request.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct TrendParams {
    /// Over this many days: 30, 90 or 365 (30 by default).
    pub days: Option<u32>,
    /// Only VMs of this cluster, by name or engine id.
    pub cluster: Option<String>,
}

/// The spans a trend offers.
pub const TREND_DAYS: [u32; 3] = [30, 90, 365];

/// The readiness per day of `provider` as `p` asks.
pub fn trend(r: &ReadTxn, provider: &str, p: &TrendParams) -> Result<Vec<TrendDay>, FilterError> {
    let days = p.days.unwrap_or(30);
    if !TREND_DAYS.contains(&days) {
        return Err(FilterError::Unknown(format!(
            "`days` is 30, 90 or 365, not {days}"
        )));
    }
    let cluster = p
        .cluster
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| resolve_ref::<Cluster>(r, provider, c, "cluster", "clusters"))
        .transpose()?;
    Ok(trend::trend(r, provider, days, cluster.as_deref())?)
}
