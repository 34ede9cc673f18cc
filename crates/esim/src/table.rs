//! `--output table`: a list response as rows and columns, any other object as field/value
//! pairs. Providers nest their lists (Airalo: countries → operators → packages), so rows
//! are taken from the innermost list a known container name leads to.

use comfy_table::{Table, presets};
use serde_json::{Map, Value};

/// Field names under which providers nest the list a user asked for, most specific first.
#[rustfmt::skip]
const LIST_FIELDS: [&str; 10] = [
    "packages", "operators", "sims", "esims", "rows", "data", "items", "plans", "users", "results",
];

/// The widest a cell gets; long texts (installation steps) are cut.
const MAX_CELL: usize = 48;

/// Columns shown when the caller names none: these first (the fields that tell items
/// apart and matter when choosing), then the rest by name, up to `MAX_COLUMNS`.
const FIRST_COLUMNS: [&str; 24] = [
    "id",
    "_id",
    "iccid",
    "package_id",
    "packageCode",
    "code",
    "planId",
    "name",
    "title",
    "location",
    "areas",
    "status",
    "esimStatus",
    "data",
    "dataAmount",
    "amount",
    "day",
    "duration",
    "validity",
    "remaining",
    "total",
    "price",
    "currency",
    "created_at",
];
const MAX_COLUMNS: usize = 8;

/// `columns`: exactly these, in this order; otherwise a readable choice.
pub fn render(value: &Value, columns: Option<&[String]>) -> String {
    let value = unwrap_single_field(value);
    match list_of(value) {
        Some(items) => rows_table(&leaf_rows(items), columns),
        None => match value {
            Value::Object(fields) => fields_table(fields),
            other => cell(other),
        },
    }
}

/// `{"data": {...}}` → the inner value.
fn unwrap_single_field(value: &Value) -> &Value {
    match value {
        Value::Object(fields) if fields.len() == 1 => {
            let inner = fields.values().next().expect("one field");
            if inner.is_object() || inner.is_array() {
                unwrap_single_field(inner)
            } else {
                value
            }
        }
        _ => value,
    }
}

fn list_of(value: &Value) -> Option<&Vec<Value>> {
    match value {
        Value::Array(items) => Some(items),
        Value::Object(fields) => LIST_FIELDS.iter().find_map(|name| fields.get(*name)?.as_array()),
        _ => None,
    }
}

/// Descends into nested lists of objects so that each row is an innermost item.
fn leaf_rows(items: &[Value]) -> Vec<&Map<String, Value>> {
    let mut rows = Vec::new();
    for item in items {
        let Some(fields) = item.as_object() else { continue };
        let nested = LIST_FIELDS
            .iter()
            .filter_map(|name| fields.get(*name)?.as_array())
            .find(|list| list.iter().any(Value::is_object));
        match nested {
            Some(list) => rows.extend(leaf_rows(list)),
            None => rows.push(fields),
        }
    }
    rows
}

fn rows_table(rows: &[&Map<String, Value>], chosen: Option<&[String]>) -> String {
    let mut available: Vec<&str> = Vec::new();
    for row in rows {
        for (name, value) in *row {
            let shown = is_scalar(value) || names(value).is_some();
            if shown && !value.is_null() && !available.contains(&name.as_str()) {
                available.push(name);
            }
        }
    }
    let columns: Vec<&str> = match chosen {
        Some(chosen) => chosen.iter().map(String::as_str).collect(),
        None => {
            let rank = |c: &&str| FIRST_COLUMNS.iter().position(|f| f == c).unwrap_or(FIRST_COLUMNS.len());
            available.sort_by_key(rank);
            available.iter().take(MAX_COLUMNS).copied().collect()
        }
    };
    let mut table = Table::new();
    table.load_preset(presets::ASCII_MARKDOWN).set_header(columns.clone());
    for row in rows {
        table.add_row(columns.iter().map(|c| row.get(*c).map(cell).unwrap_or_default()));
    }
    let hidden = available.len().saturating_sub(columns.len());
    let more = match (chosen, hidden) {
        (None, 1..) => format!("; {hidden} more columns: --columns a,b,… or -o json"),
        _ => String::new(),
    };
    format!("{table}\n({} rows{more})", rows.len())
}

fn fields_table(fields: &Map<String, Value>) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::ASCII_MARKDOWN)
        .set_header(["field", "value"]);
    for (name, value) in fields {
        table.add_row([name.clone(), cell(value)]);
    }
    table.to_string()
}

/// A list of named things (`areas: [{"name": "Germany", …}]`) shown as its names.
fn names(value: &Value) -> Option<String> {
    let items = value.as_array().filter(|items| !items.is_empty())?;
    let names: Option<Vec<&str>> = items
        .iter()
        .map(|item| item.get("name").or_else(|| item.get("title"))?.as_str())
        .collect();
    Some(names?.join(", "))
}

fn is_scalar(value: &Value) -> bool {
    !(value.is_object() || value.is_array())
}

fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => names(value).unwrap_or_else(|| format!("[{} items]", items.len())),
        Value::Object(fields) => format!("{{{} fields}}", fields.len()),
        other => other.to_string(),
    };
    let text = text.replace(['\n', '\r'], " ");
    if text.chars().count() > MAX_CELL {
        text.chars().take(MAX_CELL - 1).chain(['…']).collect()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::render;
    use serde_json::json;

    #[test]
    fn nested_lists_become_rows_of_their_innermost_items() {
        let body = json!({"data": [
            {"slug": "germany", "operators": [{"title": "Op", "packages": [
                {"id": "de-1", "price": 4.5, "data": "1 GB", "areas": [{"name": "DE"}, {"name": "AT"}]},
                {"id": "de-3", "price": 11, "data": "3 GB", "note": null}
            ]}]},
            {"slug": "france", "operators": [{"title": "Op", "packages": [{"id": "fr-1", "price": 4.5}]}]}
        ], "meta": {"total": 3}});
        let table = render(&body, None);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "| id   | areas  | data | price |");
        assert_eq!(lines[2], "| de-1 | DE, AT | 1 GB | 4.5   |");
        assert_eq!(lines[4], "| fr-1 |        |      | 4.5   |");
        assert_eq!(lines.last(), Some(&"(3 rows)"));
    }

    #[test]
    fn wide_rows_show_the_telling_columns_first_or_the_chosen_ones() {
        let row = json!({"zeta": 1, "yank": 2, "xray": 3, "whisky": 4, "victor": 5, "uniform": 6, "tango": 7,
                         "price": 9.5, "iccid": "8988"});
        let table = render(&json!([row]), None);
        let header = table.lines().next().unwrap();
        assert!(header.starts_with("| iccid | price | tango |"), "{header}");
        assert!(
            table.ends_with("(1 rows; 1 more columns: --columns a,b,… or -o json)"),
            "{table}"
        );
        let chosen = ["zeta".to_owned(), "iccid".to_owned()];
        let table = render(&json!([row]), Some(&chosen));
        assert_eq!(table.lines().nth(2), Some("| 1    | 8988  |"));
    }

    #[test]
    fn an_object_is_shown_field_by_field_and_long_text_is_cut() {
        let long = "x".repeat(100);
        let table = render(&json!({"data": {"iccid": "8988", "steps": [1, 2], "text": long}}), None);
        assert!(table.contains("| iccid | 8988"), "{table}");
        assert!(table.contains("[2 items]"), "{table}");
        assert!(table.contains(&format!("{}…", "x".repeat(47))), "{table}");
        assert!(!table.contains(&"x".repeat(48)), "{table}");
    }
}
