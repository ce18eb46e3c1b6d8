//! One object as its page shows it: its fields in groups, its sub-lists as tables, the
//! objects related to it, and for a VM its validation result. Built from the typed record
//! (each kind says what it shows in [`super::describe`]), never from its JSON.

use crate::inventory::decode::Kind;
use crate::inventory::{self, InventoryRecord, for_kind};
use crate::store::{ReadTxn, StoreError};
use crate::validation::VmConcerns;
use crate::web::AppState;

use super::describe::Describe;
use super::names::{Link, Names};

/// A value as a detail page shows it; the page decides how each looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// Plain text.
    Text(String),
    /// A list of plain values (IP addresses, usages).
    List(Vec<String>),
    /// A size in bytes; `None` when the engine did not say.
    Bytes(Option<u64>),
    /// A number.
    Count(u64),
    /// A link speed in bits per second.
    Speed(u64),
    /// Yes or no.
    Flag(bool),
    /// A status, coloured by what it means.
    Status(String),
    /// Another object, by name.
    Link(Link),
    /// Other objects, by name.
    Links(Vec<Link>),
    /// Not known: the engine did not serve it.
    Unknown,
    /// Nothing there (an empty CD-ROM drive, no reference).
    Empty,
}

/// One labelled value.
#[derive(Debug, Clone)]
pub struct Field {
    /// What it is, as an admin of the engine calls it.
    pub label: &'static str,
    /// Its value.
    pub value: Shown,
}

/// Fields that belong together (General, System, ...).
#[derive(Debug, Clone)]
pub struct Group {
    /// Its heading.
    pub title: &'static str,
    /// Its fields, in reading order.
    pub fields: Vec<Field>,
}

/// A sub-list of the object (a VM's NICs, a host's NICs, ...).
#[derive(Debug, Clone)]
pub struct Table {
    /// Its heading.
    pub title: &'static str,
    /// Column headings.
    pub columns: Vec<&'static str>,
    /// One row per item.
    pub rows: Vec<Vec<Shown>>,
}

/// Objects that refer to this one, as a link to a filtered list or to the object.
#[derive(Debug, Clone)]
pub struct Related {
    /// What they are.
    pub label: String,
    /// How many.
    pub count: usize,
    /// Where they are listed.
    pub href: String,
}

/// A VM's validation result, with whether it is current.
#[derive(Debug, Clone)]
pub struct Validation {
    /// The stored result.
    pub result: VmConcerns,
    /// Computed for the VM as stored, under the rules in force.
    pub current: bool,
}

/// One object as its page shows it.
#[derive(Debug, Clone)]
pub struct Detail {
    /// Its kind.
    pub kind: Kind,
    /// Its engine id.
    pub id: String,
    /// Its name, or its id when it has none.
    pub name: String,
    /// Its fields.
    pub groups: Vec<Group>,
    /// Its sub-lists that have items.
    pub tables: Vec<Table>,
    /// What refers to it.
    pub related: Vec<Related>,
    /// For a VM: its validation result, `None` when not validated yet.
    pub validation: Option<Validation>,
}

/// What [`Describe`] writes into: fields in groups, tables and related objects, with
/// names looked up as they are written.
pub struct Sheet<'a> {
    names: Names<'a>,
    r: &'a ReadTxn,
    provider: &'a str,
    key: String,
    groups: Vec<Group>,
    tables: Vec<Table>,
    related: Vec<Related>,
}

impl<'a> Sheet<'a> {
    /// Starts a group of fields.
    pub fn group(&mut self, title: &'static str) -> &mut Self {
        self.groups.push(Group {
            title,
            fields: Vec::new(),
        });
        self
    }

    /// Adds a field to the current group.
    pub fn show(&mut self, label: &'static str, value: Shown) -> &mut Self {
        if self.groups.is_empty() {
            self.group("General");
        }
        if let Some(g) = self.groups.last_mut() {
            g.fields.push(Field { label, value });
        }
        self
    }

    /// Text; left out when the engine gave none.
    pub fn text(&mut self, label: &'static str, text: &str) -> &mut Self {
        if text.is_empty() {
            return self;
        }
        self.show(label, Shown::Text(text.to_string()))
    }

    /// A status badge.
    pub fn status(&mut self, label: &'static str, status: &str) -> &mut Self {
        if status.is_empty() {
            return self.show(label, Shown::Unknown);
        }
        self.show(label, Shown::Status(status.to_string()))
    }

    /// Yes or no.
    pub fn flag(&mut self, label: &'static str, b: bool) -> &mut Self {
        self.show(label, Shown::Flag(b))
    }

    /// A number.
    pub fn count(&mut self, label: &'static str, n: u64) -> &mut Self {
        self.show(label, Shown::Count(n))
    }

    /// A size in bytes.
    pub fn bytes(&mut self, label: &'static str, n: Option<u64>) -> &mut Self {
        self.show(label, Shown::Bytes(n))
    }

    /// A list of values; left out when empty.
    pub fn list(&mut self, label: &'static str, items: &[String]) -> &mut Self {
        if items.is_empty() {
            return self;
        }
        self.show(label, Shown::List(items.to_vec()))
    }

    /// A reference, by name; left out when there is none.
    pub fn link(&mut self, label: &'static str, kind: Kind, id: &str) -> Result<(), StoreError> {
        if let Some(l) = self.names.link(kind, id)? {
            self.show(label, Shown::Link(l));
        }
        Ok(())
    }

    /// References, by name; left out when there are none.
    pub fn links(
        &mut self,
        label: &'static str,
        kind: Kind,
        ids: &[String],
    ) -> Result<(), StoreError> {
        let links = self.links_to(kind, ids)?;
        if !links.is_empty() {
            self.show(label, Shown::Links(links));
        }
        Ok(())
    }

    /// A reference as a table cell.
    pub fn cell_link(&mut self, kind: Kind, id: &str) -> Result<Shown, StoreError> {
        Ok(self.names.link(kind, id)?.map_or(Shown::Empty, Shown::Link))
    }

    fn links_to(&mut self, kind: Kind, ids: &[String]) -> Result<Vec<Link>, StoreError> {
        let mut links = Vec::with_capacity(ids.len());
        for id in ids {
            links.extend(self.names.link(kind, id)?);
        }
        Ok(links)
    }

    /// A sub-list; left out when it has no items.
    pub fn table<I>(&mut self, title: &'static str, columns: &[&'static str], items: I) -> &mut Self
    where
        I: IntoIterator<Item = Vec<Shown>>,
    {
        let rows: Vec<Vec<Shown>> = items.into_iter().collect();
        if !rows.is_empty() {
            self.tables.push(Table {
                title,
                columns: columns.to_vec(),
                rows,
            });
        }
        self
    }

    /// Objects of type `T` whose `index` points at this one, as a link to their list
    /// filtered by `filter` (or unfiltered when the list has no such filter).
    pub fn related_by<T: InventoryRecord>(
        &mut self,
        label: &str,
        index: &str,
        list: Option<&str>,
    ) -> Result<(), StoreError> {
        let count = self.r.ids_by::<T>(index, &self.key)?.len();
        let id = inventory::engine_id(&self.key);
        let base = format!("/inventory/{}/{}", self.provider, T::INVENTORY_KIND.path());
        let href = match list {
            Some(filter) => format!("{base}?{filter}={id}"),
            None => base,
        };
        self.related.push(Related {
            label: label.to_string(),
            count,
            href,
        });
        Ok(())
    }

    /// Each VM whose `index` points at this object, one link per VM.
    pub fn related_vms(&mut self, index: &str) -> Result<(), StoreError> {
        for key in self
            .r
            .ids_by::<crate::inventory::model::Vm>(index, &self.key)?
        {
            let vm = inventory::engine_id(&key);
            let name = self.names.name(Kind::Vm, vm)?;
            self.related.push(Related {
                label: format!("VM {name}"),
                count: 1,
                href: format!("/inventory/{}/vms/{vm}", self.provider),
            });
        }
        Ok(())
    }
}

/// One object of `provider`, or `None` when it is not stored.
pub fn detail(
    app: &AppState,
    r: &ReadTxn,
    provider: &str,
    kind: Kind,
    id: &str,
) -> Result<Option<Detail>, StoreError> {
    for_kind!(kind, T => build::<T>(app, r, provider, id))
}

fn build<T: Describe>(
    app: &AppState,
    r: &ReadTxn,
    provider: &str,
    id: &str,
) -> Result<Option<Detail>, StoreError> {
    let key = inventory::key(provider, id);
    let Some(stored) = r.get::<T>(&key)? else {
        return Ok(None);
    };
    let mut sheet = Sheet {
        names: Names::new(r, provider),
        r,
        provider,
        key: key.clone(),
        groups: Vec::new(),
        tables: Vec::new(),
        related: Vec::new(),
    };
    stored.value.describe(&mut sheet)?;
    let validation = if T::INVENTORY_KIND == Kind::Vm {
        validation_of(app, r, &key, stored.revision)?
    } else {
        None
    };
    Ok(Some(Detail {
        kind: T::INVENTORY_KIND,
        id: id.to_string(),
        name: stored.value.display_name().to_string(),
        groups: sheet.groups,
        tables: sheet.tables,
        related: sheet.related,
        validation,
    }))
}

fn validation_of(
    app: &AppState,
    r: &ReadTxn,
    key: &str,
    revision: u64,
) -> Result<Option<Validation>, StoreError> {
    // Not validated yet is `None`; a result that cannot be read is an error.
    let Some(res) = r.get::<VmConcerns>(key)? else {
        return Ok(None);
    };
    let result = res.value;
    let version = app.validation.policy().map(|p| p.version.clone());
    Ok(Some(Validation {
        current: result.revision_validated == revision
            && version.as_deref() == Some(result.policy_version.as_str()),
        result,
    }))
}
