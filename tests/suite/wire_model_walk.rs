//! Walks a JSON answer of the engine against the oVirt REST type model in
//! `ovirt-4.x.json` (see `extract.py`), and names every key the model lacks for the type
//! in the place where it appears (`vm.nics.nic[3].foo`).
//!
//! Wire rules, as the recorded engines show them: an object of a type carries the type's
//! elements and attributes (`href`, `id`); a struct element is an object of its type; a list
//! element is `{"<item>": [...]}` (or `{}` when empty); a list of scalars is
//! `{"<item>": ["..."]}`; a scalar is a string, number or boolean; `link` is an array of
//! `{"href", "rel"}`. One key is outside the type model and allowed on any object:
//! `actions`, `{"link": [{"href", "rel"}]}`, the actions the object offers.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// The model: types by name.
#[derive(Debug, Deserialize)]
pub struct Model {
    /// The SDK version it comes from.
    pub sdk: String,
    /// Each type.
    pub types: BTreeMap<String, Type>,
    /// Whether an empty list may be `{"<item>": ""}`: how answers converted from the
    /// engine's XML show an empty element (some recorded single objects).
    #[serde(skip)]
    pub xml_empty: bool,
}

/// One type of the model.
#[derive(Debug, Deserialize)]
pub struct Type {
    /// Its element name (`vm`, `host_nic`), the item key of a list of it.
    pub element: Option<String>,
    /// What each key holds.
    pub attributes: BTreeMap<String, Kind>,
}

/// What a key holds.
#[derive(Debug, Deserialize)]
pub struct Kind {
    #[serde(default)]
    scalar: bool,
    #[serde(default)]
    scalars: bool,
    #[serde(default)]
    links: bool,
    #[serde(default)]
    r#struct: Option<String>,
    #[serde(default)]
    list: Option<String>,
    #[serde(default)]
    item: Option<String>,
}

impl Model {
    /// The committed model.
    pub fn load() -> Model {
        let file = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/wire_model/ovirt-4.x.json"
        );
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
    }

    /// The type whose element name is `element`.
    pub fn by_element(&self, element: &str) -> Option<&str> {
        self.types
            .iter()
            .find(|(_, t)| t.element.as_deref() == Some(element))
            .map(|(name, _)| name.as_str())
    }

    /// Walks a list answer `{"<element>": [...]}` (or `{}`) of the type of `element`.
    pub fn walk_list(&self, body: &Value, element: &str, out: &mut Vec<String>) {
        let Some(ty) = self.by_element(element) else {
            out.push(format!("{element}: no such type in the model"));
            return;
        };
        self.walk_items(body, ty, element, element, out);
    }

    /// Walks one object of the type of `element`.
    pub fn walk_one(&self, body: &Value, element: &str, out: &mut Vec<String>) {
        let Some(ty) = self.by_element(element) else {
            out.push(format!("{element}: no such type in the model"));
            return;
        };
        self.walk(body, ty, element, out);
    }

    /// `{"<item>": [objects of ty]}` or `{}`, at `path`.
    fn walk_items(&self, v: &Value, ty: &str, item: &str, path: &str, out: &mut Vec<String>) {
        let Some(map) = v.as_object() else {
            out.push(format!("{path}: not a collection object"));
            return;
        };
        for (k, list) in map {
            if k != item {
                out.push(format!("{path}.{k}: not the item key {item} of a list"));
                continue;
            }
            if self.xml_empty && list == "" {
                continue;
            }
            let Some(list) = list.as_array() else {
                out.push(format!("{path}.{k}: not an array"));
                continue;
            };
            for (i, o) in list.iter().enumerate() {
                self.walk(o, ty, &format!("{path}.{k}[{i}]"), out);
            }
        }
    }

    /// One object of type `ty` at `path`.
    fn walk(&self, v: &Value, ty: &str, path: &str, out: &mut Vec<String>) {
        let Some(map) = v.as_object() else {
            out.push(format!("{path}: not an object ({ty})"));
            return;
        };
        let t = &self.types[ty];
        for (k, val) in map {
            let at = format!("{path}.{k}");
            if k == "actions" {
                check_actions(val, &at, out);
                continue;
            }
            let Some(kind) = t.attributes.get(k) else {
                out.push(format!("{at}: {ty} has no {k}"));
                continue;
            };
            if kind.links {
                check_links(val, &at, out);
            } else if kind.scalar {
                if val.is_object() || val.is_array() || val.is_null() {
                    out.push(format!("{at}: not a scalar"));
                }
            } else if let Some(inner) = &kind.r#struct {
                self.walk(val, inner, &at, out);
            } else if let (Some(inner), Some(item)) = (&kind.list, &kind.item) {
                self.walk_items(val, inner, item, &at, out);
            } else if let (true, Some(item)) = (kind.scalars, &kind.item) {
                check_scalars(val, item, &at, out);
            } else {
                out.push(format!("{at}: the model has no kind for it"));
            }
        }
    }
}

/// `[{"href", "rel"}]`.
fn check_links(v: &Value, path: &str, out: &mut Vec<String>) {
    let Some(links) = v.as_array() else {
        out.push(format!("{path}: not an array of links"));
        return;
    };
    for (i, l) in links.iter().enumerate() {
        match l.as_object() {
            Some(m) => {
                for k in m.keys().filter(|k| !matches!(k.as_str(), "href" | "rel")) {
                    out.push(format!("{path}[{i}].{k}: a link has only href and rel"));
                }
            }
            None => out.push(format!("{path}[{i}]: not a link object")),
        }
    }
}

/// `{"link": [{"href", "rel"}]}`.
fn check_actions(v: &Value, path: &str, out: &mut Vec<String>) {
    let Some(map) = v.as_object() else {
        out.push(format!("{path}: not an object"));
        return;
    };
    for (k, links) in map {
        if k == "link" {
            check_links(links, &format!("{path}.link"), out);
        } else {
            out.push(format!("{path}.{k}: actions hold only link"));
        }
    }
}

/// `{"<item>": [scalars]}` or `{}`.
fn check_scalars(v: &Value, item: &str, path: &str, out: &mut Vec<String>) {
    let Some(map) = v.as_object() else {
        out.push(format!("{path}: not a list object"));
        return;
    };
    for (k, list) in map {
        let scalars = list
            .as_array()
            .is_some_and(|l| l.iter().all(|s| !s.is_object() && !s.is_array()));
        if k != item || !scalars {
            out.push(format!("{path}.{k}: not a list of {item} scalars"));
        }
    }
}
