use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Thing {
    name: String,
    size: u64,
}

impl Record for Thing {
    const KIND: &'static str = "thing";
}

fn thing(name: &str, size: u64) -> Thing {
    Thing {
        name: name.into(),
        size,
    }
}

#[test]
fn upsert_bumps_revision_only_on_real_change() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut w = store.write().unwrap();
    assert_eq!(w.upsert("a", &thing("a", 1)).unwrap(), Some(1));
    assert_eq!(w.upsert("a", &thing("a", 1)).unwrap(), None);
    assert_eq!(w.upsert("a", &thing("a", 2)).unwrap(), Some(2));
    w.commit().unwrap();
    let r = store.read().unwrap();
    let got = r.get::<Thing>("a").unwrap().unwrap();
    assert_eq!(got.revision, 2);
    assert_eq!(got.value, thing("a", 2));
    assert_eq!(r.count::<Thing>().unwrap(), 1);
    assert!(r.get::<Thing>("b").unwrap().is_none());
}

#[test]
fn commit_publishes_changes_and_abort_publishes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut feed = store.subscribe();

    let mut w = store.write().unwrap();
    w.upsert("x", &thing("x", 1)).unwrap();
    drop(w); // aborted
    assert!(feed.try_recv().is_err());
    assert!(store.read().unwrap().get::<Thing>("x").unwrap().is_none());

    let mut w = store.write().unwrap();
    w.upsert("x", &thing("x", 1)).unwrap();
    w.upsert("y", &thing("y", 1)).unwrap();
    w.commit().unwrap();
    let set = feed.try_recv().unwrap();
    let ids: Vec<_> = set
        .of_kind("thing")
        .map(|c| (c.id.as_str(), c.revision, c.op))
        .collect();
    assert_eq!(
        ids,
        vec![("x", 1, ChangeKind::Upsert), ("y", 1, ChangeKind::Upsert)]
    );

    // An unchanged rewrite publishes nothing.
    let mut w = store.write().unwrap();
    w.upsert("x", &thing("x", 1)).unwrap();
    w.commit().unwrap();
    assert!(feed.try_recv().is_err());

    let mut w = store.write().unwrap();
    assert!(w.delete::<Thing>("x").unwrap());
    assert!(!w.delete::<Thing>("x").unwrap());
    w.commit().unwrap();
    let set = feed.try_recv().unwrap();
    assert_eq!(set.changes[0].op, ChangeKind::Delete);
    assert_eq!(set.changes.len(), 1);
}

#[test]
fn data_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let mut w = store.write().unwrap();
        w.upsert("a", &thing("a", 7)).unwrap();
        w.commit().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let list = store.read().unwrap().list::<Thing>().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].1.value.size, 7);
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        migrate::force_version(&store, migrate::SCHEMA_VERSION + 1).unwrap();
    }
    let err = Store::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found, .. } if found == migrate::SCHEMA_VERSION + 1)
    );
    assert!(
        err.to_string().contains("newer than this vmyard knows"),
        "{err}"
    );
}

#[test]
fn older_schema_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        migrate::force_version(&store, 0).unwrap();
    }
    Store::open(dir.path()).unwrap();
    let store = Store::open(dir.path()).unwrap();
    let txn = store.db().unwrap().begin_read().unwrap();
    let meta = txn
        .open_table(redb::TableDefinition::<&str, u32>::new("meta"))
        .unwrap();
    assert_eq!(
        meta.get("schema_version").unwrap().unwrap().value(),
        migrate::SCHEMA_VERSION
    );
}

#[test]
fn garbage_file_is_reported_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(FILE_NAME);
    let garbage = vec![0x5a_u8; 64 * 1024];
    std::fs::write(&file, &garbage).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("corrupt"), "{err}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        garbage,
        "the file must not be replaced"
    );
}

#[test]
fn an_empty_file_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(FILE_NAME);
    std::fs::write(&file, b"").unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("empty"), "{err}");
    assert_eq!(std::fs::metadata(&file).unwrap().len(), 0, "left as it is");
}

#[test]
fn random_bytes_in_the_middle_are_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let mut w = store.write().unwrap();
        for i in 0..2000 {
            w.upsert(&format!("k{i:05}"), &thing(&format!("thing number {i}"), i))
                .unwrap();
        }
        w.commit().unwrap();
    }
    let file = dir.path().join(FILE_NAME);
    let mut bytes = std::fs::read(&file).unwrap();
    let len = bytes.len();
    assert!(len > 64 * 1024, "a store of some pages: {len}");
    // Deterministic noise over a stretch of pages in the middle.
    let mut x: u32 = 0x9e37_79b9;
    for b in &mut bytes[len / 3..len / 3 + 32 * 1024] {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    std::fs::write(&file, &bytes).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_eq!(std::fs::read(&file).unwrap(), bytes, "left as it is");
}

#[test]
fn a_new_data_folder_and_store_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let _store = Store::open(&data).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join(FILE_NAME)), 0o600);
}

#[test]
fn second_open_is_refused_while_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path()).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::InUse { .. }), "{err:?}");
}

#[test]
fn unwritable_folder_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"").unwrap();
    let err = Store::open(&file).unwrap_err();
    assert!(matches!(err, StoreError::Folder { .. }), "{err:?}");
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Child {
    parent: String,
    tags: Vec<String>,
}

impl Record for Child {
    const KIND: &'static str = "child";
    fn index_keys(&self) -> Vec<(&'static str, String)> {
        let mut keys = vec![("parent", self.parent.clone())];
        keys.extend(self.tags.iter().map(|t| ("tag", t.clone())));
        keys
    }
}

#[test]
fn indexes_follow_every_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let child = |parent: &str, tags: &[&str]| Child {
        parent: parent.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
    };
    let mut w = store.write().unwrap();
    w.upsert("p1/a", &child("x", &["red", "big"])).unwrap();
    w.upsert("p1/b", &child("x", &["red"])).unwrap();
    w.upsert("p2/c", &child("x", &[])).unwrap();
    w.commit().unwrap();
    let r = store.read().unwrap();
    assert_eq!(
        r.ids_by::<Child>("parent", "p1/x").unwrap(),
        vec!["p1/a", "p1/b"]
    );
    assert_eq!(r.ids_by::<Child>("parent", "p2/x").unwrap(), vec!["p2/c"]);
    assert_eq!(
        r.ids_by::<Child>("tag", "p1/red").unwrap(),
        vec!["p1/a", "p1/b"]
    );
    let sorted = r.index_range::<Child>("tag", "p1/").unwrap();
    assert_eq!(
        sorted,
        vec![
            ("big".to_string(), "p1/a".to_string()),
            ("red".into(), "p1/a".into()),
            ("red".into(), "p1/b".into())
        ]
    );
    assert_eq!(r.list_prefix::<Child>("p1/").unwrap().len(), 2);
    assert_eq!(r.count_prefix::<Child>("p2/").unwrap(), 1);
    drop(r);

    let mut w = store.write().unwrap();
    w.upsert("p1/a", &child("y", &["big"])).unwrap();
    w.delete::<Child>("p1/b").unwrap();
    w.commit().unwrap();
    let r = store.read().unwrap();
    assert_eq!(
        r.ids_by::<Child>("parent", "p1/x").unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(r.ids_by::<Child>("parent", "p1/y").unwrap(), vec!["p1/a"]);
    assert!(r.ids_by::<Child>("tag", "p1/red").unwrap().is_empty());
}

/// The same records under an index layout that changed meaning: an older store's index is
/// rebuilt once, and a current one is left alone.
#[test]
fn an_index_of_an_older_layout_is_rebuilt_once() {
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Before {
        name: String,
    }
    impl Record for Before {
        const KIND: &'static str = "laid_out";
        fn index_keys(&self) -> Vec<(&'static str, String)> {
            vec![("name", self.name.clone())]
        }
    }
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct After {
        name: String,
    }
    impl Record for After {
        const KIND: &'static str = "laid_out";
        const INDEX_LAYOUT: u32 = 2;
        fn index_keys(&self) -> Vec<(&'static str, String)> {
            vec![("name", self.name.to_lowercase())]
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut w = store.write().unwrap();
    assert!(
        !w.ensure_index_layout::<Before>().unwrap(),
        "nothing to rebuild"
    );
    w.upsert("p/1", &Before { name: "Web".into() }).unwrap();
    w.commit().unwrap();
    assert_eq!(
        store
            .read()
            .unwrap()
            .ids_by::<After>("name", "p/web")
            .unwrap(),
        Vec::<String>::new()
    );

    let mut w = store.write().unwrap();
    assert!(
        w.ensure_index_layout::<After>().unwrap(),
        "rebuilt for the new layout"
    );
    w.commit().unwrap();
    let r = store.read().unwrap();
    assert_eq!(r.ids_by::<After>("name", "p/web").unwrap(), vec!["p/1"]);
    assert!(
        r.ids_by::<After>("name", "p/Web").unwrap().is_empty(),
        "old entries gone"
    );
    drop(r);
    let mut w = store.write().unwrap();
    assert!(!w.ensure_index_layout::<After>().unwrap(), "once");
}
