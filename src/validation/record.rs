//! What validation keeps in the store: one result per VM, in its own table, so that writing
//! a result never changes the VM record or its revision.

use serde::{Deserialize, Serialize};

use super::policy::{Concern, severity};
use crate::store::Record;

/// The result of validating one VM (key `<provider>/<vm id>`, like the VM).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VmConcerns {
    /// The VM's engine id.
    pub vm: String,
    /// The VM revision the result was computed for.
    pub revision_validated: u64,
    /// The policy version that computed it.
    pub policy_version: String,
    /// When it was computed.
    #[schema(value_type = String)]
    pub validated_at: jiff::Timestamp,
    /// The concerns, worst first.
    pub concerns: Vec<Concern>,
    /// Problems the rules found with the workload document itself.
    #[serde(default)]
    pub errors: Vec<String>,
}

/// Whether a VM can go: no concern worse than Information, warnings, or a critical one;
/// or unknown, because the rules failed on it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Readiness {
    /// Nothing stands in the way.
    Ready,
    /// It can be migrated, with care.
    Warnings,
    /// A critical concern stops it.
    Blocked,
    /// The rules could not tell: they failed while evaluating it, or reported errors about
    /// its workload. Its concerns are unknown, so it is never counted as ready.
    Error,
}

impl Readiness {
    /// The word used in addresses and indexes.
    pub fn as_str(self) -> &'static str {
        match self {
            Readiness::Ready => "ready",
            Readiness::Warnings => "warnings",
            Readiness::Blocked => "blocked",
            Readiness::Error => "error",
        }
    }

    /// Every readiness, best first, then the unknown one.
    pub const ALL: [Readiness; 4] = [
        Readiness::Ready,
        Readiness::Warnings,
        Readiness::Blocked,
        Readiness::Error,
    ];

    /// The badge class pages show it with.
    pub fn badge(self) -> &'static str {
        match self {
            Readiness::Ready => "ready",
            Readiness::Warnings => "warning",
            Readiness::Blocked => "critical",
            Readiness::Error => "error",
        }
    }
}

impl VmConcerns {
    /// The VM's readiness from its concerns; `Error` whenever the rules reported an error,
    /// whatever concerns they raised besides.
    pub fn readiness(&self) -> Readiness {
        if !self.errors.is_empty() {
            return Readiness::Error;
        }
        match self.concerns.iter().map(|c| severity(&c.category)).min() {
            Some(0) => Readiness::Blocked,
            Some(1) => Readiness::Warnings,
            _ => Readiness::Ready,
        }
    }
}

impl Record for VmConcerns {
    const KIND: &'static str = "validation.vm";

    /// Indexed by concern id, by category and by readiness, so the concerns page and the
    /// VM filters find their VMs without reading every result.
    fn index_keys(&self) -> Vec<(&'static str, String)> {
        let mut keys: Vec<(&'static str, String)> = self
            .concerns
            .iter()
            .flat_map(|c| [("concern", c.id.clone()), ("category", c.category.clone())])
            .collect();
        keys.push(("readiness", self.readiness().as_str().to_string()));
        keys.sort();
        keys.dedup();
        keys
    }
}

/// The keys of a provider's VMs whose validation result matches every filter given (a
/// concern id, a category, a readiness); `None` when no filter is given.
pub fn vm_keys_matching(
    r: &crate::store::ReadTxn,
    provider: &str,
    filters: [(&str, Option<&str>); 3],
) -> Result<Option<std::collections::HashSet<String>>, crate::store::StoreError> {
    let mut allowed: Option<std::collections::HashSet<String>> = None;
    for (index, value) in filters {
        let Some(v) = value.filter(|v| !v.is_empty()) else {
            continue;
        };
        let ids: std::collections::HashSet<String> = r
            .ids_by::<VmConcerns>(index, &format!("{provider}/{v}"))?
            .into_iter()
            .collect();
        allowed = Some(match allowed {
            None => ids,
            Some(prev) => prev.intersection(&ids).cloned().collect(),
        });
    }
    Ok(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(categories: &[&str]) -> VmConcerns {
        VmConcerns {
            vm: "v".into(),
            revision_validated: 1,
            policy_version: "p".into(),
            validated_at: jiff::Timestamp::UNIX_EPOCH,
            concerns: categories
                .iter()
                .enumerate()
                .map(|(i, c)| Concern {
                    id: format!("c{i}"),
                    category: c.to_string(),
                    label: String::new(),
                    assessment: String::new(),
                })
                .collect(),
            errors: vec![],
        }
    }

    #[test]
    fn readiness_follows_the_worst_concern() {
        assert_eq!(with(&[]).readiness(), Readiness::Ready);
        assert_eq!(with(&["Information"]).readiness(), Readiness::Ready);
        assert_eq!(
            with(&["Information", "Warning"]).readiness(),
            Readiness::Warnings
        );
        assert_eq!(
            with(&["Warning", "Critical"]).readiness(),
            Readiness::Blocked
        );
        let mut failed = with(&["Information"]);
        failed.errors = vec!["site.rego:4: invalid regex".into()];
        assert_eq!(failed.readiness(), Readiness::Error);
        assert!(failed.index_keys().contains(&("readiness", "error".into())));
        let keys = with(&["Warning", "Critical"]).index_keys();
        assert!(keys.contains(&("readiness", "blocked".into())));
        assert!(keys.contains(&("concern", "c1".into())));
        assert!(keys.contains(&("category", "Warning".into())));
    }
}
