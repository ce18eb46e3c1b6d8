//! The migration-readiness report of a provider: one row per VM, as JSON or CSV.

use serde::{Deserialize, Serialize};

use super::record::VmConcerns;
use crate::inventory::model::{Cluster, Vm};
use crate::store::{ReadTxn, StoreError};

/// One VM of the report.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportRow {
    /// Engine id.
    pub id: String,
    /// VM name.
    pub name: String,
    /// Cluster name.
    pub cluster: String,
    /// Status on the engine.
    pub status: String,
    /// `ready`, `warnings`, `blocked`, `error` (the rules failed on it: see `errors`), or
    /// `pending` before the first validation.
    pub readiness: String,
    /// Critical concerns.
    pub critical: usize,
    /// Warnings.
    pub warnings: usize,
    /// Information.
    pub information: usize,
    /// The concern ids, `;`-separated.
    pub concerns: String,
    /// The concerns' labels, in the same order, `;`-separated: the report reads without the
    /// rules at hand.
    pub concern_labels: String,
    /// What the rules reported when they failed on the VM, `;`-separated; empty otherwise.
    pub errors: String,
    /// Whether the result is for the VM as it is now (its current revision).
    pub current: bool,
    /// The policy version of the result.
    pub policy_version: String,
    /// When the result was computed.
    pub validated_at: String,
}

/// The report of one provider, VMs by name.
pub fn rows(r: &ReadTxn, provider: &str) -> Result<Vec<ReportRow>, StoreError> {
    let clusters: std::collections::HashMap<String, String> = r
        .list_prefix::<Cluster>(&format!("{provider}/"))?
        .into_iter()
        .map(|(_, c)| (c.value.id, c.value.name))
        .collect();
    let mut out = Vec::new();
    for (k, vm) in r.list_prefix::<Vm>(&format!("{provider}/"))? {
        let result = r.get::<VmConcerns>(&k)?.map(|s| s.value);
        let count = |cat: &str| {
            result.as_ref().map_or(0, |res| {
                res.concerns.iter().filter(|c| c.category == cat).count()
            })
        };
        let v = vm.value;
        out.push(ReportRow {
            cluster: clusters.get(&v.cluster).cloned().unwrap_or_default(),
            status: v.status.clone(),
            readiness: result
                .as_ref()
                .map_or("pending", |res| res.readiness().as_str())
                .to_string(),
            critical: count("Critical"),
            warnings: count("Warning"),
            information: count("Information"),
            concerns: result
                .as_ref()
                .map(|res| {
                    res.concerns
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .unwrap_or_default(),
            concern_labels: result
                .as_ref()
                .map(|res| {
                    res.concerns
                        .iter()
                        .map(|c| c.label.replace(';', ","))
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .unwrap_or_default(),
            errors: result
                .as_ref()
                .map(|res| res.errors.join(";"))
                .unwrap_or_default(),
            current: result
                .as_ref()
                .is_some_and(|res| res.revision_validated == vm.revision),
            policy_version: result
                .as_ref()
                .map(|res| res.policy_version.clone())
                .unwrap_or_default(),
            validated_at: result
                .as_ref()
                .map(|res| res.validated_at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default(),
            id: v.id,
            name: v.name,
        });
    }
    out.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    Ok(out)
}

/// The report as CSV, with a header row.
pub fn csv(rows: &[ReportRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let row = ReportRow {
            id: "1".into(),
            name: "a, \"b\"".into(),
            cluster: "c".into(),
            status: "up".into(),
            readiness: "ready".into(),
            critical: 0,
            warnings: 1,
            information: 0,
            concerns: "x;y".into(),
            concern_labels: "X;Y".into(),
            errors: String::new(),
            current: true,
            policy_version: "v".into(),
            validated_at: "t".into(),
        };
        let text = String::from_utf8(csv(&[row]).unwrap()).unwrap();
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("id,name,cluster,status,readiness")
        );
        assert_eq!(
            lines.next().unwrap(),
            "1,\"a, \"\"b\"\"\",c,up,ready,0,1,0,x;y,X;Y,,true,v,t"
        );
    }
}
