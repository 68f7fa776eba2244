//! What differs between two reports, figure by figure.

/// What differs between a report as submitted and the same report now, figure
/// by figure (`teams[t1].access.unemployed: 3 → 4`), for explaining a revision.
/// Reports are compared as JSON values; warnings are left out.
pub fn figure_changes(submitted: &serde_json::Value, now: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    fn walk(path: &str, then: &Value, now: &Value, out: &mut Vec<String>) {
        match (then, now) {
            (Value::Object(a), Value::Object(b)) => {
                for (k, v) in a {
                    if path.is_empty() && k == "warnings" {
                        continue;
                    }
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(&p, v, b.get(k).unwrap_or(&Value::Null), out);
                }
            }
            (Value::Array(a), Value::Array(b)) => {
                for item in a {
                    let id = item.get("id").and_then(Value::as_str).unwrap_or("?");
                    let other = b
                        .iter()
                        .find(|x| x.get("id").and_then(Value::as_str) == Some(id))
                        .unwrap_or(&Value::Null);
                    walk(&format!("{path}[{id}]"), item, other, out);
                }
            }
            _ if then != now => out.push(format!("{path}: {then} → {now}")),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", submitted, now, &mut out);
    out
}
