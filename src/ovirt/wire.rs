//! Reading the engine's JSON, where almost every scalar is a string (`"true"`, `"1024"`),
//! times are epoch-millisecond numbers, a collection is `{"<singular>": [...]}` and an empty
//! one is `{}`.
//!
//! [`Obj`] reads fields by dotted path and converts them, with errors that name the field,
//! so one malformed object is reported and skipped instead of stopping a whole load.

use serde_json::Value;

/// A field that is present but cannot be read as the type it should have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {problem}")]
pub struct WireError {
    /// The dotted path of the field.
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

fn bad(field: &str, problem: impl Into<String>) -> WireError {
    WireError {
        field: field.to_string(),
        problem: problem.into(),
    }
}

/// A JSON object of the engine, read by path.
#[derive(Debug, Clone, Copy)]
pub struct Obj<'a>(pub &'a Value);

impl<'a> Obj<'a> {
    /// The value at a dotted path, if present and not null.
    pub fn get(&self, path: &str) -> Option<&'a Value> {
        let mut v = self.0;
        for part in path.split('.') {
            v = v.get(part)?;
        }
        (!v.is_null()).then_some(v)
    }

    /// A string that must be there (ids).
    pub fn req(&self, path: &str) -> Result<String, WireError> {
        match self.get(path) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(Value::String(_)) => Err(bad(path, "is empty")),
            Some(other) => Err(bad(path, format!("expected a string, got {}", kind(other)))),
            None => Err(bad(path, "is missing")),
        }
    }

    /// A string, empty when absent; numbers are accepted and written out.
    pub fn str(&self, path: &str) -> Result<String, WireError> {
        match self.get(path) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(Value::Bool(b)) => Ok(b.to_string()),
            Some(other) => Err(bad(path, format!("expected a string, got {}", kind(other)))),
        }
    }

    /// An optional string: `None` when absent or empty.
    pub fn opt(&self, path: &str) -> Result<Option<String>, WireError> {
        self.str(path).map(|s| (!s.is_empty()).then_some(s))
    }

    /// A boolean written `"true"`/`"false"` (or a real boolean); false when absent.
    pub fn bool(&self, path: &str) -> Result<bool, WireError> {
        match self.get(path) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) => match s.as_str() {
                "true" => Ok(true),
                "false" | "" => Ok(false),
                other => Err(bad(path, format!("`{other}` is not a boolean"))),
            },
            Some(other) => Err(bad(
                path,
                format!("expected a boolean, got {}", kind(other)),
            )),
        }
    }

    /// An unsigned number written as a string (or a real number); 0 when absent.
    pub fn u64(&self, path: &str) -> Result<u64, WireError> {
        match self.get(path) {
            None => Ok(0),
            Some(Value::Number(n)) => n
                .as_u64()
                .ok_or_else(|| bad(path, format!("`{n}` is not a whole number"))),
            Some(Value::String(s)) if s.is_empty() => Ok(0),
            Some(Value::String(s)) => s
                .parse()
                .map_err(|_| bad(path, format!("`{s}` is not a whole number"))),
            Some(other) => Err(bad(path, format!("expected a number, got {}", kind(other)))),
        }
    }

    /// An optional number: `None` when absent.
    pub fn opt_u64(&self, path: &str) -> Result<Option<u64>, WireError> {
        match self.get(path) {
            None => Ok(None),
            Some(_) => self.u64(path).map(Some),
        }
    }

    /// The id of a reference `{"href", "id"}`, if present.
    pub fn ref_id(&self, path: &str) -> Result<Option<String>, WireError> {
        self.opt(&format!("{path}.id"))
    }

    /// The items of a collection `{"<singular>": [...]}`; none for `{}` or when absent.
    pub fn items(&self, path: &str, singular: &str) -> Result<Vec<Obj<'a>>, WireError> {
        match self.get(path) {
            None => Ok(Vec::new()),
            Some(Value::Object(map)) => match map.get(singular) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(items)) => Ok(items.iter().map(Obj).collect()),
                Some(other) => Err(bad(
                    &format!("{path}.{singular}"),
                    format!("expected a list, got {}", kind(other)),
                )),
            },
            Some(other) => Err(bad(
                path,
                format!("expected a collection, got {}", kind(other)),
            )),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The items of a top-level collection answer, e.g. `{"vm": [...]}`; `{}` is empty.
pub fn collection<'a>(body: &'a Value, singular: &str) -> Result<&'a [Value], WireError> {
    match body {
        Value::Object(map) => match map.get(singular) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(bad(
                singular,
                format!("expected a list, got {}", kind(other)),
            )),
        },
        other => Err(bad(
            singular,
            format!("expected a collection object, got {}", kind(other)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_string_scalars_and_names_bad_fields() {
        let v = json!({"id": "a", "memory": "1024", "on": "true", "n": {"x": "y"}, "bad": "lots", "empty": {}});
        let o = Obj(&v);
        assert_eq!(o.req("id").unwrap(), "a");
        assert_eq!(o.u64("memory").unwrap(), 1024);
        assert!(o.bool("on").unwrap());
        assert!(!o.bool("absent").unwrap());
        assert_eq!(o.str("n.x").unwrap(), "y");
        assert_eq!(o.u64("bad").unwrap_err().field, "bad");
        assert!(o.req("missing").is_err());
        assert!(o.items("empty", "thing").unwrap().is_empty());
        assert!(o.bool("memory").is_err());
    }
}
