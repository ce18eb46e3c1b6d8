//! Machine sets with their machines, as the Machines page and `/api/v1/machinesets` show
//! them.

use serde::{Deserialize, Serialize};

use crate::machines::model::{Machine, MachineSet, Phase};
use crate::store::StoreError;
use crate::web::AppState;

/// A set as the pages and the API show it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SetView {
    /// The set.
    #[serde(flatten)]
    pub set: MachineSet,
    /// Its machines that are running.
    pub ready: u32,
    /// Its machines, by name.
    pub machines: Vec<String>,
}

fn set_view(all: &[Machine], set: MachineSet) -> SetView {
    let mine: Vec<&Machine> = all
        .iter()
        .filter(|m| m.set.as_deref() == Some(set.name.as_str()))
        .collect();
    SetView {
        ready: mine
            .iter()
            .filter(|m| m.phase == Phase::Running && m.deletion_requested.is_none())
            .count() as u32,
        machines: mine.iter().map(|m| m.name.clone()).collect(),
        set,
    }
}

/// Every set, with replicas wanted and ready.
pub fn sets_view(app: &AppState) -> Result<Vec<SetView>, StoreError> {
    let r = app.store.read()?;
    let machines: Vec<Machine> = r
        .list::<Machine>()?
        .into_iter()
        .map(|(_, m)| m.value)
        .collect();
    Ok(r.list::<MachineSet>()?
        .into_iter()
        .map(|(_, s)| set_view(&machines, s.value))
        .collect())
}
