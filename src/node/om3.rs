//! The node facts as om3 itself answers them, for om3's own paths.
//!
//! om3's clients are generated from its `daemon/api/api.yaml`, where every field is required
//! and typed: a `null`, a number where a string is due, or a wrapped item where a bare one is
//! due fails the decoding of the whole list. vmyard's own `/api/v1/node/...` keeps `null` for
//! unknown and exact units; this module turns an item into om3's form:
//! - `ipaddress.mask` is a string (`"24"`);
//! - `package.installedat`, `property.value`/`error` and every other unknown string are `""`;
//! - property values in om3's units: `mem_bytes` in MB (as om3's probe reports it), `tz` as
//!   the zone's current UTC offset (`+01:00`, om3's `time.Now().Format("-07:00")`);
//! - `san/path` items are bare `SANPath` objects, not `{kind, meta, data}`.

use serde_json::Value;

use super::Section;

/// Whether om3 lists a section's items bare rather than wrapped.
pub fn bare_items(section: Section) -> bool {
    section == Section::SanPath
}

/// An item's `data`, in om3's form.
pub fn item(section: Section, data: &Value) -> Value {
    let mut v = data.clone();
    match section {
        Section::Ipaddress => {
            if let Some(mask) = v.get("mask").and_then(Value::as_u64) {
                v["mask"] = Value::String(mask.to_string());
            }
        }
        Section::Property => property(&mut v),
        _ => {}
    }
    no_nulls(&mut v);
    v
}

fn property(v: &mut Value) {
    let name = v["name"].as_str().unwrap_or_default().to_string();
    match name.as_str() {
        "mem_bytes" => {
            if let Some(bytes) = v["value"].as_u64() {
                v["value"] = Value::from(bytes / (1024 * 1024));
            }
        }
        "tz" => {
            if let Some(zone) = v["value"].as_str() {
                v["value"] = Value::String(offset_of(zone).unwrap_or_default());
            }
        }
        _ => {}
    }
}

/// The current UTC offset of a time zone (`Europe/Paris` → `+01:00` in winter).
pub fn offset_of(zone: &str) -> Option<String> {
    let tz = jiff::tz::TimeZone::get(zone).ok()?;
    let seconds = tz.to_offset(jiff::Timestamp::now()).seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    Some(format!("{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60))
}

/// om3 requires every field: an unknown value goes out as `""`, never `null`.
fn no_nulls(v: &mut Value) {
    match v {
        Value::Null => *v = Value::String(String::new()),
        Value::Array(items) => items.iter_mut().for_each(no_nulls),
        Value::Object(map) => map.values_mut().for_each(no_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_are_strings_and_nulls_are_empty() {
        let a = item(
            Section::Ipaddress,
            &json!({"mac": null, "address": "10.0.0.1", "mask": 24, "intf": "eth0", "type": "ipv4", "flagdeprecated": false}),
        );
        assert_eq!(a["mask"], json!("24"));
        assert_eq!(a["mac"], json!(""));
        assert_eq!(a["flagdeprecated"], json!(false));
        let p = item(Section::Package, &json!({"name": "a", "installedat": null}));
        assert_eq!(p["installedat"], json!(""));
    }

    #[test]
    fn properties_take_om3_units() {
        let mem = item(
            Section::Property,
            &json!({"name": "mem_bytes", "value": 8_589_934_592u64, "error": null}),
        );
        assert_eq!(mem["value"], json!(8192));
        assert_eq!(mem["error"], json!(""));
        let utc = item(Section::Property, &json!({"name": "tz", "value": "UTC"}));
        assert_eq!(utc["value"], json!("+00:00"));
        let tokyo = item(
            Section::Property,
            &json!({"name": "tz", "value": "Asia/Tokyo"}),
        );
        assert_eq!(tokyo["value"], json!("+09:00"));
        let unknown = item(Section::Property, &json!({"name": "tz", "value": null}));
        assert_eq!(unknown["value"], json!(""));
    }
}
