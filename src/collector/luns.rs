//! The logical units of direct LUN disks, read where the engine gives them.
//!
//! A disk listing leaves out `lun_storage`: only a read of the one disk (`disks/<id>`) has
//! the LUN's id, target, address, mapping and size. Every listing (the load and each
//! reconcile) therefore reads each LUN disk it lists; storing the listed disk as it came
//! would erase its logical units on every reconcile.

use futures_util::{StreamExt, stream};

use super::sync::{self, Page, SyncError};
use crate::inventory::decode::{Kind, Object};
use crate::ovirt::EngineClient;

/// How many LUN disks are read at once.
const CONCURRENT: usize = 8;

/// Whether a listed object is a direct LUN disk, whose details the listing lacks.
fn is_lun(o: &Object) -> bool {
    matches!(o, Object::Disk(d) if d.storage_type == "lun")
}

/// Replaces each LUN disk of a listed page by its own read. A disk gone since the listing
/// leaves the page (the listing's end deletes it); one whose read cannot be decoded is
/// reported and kept as stored.
pub async fn complete(client: &EngineClient, page: &mut Page) -> Result<(), SyncError> {
    let ids: Vec<String> = page
        .objects
        .iter()
        .filter(|o| is_lun(o))
        .map(|o| o.id().to_string())
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    // A disk's own read has no follow-up endpoint: its 404 is the proof that it is gone.
    let reads: Vec<(String, _)> = stream::iter(ids.into_iter().map(|id| async move {
        let read = sync::read_one(client, Kind::Disk, &id, &mut sync::Gaps::new()).await;
        (id, read)
    }))
    .buffered(CONCURRENT)
    .collect()
    .await;
    let mut read = std::collections::HashMap::with_capacity(reads.len());
    for (id, r) in reads {
        read.insert(id, r?);
    }
    let listed = std::mem::take(&mut page.objects);
    for o in listed {
        if !is_lun(&o) {
            page.objects.push(o);
            continue;
        }
        match read.remove(o.id()) {
            Some(Some(Ok(full))) => page.objects.push(full),
            Some(Some(Err(bad))) => {
                page.keep.push(o.id().to_string());
                page.bad.push(bad);
            }
            // Gone since the listing: its own read answered 404.
            Some(None) => {}
            None => page.objects.push(o),
        }
    }
    Ok(())
}
