//! The API reference page's view of the OpenAPI document: operations grouped by tag, each
//! with its parameters, body and answers, and the schemas they name, with their fields.
//!
//! Built once from the typed document (`utoipa`'s model, the same document
//! `/api/v1/openapi.json` serves), so the page and the document cannot disagree.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ArrayItems, Schema, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr, Required};

/// The whole reference.
#[derive(Debug, Clone, Default)]
pub struct ApiReference {
    /// The API's title and version.
    pub title: String,
    /// What the API is for.
    pub description: String,
    /// Operations by tag, in the document's tag order.
    pub groups: Vec<Group>,
    /// The schemas, by name.
    pub schemas: Vec<SchemaView>,
}

/// The operations of one tag.
#[derive(Debug, Clone)]
pub struct Group {
    /// The tag.
    pub tag: String,
    /// What the tag covers.
    pub description: String,
    /// Its operations, by path then method.
    pub operations: Vec<OperationView>,
}

/// One operation.
#[derive(Debug, Clone)]
pub struct OperationView {
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// The path, with `{parameters}`.
    pub path: String,
    /// An anchor for it on the page.
    pub anchor: String,
    /// Its one-line summary.
    pub summary: String,
    /// Its longer description, when it has one beyond the summary.
    pub description: String,
    /// Path and query parameters.
    pub parameters: Vec<ParameterView>,
    /// The body it takes, when it takes one.
    pub body: Option<TypeText>,
    /// Its answers by status.
    pub responses: Vec<ResponseView>,
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct ParameterView {
    /// Its name.
    pub name: String,
    /// `path` or `query`.
    pub location: &'static str,
    /// Whether it must be given.
    pub required: bool,
    /// Its type.
    pub kind: TypeText,
    /// What it does.
    pub description: String,
}

/// One answer.
#[derive(Debug, Clone)]
pub struct ResponseView {
    /// The HTTP status.
    pub status: String,
    /// What it means.
    pub description: String,
    /// The content type and body type, when it has a body.
    pub body: Option<(String, TypeText)>,
}

/// A schema and its fields.
#[derive(Debug, Clone)]
pub struct SchemaView {
    /// Its name, also its anchor (`schema-NAME`).
    pub name: String,
    /// What it is.
    pub description: String,
    /// Its fields; none for an enum or a composition.
    pub fields: Vec<FieldView>,
    /// The values of an enum, or the schemas a composition is made of.
    pub variants: Vec<TypeText>,
}

/// A field of a schema.
#[derive(Debug, Clone)]
pub struct FieldView {
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: TypeText,
    /// Whether it is always there.
    pub required: bool,
    /// What it holds.
    pub description: String,
}

/// A type as the page writes it: words, and the schema it links to when it names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeText {
    /// E.g. `integer`, `array of Vm`, `Vm`.
    pub text: String,
    /// The named schema, for a link to `#schema-NAME`.
    pub schema: Option<String>,
}

impl TypeText {
    fn plain(text: impl Into<String>) -> TypeText {
        TypeText {
            text: text.into(),
            schema: None,
        }
    }
}

/// The reference of `doc`.
pub fn build(doc: &OpenApi) -> ApiReference {
    let mut operations: Vec<(String, OperationView)> = Vec::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ] {
            if let Some(op) = op {
                let tag = op
                    .tags
                    .as_ref()
                    .and_then(|t| t.first().cloned())
                    .unwrap_or_default();
                operations.push((tag, operation(method, path, op)));
            }
        }
    }
    let tags: Vec<(String, String)> = doc
        .tags
        .iter()
        .flatten()
        .map(|t| (t.name.clone(), t.description.clone().unwrap_or_default()))
        .collect();
    let mut groups: Vec<Group> = tags
        .iter()
        .map(|(tag, description)| Group {
            tag: tag.clone(),
            description: description.clone(),
            operations: Vec::new(),
        })
        .collect();
    for (tag, op) in operations {
        match groups.iter_mut().find(|g| g.tag == tag) {
            Some(g) => g.operations.push(op),
            // An operation whose tag the document does not list still shows.
            None => groups.push(Group {
                tag,
                description: String::new(),
                operations: vec![op],
            }),
        }
    }
    groups.retain(|g| !g.operations.is_empty());
    let schemas = doc
        .components
        .iter()
        .flat_map(|c| c.schemas.iter())
        .map(|(name, schema)| schema_view(name, schema))
        .collect();
    ApiReference {
        title: format!("{} {}", doc.info.title, doc.info.version),
        description: doc.info.description.clone().unwrap_or_default(),
        groups,
        schemas,
    }
}

fn operation(method: &'static str, path: &str, op: &Operation) -> OperationView {
    let summary = op.summary.clone().unwrap_or_default();
    let description = op
        .description
        .clone()
        .filter(|d| d.trim() != summary.trim())
        .unwrap_or_default();
    let parameters = op
        .parameters
        .iter()
        .flatten()
        // The document defines every parameter in place; a reference has nothing to show.
        .filter_map(|p| match p {
            RefOr::T(p) => Some(p),
            RefOr::Ref(_) => None,
        })
        .map(|p| ParameterView {
            name: p.name.clone(),
            location: match p.parameter_in {
                ParameterIn::Path => "path",
                ParameterIn::Query | ParameterIn::QueryString => "query",
                ParameterIn::Header => "header",
                ParameterIn::Cookie => "cookie",
            },
            required: matches!(p.required, Required::True),
            kind: p
                .schema
                .as_ref()
                .map_or_else(|| TypeText::plain("string"), type_text),
            description: p.description.clone().unwrap_or_default(),
        })
        .collect();
    let body = op.request_body.as_ref().and_then(|b| match b {
        RefOr::T(b) => b.content.values().find_map(|c| match c {
            RefOr::T(c) => c.schema.as_ref().map(type_text),
            RefOr::Ref(r) => Some(reference(&r.ref_location)),
        }),
        RefOr::Ref(r) => Some(reference(&r.ref_location)),
    });
    let responses = op
        .responses
        .responses
        .iter()
        .map(|(status, r)| match r {
            RefOr::T(r) => ResponseView {
                status: status.clone(),
                description: r.description.clone(),
                body: r.content.iter().find_map(|(ct, c)| match c {
                    RefOr::T(c) => c.schema.as_ref().map(|s| (ct.clone(), type_text(s))),
                    RefOr::Ref(r) => Some((ct.clone(), reference(&r.ref_location))),
                }),
            },
            RefOr::Ref(r) => ResponseView {
                status: status.clone(),
                description: String::new(),
                body: Some((String::new(), reference(&r.ref_location))),
            },
        })
        .collect();
    OperationView {
        method,
        anchor: format!(
            "{}-{}",
            method.to_lowercase(),
            path.trim_start_matches('/')
                .replace(['/', '{', '}'], "-")
                .trim_end_matches('-')
        ),
        path: path.to_string(),
        summary,
        description,
        parameters,
        body,
        responses,
    }
}

fn reference(location: &str) -> TypeText {
    let name = location.rsplit('/').next().unwrap_or(location).to_string();
    TypeText {
        text: name.clone(),
        schema: Some(name),
    }
}

/// How a schema reads as a type.
fn type_text(schema: &RefOr<Schema>) -> TypeText {
    match schema {
        RefOr::Ref(r) => reference(&r.ref_location),
        RefOr::T(Schema::Array(a)) => {
            let item = match &a.items {
                ArrayItems::RefOrSchema(s) => type_text(s),
                ArrayItems::False => TypeText::plain("nothing"),
            };
            TypeText {
                text: format!("array of {}", item.text),
                schema: item.schema,
            }
        }
        RefOr::T(Schema::Object(o)) => {
            let mut text = types(&o.schema_type);
            if let Some(values) = o.enum_values.as_ref().filter(|v| !v.is_empty()) {
                let words: Vec<String> = values
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect();
                text = format!("one of {}", words.join(", "));
            }
            TypeText::plain(text)
        }
        RefOr::T(Schema::OneOf(o)) => composed(&o.items, " or "),
        RefOr::T(Schema::AnyOf(o)) => composed(&o.items, " or "),
        RefOr::T(Schema::AllOf(o)) => composed(&o.items, " and "),
        RefOr::T(_) => TypeText::plain("any"),
    }
}

/// A composition as a type: `Vm or null` links to `Vm`.
fn composed(items: &[RefOr<Schema>], joiner: &str) -> TypeText {
    let parts: Vec<TypeText> = items.iter().map(type_text).collect();
    TypeText {
        text: parts
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join(joiner),
        schema: parts.into_iter().find_map(|p| p.schema),
    }
}

fn types(t: &SchemaType) -> String {
    let one = |t: &Type| {
        match t {
            Type::Object => "object",
            Type::String => "string",
            Type::Integer => "integer",
            Type::Number => "number",
            Type::Boolean => "boolean",
            Type::Array => "array",
            Type::Null => "null",
        }
        .to_string()
    };
    match t {
        SchemaType::Type(t) => one(t),
        SchemaType::Array(ts) => ts.iter().map(one).collect::<Vec<_>>().join(" or "),
        SchemaType::AnyValue => "any".into(),
    }
}

fn schema_view(name: &str, schema: &RefOr<Schema>) -> SchemaView {
    let mut view = SchemaView {
        name: name.to_string(),
        description: String::new(),
        fields: Vec::new(),
        variants: Vec::new(),
    };
    match schema {
        RefOr::T(Schema::Object(o)) => {
            view.description = o.description.clone().unwrap_or_default();
            view.fields = o
                .properties
                .iter()
                .map(|(field, s)| FieldView {
                    name: field.clone(),
                    kind: type_text(s),
                    required: o.required.contains(field),
                    description: description(s),
                })
                .collect();
            if view.fields.is_empty() {
                view.variants = vec![type_text(schema)];
            }
        }
        RefOr::T(Schema::OneOf(o)) => {
            view.description = o.description.clone().unwrap_or_default();
            view.variants = o.items.iter().map(type_text).collect();
        }
        RefOr::T(Schema::AnyOf(o)) => {
            view.description = o.description.clone().unwrap_or_default();
            view.variants = o.items.iter().map(type_text).collect();
        }
        RefOr::T(Schema::AllOf(o)) => {
            view.description = o.description.clone().unwrap_or_default();
            view.variants = o.items.iter().map(type_text).collect();
        }
        other => view.variants = vec![type_text(other)],
    }
    view
}

/// A field's description, wherever its schema keeps it.
fn description(schema: &RefOr<Schema>) -> String {
    match schema {
        RefOr::Ref(r) => r.description.clone(),
        RefOr::T(Schema::Object(o)) => o.description.clone().unwrap_or_default(),
        RefOr::T(Schema::Array(a)) => a.description.clone().unwrap_or_default(),
        RefOr::T(Schema::OneOf(o)) => o.description.clone().unwrap_or_default(),
        RefOr::T(Schema::AllOf(o)) => o.description.clone().unwrap_or_default(),
        RefOr::T(Schema::AnyOf(o)) => o.description.clone().unwrap_or_default(),
        RefOr::T(_) => String::new(),
    }
}
